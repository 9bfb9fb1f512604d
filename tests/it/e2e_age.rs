//! `age-check` (and `face-check --with-number-a`) end to end through a
//! private pcscd + vpcd + the served virtual card: counters read and
//! spent on the card itself, no personal data in any output.

#![cfg(feature = "pcsc")]

use crate::common;

use common::e2e::*;
use mynacard::vcard::KeyRef;

#[test]
fn age_check_through_pcscd_prints_no_personal_data_and_spends_nothing() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let tries = |k: KeyRef| sb.card.lock().unwrap().tries_left(k);
    let before: Vec<u8> = KeyRef::ALL.iter().map(|k| tries(*k)).collect();
    let mut all = String::new();
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
            "50",
            "--on",
            "2026-12-06",
        ],
    ] {
        let out = cli(&sb)
            .args(args)
            .args(["--birth-date-env", "BD"])
            .env("BD", "昭和55年2月17日")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(44), "{args:?}: {out:?}");
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        all.contains("20 years or older on 2026-12-06: yes"),
        "{all}"
    );
    assert!(all.contains("50 years or older on 2026-12-06: no"), "{all}");
    assert!(all.contains("\"answer\": true"), "{all}");
    for p in [
        "黒桐",
        "幹也",
        "東京都",
        "清瀬",
        "1980",
        "19800217",
        "550217",
        "02-17",
        "昭和55",
        "3139383030323137",
        "353530323137",
    ] {
        assert!(!all.contains(p), "{p} in: {all}");
    }
    let after: Vec<u8> = KeyRef::ALL.iter().map(|k| tries(*k)).collect();
    assert_eq!(before, after, "a right birth date spent a try");
    // A wrong one costs exactly one try of the 生年月日 key, nothing else.
    let out = cli(&sb)
        .args(["age-check", "--at-least", "20", "--birth-date-env", "BD"])
        .env("BD", "1980-02-18")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(tries(KeyRef::SurfaceBirth), 2);
    assert_eq!(tries(KeyRef::SurfaceCodeB), 3);
}

#[test]
fn face_check_with_number_a_through_pcscd() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let out = cli(&sb)
        .args([
            "--json",
            "--trace",
            "face-check",
            "--code-env",
            "FC",
            "--with-number-a",
            "--number-a-env",
            "NA",
        ])
        .env("FC", "1980-02-17 2035 2285")
        .env("NA", common::default_number())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(44), "{out:?}");
    let v = json(&out.stdout);
    assert_eq!(v["consistency"]["number_a_matches_chip"], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("> 00 20 00 93 0C ****"), "{err}");
    assert!(!err.contains(&common::default_number()[8..]), "{err}");
    let c = sb.card.lock().unwrap();
    assert_eq!(c.tries_left(KeyRef::SurfaceCodeA), 3);
    assert_eq!(c.tries_left(KeyRef::SurfaceCodeB), 3);
}
