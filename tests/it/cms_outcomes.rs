//! `mynacard verify` tells each failure apart (exit code and JSON outcome):
//! signatures built with `cert::cms::build` over a small PKI made here with
//! the virtual card's test keys, so every case is exactly one fault.

use crate::common;

use common::{bin, json};
use mynacard::protocol::certgen::{name, Basic, Key, KeyUsages, Params, Text, Usages};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{Duration, SystemTime};
use time::macros::datetime;

fn dn(cn: &str) -> mynacard::protocol::certgen::Name {
    name(&[("CN", cn)], Text::Utf8).unwrap()
}

struct Pki {
    ca: Vec<u8>,
    /// digitalSignature, 2020-2030.
    good: Vec<u8>,
    /// keyEncipherment only.
    no_sign: Vec<u8>,
    ee_key: RsaPrivateKey,
    other_key: RsaPrivateKey,
}

fn pki() -> Pki {
    let ca_key = mynacard::vcard::pki::SIGN_EE.rsa().unwrap().clone();
    let ee_key = mynacard::vcard::pki::AUTH_EE.rsa().unwrap().clone();
    let mut ca = Params::new(
        &[0x7E, 0x57],
        dn("mynacard test CA for verify"),
        datetime!(2019-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    );
    ca.basic = Basic::Ca(None);
    ca.key_usage = KeyUsages::KeyCertSign | KeyUsages::CRLSign;
    let (ca_signer, ee_signer) = (Key::Rsa(ca_key.clone()), Key::Rsa(ee_key.clone()));
    let ca_der = ca.self_signed(&ca_signer).unwrap();
    let ee = |serial: u8, usage: Usages| {
        let mut e = Params::new(
            &[serial],
            dn("mynacard test signer"),
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2030-01-01 0:00 UTC),
        );
        e.key_usage = usage;
        e.signed_by(&ee_signer, &ca, &ca_signer).unwrap()
    };
    Pki {
        ca: ca_der,
        good: ee(1, KeyUsages::DigitalSignature.into()),
        no_sign: ee(2, KeyUsages::KeyEncipherment.into()),
        ee_key,
        other_key: ca_key,
    }
}

fn cms(key: &RsaPrivateKey, cert: &[u8], content: &[u8], at: Option<SystemTime>) -> Vec<u8> {
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let d: [u8; 32] = Sha256::digest(content).into();
    mynacard::cert::cms::build(&signer, cert, &d, at).unwrap()
}

/// `mynacard --json verify FILE SIG --ca CA`: (exit code, outcome).
fn verify(dir: &Path, content: &[u8], sig: &[u8], ca: Option<&[u8]>) -> (i32, String) {
    let f = dir.join("doc");
    let s = dir.join("doc.p7s");
    std::fs::write(&f, content).unwrap();
    std::fs::write(&s, sig).unwrap();
    let mut c = bin();
    c.args(["--json", "verify"]).arg(&f).arg(&s);
    if let Some(ca) = ca {
        let p = dir.join("ca.der");
        std::fs::write(&p, ca).unwrap();
        c.arg("--ca").arg(p);
    }
    let out = c.output().unwrap();
    let v = json(&out.stdout);
    (
        out.status.code().unwrap(),
        v["outcome"].as_str().unwrap_or("").to_string(),
    )
}

#[test]
fn each_failure_has_its_own_outcome_and_exit_code() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = b"the signed document\n";
    let in_2025 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);

    let ok = cms(&p.ee_key, &p.good, doc, Some(in_2025));
    assert_eq!(verify(d, doc, &ok, Some(&p.ca)), (0, "valid".into()));

    // One byte of the file.
    assert_eq!(
        verify(d, b"the signed documenT\n", &ok, Some(&p.ca)),
        (30, "file_changed".into())
    );
    // Signed by a key that is not the certificate's.
    let forged = cms(&p.other_key, &p.good, doc, Some(in_2025));
    assert_eq!(
        verify(d, doc, &forged, Some(&p.ca)),
        (31, "bad_signature".into())
    );
    // The right key, an untrusted issuer: the J-LIS roots, or another CA.
    assert_eq!(verify(d, doc, &ok, None), (32, "unknown_signer".into()));
    assert_eq!(
        verify(d, doc, &ok, Some(&p.good)),
        (32, "unknown_signer".into())
    );
    // Signed before the certificate was valid, and after it expired.
    for t in [1_500_000_000u64, 1_950_000_000] {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(t);
        let s = cms(&p.ee_key, &p.good, doc, Some(at));
        assert_eq!(
            verify(d, doc, &s, Some(&p.ca)),
            (33, "not_valid_at_signing_time".into()),
            "at {t}"
        );
    }
    // A certificate whose key may not sign.
    let s = cms(&p.ee_key, &p.no_sign, doc, Some(in_2025));
    assert_eq!(
        verify(d, doc, &s, Some(&p.ca)),
        (34, "wrong_key_usage".into())
    );
}

#[test]
fn a_damaged_or_foreign_container_is_a_clear_input_error() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = b"x";
    let ok = cms(&p.ee_key, &p.good, doc, None);
    for bad in [
        ok[..ok.len() / 2].to_vec(),
        b"not a signature at all".to_vec(),
        p.good.clone(),
        Vec::new(),
    ] {
        let (code, outcome) = verify(d, doc, &bad, Some(&p.ca));
        assert_eq!(code, 12, "{bad:02x?}");
        assert_eq!(outcome, "");
    }
    // A signature file that is a folder: a file error, nothing read.
    let out = bin()
        .arg("verify")
        .arg(d.join("doc"))
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(13));
}
