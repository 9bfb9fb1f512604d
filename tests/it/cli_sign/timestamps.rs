//! `verify` on CAdES-T: the signature timestamp `sign --tsa` adds is checked
//! as `pdf verify` checks one (imprint, the TSA's signature, its certificate
//! to an anchor at the token's time), the signer is judged at the token's
//! time, and both times are shown; a TSA run on the loopback (`common::tsa`).

use super::openssl;
use crate::common;
use common::{bin, json, virt};
use mynacard::protocol::certgen::{name, Basic, Key, KeyUsages, Params, Text};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// `verify --json FILE SIG ARGS…`: (exit code, document), checked against the schema.
fn verify(file: &Path, sig: &Path, args: &[&std::ffi::OsStr]) -> (i32, serde_json::Value) {
    let out = bin()
        .args(["--json", "verify"])
        .arg(file)
        .arg(sig)
        .args(args)
        .output()
        .unwrap();
    let doc = json(&out.stdout);
    common::assert_schema(&doc, "verify");
    (out.status.code().unwrap(), doc)
}

fn text(file: &Path, sig: &Path, args: &[&std::ffi::OsStr]) -> String {
    let out = bin()
        .args(["--lang", "en", "verify"])
        .arg(file)
        .arg(sig)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_sign_tsa_signature_verifies_with_its_tsa_trusted_and_says_when_it_is_not() {
    if !openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (url, tsa_ca) = common::tsa::start(d, 1);
    let file = d.join("doc.txt");
    std::fs::write(&file, "a contract\n").unwrap();
    let sig = d.join("doc.p7s");
    let out = bin()
        .arg(virt(None))
        .args(["sign", "--pin-env", "P", "--tsa", &url, "-o"])
        .arg(&sig)
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
    let test_pki = std::ffi::OsStr::new("--test-pki");
    let ca = std::ffi::OsStr::new("--ca");
    let trusted = [test_pki, ca, tsa_ca.as_os_str()];

    // The TSA trusted: valid, judged at the token's time; both times, UTC and JST.
    let (code, doc) = verify(&file, &sig, &trusted);
    assert_eq!((code, doc["verdict"].as_str()), (0, Some("valid")), "{doc}");
    assert_eq!(doc["outcome"], "valid");
    assert_eq!(doc["judged_at"], "timestamp");
    assert_eq!(doc["revocation_checked"], false);
    let ts = &doc["timestamp"];
    assert_eq!(ts["outcome"], "valid", "{doc}");
    assert_eq!(ts["imprint_matches"], true);
    assert!(ts["time"].as_str().unwrap().ends_with('Z'));
    assert!(ts["time_jst"].as_str().unwrap().ends_with("+09:00"));
    assert!(ts["tsa_subject"]
        .as_str()
        .unwrap()
        .contains("mynacard test TSA"));
    assert!(doc["signing_time"].as_str().unwrap().ends_with("+09:00"));
    assert!(doc["signing_time_utc"].as_str().unwrap().ends_with('Z'));
    let t = text(&file, &sig, &trusted);
    for want in [
        "valid signature",
        "claimed time",
        "timestamp",
        "valid: judged at this time",
        "the timestamp's time",
        "UTC",
    ] {
        assert!(t.contains(want), "{want:?} in {t}");
    }

    // The TSA not trusted: said so (exit 32, as pdf verify), the signature itself valid.
    let (code, doc) = verify(&file, &sig, &[test_pki]);
    assert_eq!(
        (code, doc["verdict"].as_str()),
        (32, Some("timestamp_not_valid")),
        "{doc}"
    );
    assert_eq!(doc["timestamp"]["outcome"], "untrusted_tsa");
    assert_eq!(doc["outcome"], "valid", "the signature itself is valid");
    assert_eq!(doc["judged_at"], "claimed_signing_time");
    let t = text(&file, &sig, &[test_pki]);
    assert!(
        t.contains("the timestamp is not valid") && t.contains("the TSA is not trusted"),
        "{t}"
    );

    // One byte of the TSA's signature (the token ends the CMS, its
    // signature ends the token): the timestamp is not valid (31).
    let mut b = std::fs::read(&sig).unwrap();
    let i = b.len() - 8;
    b[i] ^= 0x01;
    let bad = d.join("bad-ts.p7s");
    std::fs::write(&bad, &b).unwrap();
    let (code, doc) = verify(&file, &bad, &trusted);
    assert_eq!(
        (code, doc["verdict"].as_str()),
        (31, Some("timestamp_not_valid")),
        "{doc}"
    );
    assert_eq!(doc["timestamp"]["outcome"], "bad_signature");
    assert_eq!(doc["outcome"], "valid");
}

/// A CA, and a signer certificate of the test keys valid from an hour ago
/// to `until`: (CA DER, signer DER, signer's key).
fn short_lived(until: time::OffsetDateTime) -> (Vec<u8>, Vec<u8>, rsa::RsaPrivateKey) {
    let ca_key = mynacard::vcard::pki::SIGN_EE.rsa().unwrap().clone();
    let ee_key = mynacard::vcard::pki::AUTH_EE.rsa().unwrap().clone();
    let dn = |cn: &str| name(&[("CN", cn)], Text::Utf8).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut ca = Params::new(
        &[0x7E, 0x58],
        dn("mynacard test CA for timestamps"),
        now - time::Duration::days(1),
        now + time::Duration::days(30),
    );
    ca.basic = Basic::Ca(None);
    ca.key_usage = KeyUsages::KeyCertSign | KeyUsages::CRLSign;
    let (ca_signer, ee_signer) = (Key::Rsa(ca_key.clone()), Key::Rsa(ee_key.clone()));
    let ca_der = ca.self_signed(&ca_signer).unwrap();
    let mut ee = Params::new(
        &[0x01],
        dn("mynacard short-lived signer"),
        now - time::Duration::hours(1),
        until,
    );
    ee.key_usage = KeyUsages::DigitalSignature.into();
    let ee_der = ee.signed_by(&ee_signer, &ca, &ca_signer).unwrap();
    (ca_der, ee_der, ee_key)
}

#[test]
fn a_certificate_expired_since_the_token_verifies_and_without_one_the_claim_is_named() {
    if !openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (url, tsa_ca) = common::tsa::start(d, 2);
    // Valid for a few seconds more: time to sign and stamp, then it expires.
    let until = time::OffsetDateTime::now_utc() + time::Duration::seconds(8);
    let (ca, ee, key) = short_lived(until);
    let anchors = d.join("anchors");
    std::fs::create_dir_all(&anchors).unwrap();
    std::fs::write(anchors.join("ca.der"), &ca).unwrap();
    std::fs::copy(&tsa_ca, anchors.join("tsa-ca.pem")).unwrap();
    let file = d.join("doc.txt");
    std::fs::write(&file, "signed while valid\n").unwrap();
    let digest: [u8; 32] = Sha256::digest(b"signed while valid\n").into();
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
    let build =
        |style| mynacard::cert::cades::build(&signer, &ee, &[], &digest, None, style).unwrap();
    // CAdES-BES (a claimed signing time) and B-B (none), each with and without a token.
    let claimed = build(mynacard::cert::cades::Style::CADES);
    let unclaimed = build(mynacard::cert::cades::Style::BASELINE_B);
    let stamped = mynacard::usecase::tsa::stamp(&url, &claimed).unwrap().0;
    let stamped_bb = mynacard::usecase::tsa::stamp(&url, &unclaimed).unwrap().0;
    let write = |n: &str, b: &[u8]| {
        let p = d.join(n);
        std::fs::write(&p, b).unwrap();
        p
    };
    let (claimed, unclaimed) = (write("c.p7s", &claimed), write("u.p7s", &unclaimed));
    let (stamped, stamped_bb) = (write("ct.p7s", &stamped), write("ut.p7s", &stamped_bb));
    // Wait until the certificate has expired.
    let left = until - time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    assert!(left.is_positive(), "signing and stamping took over 8 s");
    std::thread::sleep(Duration::try_from(left).unwrap());
    assert!(SystemTime::now() > SystemTime::from(until));
    let ca_arg = [std::ffi::OsStr::new("--ca"), anchors.as_os_str()];

    // The tokens prove the signatures were made while the certificate was valid.
    for sig in [&stamped, &stamped_bb] {
        let (code, doc) = verify(&file, sig, &ca_arg);
        assert_eq!((code, doc["verdict"].as_str()), (0, Some("valid")), "{doc}");
        assert_eq!(doc["judged_at"], "timestamp");
        assert_eq!(doc["timestamp"]["outcome"], "valid");
    }
    // No token: judged at the claimed signing time, and said to be a claim.
    let (code, doc) = verify(&file, &claimed, &ca_arg);
    assert_eq!((code, doc["verdict"].as_str()), (0, Some("valid")), "{doc}");
    assert_eq!(doc["judged_at"], "claimed_signing_time");
    assert_eq!(doc["timestamp"], serde_json::Value::Null);
    let t = text(&file, &claimed, &ca_arg);
    assert!(
        t.contains("the claimed signing time (a claim, not proof)"),
        "{t}"
    );
    // No token and no claimed time: judged now, when it has expired (33).
    let (code, doc) = verify(&file, &unclaimed, &ca_arg);
    assert_eq!(
        (code, doc["verdict"].as_str()),
        (33, Some("not_valid_at_signing_time")),
        "{doc}"
    );
    assert_eq!(doc["judged_at"], "now");
}
