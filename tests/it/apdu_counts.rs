//! The APDUs `info` and `sign` send, counted on the wire (the trace of the
//! in-process virtual card): each at the fewest its information needs
//! (docs/performance.md, limit column), the PIN policy's order kept.

use crate::common;

use common::{bin, json, profile_file};

/// The trace's command lines and its summary line, for `args` with `$P`.
fn traced(profile: &str, args: &[&str], pin: &str) -> (Option<i32>, Vec<String>, String) {
    let out = bin()
        .arg(profile)
        .arg("--trace")
        .args(args)
        .env("P", pin)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let sent = err
        .lines()
        .filter(|l| l.starts_with("> "))
        .map(str::to_owned)
        .collect();
    (out.status.code(), sent, err)
}

fn position(sent: &[String], prefix: &str) -> usize {
    sent.iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {sent:#?}"))
}

const SELECT_JPKI: &str = "> 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

#[test]
fn info_sends_9_apdus_without_selecting_jpki() {
    let (code, sent, err) = traced("--virtual", &["info", "--pin-env", "P"], "1234");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("# 9 APDUs, 58 bytes sent, 1026 bytes received"),
        "{err}"
    );
    assert!(!sent.iter().any(|l| l == SELECT_JPKI), "{sent:#?}");
    // The counter (case 1) before the VERIFY with the PIN.
    let counter = sent.iter().position(|l| l == "> 00 20 00 91");
    assert_eq!(counter, Some(1), "{sent:#?}");
    assert_eq!(position(&sent, "> 00 20 00 91 04"), 2, "{sent:#?}");
}

#[test]
fn info_on_a_card_that_is_no_my_number_card_says_so() {
    let p = profile_file("base = \"builtin\"\n[card]\ntoken = \"other\"\n");
    let (code, sent, err) = traced(&p.arg, &["info", "--pin-env", "P"], "1234");
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains("not a My Number Card"), "{err}");
    assert!(!sent.iter().any(|l| l.starts_with("> 00 20")), "{sent:#?}");
}

#[test]
fn sign_sends_13_apdus_counter_before_password() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let out = dir.path().join("f.p7s");
    let (o, f) = (out.display().to_string(), file.display().to_string());
    let (code, sent, err) = traced(
        "--virtual",
        &["sign", "--pin-env", "P", "-o", &o, &f],
        "TEST1234",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("# 13 APDUs"), "{err}");
    // No read of EF 0008; the key probed, then the counter, then the VERIFY.
    assert!(
        !sent.iter().any(|l| l.starts_with("> 00 B0 88")),
        "{sent:#?}"
    );
    let probe = position(&sent, "> 00 A4 02 0C 02 00 1A");
    let counter = sent.iter().position(|l| l == "> 00 20 00 9B").unwrap();
    let verify = position(&sent, "> 00 20 00 9B 08");
    assert!(probe < counter && counter < verify, "{sent:#?}");
    assert!(out.exists());
}

/// Without the EF 0008 read, a card with no signature certificate is still
/// refused clearly, nothing is written and no try is spent.
#[test]
fn sign_on_a_card_without_signature_certificate() {
    let p = profile_file("base = \"builtin\"\n[certificates.sign]\npresent = false\n");
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.json");
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let out = dir.path().join("f.p7s");
    let pins = || {
        let o = bin()
            .arg(&p.arg)
            .arg("--state")
            .arg(&state)
            .args(["--json", "pin", "status"])
            .output()
            .unwrap();
        json(&o.stdout)["pins"].clone()
    };
    let before = pins();
    let o = bin()
        .arg(&p.arg)
        .arg("--state")
        .arg(&state)
        .args(["--json", "sign", "--pin-env", "P", "-o"])
        .arg(&out)
        .arg(&file)
        .env("P", "TEST1234")
        .output()
        .unwrap();
    let v = json(&o.stdout);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no signature certificate"),
        "{v}"
    );
    assert!(!out.exists());
    assert_eq!(pins(), before);
}
