//! `mynacard age-check` on the in-process virtual card: "N years or older
//! on DATE: yes/no" from the 生年月日 key alone, the genuineness levels,
//! the guard, and no personal data anywhere in its output.

use crate::common;

use common::{bin, json, sent, virt};
use std::path::Path;

/// The built-in holder (myna-card's test-card holder): 黒桐　幹也, born
/// 1980-02-17 (昭和55), 東京都清瀬市観布子南１２－７－２０２.
const BIRTH: &str = "昭和55年2月17日";

/// Everything that would tell who the holder is, in every spelling the
/// output or a trace could carry it.
const PERSONAL: &[&str] = &[
    "黒桐",
    "幹也",
    "東京都",
    "清瀬",
    "観布子",
    "1980",
    "19800217",
    "02-17",
    "2月17日",
    "昭和55",
    "S55",
    "550217",
    // The same in hex, as a trace would print bytes.
    "3139383030323137",
    "353530323137",
    "E9 BB 92",
    "e9bb92",
];

fn run(profile: Option<&str>, state: &Path, birth: &str, args: &[&str]) -> std::process::Output {
    bin()
        .arg(virt(profile))
        .arg("--state")
        .arg(state)
        .args(args)
        .args(["--birth-date-env", "BD"])
        .env("BD", birth)
        .output()
        .unwrap()
}

fn age(state: &Path, birth: &str, n: &str, on: &str) -> std::process::Output {
    run(
        None,
        state,
        birth,
        &["--json", "age-check", "--at-least", n, "--on", on],
    )
}

fn all(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_answer_turns_on_the_birthday_and_spends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    // 46 on 2026-02-17, not the day before.
    for (on, yes) in [
        ("2026-02-16", false),
        ("2026-02-17", true),
        ("20261206", true),
    ] {
        let out = age(&st, BIRTH, "46", on);
        assert_eq!(out.status.code(), Some(44), "{}", all(&out));
        let v = json(&out.stdout);
        assert_eq!(v["answer"], yes, "{on}");
        assert_eq!(v["verdict"], "test_card");
        assert_eq!(v["certificate"]["ok"], true);
        assert_eq!(v["certificate"]["hierarchy"], "virtual_test");
        assert_eq!(v["record_signature_ok"], true);
        assert_eq!(v["chip_key_ok"], true);
        assert_eq!(v["birth_date_matches_signed"], true);
        assert_eq!(v["at_least"], 46);
        assert_eq!(v["key_tries_left_before"], 3, "a right entry spent a try");
    }
    // Every usual spelling is the same key.
    for b in ["1980-02-17", "S55.2.17", "550217", "1980年2月17日"] {
        let out = age(&st, b, "20", "2026-12-06");
        assert_eq!(json(&out.stdout)["answer"], true, "{b}");
    }
    let out = age(&st, BIRTH, "20", "2026-12-06");
    assert_eq!(json(&out.stdout)["key_tries_left_before"], 3);
}

#[test]
fn no_personal_data_in_text_json_or_trace() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    for args in [
        &["age-check", "--at-least", "20", "--on", "2026-12-06"][..],
        &[
            "--json",
            "age-check",
            "--at-least",
            "20",
            "--on",
            "2026-12-06",
        ],
        &[
            "--trace",
            "age-check",
            "--at-least",
            "20",
            "--on",
            "2026-12-06",
        ],
        &[
            "--lang",
            "ja",
            "age-check",
            "--at-least",
            "20",
            "--on",
            "2026-12-06",
        ],
    ] {
        let out = run(None, &st, BIRTH, args);
        assert_eq!(out.status.code(), Some(44), "{args:?}: {}", all(&out));
        let text = all(&out);
        for p in PERSONAL {
            assert!(!text.contains(p), "{p} in {args:?}: {text}");
        }
    }
    let out = run(
        None,
        &st,
        BIRTH,
        &["age-check", "--at-least", "20", "--on", "2026-12-06"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("→ 20 years or older on 2026-12-06: yes"),
        "{text}"
    );
    let out = run(
        None,
        &st,
        BIRTH,
        &[
            "--lang",
            "ja",
            "age-check",
            "--at-least",
            "50",
            "--on",
            "2026-12-06",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2026年12月6日に 50 歳以上: いいえ"), "{text}");
}

#[test]
fn the_trace_shows_one_masked_verify_of_the_birth_date_key_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let out = run(
        None,
        &st,
        BIRTH,
        &["--trace", "age-check", "--at-least", "20"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let verifies: Vec<&str> = sent(&err)
        .into_iter()
        .filter(|l| common::is_verify_with_data(l))
        .collect();
    // One VERIFY with data, to 券面AP 0011 (P2 = 0x80|0x11), six bytes.
    assert_eq!(verifies.len(), 1, "{err}");
    assert!(
        verifies[0].starts_with("> 00 20 00 91 06"),
        "{}",
        verifies[0]
    );
    // Read first: the retry query of the same key, no data.
    assert!(err.contains("> 00 20 00 91\n"), "{err}");
    // No PIN, no 照合番号: nothing else is verified.
    assert!(!err.contains("00 20 00 92 0E") && !err.contains("00 20 00 93 0C"));
}

#[test]
fn a_wrong_birth_date_costs_exactly_one_try_and_the_last_is_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    for left in ["2 tries left", "1 try left"] {
        let out = run(None, &st, "1980-02-18", &["age-check", "--at-least", "20"]);
        assert_eq!(out.status.code(), Some(9));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("birth-date key") && err.contains(left),
            "{err}"
        );
        assert!(!err.contains("1980") && !err.contains("550218"), "{err}");
    }
    // One try left: refused before any VERIFY unless forced.
    let out = run(
        None,
        &st,
        BIRTH,
        &["--trace", "age-check", "--at-least", "20"],
    );
    assert_eq!(out.status.code(), Some(10), "{}", all(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !sent(&err).iter().any(|l| common::is_verify_with_data(l)),
        "{err}"
    );
    // Forced, the right date resets the counter.
    let out = run(
        None,
        &st,
        BIRTH,
        &[
            "--json",
            "age-check",
            "--at-least",
            "20",
            "--force-last-try",
        ],
    );
    assert_eq!(json(&out.stdout)["key_tries_left_before"], 1);
    let out = age(&st, BIRTH, "20", "2026-12-06");
    assert_eq!(json(&out.stdout)["key_tries_left_before"], 3);
}

#[test]
fn a_copied_chip_gets_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("copied");
    let out = run(
        Some("face-copied"),
        &st,
        BIRTH,
        &["--json", "age-check", "--at-least", "20"],
    );
    assert_eq!(out.status.code(), Some(42), "{}", all(&out));
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "copied");
    assert_eq!(v["record_signature_ok"], true);
    assert_eq!(v["chip_key_ok"], false);
    assert!(v["answer"].is_null());
}

#[test]
fn the_recorded_test_card_is_genuine_test_data_with_the_chip_not_proven() {
    // fixtures/profiles/jpki-test-card.toml serves the JPKI test card's own
    // EF 0001 and 0004: they verify to J-LIS's TEST hierarchy; the replay
    // holds no key, so the chip is not proven and no answer is given.
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("rec");
    let out = run(
        Some("jpki-test-card"),
        &st,
        BIRTH,
        &["--json", "age-check", "--at-least", "20"],
    );
    let v = json(&out.stdout);
    assert_eq!(v["certificate"]["hierarchy"], "jlis_test", "{v}");
    assert_eq!(v["certificate"]["issuer_key_id"], "6000023/001");
    assert_eq!(v["record_signature_ok"], true);
    assert_eq!(v["chip_key_ok"], false);
    assert_eq!(v["verdict"], "copied");
    assert!(v["answer"].is_null());
    assert_eq!(out.status.code(), Some(42));
}

#[test]
fn bad_arguments_are_usage_errors_and_no_date_is_taken_from_argv() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    for args in [
        &["age-check", "--at-least", "0"][..],
        &["age-check", "--at-least", "20", "--on", "2026-02-30"],
        &["age-check"],
        &[
            "age-check",
            "--at-least",
            "20",
            "--birth-date",
            "1980-02-17",
        ],
    ] {
        let out = bin()
            .arg(virt(None))
            .arg("--state")
            .arg(&st)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // No source and no terminal: the options that give it are named.
    let out = bin()
        .arg(virt(None))
        .args(["age-check", "--at-least", "20"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--birth-date-env"));
    let out = run(None, &st, "1980-02-30", &["age-check", "--at-least", "20"]);
    assert_eq!(out.status.code(), Some(11));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("02-30"), "{err}");
}

#[test]
fn a_look_alike_ca_is_not_jlis_and_gets_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("lookalike");
    let out = run(
        Some("face-lookalike-ca"),
        &st,
        BIRTH,
        &["--json", "age-check", "--at-least", "20"],
    );
    assert_eq!(out.status.code(), Some(40), "{}", all(&out));
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "not_jlis");
    assert_eq!(v["certificate"]["outcome"], "bad_signature");
    assert_eq!(v["certificate"]["hierarchy"], "jlis");
    assert_eq!(v["certificate"]["issuer_key_id"], "5000023/001");
    assert!(v["answer"].is_null());
    let out = run(
        Some("face-lookalike-ca"),
        &st,
        BIRTH,
        &["age-check", "--at-least", "20"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no answer: not a chip issued by J-LIS"),
        "{text}"
    );
}
