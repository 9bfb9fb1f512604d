//! The recorded test-card profile (fixtures/profiles/jpki-test-card.toml)
//! serves the physical JPKI test card's files byte for byte
//! (fixtures/jpki-test-card/), mynacard reads them right and invents no
//! finding, and the signing commands say the card holds no private key.

use crate::common::{self, bin, json};
use mynacard::protocol::App;
use mynacard::vcard::{Profile, VirtualCard};
use std::path::Path;

fn recorded(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jpki-test-card")
        .join(name);
    std::fs::read(p).unwrap()
}

fn card() -> VirtualCard {
    VirtualCard::new(&Profile::load(&common::fixture("jpki-test-card")).unwrap()).unwrap()
}

#[test]
fn every_file_is_served_byte_for_byte() {
    let c = card();
    let files = [
        (App::Jpki, 0x0001, "jpki-sign-cert.der"),
        (App::Jpki, 0x0002, "jpki-sign-ca-cert.der"),
        (App::Jpki, 0x000A, "jpki-auth-cert.der"),
        (App::Jpki, 0x000B, "jpki-auth-ca-cert.der"),
        (App::Text, 0x0001, "text-0001-physical.bin"),
        (App::Text, 0x0002, "text-0002.bin"),
        (App::Text, 0x0003, "text-0003.bin"),
        (App::Text, 0x0004, "text-0004.bin"),
        (App::Text, 0x0005, "text-0005.bin"),
        (App::Text, 0x0006, "text-0006.bin"),
        (App::Text, 0x0007, "text-0007.bin"),
        (App::Surface, 0x0001, "surface-0001.bin"),
        (App::Surface, 0x0002, "surface-0002.bin"),
        (App::Surface, 0x0003, "surface-0003.bin"),
        (App::Surface, 0x0004, "surface-0004.bin"),
        (App::Surface, 0x0005, "surface-0005.bin"),
    ];
    for (app, fid, name) in files {
        assert_eq!(
            c.ef(app, fid),
            Some(&recorded(name)[..]),
            "{app:?} {fid:04X}"
        );
    }
    // The MF's data objects, through GET DATA (extended Le: they are large).
    let mut c = card();
    c.power_on();
    for (tag, name) in [
        ([0x00, 0xF8], "mf-do-F8.bin"),
        ([0x7F, 0x21], "mf-do-7F21.bin"),
    ] {
        let r = c.process(&[0x00, 0xCA, tag[0], tag[1], 0x00, 0x00, 0x00]);
        let (data, sw) = r.split_at(r.len() - 2);
        assert_eq!(sw, [0x90, 0x00], "{tag:02X?}");
        assert_eq!(data, recorded(name), "{tag:02X?}");
    }
}

#[test]
fn the_cli_reads_the_certificates_as_recorded() {
    let v = common::virt(Some("jpki-test-card"));
    for (slot, name) in [
        ("auth", "jpki-auth-cert.der"),
        ("sign", "jpki-sign-cert.der"),
        ("auth-ca", "jpki-auth-ca-cert.der"),
        ("sign-ca", "jpki-sign-ca-cert.der"),
    ] {
        let out = bin()
            .args([v.as_str(), "cert", "show", slot, "--der", "--pin-env", "P"])
            .env("P", common::default_pin("sign"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(out.stdout, recorded(name), "{slot}");
    }
}

#[test]
fn status_names_the_test_pki_and_invents_nothing() {
    let v = common::virt(Some("jpki-test-card"));
    let out = bin()
        .args([v.as_str(), "--json", "status", "--today", "2026-11-25"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let j = json(&out.stdout);
    assert_eq!(j["auth_cert"]["chain"], "valid", "{j}");
    assert_eq!(j["auth_cert"]["issued_by"]["kind"], "jlis_test", "{j}");
    assert_eq!(j["auth_cert"]["not_after"], "2030-02-17", "{j}");
    let codes: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    // The two that are true of the test card: its certificate ends before
    // the card, and it is J-LIS's test PKI.
    assert_eq!(codes, ["CERT_ENDS_BEFORE_CARD", "CERT_TEST_PKI"], "{j}");
    // The 入力補助AP's records and their integrity record (signed by the
    // real card's AP key) read and check.
    let out = bin()
        .args([v.as_str(), "info", "--pin-env", "P"])
        .env("P", common::default_pin("card-info"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        text.contains("黒桐　幹也") && text.contains("signature valid"),
        "{text}"
    );
    // The AP's own CV certificate chains to J-LIS's test CV CA `6000033`,
    // checked as face-check's level 1 (no longer "not checked").
    assert!(
        text.contains("CV certificate issued by J-LIS's TEST hierarchy (6000033/001)"),
        "{text}"
    );
    let out = bin()
        .args([v.as_str(), "--json", "info", "--pin-env", "P"])
        .env("P", common::default_pin("card-info"))
        .output()
        .unwrap();
    let c = &common::json(&out.stdout)["integrity"]["certificate"];
    assert_eq!(c["ok"], true, "{c}");
    assert_eq!(c["outcome"], "verified");
    assert_eq!(c["hierarchy"], "jlis_test");
    assert_eq!(c["issuer_key_id"], "6000033/001");
}

#[test]
fn prove_and_sign_say_the_recorded_card_cannot_sign() {
    let v = common::virt(Some("jpki-test-card"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.txt");
    std::fs::write(&file, b"hello").unwrap();
    let sig = dir.path().join("doc.p7s");
    let (file, sig) = (file.to_str().unwrap(), sig.to_str().unwrap());
    let runs = [
        (vec!["prove", "--pin-env", "P"], "auth"),
        (vec!["sign", file, "-o", sig, "--pin-env", "P"], "sign"),
    ];
    for (args, pin) in runs {
        let out = bin()
            .arg(&v)
            .args(&args)
            .env("P", common::default_pin(pin))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(err.contains("holds no private key"), "{args:?}: {err}");
        assert!(err.contains("cannot sign"), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("bad signature"),
            "{err}"
        );
    }
}
