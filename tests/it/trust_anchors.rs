//! A trust option adds an anchor and never skips the signature check; a
//! name alone never makes an issuer (issue 25 item 4). Look-alikes are made
//! here at test time: the issuer's name copied byte for byte from the real
//! CA, signed by another key. The real JPKI-TEST certificates come from a
//! test card (fixtures/certs/jpki-test-card/, data/jlis-test-roots/).

use crate::common;

use common::{bin, json};
use der::{Decode, Encode};
use mynacard::protocol::certgen::{name, Key, KeyUsages, Params, Text};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use time::macros::datetime;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(repo(p)).unwrap()
}

/// The test card's certificates and the two same-name CAs of each kind:
/// (end entity, wrong CA, right CA).
fn test_card() -> [(Vec<u8>, Vec<u8>, Vec<u8>); 2] {
    let card = "fixtures/certs/jpki-test-card";
    let roots = "data/jlis-test-roots";
    [
        (
            read(&format!("{card}/jpki-auth-cert.der")),
            read(&format!("{roots}/authca-test-2019.cer")),
            read(&format!("{roots}/authca-test-2023.cer")),
        ),
        (
            read(&format!("{card}/jpki-sign-cert.der")),
            read(&format!("{roots}/signca-test-2019.cer")),
            read(&format!("{roots}/signca-test-2024.cer")),
        ),
    ]
}

fn rsa(k: &mynacard::vcard::pki::TestKey) -> rsa::RsaPrivateKey {
    k.rsa().unwrap().clone()
}

/// A signing certificate whose issuer's name is `ca`'s, to the byte, made
/// with another key (with or without an authority key identifier).
fn look_alike(ca: &[u8], with_key_id: bool) -> Vec<u8> {
    let ca = x509_cert::Certificate::from_der(ca).unwrap();
    let (t0, t1) = (
        datetime!(2024-01-01 0:00 UTC),
        datetime!(2034-01-01 0:00 UTC),
    );
    let issuer = Params::new(&[0x66], ca.tbs_certificate.subject.clone(), t0, t1);
    let mut ee = Params::new(
        &[0x77],
        name(&[("C", "JP"), ("CN", "look-alike signer")], Text::Printable).unwrap(),
        t0,
        t1,
    );
    ee.key_usage = KeyUsages::DigitalSignature | KeyUsages::NonRepudiation;
    ee.authority_key_id = with_key_id;
    let forger = Key::Rsa(rsa(&mynacard::vcard::pki::OTHER_CA));
    let holder = Key::Rsa(rsa(&mynacard::vcard::pki::SIGN_EE));
    ee.signed_by(&holder, &issuer, &forger).unwrap()
}

/// A detached signature of `doc` by the sign-ee key as the holder of `cert`.
fn cms_by_holder(cert: &[u8], doc: &[u8]) -> Vec<u8> {
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa(&mynacard::vcard::pki::SIGN_EE));
    let d: [u8; 32] = Sha256::digest(doc).into();
    mynacard::cert::cms::build(&signer, cert, &d, None).unwrap()
}

struct Run {
    code: i32,
    json: serde_json::Value,
    text: String,
}

/// `mynacard verify DOC SIG EXTRA…`, in JSON and in text.
fn verify(dir: &Path, doc: &[u8], sig: &[u8], extra: &[&std::ffi::OsStr]) -> Run {
    let (f, s) = (dir.join("doc"), dir.join("doc.p7s"));
    std::fs::write(&f, doc).unwrap();
    std::fs::write(&s, sig).unwrap();
    let out = bin()
        .args(["--json", "verify"])
        .arg(&f)
        .arg(&s)
        .args(extra)
        .output()
        .unwrap();
    let text = bin()
        .arg("verify")
        .arg(&f)
        .arg(&s)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), text.status.code());
    Run {
        code: out.status.code().unwrap(),
        json: json(&out.stdout),
        text: String::from_utf8_lossy(&text.stdout).into_owned(),
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

#[test]
fn test_pki_rejects_a_self_made_jpki_test_look_alike() {
    let dir = tempfile::tempdir().unwrap();
    let doc = b"a contract\n";
    for real_ca in ["authca-test-2023.cer", "signca-test-2024.cer"] {
        let ca = read(&format!("data/jlis-test-roots/{real_ca}"));
        for with_key_id in [false, true] {
            let fake = look_alike(&ca, with_key_id);
            let sig = cms_by_holder(&fake, doc);
            // The signature itself is sound: only its issuer is a claim.
            let r = verify(dir.path(), doc, &sig, &[os("--test-pki")]);
            assert_eq!(r.code, 32, "{real_ca} {with_key_id}: {}", r.json);
            assert_eq!(r.json["outcome"], "unknown_signer");
            let p = &r.json["issued_by"];
            assert_eq!(p["kind"], "not_jlis", "{p}");
            assert_eq!(p["claims_test_pki"], true, "{p}");
            assert_eq!(p["claims_jlis"], false, "{p}");
            assert!(
                r.text.contains("claims to be issued by J-LIS's test PKI"),
                "{}",
                r.text
            );
            assert!(!r.text.contains("valid signature"), "{}", r.text);
            assert!(!r.text.contains("issued by J-LIS's test PKI (O=JPKI-TEST;"));
            // The same look-alike shown as a certificate: a claim only.
            let c = dir.path().join("fake.der");
            std::fs::write(&c, &fake).unwrap();
            let out = bin()
                .args(["--json", "cert", "inspect"])
                .arg(&c)
                .output()
                .unwrap();
            assert_eq!(json(&out.stdout)["issued_by"]["claims_test_pki"], true);
            // Against the real CA given with --ca, too.
            let anchor = dir.path().join("real-ca.cer");
            std::fs::write(&anchor, &ca).unwrap();
            let r = verify(dir.path(), doc, &sig, &[os("--ca"), anchor.as_os_str()]);
            assert_eq!(
                (r.code, r.json["outcome"].as_str()),
                (32, Some("unknown_signer"))
            );
        }
    }
}

/// The virtual card's CA certificate of a kind, as `cert show` gives it.
fn virtual_ca(slot: &str) -> Vec<u8> {
    let out = bin()
        .args(["--virtual", "cert", "show", slot, "--pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    pem::parse(&out.stdout).unwrap().into_contents()
}

#[test]
fn a_virtual_card_signature_passes_with_test_pki_and_with_its_ca_and_a_look_alike_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = b"signed by the virtual card\n";
    let file = d.join("card-doc");
    std::fs::write(&file, doc).unwrap();
    let out = bin()
        .args(["--virtual", "sign", "--pin-env", "P", "-o"])
        .arg(d.join("card.p7s"))
        .arg(&file)
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sig = std::fs::read(d.join("card.p7s")).unwrap();
    let ca = d.join("virtual-sign-ca.der");
    std::fs::write(&ca, virtual_ca("sign-ca")).unwrap();

    let r = verify(d, doc, &sig, &[os("--test-pki")]);
    assert_eq!((r.code, r.json["outcome"].as_str()), (0, Some("valid")));
    assert_eq!(r.json["issued_by"]["kind"], "test_pki");
    assert!(r.text.contains("valid signature"), "{}", r.text);
    let r = verify(d, doc, &sig, &[os("--ca"), ca.as_os_str()]);
    assert_eq!(
        (r.code, r.json["outcome"].as_str()),
        (0, Some("valid")),
        "{}",
        r.json
    );
    // No anchor for it: not trusted.
    let r = verify(d, doc, &sig, &[]);
    assert_eq!(r.code, 32);

    // A look-alike of the virtual card's CA, with --ca and with --test-pki.
    let fake = look_alike(&std::fs::read(&ca).unwrap(), true);
    let fake_sig = cms_by_holder(&fake, doc);
    for extra in [vec![os("--ca"), ca.as_os_str()], vec![os("--test-pki")]] {
        let r = verify(d, doc, &fake_sig, &extra);
        assert_eq!(
            (r.code, r.json["outcome"].as_str()),
            (32, Some("unknown_signer")),
            "{extra:?}: {}",
            r.json
        );
        assert_eq!(r.json["issued_by"]["kind"], "not_jlis");
        // Its issuer is named like J-LIS's production CA, as the virtual card's is.
        assert_eq!(r.json["issued_by"]["claims_jlis"], true);
        assert!(
            r.text.contains("claims to be issued by J-LIS"),
            "{}",
            r.text
        );
    }
}

#[test]
fn the_test_card_certificates_chain_to_their_own_ca_not_to_the_other_of_the_same_name() {
    let at = datetime!(2026-06-01 0:00 UTC);
    for (ee, wrong, right) in test_card() {
        // Same name, other key: the lookup must not stop at the name.
        let (w, r) = (
            x509_cert::Certificate::from_der(&wrong).unwrap(),
            x509_cert::Certificate::from_der(&right).unwrap(),
        );
        assert_eq!(w.tbs_certificate.subject, r.tbs_certificate.subject);
        assert_ne!(
            w.tbs_certificate.subject_public_key_info,
            r.tbs_certificate.subject_public_key_info
        );
        use mynacard::cert::chain::{check_chain, ChainStatus};
        let c = check_chain(&ee, &[wrong.clone(), right.clone()], at).unwrap();
        assert_eq!(c.status, ChainStatus::Valid, "{}", c.message);
        assert_eq!(
            c.issuer_sha256_fingerprint,
            Some(hex::encode_upper(Sha256::digest(&right)))
        );
        let c = check_chain(&ee, std::slice::from_ref(&wrong), at).unwrap();
        assert_eq!(c.status, ChainStatus::BadSignature, "{}", c.message);
        assert_eq!(c.issuer, None);
        assert!(
            c.message.contains("another key identifier"),
            "{}",
            c.message
        );
    }

    // The same through `cert inspect --ca DIR`, the wrong one first by name.
    let dir = tempfile::tempdir().unwrap();
    let [(auth, wrong, right), _] = test_card();
    let ee = dir.path().join("jpki-auth-cert.der");
    std::fs::write(&ee, &auth).unwrap();
    let both = dir.path().join("both");
    std::fs::create_dir(&both).unwrap();
    std::fs::write(both.join("a-wrong.cer"), &wrong).unwrap();
    std::fs::write(both.join("b-right.cer"), &right).unwrap();
    let only_wrong = dir.path().join("only-wrong");
    std::fs::create_dir(&only_wrong).unwrap();
    std::fs::write(only_wrong.join("a-wrong.cer"), &wrong).unwrap();
    let inspect = |ca: Option<&Path>, json_out: bool| {
        let mut c = bin();
        if json_out {
            c.arg("--json");
        }
        c.args(["cert", "inspect"]).arg(&ee);
        if let Some(ca) = ca {
            c.arg("--ca").arg(ca);
        }
        let out = c.args(["--today", "2026-06-01"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let v = json(&inspect(None, true));
    assert_eq!(v["issued_by"]["kind"], "jlis_test", "{v}");
    let text = String::from_utf8(inspect(None, false)).unwrap();
    assert!(text.contains("issued by J-LIS's test PKI"), "{text}");
    assert!(!text.contains("claims"), "{text}");
    let v = json(&inspect(Some(&both), true));
    assert_eq!(v["trust_anchor_chain"]["status"], "valid", "{v}");
    assert_eq!(
        v["trust_anchor_chain"]["issuer_sha256_fingerprint"],
        hex::encode_upper(Sha256::digest(&right))
    );
    let v = json(&inspect(Some(&only_wrong), true));
    assert_eq!(v["trust_anchor_chain"]["status"], "bad_signature", "{v}");
    assert_eq!(v["trust_anchor_chain"]["issuer"], serde_json::Value::Null);
    let text = String::from_utf8(inspect(Some(&only_wrong), false)).unwrap();
    assert!(text.contains("bad signature"), "{text}");
    assert!(!text.contains("signed by \""), "{text}");
}

/// `sig` with its one SignerInfo and its digest list changed by `edit`.
fn edited(sig: &[u8], edit: impl Fn(&mut cms::signed_data::SignedData)) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    let mut ci = ContentInfo::from_der(sig).unwrap();
    let mut sd = ci
        .content
        .decode_as::<cms::signed_data::SignedData>()
        .unwrap();
    edit(&mut sd);
    ci.content = der::Any::encode_from(&sd).unwrap();
    ci.to_der().unwrap()
}

fn alg(oid: &str) -> spki::AlgorithmIdentifierOwned {
    spki::AlgorithmIdentifierOwned {
        oid: oid.parse().unwrap(),
        parameters: None,
    }
}

fn with_signer(
    sd: &mut cms::signed_data::SignedData,
    f: impl Fn(&mut cms::signed_data::SignerInfo),
) {
    let mut infos = sd.signer_infos.0.clone().into_vec();
    f(&mut infos[0]);
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).unwrap());
}

#[test]
fn a_container_whose_algorithm_fields_disagree_with_what_was_verified_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let doc = b"algorithms\n";
    // A signature that passes as it is (the virtual card's test PKI).
    let ee_der = {
        let out = bin()
            .args(["--virtual", "cert", "show", "auth", "--pem"])
            .output()
            .unwrap();
        pem::parse(&out.stdout).unwrap().into_contents()
    };
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa(&mynacard::vcard::pki::AUTH_EE));
    let d: [u8; 32] = Sha256::digest(doc).into();
    let good = mynacard::cert::cms::build(&signer, &ee_der, &d, None).unwrap();
    let r = verify(dir.path(), doc, &good, &[os("--test-pki")]);
    assert_eq!(
        (r.code, r.json["outcome"].as_str()),
        (0, Some("valid")),
        "{}",
        r.json
    );

    const SHA1: &str = "1.3.14.3.2.26";
    const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
    const SHA1_RSA: &str = "1.2.840.113549.1.1.5";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "digestAlgorithm SHA-1, SHA-256 used",
            edited(&good, |sd| with_signer(sd, |si| si.digest_alg = alg(SHA1))),
            "digest algorithm is SHA-1",
        ),
        (
            "signatureAlgorithm ECDSA, an RSA key",
            edited(&good, |sd| {
                with_signer(sd, |si| si.signature_algorithm = alg(ECDSA_SHA256))
            }),
            "names ECDSA, but the signer's key is RSA",
        ),
        (
            "signatureAlgorithm sha1WithRSA, digest SHA-256",
            edited(&good, |sd| {
                with_signer(sd, |si| si.signature_algorithm = alg(SHA1_RSA))
            }),
            "sha1WithRSAEncryption, which disagrees with its digest algorithm SHA-256",
        ),
        (
            "the SignedData's digest list names SHA-1 only",
            edited(&good, |sd| {
                sd.digest_algorithms = der::asn1::SetOfVec::try_from(vec![alg(SHA1)]).unwrap()
            }),
            "lacks SHA-256",
        ),
    ];
    for (what, sig, says) in cases {
        let r = verify(dir.path(), doc, &sig, &[os("--test-pki")]);
        assert_eq!(r.code, 12, "{what}: {}", r.json);
        assert_eq!(r.json["error"]["code"], "CERT_INPUT", "{what}");
        let msg = r.json["error"]["message"].as_str().unwrap_or("");
        assert!(msg.contains(says), "{what}: {msg}");
        assert!(r.json.get("outcome").is_none(), "{what}");
    }
}
