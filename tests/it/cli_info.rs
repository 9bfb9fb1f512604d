//! `mynacard info`: the card-info application on the in-process virtual card.

use crate::common;

use common::{bin, default_number, json, sent, virt};

fn info(profile: Option<&str>, extra: &[&str]) -> std::process::Output {
    bin()
        .arg(virt(profile))
        .args(["--json", "info", "--pin-env", "P"])
        .args(extra)
        .env("P", "1234")
        .env("SP", "TEST1234")
        .output()
        .unwrap()
}

#[test]
fn attributes_come_back_exactly() {
    let out = info(None, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    let a = &v["attributes"];
    // U+3000 between family and given name; full-width digits kept.
    assert_eq!(a["name"], "黒桐\u{3000}幹也");
    assert_eq!(a["address"], "東京都清瀬市観布子南１２－７－２０２");
    assert_eq!(a["birth_date"], "1980-02-17");
    assert_eq!(a["sex_code"], "1");
    assert_eq!(v["sex"], "male");
    assert_eq!(v["integrity"]["attributes_hash_ok"], true);
    assert!(v["integrity"]["number_hash_ok"].is_null());
    assert!(v.get("individual_number").is_none());
}

#[test]
fn the_number_is_not_read_without_show_number() {
    let out = bin()
        .args(["--virtual", "--trace", "info", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let trace = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let number = default_number();
    // No READ BINARY of EF 0001 at all: not by SFI (P1 = 81), not after a
    // SELECT of 0001.
    for l in sent(&trace) {
        assert!(!l.starts_with("> 00 B0 81"), "{l}");
        assert!(!l.starts_with("> 00 A4 02 0C 02 00 01"), "{l}");
    }
    assert!(!stdout.contains(&number) && !trace.contains(&number));
    // With --show-number: read, masked on screen, redacted in the trace.
    let out = bin()
        .args([
            "--virtual",
            "--trace",
            "info",
            "--show-number",
            "--pin-env",
            "P",
        ])
        .env("P", "1234")
        .output()
        .unwrap();
    let trace = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        sent(&trace).iter().any(|l| l.starts_with("> 00 B0 81")),
        "{trace}"
    );
    assert!(trace.contains("bytes of personal data redacted"), "{trace}");
    let hex: String = number.bytes().map(|b| format!("{b:02X} ")).collect();
    assert!(!trace.contains(hex.trim()), "{trace}");
    assert!(!stdout.contains(&number), "{stdout}");
    assert!(
        stdout.contains(&format!("********{}", &number[8..])),
        "{stdout}"
    );
    assert!(stdout.contains("number match"), "{stdout}");
    // --unmask shows it; JSON carries it only with --show-number.
    let out = bin()
        .args([
            "--virtual",
            "info",
            "--show-number",
            "--unmask",
            "--pin-env",
            "P",
        ])
        .env("P", "1234")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&number));
    // JSON follows the same masking rule as the text.
    let v = json(&info(None, &["--show-number"]).stdout);
    assert_eq!(
        v["individual_number"],
        format!("********{}", &number[8..]).as_str()
    );
    assert!(!v.to_string().contains(&number));
    let v = json(&info(None, &["--show-number", "--unmask"]).stdout);
    assert_eq!(v["individual_number"], number.as_str());
    assert_eq!(v["integrity"]["number_hash_ok"], true);
}

#[test]
fn wrong_pin_lowers_only_the_card_info_counter() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let before = common::counters(None, &st);
    let out = bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["info", "--pin-env", "P"])
        .env("P", "9999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong card-info PIN: 2 tries left"));
    let after = common::counters(None, &st);
    for (b, a) in before.iter().zip(&after) {
        if b.0 == "card-info" {
            assert_eq!(a.1, Some(2));
        } else {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn a_move_makes_the_signature_certificate_mismatch() {
    let out = info(Some("moved"), &["--with-sign", "--sign-pin-env", "SP"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["sign_certificate_matches"], false);
    assert_eq!(v["findings"][0]["code"], "SIGN_CERT_MISMATCH");
    assert_eq!(v["findings"][0]["fields"][0], "address");
    // The built-in profile matches.
    let v = json(&info(None, &["--with-sign", "--sign-pin-env", "SP"]).stdout);
    assert_eq!(v["sign_certificate_matches"], true);
    assert!(v.get("findings").is_none());
}

#[test]
fn malformed_pin_is_refused_before_anything_is_sent() {
    let out = bin()
        .args(["--virtual", "--trace", "info", "--pin-env", "P"])
        .env("P", "12a4")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("> "));
}

#[test]
fn a_malformed_attributes_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, hex, want) in [
        ("truncated", "ff2065df2108000e", "truncated"),
        ("wrong-tag", "ff2108df2108000e002000590064", "FF 20"),
        (
            "non-utf8",
            "ff2028df2108000e0013001c0027df2202fffedf2306e69db1e4baacdf24083139383030323137df250131",
            "UTF-8",
        ),
    ] {
        let p = dir.path().join(format!("{name}.toml"));
        std::fs::write(
            &p,
            format!("base = \"builtin\"\n[ef_overrides]\n\"text:0002\" = \"{hex}\"\n"),
        )
        .unwrap();
        let out = bin()
            .arg(format!("--virtual={}", p.display()))
            .args(["info", "--pin-env", "P"])
            .env("P", "1234")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(12), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("EF 0002") && err.contains(want), "{name}: {err}");
    }
}

#[test]
fn json_enumerations_do_not_follow_the_language() {
    let out = common::bin()
        .args([
            "--virtual",
            "--lang",
            "ja",
            "--json",
            "info",
            "--pin-env",
            "P",
        ])
        .env("P", "1234")
        .output()
        .unwrap();
    let v = common::json(&out.stdout);
    assert_eq!(v["sex"], "male", "{v}");
    let out = common::bin()
        .args(["--virtual", "--lang", "ja", "--json", "status"])
        .output()
        .unwrap();
    let v = common::json(&out.stdout);
    assert_eq!(v["auth_cert"]["chain"], "valid");
    assert_eq!(v["pins"][0]["state"], "ok");
    assert_eq!(v["card"]["token_type"], "card");
}

#[test]
fn the_aps_cv_certificate_is_checked_with_the_built_in_cv_ca_keys() {
    // The built-in card: the virtual card's own test CV CA.
    let v = json(&info(None, &[]).stdout);
    let c = &v["integrity"]["certificate"];
    assert_eq!(c["ok"], true, "{v}");
    assert_eq!(c["hierarchy"], "virtual_test");
    // A look-alike: the JPKI test card's 入力補助AP certificate with its
    // 証明者鍵ID changed to J-LIS's production `5000033`: it names a J-LIS
    // key that does not verify it.
    let hex = include_str!("../../fixtures/profiles/jpki-test-card.toml")
        .lines()
        .find_map(|l| l.strip_prefix("\"text:0004\" = \""))
        .and_then(|l| l.split('"').next())
        .unwrap()
        .replacen("36303030303333", "35303030303333", 1);
    let p = common::profile_file(&format!(
        "base = \"builtin\"\n[ef_overrides]\n\"text:0004\" = \"{hex}\"\n"
    ));
    let out = bin()
        .args([p.arg.as_str(), "--json", "info", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    let v = json(&out.stdout);
    let c = &v["integrity"]["certificate"];
    assert_eq!(c["ok"], false, "{v}");
    assert_eq!(c["outcome"], "bad_signature");
    assert_eq!(c["hierarchy"], "jlis");
    assert_eq!(c["issuer_key_id"], "5000033/001");
    let out = bin()
        .args([p.arg.as_str(), "info", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "does not verify with J-LIS (production)'s key (5000033/001): not issued by J-LIS"
        ),
        "{text}"
    );
}
