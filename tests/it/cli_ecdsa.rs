//! The next card's certificates (ECDSA P-384 / SHA-384) on the virtual card
//! (`fixtures/profiles/ecdsa-p384.toml`): they read, chain and report as
//! the RSA ones do; what this version cannot do with them (have the card
//! sign) is refused before any PIN is sent.

use crate::common;

use common::{assert_schema, bin, default_pin, json, sent, virt};
use serde_json::Value;

fn status(profile: Option<&str>) -> Value {
    let out = bin()
        .arg(virt(profile))
        .args([
            "--json",
            "status",
            "--today",
            "2026-11-25",
            "--with-sign",
            "--pin-env",
            "SP",
        ])
        .env("SP", default_pin("sign"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_schema(&v, "status");
    v
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_ecdsa_card_reports_like_the_rsa_one() {
    let ec = status(Some("ecdsa-p384"));
    let rsa = status(None);
    for c in ["auth_cert", "sign_cert"] {
        assert_eq!(ec[c]["read"], true, "{c}: {ec}");
        assert_eq!(ec[c]["chain"], "valid", "{c}: {ec}");
        assert_eq!(ec[c]["issued_by"]["kind"], "test_pki", "{c}: {ec}");
        assert_eq!(ec[c]["not_after"], rsa[c]["not_after"], "{c}");
        assert_ne!(
            ec[c]["sha256_fingerprint"], rsa[c]["sha256_fingerprint"],
            "{c}"
        );
    }
    assert_eq!(codes(&ec), codes(&rsa));
    assert_eq!(ec["pins"], rsa["pins"]);
}

#[test]
fn cert_inspect_names_the_curve_and_the_test_pki() {
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("auth.pem");
    let out = bin()
        .arg(virt(Some("ecdsa-p384")))
        .args(["cert", "show", "auth", "--pem", "-o"])
        .arg(&pem)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin().args(["cert", "inspect"]).arg(&pem).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("EC P-384 (384 bits)"), "{text}");
    assert!(text.contains("ecdsa-with-SHA384"), "{text}");
    assert!(text.contains("test PKI"), "{text}");
    let out = bin()
        .args(["--json", "cert", "inspect"])
        .arg(&pem)
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["certificate"]["key_algorithm"], "EC");
    assert_eq!(v["certificate"]["key_bits"], 384);
    assert_eq!(v["certificate"]["signature_algorithm"], "ecdsa-with-SHA384");
}

/// `prove` on an ECDSA card: refused with exit 19 before the PIN is sent
/// (no VERIFY with data on the wire), every counter as it was.
#[test]
fn prove_on_an_ecdsa_card_is_refused_before_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s");
    let out = bin()
        .arg(virt(Some("ecdsa-p384")))
        .arg("--state")
        .arg(&state)
        .args(["--trace", "prove", "--pin-env", "AP"])
        .env("AP", default_pin("auth"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(19), "{err}");
    assert!(err.contains("this card's keys are EC P-384"), "{err}");
    assert!(
        !sent(&err).iter().any(|l| common::is_verify_with_data(l)),
        "{err}"
    );
    for (kind, left, _) in common::counters(Some("ecdsa-p384"), &state) {
        assert_eq!(left, Some(if kind == "sign" { 5 } else { 3 }), "{kind}");
    }
}

#[test]
fn an_unknown_algorithm_names_the_field() {
    let p = common::profile_file("base = \"builtin\"\n[card]\nalgorithm = \"ed25519\"\n");
    let out = bin().args([p.arg.as_str(), "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(12));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("card.algorithm: expected rsa-2048 or ecdsa-p384, got \"ed25519\""),
        "{err}"
    );
}
