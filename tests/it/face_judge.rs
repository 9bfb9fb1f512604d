//! `myna-card` (soltia48/myna-card, written against physical cards) as an
//! independent judge of the 券面AP: its parsers and its signature checks
//! agree with ours on every file each profile's virtual card serves, with
//! the same CA keys; its own APDUs (照合番号B, reads, the challenge) run
//! against the card in process and, through pcscd + vpcd, against the
//! served card, and mynacard's face-check reaches the same levels there.

use crate::common;
use crate::common::myna::{self, sex_code};

use common::{bin, json, virt};
use myna_card::ap::surface::{self as mc, ef as surface_ef, SurfaceAp};
use myna_card::CardVerifiableCertificate as McCert;
use mynacard::cert::cv_keys::{self, Hierarchy, Issuer};
use mynacard::protocol::face::{AgeRecord, CvCert, Face, RsaKey};
use mynacard::protocol::App;
use mynacard::usecase::face::face_signature_verifies;
use mynacard::vcard::{Profile, VirtualCard};
use serde_json::{json, Value};

/// 照合番号B as printed on the profile's card (西暦: mynacard converts).
fn parts(p: &Profile) -> String {
    let (b, h) = (p.holder.birth_date, &p.holder);
    format!("{b} {} {}", p.card.expiry.year(), h.security_code)
}

/// The same 14 digits, built by myna-card from the printed parts.
fn code_b(p: &Profile) -> myna_card::Pin {
    let b = p.holder.birth_date;
    let birth = myna_card::Date {
        year: b.year() as u16,
        month: b.month() as u8,
        day: b.day(),
    };
    let year = p.card.expiry.year() as u16;
    myna_card::data::verification_code_b(birth, year, p.holder.security_code.as_bytes()).unwrap()
}

fn date(d: myna_card::Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

fn same_key(theirs: &myna_card::RsaPublicKey, ours: &RsaKey, what: &str) {
    assert_eq!(theirs.modulus, ours.modulus, "{what}: modulus");
    assert_eq!(theirs.exponent, ours.exponent, "{what}: exponent");
}

/// The virtual card's CV CA public key (fixtures/keys/cv-ca.pem, test
/// only): myna-card knows J-LIS's keys, not ours.
fn virtual_ca() -> myna_card::RsaPublicKey {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let pem = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/cv-ca.pem"),
    )
    .unwrap();
    let k = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap();
    myna_card::RsaPublicKey {
        exponent: k.e().to_bytes_be(),
        modulus: k.n().to_bytes_be(),
    }
}

/// One CV certificate judged by both: fields equal, and myna-card's
/// signature check (its own J-LIS key table, or the virtual CA's key for
/// the virtual hierarchy) gives our verdict. `None`: neither holds a key
/// of the name it gives (the virtual card's MF root, `6000000`).
fn judge_cert(raw: &[u8], what: &str) -> Option<bool> {
    let theirs = McCert::parse(raw).unwrap_or_else(|e| panic!("{what}: myna-card: {e}"));
    let ours = CvCert::parse(raw).unwrap_or_else(|e| panic!("{what}: ours: {e:?}"));
    assert_eq!(
        theirs.issuer_key_id.as_bytes()[..],
        ours.issuer_key_id[..],
        "{what}"
    );
    assert_eq!(
        theirs.subject_key_id.as_bytes()[..],
        ours.subject_key_id[..],
        "{what}"
    );
    same_key(&theirs.public_key, &ours.key, what);
    assert_eq!(theirs.signature, ours.signature, "{what}: signature");
    assert_eq!(theirs.signed_data, ours.signed, "{what}: signed body");
    let mine = cv_keys::issuer(&ours);
    let verdict = match (myna_card::ca::find(&theirs.issuer_key_id), mine) {
        (Some(_), _) => theirs.verify(),
        (None, Issuer::Verified(Hierarchy::VirtualTest)) => theirs.verify_with(&virtual_ca()),
        (None, Issuer::Unknown) => {
            assert!(
                matches!(
                    theirs.verify(),
                    Err(myna_card::Error::UnknownCertificateAuthority(_))
                ),
                "{what}"
            );
            return None;
        }
        (None, other) => panic!("{what}: myna-card has no key for it, ours says {other:?}"),
    };
    assert_eq!(
        verdict.is_ok(),
        matches!(mine, Issuer::Verified(_)),
        "{what}: {verdict:?} vs {mine:?}"
    );
    Some(verdict.is_ok())
}

/// Every profile with a 券面AP: name, card.
fn profiles() -> Vec<(String, VirtualCard, Profile)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".toml")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let p = Profile::load(&common::fixture(&n)).unwrap();
            let c = VirtualCard::new(&p).unwrap();
            c.ef(App::Surface, surface_ef::CARD_FACE)?;
            Some((n, c, p))
        })
        .collect()
}

/// The files of one profile, parsed by both; what myna-card's checks say.
fn judge_files(name: &str, c: &mut VirtualCard, p: &Profile) -> Value {
    let ef = |app, fid| {
        c.ef(app, fid)
            .unwrap_or_else(|| panic!("{name}: no {app:?} {fid:04X}"))
            .to_vec()
    };
    let cert_raw = ef(App::Surface, surface_ef::CERTIFICATE);
    let cert_ok = judge_cert(&cert_raw, &format!("{name} 券面AP 0004"));
    let issuer = McCert::parse(&cert_raw).unwrap().public_key;
    let our_cert = CvCert::parse(&cert_raw).unwrap();

    // EF 0001, the age record.
    let raw = ef(App::Surface, surface_ef::AGE_RECORD);
    let (theirs, ours) = (
        mc::AgeRecord::parse(&raw).unwrap(),
        AgeRecord::parse(&raw).unwrap(),
    );
    assert_eq!(date(theirs.birth_date), ours.birth_date, "{name} 0001");
    same_key(&theirs.public_key, &ours.card_key, name);
    assert_eq!(
        (&theirs.signature, &theirs.signed_data),
        (&ours.signature, &ours.signed),
        "{name} 0001"
    );
    let age_ok = theirs.verify(&issuer).is_ok();
    assert_eq!(
        age_ok,
        cv_keys::verifies_sha256(&our_cert.key, &ours.signed, &ours.signature),
        "{name} 0001"
    );

    // EF 0002, the card face.
    let raw = ef(App::Surface, surface_ef::CARD_FACE);
    let (theirs, ours) = (
        mc::CardFace::parse(&raw).unwrap(),
        Face::parse(&raw).unwrap(),
    );
    assert_eq!(date(theirs.birth_date), ours.birth_date, "{name} 0002");
    assert_eq!(sex_code(theirs.sex), ours.sex, "{name} 0002");
    assert_eq!(Some(date(theirs.expiry)), ours.expiry, "{name} 0002 DF29");
    same_key(&theirs.public_key, &ours.card_key, name);
    assert_eq!(theirs.name_image.data, ours.name_image, "{name} DF25");
    assert_eq!(theirs.address_image.data, ours.address_image, "{name} DF26");
    assert_eq!(theirs.photo.data, ours.photo, "{name} DF27");
    assert_eq!(theirs.signature, ours.signature, "{name} DF28");
    assert_eq!(theirs.signed_segments, ours.segments, "{name} segments");
    let face_ok = theirs.verify(&issuer).is_ok();
    assert_eq!(
        face_ok,
        face_signature_verifies(&ours, &our_cert),
        "{name} 0002"
    );

    // EF 0003 and 0005 (mynacard reads neither): the recorded layouts.
    let number_image = c.ef(App::Surface, surface_ef::MY_NUMBER_IMAGE);
    judge_layouts(
        name,
        p,
        &ef(App::Surface, surface_ef::AP_BASIC_DATA),
        number_image,
        (&issuer, &theirs.public_key),
    );

    // The 入力補助AP's CV certificate, and the MF's (GET DATA).
    let text_ok = judge_cert(&ef(App::Text, 0x0004), &format!("{name} 入力補助AP 0004"));
    c.power_on();
    let mut mf = Vec::new();
    let mut certs = Vec::new();
    for tag in [0x00F8u16, 0x7F21] {
        let [hi, lo] = tag.to_be_bytes();
        let r = c.process(&[0x00, 0xCA, hi, lo, 0x00, 0x00, 0x00]);
        if let Some(raw) = r.strip_suffix(&[0x90, 0x00]) {
            mf.push(judge_cert(raw, &format!("{name} MF {tag:04X}")));
            certs.push((McCert::parse(raw).unwrap(), CvCert::parse(raw).unwrap()));
        }
    }
    // The MF's lower certificate, where it is signed by the upper one's
    // key (the recorded card): both check the link alike.
    if let [(up, our_up), (low, our_low)] = &certs[..] {
        if low.issuer_key_id == up.subject_key_id {
            let link = low.verify_with(&up.public_key).is_ok();
            assert_eq!(
                link,
                cv_keys::verifies_sha256(&our_up.key, &our_low.signed, &our_low.signature),
                "{name} MF link"
            );
            mf.push(Some(link));
        }
    }
    json!({"certificate": cert_ok, "age": age_ok, "face": face_ok, "text_cert": text_ok, "mf": mf})
}

/// EF 0003 and 0005 in the recorded card's layouts (myna-card's
/// `ApBasicData` and `MyNumberImage`, fixtures/surface-test-card/):
/// DF31 `06 03 0E 01`, DF33 one byte `00`, DF34 the municipality, DF35 a
/// key ID and 256 bytes (on the virtual card the virtual CV CA's signature
/// over DF31–DF34); 0005 the PNG, the card key of 0001/0002 and a
/// signature by the key certified in 0004.
fn judge_layouts(
    name: &str,
    p: &Profile,
    raw: &[u8],
    image: Option<&[u8]>,
    (issuer, card_key): (&myna_card::RsaPublicKey, &myna_card::RsaPublicKey),
) {
    assert_eq!(raw.len(), 320, "{name} 0003: the recorded card's size");
    let basic = mc::ApBasicData::parse(raw).unwrap_or_else(|e| panic!("{name} 0003: {e}"));
    let id = basic.identification;
    assert_eq!(
        [
            id.specification_version,
            id.extended_lc_le_support,
            id.vendor_id,
            id.vendor_specific
        ],
        [0x06, 0x03, 0x0E, 0x01],
        "{name} 0003 DF31"
    );
    assert_eq!(basic.version, 0x00, "{name} 0003 DF33");
    assert_eq!(basic.municipality_code, p.card.municipality, "{name} DF34");
    let block = &basic.encrypted_reference_number;
    assert_eq!(block.data.len(), 256, "{name} 0003 DF35");
    let df35 = raw.windows(2).position(|w| w == [0xDF, 0x35]).unwrap();
    let clear = &raw[5..df35];
    if p.card.recorded {
        assert_eq!(block.key_id.to_string(), "5900025/001", "{name} DF35");
        assert_eq!(basic.public_key_id.to_string(), "6000024/001", "{name}");
    } else {
        // The key DF35 names signs the clear fields before it.
        assert_eq!(block.key_id.to_string(), "6000001/001", "{name} DF35");
        virtual_ca()
            .verify_pkcs1_sha256(clear, &block.data)
            .unwrap_or_else(|e| panic!("{name} DF35: {e}"));
    }
    // The recorded card's 0005 is not among its files; the virtual card's.
    let Some(raw) = image else {
        assert!(p.card.recorded, "{name}: no 0005");
        return;
    };
    let img = mc::MyNumberImage::parse(raw).unwrap_or_else(|e| panic!("{name} 0005: {e}"));
    assert_eq!(
        img.image.format,
        myna_card::data::ImageFormat::Png,
        "{name}"
    );
    assert_eq!(&img.public_key, card_key, "{name} 0005 DF42");
    img.verify(issuer)
        .unwrap_or_else(|e| panic!("{name} 0005 DF43: {e}"));
}

/// Level 3 by myna-card's own APDUs on the card in process: 照合番号B,
/// the face, a challenge signed with the key in it; the counter before
/// and after. `None`: the code is locked (nothing sent).
fn judge_chip(p: &Profile) -> Option<Value> {
    let mut card = myna_card::Card::new(myna::InProcess(VirtualCard::new(p).unwrap()));
    let mut ap = SurfaceAp::select(&mut card).unwrap();
    let before = ap.retries(surface_ef::CODE_B).unwrap().count();
    if before == Some(0) {
        return None;
    }
    ap.verify_code_b(&code_b(p)).unwrap();
    let face = ap.read_card_face().unwrap();
    let challenge = b"face_judge: a fresh challenge";
    let chip = match ap.sign(challenge) {
        Ok(sig) => face.public_key.verify_pkcs1_sha256(challenge, &sig).is_ok(),
        Err(_) => false,
    };
    let after = ap.retries(surface_ef::CODE_B).unwrap().count();
    Some(json!({"chip": chip, "before": before, "after": after}))
}

/// What mynacard's face-check says of a profile (in process).
fn face_check(name: &str, p: &Profile) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg(virt(Some(name)))
        .arg("--state")
        .arg(dir.path().join("s.json"))
        .args(["--json", "face-check", "--code-env", "FC"])
        .env("FC", parts(p))
        .output()
        .unwrap();
    json(&out.stdout)
}

#[test]
fn myna_card_parses_and_checks_every_served_face_file_as_we_do() {
    let all = profiles();
    let names: Vec<&str> = all.iter().map(|(n, _, _)| n.as_str()).collect();
    for want in [
        "default",
        "face-altered",
        "face-copied",
        "face-lookalike-ca",
        "jpki-test-card",
    ] {
        assert!(names.contains(&want), "{want} serves no 券面AP: {names:?}");
    }
    for (name, mut c, p) in all {
        let v = judge_files(&name, &mut c, &p);
        let f = &p.faults;
        // The verdicts both reached: only the look-alike's certificate (it
        // names J-LIS's 5000023, which did not sign it) and the altered
        // face are refused; the records verify with the certified key.
        assert_eq!(v["certificate"], !f.face_lookalike_ca, "{name}: {v}");
        assert_eq!(v["face"], !f.face_altered, "{name}: {v}");
        assert_eq!(v["age"], true, "{name}: {v}");
        assert_eq!(v["text_cert"], true, "{name}: {v}");
        // The MF's: J-LIS's test root and the link below it verify on the
        // recorded card; the virtual card's names a root neither holds.
        let mf = v["mf"].as_array().unwrap();
        if p.card.recorded {
            assert_eq!(v["mf"], json!([true, null, true]), "{name}: {v}");
        } else {
            assert!(
                !mf.is_empty() && mf.iter().all(Value::is_null),
                "{name}: {v}"
            );
        }
        let Some(chip) = judge_chip(&p) else {
            assert!(f.face_code_locked, "{name}: 照合番号B locked");
            continue;
        };
        assert_eq!(
            chip["before"], chip["after"],
            "{name}: a try was spent: {chip}"
        );
        assert_eq!(
            chip["chip"],
            !f.face_copied && !p.card.recorded,
            "{name}: {chip}"
        );
        // mynacard's face-check reaches the same levels.
        let ours = face_check(&name, &p);
        assert_eq!(
            ours["certificate"]["ok"], v["certificate"],
            "{name}: {ours}"
        );
        assert_eq!(ours["face_signature_ok"], v["face"], "{name}: {ours}");
        assert_eq!(ours["chip_key_ok"], chip["chip"], "{name}: {ours}");
        assert_eq!(
            ours["code_tries_left_before"], chip["before"],
            "{name}: {ours}"
        );
    }
}

/// myna-card's CA table and ours hold the same J-LIS keys (the production
/// and the test hierarchy), byte for byte: the "same issuer key" the checks
/// above agree with. Not a second source: ours were copied from it
/// (data/jlis-cv-keys/README.md); it guards the copy.
#[test]
fn myna_card_holds_the_same_jlis_cv_ca_keys() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/jlis-cv-keys");
    for k in myna_card::ca::KNOWN {
        let name = k.name();
        let ours = std::fs::read(dir.join(format!("{name}.modulus"))).unwrap();
        assert_eq!(k.modulus, &ours[..], "{name}");
        assert_eq!(k.exponent, [1, 0, 1], "{name}");
        let mine = cv_keys::KEYS.iter().find(|m| m.id == *k.key_id);
        assert!(mine.is_some(), "{name}: its key ID is not built in");
    }
}

/// Through pcscd + vpcd (tests/it/face_judge/pcscd.rs).
#[cfg(feature = "pcsc")]
mod pcscd;
