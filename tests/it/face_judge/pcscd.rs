//! Through pcscd + vpcd: myna-card's APDUs on the served card, in a child
//! process (libpcsclite keeps the first socket name it sees).

use super::*;
use common::e2e::{cli, insert, sandbox_with};
use mynacard::sandbox::Sandbox;

const CHILD_PROFILE: &str = "MYNACARD_FACE_JUDGE_PROFILE";

fn load(name: &str) -> Profile {
    Profile::load(&common::fixture(name)).unwrap()
}

/// myna-card's face check, by its own builders and checks: the
/// counter, 照合番号B, the face, the certificate, a challenge.
fn check_with_myna_card(reader: &str, profile: &str) -> myna_card::Result<Value> {
    let p = load(profile);
    myna::with_card(reader, |card| {
        let mut ap = SurfaceAp::select(card)?;
        let before = ap.retries(surface_ef::CODE_B)?.count();
        ap.verify_code_b(&code_b(&p))?;
        let face = ap.read_card_face()?;
        let cert = ap.read_certificate()?;
        let challenge = b"face_judge through pcscd";
        let sig = ap.sign(challenge)?;
        let after = ap.retries(surface_ef::CODE_B)?.count();
        Ok(json!({
            "before": before,
            "after": after,
            // Its own J-LIS table where it names a key; ours otherwise.
            "certificate": match myna_card::ca::find(&cert.issuer_key_id) {
                Some(_) => cert.verify(),
                None => cert.verify_with(&virtual_ca()),
            }
            .is_ok(),
            "face": face.verify(&cert.public_key).is_ok(),
            "chip": face.public_key.verify_pkcs1_sha256(challenge, &sig).is_ok(),
            "birth_date": date(face.birth_date),
            "sex": sex_code(face.sex),
            "expiry": date(face.expiry),
        }))
    })
}

/// The child half of `myna_card_checks_the_served_face_as_we_do`.
#[test]
fn myna_card_face_child() {
    let (Some(reader), Ok(profile)) = (myna::child_reader(), std::env::var(CHILD_PROFILE)) else {
        return;
    };
    let v = check_with_myna_card(&reader, &profile).unwrap_or_else(|e| panic!("myna-card: {e:?}"));
    myna::child_answer(&v);
}

fn myna_card_checks(sb: &Sandbox, profile: &str) -> Value {
    myna::run_child(
        sb,
        "face_judge::pcscd::myna_card_face_child",
        &[(CHILD_PROFILE, profile)],
    )
}

fn our_face_check(sb: &Sandbox, p: &Profile) -> Value {
    let out = cli(sb)
        .args(["--json", "face-check", "--code-env", "FC"])
        .env("FC", parts(p))
        .output()
        .unwrap();
    json(&out.stdout)
}

/// On each profile, served through pcscd: myna-card's three checks
/// equal mynacard face-check's levels, and neither spends a try.
#[test]
fn myna_card_checks_the_served_face_as_we_do() {
    // (profile, certificate, face signature, chip) as both must find them.
    for (name, want) in [
        ("default", [true, true, true]),
        ("face-altered", [true, false, true]),
        ("face-copied", [true, true, false]),
        ("face-lookalike-ca", [false, true, true]),
    ] {
        let p = load(name);
        let Some(mut sb) = sandbox_with(VirtualCard::new(&p).unwrap()) else {
            return;
        };
        insert(&mut sb);
        judge_served(&sb, name, &p, want);
    }
}

fn judge_served(sb: &Sandbox, name: &str, p: &Profile, want: [bool; 3]) {
    let theirs = myna_card_checks(sb, name);
    let ymd = |d: time::Date| d.to_string().replace('-', "");
    assert_eq!(theirs["birth_date"], ymd(p.holder.birth_date), "{name}");
    assert_eq!(theirs["sex"], p.holder.sex.as_str(), "{name}");
    assert_eq!(theirs["expiry"], ymd(p.card.expiry), "{name}");
    let levels = [&theirs["certificate"], &theirs["face"], &theirs["chip"]];
    assert_eq!(
        levels,
        want.map(|b| json!(b)).each_ref(),
        "{name}: {theirs}"
    );
    assert_eq!(theirs["before"], theirs["after"], "{name}: {theirs}");
    let ours = our_face_check(sb, p);
    assert_eq!(
        ours["certificate"]["ok"], theirs["certificate"],
        "{name}: {ours}"
    );
    assert_eq!(ours["face_signature_ok"], theirs["face"], "{name}: {ours}");
    assert_eq!(ours["chip_key_ok"], theirs["chip"], "{name}: {ours}");
    assert_eq!(ours["consistency"]["ok"], true, "{name}: {ours}");
    if want == [true; 3] {
        assert_eq!(ours["verdict"], "test_card", "{name}: {ours}");
    } else {
        assert_ne!(ours["verdict"], "test_card", "{name}: {ours}");
    }
    // Neither spent a try: ours read what myna-card left, and after ours
    // the counter is where it was.
    assert_eq!(
        ours["code_tries_left_before"], theirs["after"],
        "{name}: {ours}"
    );
    let again = our_face_check(sb, p);
    assert_eq!(
        again["code_tries_left_before"], theirs["before"],
        "{name}: {again}"
    );
}
