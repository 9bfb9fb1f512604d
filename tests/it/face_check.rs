//! `mynacard face-check` on the in-process virtual card: 照合番号B from
//! the printed parts, the four levels, and each faulty profile's verdict.

use crate::common;

use common::{bin, json, virt};
use std::path::Path;

const PARTS: &str = "昭和55年2月17日 2035 2285";

fn run(profile: Option<&str>, state: &Path, parts: &str, extra: &[&str]) -> std::process::Output {
    bin()
        .arg(virt(profile))
        .arg("--state")
        .arg(state)
        .args(extra)
        .args(["face-check", "--code-env", "FC"])
        .env("FC", parts)
        .output()
        .unwrap()
}

fn tries(state: &Path) -> u64 {
    let out = run(None, state, PARTS, &["--json"]);
    json(&out.stdout)["code_tries_left_before"]
        .as_u64()
        .unwrap()
}

#[test]
fn the_right_printed_values_give_all_four_levels_and_spend_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let out = run(None, &st, PARTS, &["--json"]);
    assert_eq!(
        out.status.code(),
        Some(44),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "test_card");
    assert_eq!(v["certificate"]["ok"], true);
    assert_eq!(v["certificate"]["hierarchy"], "virtual_test");
    assert_eq!(v["face_signature_ok"], true);
    assert_eq!(v["chip_key_ok"], true);
    assert_eq!(v["consistency"]["ok"], true);
    assert_eq!(v["code_tries_left_before"], 3);
    // No personal data in JSON.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("1980") && !text.contains("550217"), "{text}");
    // Spent nothing; the 西暦 and short 和暦 spellings open it too.
    for p in ["1980-02-17 2035 2285", "S55.2.17\n2035\n2285"] {
        assert_eq!(run(None, &st, p, &["--json"]).status.code(), Some(44));
    }
    assert_eq!(tries(&st), 3);
    // The alias.
    let out = bin()
        .arg(virt(None))
        .args(["face", "--code-env", "FC"])
        .env("FC", PARTS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(44));
}

#[test]
fn a_wrong_security_code_costs_exactly_one_try_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let out = run(None, &st, "1980-02-17 2035 9999", &["--lang", "en"]);
    assert_eq!(out.status.code(), Some(9));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("照合番号B") && err.contains("2 tries left"),
        "{err}"
    );
    assert!(!err.contains("9999") && !err.contains("1980"), "{err}");
    // Exactly one try was spent: the next run reads 2 before its VERIFY.
    assert_eq!(tries(&st), 2);
    // And the right code then resets it.
    assert_eq!(tries(&st), 3);
}

#[test]
fn a_locked_code_is_refused_before_any_verify() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let out = run(
        Some("face-locked"),
        &st,
        PARTS,
        &["--lang", "en", "--trace"],
    );
    assert_eq!(out.status.code(), Some(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("municipal office"), "{err}");
    assert!(!err.contains("00 20 00 92 0E"), "a VERIFY was sent: {err}");
}

#[test]
fn each_faulty_profile_fails_its_own_level() {
    let dir = tempfile::tempdir().unwrap();
    for (profile, code, verdict) in [
        ("face-altered", 41, "altered"),
        ("face-copied", 42, "copied"),
        ("face-lookalike-ca", 40, "not_jlis"),
    ] {
        let st = dir.path().join(profile);
        let out = run(Some(profile), &st, PARTS, &["--json"]);
        assert_eq!(out.status.code(), Some(code), "{profile}");
        assert_eq!(json(&out.stdout)["verdict"], verdict, "{profile}");
    }
    let st = dir.path().join("mismatch");
    // A card expiry year that is not the card's: the VERIFY itself fails
    // (the card's 照合番号B holds its own year).
    let out = run(None, &st, "1980-02-17 2034 2285", &["--json"]);
    assert_eq!(out.status.code(), Some(9));
}

#[test]
fn the_printed_parts_never_reach_the_trace_or_the_error_text() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    for parts in [PARTS, "1980-02-17 2035 9999", "1980-02-31 2035 2285"] {
        let out = run(None, &st, parts, &["--trace", "--lang", "en"]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in ["2285", "9999", "550217", "35353032", "32323835", "39393939"] {
            assert!(!all.contains(secret), "{secret} in: {all}");
        }
    }
}

fn with_a(state: &Path, number: &str, extra: &[&str]) -> std::process::Output {
    bin()
        .arg(virt(None))
        .arg("--state")
        .arg(state)
        .args(extra)
        .args([
            "face-check",
            "--code-env",
            "FC",
            "--with-number-a",
            "--number-a-env",
            "NA",
        ])
        .env("FC", PARTS)
        .env("NA", number)
        .output()
        .unwrap()
}

#[test]
fn number_a_only_when_asked_never_echoed_and_a_wrong_one_costs_one_try() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let number = common::default_number();
    // Not asked: no 照合番号A field, no VERIFY of 0013.
    let out = run(None, &st, PARTS, &["--json", "--trace"]);
    let v = json(&out.stdout);
    assert!(v["consistency"].get("number_a_matches_chip").is_none());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("00 20 00 93"));
    // Asked, as printed (groups of four): both counters read first, both
    // VERIFYs masked, nothing of the number anywhere.
    let spaced = format!("{} {} {}", &number[..4], &number[4..8], &number[8..]);
    let out = with_a(&st, &spaced, &["--json", "--trace"]);
    assert_eq!(out.status.code(), Some(44));
    let v = json(&out.stdout);
    assert_eq!(v["consistency"]["number_a_matches_chip"], true);
    assert_eq!(v["number_a_tries_left_before"], 3);
    let err = String::from_utf8_lossy(&out.stderr);
    let q = err.find("> 00 20 00 93\n").unwrap();
    let verify = err.find("> 00 20 00 93 0C ****").unwrap();
    assert!(q < verify, "{err}");
    let hex: String = number.bytes().map(|b| format!("{b:02X} ")).collect();
    for secret in [number.as_str(), &number[8..], hex.trim_end(), "35 33 37 36"] {
        assert!(!err.contains(secret) && !String::from_utf8_lossy(&out.stdout).contains(secret));
    }
    // A wrong number whose check digit is right: exactly one try of A, none
    // of B.
    let out = with_a(&st, "123456789018", &["--lang", "en"]);
    assert_eq!(out.status.code(), Some(9));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("照合番号A") && err.contains("2 tries left"),
        "{err}"
    );
    assert!(!err.contains("123456789018"), "{err}");
    let v = json(&with_a(&st, &number, &["--json"]).stdout);
    assert_eq!(v["number_a_tries_left_before"], 2);
    assert_eq!(v["code_tries_left_before"], 3);
    // A typo the check digit catches costs nothing: no VERIFY is sent.
    let out = with_a(&st, "537686677189", &["--trace"]);
    assert_eq!(out.status.code(), Some(11));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !common::sent(&err)
            .iter()
            .any(|l| common::is_verify_with_data(l)),
        "{err}"
    );
    // A source without the flag is a usage error.
    let out = bin()
        .arg(virt(None))
        .args(["face-check", "--number-a-env", "NA"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
