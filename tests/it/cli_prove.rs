//! `mynacard prove` on the in-process virtual card: the card signs a fresh
//! challenge with its authentication key; the signature is checked with the
//! certificate's key and the certificate with the built-in roots.

use crate::common;

use common::{bin, counters, json, profile_file, virt};

#[test]
fn the_virtual_card_holds_its_key_and_says_it_is_a_test_card() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let before = counters(None, &st);
    let out = bin()
        .arg(virt(None))
        .arg("--state")
        .arg(&st)
        .args(["--json", "prove", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    // Not a J-LIS card: exit 17, but the card's answer was verified.
    assert_eq!(
        out.status.code(),
        Some(17),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["holds_key"], true, "{v}");
    assert_eq!(v["genuine"], false);
    assert_eq!(v["issued_by"]["kind"], "test_pki");
    assert_eq!(v["challenge"].as_str().unwrap().len(), 64);
    // The right PIN spends nothing.
    assert_eq!(counters(None, &st), before);
    // A fresh challenge each time.
    let again = json(
        &bin()
            .arg(virt(None))
            .args(["--json", "prove", "--pin-env", "P"])
            .env("P", "1234")
            .output()
            .unwrap()
            .stdout,
    );
    assert_ne!(again["challenge"], v["challenge"]);
    let text = bin()
        .arg(virt(None))
        .args(["prove", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&text.stdout);
    assert!(
        t.contains("the card signed a fresh random challenge"),
        "{t}"
    );
    assert!(t.contains("a test card"), "{t}");
    assert!(!t.contains("this card is genuine"), "{t}");
}

#[test]
fn a_card_that_does_not_hold_its_certificates_key_is_caught() {
    let tp = profile_file("base = \"builtin\"\n[faults]\nwrong_auth_key = true\n");
    let out = bin()
        .args([&tp.arg, "--json", "prove", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(17));
    let v = json(&out.stdout);
    assert_eq!(v["holds_key"], false, "{v}");
    assert_eq!(v["genuine"], false);
    let out = bin()
        .args([&tp.arg, "prove", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("the card does not hold the certificate's key"),
        "{t}"
    );
    assert!(t.contains("not genuine"), "{t}");
}

#[test]
fn a_wrong_pin_costs_one_try_and_the_last_try_is_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let run = |pin: &str, extra: &[&str]| {
        bin()
            .arg(virt(None))
            .arg("--state")
            .arg(&st)
            .args(["--trace", "prove", "--pin-env", "P"])
            .args(extra)
            .env("P", pin)
            .output()
            .unwrap()
    };
    assert_eq!(run("0000", &[]).status.code(), Some(9));
    assert_eq!(counters(None, &st)[1].1, Some(2));
    assert_eq!(run("0000", &[]).status.code(), Some(9));
    assert_eq!(counters(None, &st)[1].1, Some(1));
    // The last try: refused, nothing sent, nothing signed.
    let out = run("1234", &[]);
    assert_eq!(out.status.code(), Some(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--force-last-try"), "{err}");
    assert!(!err.lines().any(|l| l.starts_with("> 80 2A")), "{err}");
    assert_eq!(counters(None, &st)[1].1, Some(1));
    // With consent and the right PIN: signed, the count restored.
    assert_eq!(run("1234", &["--force-last-try"]).status.code(), Some(17));
    assert_eq!(counters(None, &st)[1].1, Some(3));
}
