//! `mynacard status` on profiles of the virtual card: JSON findings, exit
//! codes with --fail-on, no PIN sent and no counter changed.

use crate::common;

use common::{bin, is_verify_with_data, json, sent, virt};
use serde_json::Value;

struct Run {
    code: i32,
    v: Value,
    stderr: String,
}

fn status(profile: Option<&str>, today: &str, extra: &[&str]) -> Run {
    let out = bin()
        .arg(virt(profile))
        .args(["--json", "status", "--today", today])
        .args(extra)
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["schema_version"], 2);
    Run {
        code: out.status.code().unwrap(),
        v,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn codes(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            for key in ["message", "next_step"] {
                assert!(!f[key].as_str().unwrap().is_empty(), "{f}");
            }
            (
                f["code"].as_str().unwrap().into(),
                f["severity"].as_str().unwrap().into(),
                f["subject"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn has(v: &Value, code: &str, severity: &str, subject: &str) -> bool {
    codes(v)
        .iter()
        .any(|c| c.0 == code && c.1 == severity && c.2 == subject)
}

/// Exit codes with --fail-on warning and --fail-on error.
fn fail_on(profile: Option<&str>, today: &str) -> (i32, i32) {
    (
        status(profile, today, &["--fail-on", "warning"]).code,
        status(profile, today, &["--fail-on", "error"]).code,
    )
}

#[test]
fn all_valid() {
    let r = status(None, "2026-11-25", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = &r.v;
    assert_eq!(v["command"], "status");
    assert_eq!(v["today"], "2026-11-25");
    assert_eq!(v["card"]["token_type"], "card");
    assert_eq!(v["card"]["serial"], "400000012719843");
    assert_eq!(v["card"]["municipality"], "13221");
    assert_eq!(v["card"]["expiry"]["expires"], "2035-02-17");
    assert_eq!(v["card"]["expiry"]["days_left"], 3006);
    assert_eq!(v["card"]["expiry"]["renewal_opens"], "2034-11-17");
    assert_eq!(v["auth_cert"]["not_after"], "2030-02-17");
    assert_eq!(v["auth_cert"]["chain"], "valid");
    assert_eq!(v["sign_cert"]["present"], true);
    assert_eq!(v["sign_cert"]["read"], false);
    assert_eq!(v["pins"].as_array().unwrap().len(), 4);
    // The virtual card's certificate is the test PKI's, and the report says so.
    assert_eq!(v["auth_cert"]["issued_by"]["kind"], "test_pki");
    assert_eq!(
        codes(v),
        [
            (
                "CERT_ENDS_BEFORE_CARD".into(),
                "info".into(),
                "auth_cert".into()
            ),
            ("CERT_TEST_PKI".into(), "info".into(), "auth_cert".into())
        ]
    );
    assert_eq!(v["worst"], "info");
    assert_eq!(fail_on(None, "2026-11-25"), (0, 0));
}

#[test]
fn auth_certificate_expiring_in_30_days_renewal_open() {
    let r = status(None, "2030-01-18", &[]);
    assert_eq!(r.v["auth_cert"]["expiry"]["days_left"], 30);
    assert_eq!(r.v["auth_cert"]["expiry"]["renewal_open"], true);
    assert!(has(&r.v, "CERT_EXPIRES_SOON", "warning", "auth_cert"));
    assert_eq!(fail_on(None, "2030-01-18"), (20, 0));
}

#[test]
fn certificate_expiring_in_100_days_says_when_renewal_opens() {
    let r = status(None, "2029-11-09", &[]);
    assert_eq!(r.v["auth_cert"]["expiry"]["days_left"], 100);
    assert_eq!(r.v["auth_cert"]["expiry"]["renewal_open"], false);
    let f = r.v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CERT_RENEWAL_OPENS")
        .unwrap()
        .clone();
    assert_eq!(f["date"], "2029-11-17");
    assert!(f["message"].as_str().unwrap().contains("2029-11-17"));
    assert_eq!(fail_on(None, "2029-11-09"), (0, 0));
}

#[test]
fn card_expired() {
    let r = status(None, "2035-03-01", &[]);
    assert!(has(&r.v, "CARD_EXPIRED", "error", "card"));
    assert_eq!(r.v["card"]["expiry"]["expired"], true);
    assert_eq!(r.v["worst"], "error");
    assert_eq!(fail_on(None, "2035-03-01"), (21, 21));
}

#[test]
fn certificate_expired_while_the_card_is_valid() {
    let r = status(None, "2030-03-01", &[]);
    assert!(has(&r.v, "CERT_EXPIRED", "error", "auth_cert"));
    assert!(!codes(&r.v).iter().any(|c| c.0.starts_with("CARD_")));
    // The chain check reports the expiry too, and the advice is the
    // certificate, not the card.
    assert_eq!(r.v["auth_cert"]["chain"], "expired");
    let f = &r.v["findings"][0];
    assert!(f["next_step"].as_str().unwrap().contains("certificate"));
    assert_eq!(fail_on(None, "2030-03-01"), (21, 21));
}

#[test]
fn locked_pin_and_last_try() {
    let r = status(Some("pin-locked"), "2026-11-25", &[]);
    assert!(has(&r.v, "PIN_LOCKED", "error", "card-info"));
    assert!(has(&r.v, "PIN_LAST_TRY", "warning", "auth"));
    let locked = r.v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PIN_LOCKED")
        .unwrap()
        .clone();
    assert!(locked["next_step"]
        .as_str()
        .unwrap()
        .contains("municipal office"));
    let pins = r.v["pins"].as_array().unwrap();
    assert_eq!(pins[2]["state"], "locked");
    assert_eq!(pins[2]["remaining"], 0);
    assert_eq!(pins[1]["state"], "last_try");
    assert_eq!(fail_on(Some("pin-locked"), "2026-11-25"), (21, 21));
}

#[test]
fn smartphone_token() {
    let r = status(Some("smartphone"), "2026-11-25", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.v["card"]["token_type"], "smartphone_android");
    assert!(has(&r.v, "NOT_PHYSICAL_CARD", "info", "card"));
    assert!(r.v["card"]["expiry"].is_null());
    // No PIN is sent, so the Android token's auth certificate stays unread.
    assert_eq!(r.v["auth_cert"]["present"], true);
    assert_eq!(r.v["auth_cert"]["read"], false);
    let pins = r.v["pins"].as_array().unwrap();
    assert_eq!(pins[2]["state"], "absent");
    assert_eq!(pins[3]["state"], "absent");
    assert_eq!(fail_on(Some("smartphone"), "2026-11-25"), (0, 0));
}

#[test]
fn holder_under_15_without_signature_certificate() {
    let r = status(Some("minor"), "2026-11-25", &[]);
    assert!(has(&r.v, "SIGN_CERT_ABSENT", "info", "sign_cert"));
    assert_eq!(r.v["sign_cert"]["present"], false);
    // A child's card runs to the 5th birthday after issuance (2025-02-17);
    // the certificate (5th birthday after 2025-10-27) is capped by it.
    assert_eq!(r.v["card"]["expiry"]["expires"], "2029-05-10");
    assert_eq!(r.v["auth_cert"]["not_after"], "2029-05-10");
    assert!(has(&r.v, "CERT_CAPPED_BY_CARD", "info", "auth_cert"));
    // Reading it on such a card says so instead of asking for a password,
    // and does not call it a card failure.
    let st = tempfile::tempdir().unwrap();
    let state = st.path().join("s.json");
    let out = bin()
        .arg(virt(Some("minor")))
        .arg("--state")
        .arg(&state)
        .args(["--json", "cert", "show", "sign", "--pin-env", "P"])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(16));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no signature certificate"), "{err}");
    assert!(!err.contains("reseat"), "{err}");
    assert_eq!(json(&out.stdout)["error"]["code"], "ABSENT");
    // Nothing was sent: the password's counter is untouched.
    assert_eq!(common::counters(Some("minor"), &state)[0].1, Some(5));
}

#[test]
fn leap_day_birthday() {
    // Born 2000-02-29, issued 2025-03-10: birthdays fall on 28 February in
    // common years, so the card ends 2035-02-28 and the certificates
    // 2030-02-28.
    let r = status(Some("leap-day"), "2026-11-25", &[]);
    assert_eq!(r.v["card"]["expiry"]["expires"], "2035-02-28");
    assert_eq!(r.v["auth_cert"]["not_after"], "2030-02-28");
    let out = bin()
        .arg(virt(Some("leap-day")))
        .args([
            "--json",
            "status",
            "--today",
            "2026-11-25",
            "--with-sign",
            "--pin-env",
            "P",
        ])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["sign_cert"]["read"], true);
    assert_eq!(v["sign_cert"]["not_after"], "2030-02-28");
    // The birth date is known from the signature certificate: the ends
    // match the rule, so no CERT_END_NOT_BY_RULE.
    assert!(
        !codes(&v).iter().any(|c| c.0 == "CERT_END_NOT_BY_RULE"),
        "{v}"
    );
}

#[test]
fn certificate_end_not_by_the_rule() {
    let tp = common::profile_file("base = \"builtin\"\n[certificates.auth]\nexpires = \"2029-06-30\"\n[certificates.sign]\nexpires = \"2029-06-30\"\n");
    let out = bin()
        .arg(&tp.arg)
        .args([
            "--json",
            "status",
            "--today",
            "2026-11-25",
            "--with-sign",
            "--pin-env",
            "P",
        ])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert!(
        has(&v, "CERT_END_NOT_BY_RULE", "warning", "auth_cert"),
        "{v}"
    );
    assert!(
        has(&v, "CERT_END_NOT_BY_RULE", "warning", "sign_cert"),
        "{v}"
    );
}

#[test]
fn status_sends_no_pin_and_changes_no_counter() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let before = common::counters(None, &st);
    let out = bin()
        .args(["--virtual", "--trace", "--state"])
        .arg(&st)
        .args(["status", "--today", "2026-11-25"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let trace = String::from_utf8_lossy(&out.stderr);
    let cmds = sent(&trace);
    assert!(cmds.len() > 10, "{trace}");
    assert!(!cmds.iter().any(|l| is_verify_with_data(l)), "{trace}");
    assert_eq!(common::counters(None, &st), before);
    // The state file itself is unchanged in content.
    let s: Value = serde_json::from_slice(&std::fs::read(&st).unwrap()).unwrap();
    assert_eq!(s["keys"]["jpki-001b"]["tries"], 5);
}

#[test]
fn text_report_in_both_languages() {
    let out = bin()
        .args(["--virtual", "status", "--today", "2030-01-18"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    for want in [
        "user-authentication certificate",
        "30 days left",
        "renewal opens",
        "open now",
        "signature password",
        "WARN",
    ] {
        assert!(s.contains(want), "{want}: {s}");
    }
    assert!(!s.contains('\x1b'), "no colour without a terminal");
    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .args(["--virtual", "status", "--today", "2030-01-18"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    for want in [
        "利用者証明用電子証明書",
        "署名用電子証明書",
        "有効期限",
        "残り 30 日",
        "暗証番号",
        "受付中",
    ] {
        assert!(s.contains(want), "{want}: {s}");
    }
    let out = bin()
        .args([
            "--virtual",
            "--color",
            "always",
            "status",
            "--today",
            "2030-01-18",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b[33m"));
}

#[test]
fn bad_today_is_a_usage_error() {
    let out = bin()
        .args(["--virtual", "status", "--today", "2026/11/25"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `mynacard status | head -0`: the reader is gone before the report.
    for args in [
        &["--virtual", "status"][..],
        &["--virtual", "--json", "pin", "status"][..],
        &["--virtual", "cert", "show", "auth", "--pem"][..],
    ] {
        // A pipe whose reading end is closed before the program starts.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("mynacard"))
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(141), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn control_characters_from_the_card_never_reach_the_terminal() {
    // A token label with an ESC sequence (clear screen) and a C1 CSI.
    let mut label = b"EVIL\x1b[2J\xc2\x9b31m".to_vec();
    label.resize(32, b' ');
    let tp = common::profile_file(&format!(
        "base = \"builtin\"\n[ef_overrides]\n\"jpki:0006\" = \"{}\"\n",
        hex::encode(&label)
    ));
    for args in [
        &["readers"][..],
        &["status"][..],
        &["--json", "readers"][..],
    ] {
        let out = bin().arg(&tp.arg).args(args).output().unwrap();
        let all = [out.stdout.clone(), out.stderr.clone()].concat();
        assert!(
            !all.contains(&0x1b),
            "{args:?}: {}",
            String::from_utf8_lossy(&all)
        );
        assert!(
            !String::from_utf8_lossy(&all).contains('\u{9b}'),
            "{args:?}"
        );
        assert!(
            String::from_utf8_lossy(&all).contains("EVIL"),
            "{args:?}: {}",
            String::from_utf8_lossy(&all)
        );
    }
}

/// Every finding's next step, with its code.
fn steps(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["next_step"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// No line says the card need not be renewed while another says to renew it.
fn agree(v: &Value) {
    let s = steps(v);
    let renew_card = s.iter().any(|(_, n)| n.contains("renew the card"));
    let not_card = s
        .iter()
        .any(|(_, n)| n.contains("need not be renewed") || n.contains("not the card"));
    assert!(!(renew_card && not_card), "contradicting advice: {s:#?}");
}

#[test]
fn one_advice_the_day_after_the_card_expired() {
    // The built-in card ends 2035-02-17; its certificates 2030-02-17.
    let r = status(None, "2035-02-18", &[]);
    assert!(has(&r.v, "CARD_EXPIRED", "error", "card"), "{}", r.v);
    agree(&r.v);
    let cert = steps(&r.v)
        .into_iter()
        .find(|(c, _)| c == "CERT_EXPIRED")
        .unwrap();
    assert!(cert.1.contains("renewing the card renews"), "{cert:?}");
}

#[test]
fn one_advice_when_the_card_renewal_is_open_and_the_certificate_expired() {
    // Card renewal opens 2034-11-17; the certificate expired in 2030.
    let r = status(None, "2034-12-01", &[]);
    assert!(has(&r.v, "CARD_EXPIRES_SOON", "warning", "card"), "{}", r.v);
    assert!(has(&r.v, "CERT_EXPIRED", "error", "auth_cert"));
    agree(&r.v);
}

#[test]
fn one_advice_for_a_certificate_capped_by_a_minors_card() {
    // The minor's card and certificate both end 2029-05-10; renewal open.
    let r = status(Some("minor"), "2029-04-01", &[]);
    agree(&r.v);
    let s = steps(&r.v);
    let cert = s.iter().find(|(c, _)| c == "CERT_EXPIRES_SOON").unwrap();
    assert!(cert.1.contains("renewing the card renews"), "{s:#?}");
    assert!(!s.iter().any(|(c, _)| c == "CERT_CAPPED_BY_CARD"), "{s:#?}");
}

#[test]
fn a_certificate_not_yet_valid_is_the_clock_not_a_forged_card() {
    // A day before the certificate's issue date.
    let r = status(None, "2025-10-26", &[]);
    let s = steps(&r.v);
    let nyv = s.iter().find(|(c, _)| c == "CERT_NOT_YET_VALID").unwrap();
    assert!(nyv.1.contains("clock"), "{s:#?}");
    assert!(!s.iter().any(|(c, _)| c == "CERT_CHAIN_INVALID"), "{s:#?}");
    assert!(!r.v.to_string().contains("not genuine"), "{}", r.v);
}

#[test]
fn a_locked_jpki_pin_goes_to_the_kiosk_only_when_the_other_is_usable() {
    // Both JPKI PINs locked: the kiosk needs the other one, so the office.
    let tp = common::profile_file(
        "base = \"builtin\"\n[pins.sign]\ntries = 0\n[pins.auth]\ntries = 0\n",
    );
    let out = bin()
        .args([&tp.arg, "--json", "status", "--today", "2026-11-25"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    for (c, n) in steps(&v).iter().filter(|(c, _)| c == "PIN_LOCKED") {
        assert!(!n.contains("kiosk"), "{c}: {n}");
    }
    // Only the signature password locked: the kiosk is possible.
    let tp = common::profile_file("base = \"builtin\"\n[pins.sign]\ntries = 0\n");
    let out = bin()
        .args([&tp.arg, "--json", "status", "--today", "2026-11-25"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert!(steps(&v)
        .iter()
        .any(|(c, n)| c == "PIN_LOCKED" && n.contains("kiosk")));
}

#[test]
fn a_ca_certificate_that_cannot_be_read_is_reported_as_the_ca() {
    let tp =
        common::profile_file("base = \"builtin\"\n[ef_overrides]\n\"jpki:000B\" = \"30820400\"\n");
    let out = bin()
        .args([
            &tp.arg,
            "--json",
            "--no-cache",
            "status",
            "--today",
            "2026-11-25",
        ])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CARD_DATA_UNREADABLE")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(f["subject"], "auth_ca_cert", "{f}");
    assert!(
        f["message"].as_str().unwrap().contains("CA certificate"),
        "{f}"
    );
    // The user-authentication certificate itself was read.
    assert_eq!(v["auth_cert"]["read"], true);
}

#[test]
fn with_sign_keeps_the_report_when_the_password_cannot_be_used() {
    // Locked signature password; no source at all; the last try.
    let locked = common::profile_file("base = \"builtin\"\n[pins.sign]\ntries = 0\n");
    let last = common::profile_file("base = \"builtin\"\n[pins.sign]\ntries = 1\n");
    for (arg, extra, why) in [
        (&locked.arg, vec!["--pin-env", "P"], "locked"),
        (&last.arg, vec!["--pin-env", "P"], "--force-last-try"),
        (&"--virtual".to_string(), vec![], "no PIN source"),
    ] {
        let out = bin()
            .args([
                arg.as_str(),
                "--json",
                "status",
                "--today",
                "2026-11-25",
                "--with-sign",
            ])
            .args(&extra)
            .env("P", "TEST1234")
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{why}");
        let v = json(&out.stdout);
        assert_eq!(v["command"], "status", "{why}: {v}");
        assert_eq!(v["auth_cert"]["read"], true, "{why}");
        assert_eq!(v["sign_cert"]["read"], false, "{why}");
        assert!(
            v["sign_cert"]["note"].as_str().unwrap().contains(why),
            "{why}: {}",
            v["sign_cert"]
        );
        assert!(has(&v, "SIGN_CERT_NOT_READ", "warning", "sign_cert"), "{v}");
    }
}

/// `status` with a cache of its own: (JSON, APDUs sent).
fn status_cached(cache: &std::path::Path, profile: Option<&str>, extra: &[&str]) -> (Value, usize) {
    let mut c = bin();
    c.env("XDG_CACHE_HOME", cache);
    match profile {
        Some(p) => c.arg(p),
        None => c.arg("--virtual"),
    };
    let out = c
        .args(["--json", "--trace", "status", "--today", "2026-11-25"])
        .args(extra)
        .output()
        .unwrap();
    let trace = String::from_utf8_lossy(&out.stderr);
    (json(&out.stdout), common::sent(&trace).len())
}

/// Nothing of the card is kept between runs: a warm `status` reads the
/// card as a cold one and `--no-cache` do, APDU for APDU, and answers the
/// same; a renewed certificate is simply read; the cache holds only the
/// virtual card's images.
#[test]
fn a_warm_status_reads_the_card_again_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path();
    let (cold, n_cold) = status_cached(cache, None, &[]);
    let (warm, n_warm) = status_cached(cache, None, &[]);
    let (nc, n_nc) = status_cached(cache, None, &["--no-cache"]);
    // 25 since the certificates have the real shape and size (1,579 B
    // certificate, 1,319 B CA: 7 + 6 reads of 256 bytes; 20 before at 900
    // and 970 B).
    assert_eq!((n_cold, n_warm, n_nc), (25, 25, 25));
    assert_eq!(cold, warm);
    assert_eq!(cold, nc);
    assert_eq!(warm["auth_cert"]["source"], "card");
    assert_eq!(warm["auth_cert"]["chain_against"], "card_ca");

    let renewed = common::profile_file(
        "base = \"builtin\"\n[certificates.auth]\nissued = \"2026-06-01\"\nexpires = \"2031-02-17\"\n",
    );
    let (r, n_r) = status_cached(cache, Some(&renewed.arg), &[]);
    assert_eq!(r["auth_cert"]["not_after"], "2031-02-17", "{r}");
    assert_eq!(r["auth_cert"]["chain"], "valid");
    assert_eq!(n_r, 25);
    let (again, _) = status_cached(cache, None, &[]);
    assert_eq!(again, cold);
    // Files only under card-images (extended-length stays an empty folder).
    let all: Vec<_> = walk(cache);
    let files = all.iter().filter(|p| std::path::Path::new(p).is_file());
    assert!(files.clone().count() > 0);
    assert!(
        files.clone().all(|p| p.contains("/card-images/")),
        "{all:?}"
    );
}

#[test]
fn a_card_whose_certificate_was_damaged_reports_it_after_a_good_card() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path();
    status_cached(cache, None, &[]);
    // The same card, its certificate's signature damaged (its first bytes
    // as the good card's): read from the card, so the damage shows.
    let damaged = common::profile_file("base = \"builtin\"\n[faults]\ncorrupt_auth_cert = true\n");
    let (w, _) = status_cached(cache, Some(&damaged.arg), &[]);
    let (c, _) = status_cached(cache, Some(&damaged.arg), &["--no-cache"]);
    assert_eq!(w, c);
    assert_eq!(w["auth_cert"]["chain"], "bad_signature", "{w}");
}

fn walk(d: &std::path::Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(d).unwrap().flatten() {
        let p = e.path();
        v.push(p.display().to_string());
        if p.is_dir() {
            v.extend(walk(&p));
        }
    }
    v
}

/// On a terminal the report carries the expiry timeline as one bar; in a
/// pipe (scripts) it does not.
#[test]
fn the_timeline_bar_is_drawn_on_a_terminal_only() {
    let piped = bin().args(["--virtual", "status"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&piped.stdout).contains("timeline:"));
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return; // no util-linux `script` to give the binary a terminal
    }
    let exe = assert_cmd::cargo::cargo_bin("mynacard");
    let out = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} --virtual status --today 2029-12-01",
            exe.display()
        ))
        .arg("/dev/null")
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env("XDG_CACHE_HOME", common::cache_dir())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let line = text
        .lines()
        .find(|l| l.starts_with("timeline: "))
        .unwrap_or_else(|| panic!("no timeline in {text}"));
    // 2029-12-01: the auth certificate's renewal window (from 2029-11-17)
    // is open, so the bar starts in it; the card's last day ends it.
    assert!(line.starts_with("timeline: 2029-12-01 |="), "{line}");
    assert!(line.contains("=a-"), "{line}");
    assert!(line.ends_with("=C| 2035-02-17"), "{line}");
    assert!(text.contains("a user-authentication certificate 2030-02-17"));
}

/// `status --with-sign --with-card-info` on a card whose holder moved: the
/// signature certificate's address differs from the card's record, said as
/// one finding with no personal data; on the builtin card they match; no
/// counter changes when both PINs are right.
#[test]
fn status_compares_the_signature_certificate_with_the_card() {
    let dir = tempfile::tempdir().unwrap();
    for (profile, matches) in [(Some("moved"), false), (None, true)] {
        let state = dir.path().join(format!("{matches}.state"));
        let out = bin()
            .arg(virt(profile))
            .arg("--state")
            .arg(&state)
            .args([
                "--json",
                "--trace",
                "status",
                "--today",
                "2026-11-25",
                "--with-sign",
                "--with-card-info",
            ])
            .args(["--pin-env", "SP", "--card-info-pin-env", "CP"])
            .env("SP", common::default_pin("sign"))
            .env("CP", common::default_pin("card-info"))
            .output()
            .unwrap();
        let trace = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{trace}");
        // After the card-info VERIFY, one READ BINARY (EF 0002 by SFI) and
        // nothing else of the 入力補助AP: the comparison needs no more.
        let wire = sent(&trace);
        let at = wire
            .iter()
            .position(|l| l.starts_with("> 00 20 00 91 04"))
            .unwrap_or_else(|| panic!("no card-info VERIFY:\n{trace}"));
        assert!(wire[at + 1].starts_with("> 00 B0 82 00"), "{trace}");
        assert!(wire[at + 2].starts_with("> 00 A4 04"), "{trace}");
        let v = json(&out.stdout);
        assert_eq!(v["sign_cert"]["read"], true, "{v}");
        assert_eq!(v["sign_cert_matches_card"], matches, "{v}");
        assert_eq!(
            has(&v, "SIGN_CERT_MISMATCH", "warning", "sign_cert"),
            !matches,
            "{v}"
        );
        // The addresses compared never leave the tool: not in the
        // report, not in the trace.
        for place in ["清瀬", "観布子"] {
            assert!(!String::from_utf8_lossy(&out.stdout).contains(place), "{v}");
            assert!(!trace.contains(place), "{trace}");
        }
        for (kind, left, _) in common::counters(profile, &state) {
            let max = if kind == "sign" { 5 } else { 3 };
            assert_eq!(left, Some(max), "{kind}");
        }
    }
    // Without --with-card-info nothing is compared: null.
    let r = status(None, "2026-11-25", &[]);
    assert_eq!(r.v["sign_cert_matches_card"], Value::Null);
}

/// The card-info PIN locked or wrong: the signature certificate is still
/// read and reported; the comparison alone is left out, and says why.
#[test]
fn with_card_info_keeps_the_report_when_the_card_info_pin_cannot_be_used() {
    let locked = common::profile_file("base = \"builtin\"\n[pins.card_info]\ntries = 0\n");
    let dir = tempfile::tempdir().unwrap();
    for (arg, pin, why, spent) in [
        (
            locked.arg.clone(),
            common::default_pin("card-info"),
            "locked",
            false,
        ),
        ("--virtual".to_string(), "9999".to_string(), "wrong", true),
    ] {
        let state = dir.path().join(why);
        let out = bin()
            .arg(&arg)
            .arg("--state")
            .arg(&state)
            .args([
                "--json",
                "status",
                "--today",
                "2026-11-25",
                "--with-sign",
                "--with-card-info",
            ])
            .args(["--pin-env", "SP", "--card-info-pin-env", "CP"])
            .env("SP", common::default_pin("sign"))
            .env("CP", &pin)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{why}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out.stdout);
        assert_eq!(v["sign_cert"]["read"], true, "{why}: {v}");
        assert_eq!(v["sign_cert_matches_card"], Value::Null, "{why}");
        assert!(
            has(&v, "SIGN_CERT_NOT_COMPARED", "info", "sign_cert"),
            "{why}: {v}"
        );
        assert!(
            !has(&v, "SIGN_CERT_NOT_READ", "warning", "sign_cert"),
            "{why}: {v}"
        );
        if spent {
            let c = common::counters(None, &state);
            let ci = c.iter().find(|c| c.0 == "card-info").unwrap();
            assert_eq!(ci.1, Some(2), "a wrong card-info PIN costs exactly one try");
            let sg = c.iter().find(|c| c.0 == "sign").unwrap();
            assert_eq!(sg.1, Some(5));
        }
    }
    // --with-card-info needs --with-sign.
    let out = bin()
        .args(["--virtual", "status", "--with-card-info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `--wareki`: Japanese dates also in the Japanese era, on request only.
#[test]
fn wareki_on_request() {
    let run = |extra: &[&str]| {
        let out = bin()
            .args(["--lang", "ja", "--virtual"])
            .args(extra)
            .args(["status", "--today", "2026-11-25"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let with = run(&["--wareki"]);
    assert!(with.contains("2035年2月17日 (令和17年)"), "{with}");
    assert!(with.contains("2030年2月17日 (令和12年)"), "{with}");
    let without = run(&[]);
    assert!(
        without.contains("2035年2月17日") && !without.contains("令和"),
        "{without}"
    );
}

/// A counter this run changed is shown as the card has it afterwards: a
/// wrong signature password costs a try, and the PIN table says so in the
/// same report as the note under the certificate.
#[test]
fn a_wrong_password_in_this_run_shows_in_the_pin_table() {
    for extra in [&["--no-cache"][..], &[]] {
        let out = bin()
            .arg(virt(None))
            .args(extra)
            .args(["--json", "status", "--with-sign", "--pin-env", "P"])
            .env("P", "WRONGPW1")
            .output()
            .unwrap();
        let v = json(&out.stdout);
        let sign = &v["pins"][0];
        assert_eq!(sign["kind"], "sign");
        assert_eq!(sign["remaining"], 4, "{v}");
        assert_eq!(sign["state"], "low");
        assert!(v["sign_cert"]["note"]
            .as_str()
            .unwrap()
            .contains("4 tries left"));
        let text = bin()
            .arg(virt(None))
            .args(extra)
            .args(["--lang=en", "status", "--with-sign", "--pin-env", "P"])
            .env("P", "WRONGPW1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("4/5"), "{text}");
        assert!(!text.contains("5/5"), "{text}");
    }
}

/// A profile built on the default one, written to a temp file.
fn profile_file(dir: &std::path::Path, name: &str, body: &str) -> String {
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, format!("base = \"builtin\"\n{body}")).unwrap();
    format!("--virtual={}", p.display())
}

fn status_of(virt_arg: &str, today: &str, extra: &[&str]) -> Value {
    let out = bin()
        .args([virt_arg, "--no-cache", "--json", "status", "--today", today])
        .args(extra)
        .output()
        .unwrap();
    json(&out.stdout)
}

fn finding<'a>(v: &'a Value, code: &str, subject: &str) -> Option<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code && f["subject"] == subject)
}

/// Advice another finding supersedes is not given: a locked PIN is not sent
/// to be reset when renewal sets a new one anyway.
#[test]
fn a_locked_pin_needs_no_reset_when_its_card_or_certificate_is_renewed_anyway() {
    let dir = tempfile::tempdir().unwrap();
    // The card has expired (2035-02-17): every PIN comes new with the next card.
    let v = status_of(&virt(Some("pin-locked")), "2035-03-01", &[]);
    let f = finding(&v, "PIN_LOCKED", "card-info").expect("locked");
    assert!(f["next_step"].as_str().unwrap().contains("no reset"), "{f}");
    // The user-authentication certificate has expired (2030-02-17), the card
    // has not: its PIN comes new with the new certificate; the card-info
    // PIN still has to be reset.
    let auth_locked = profile_file(
        dir.path(),
        "auth-locked",
        "[pins.auth]\ntries = 0\n[pins.card_info]\ntries = 0\n",
    );
    let v = status_of(&auth_locked, "2031-01-01", &[]);
    let f = finding(&v, "PIN_LOCKED", "auth").expect("locked");
    assert!(
        f["next_step"].as_str().unwrap().contains("new certificate"),
        "{f}"
    );
    let f = finding(&v, "PIN_LOCKED", "card-info").expect("locked");
    assert!(f["next_step"].as_str().unwrap().contains("reset at"), "{f}");
    // Before it expired the same PIN is to be reset.
    let v = status_of(&auth_locked, "2029-01-01", &[]);
    let f = finding(&v, "PIN_LOCKED", "auth").expect("locked");
    assert!(
        !f["next_step"].as_str().unwrap().contains("no reset"),
        "{f}"
    );
}

/// A signature certificate a move invalidated is replaced, not renewed: no
/// line speaks of renewing it when it expires.
#[test]
fn an_invalidated_signature_certificate_gets_no_renewal_advice() {
    let out = bin()
        .args([
            &virt(Some("moved")),
            "--no-cache",
            "--json",
            "status",
            "--today",
            "2026-12-06",
        ])
        .args([
            "--with-sign",
            "--pin-env",
            "P_SIGN",
            "--with-card-info",
            "--card-info-pin-env",
            "P_INFO",
        ])
        .env("P_SIGN", "TEST1234")
        .env("P_INFO", "1234")
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert!(
        finding(&v, "SIGN_CERT_MISMATCH", "sign_cert").is_some(),
        "{v}"
    );
    for f in v["findings"].as_array().unwrap() {
        if f["subject"] == "sign_cert" {
            let code = f["code"].as_str().unwrap();
            assert!(
                ![
                    "CERT_EXPIRES_SOON",
                    "CERT_RENEWAL_OPENS",
                    "CERT_ENDS_BEFORE_CARD",
                    "CERT_CAPPED_BY_CARD",
                    "CERT_END_NOT_BY_RULE",
                    "CERT_EXPIRED",
                ]
                .contains(&code),
                "{code} beside SIGN_CERT_MISMATCH: {f}"
            );
        }
    }
}

/// The reason given for a missing certificate is true for the card.
#[test]
fn a_missing_certificate_gets_a_reason_true_for_the_card() {
    let dir = tempfile::tempdir().unwrap();
    // An adult's 10-year card without a signature certificate: never "under 15".
    let adult = profile_file(
        dir.path(),
        "adult-no-sign",
        "[certificates.sign]\npresent = false\n",
    );
    let v = status_of(&adult, "2026-12-06", &[]);
    let f = finding(&v, "SIGN_CERT_ABSENT", "sign_cert").expect("absent");
    assert!(!f["message"].as_str().unwrap().contains("under 15"), "{f}");
    // A child's card: the under-15 rule is among the reasons.
    let v = status_of(&virt(Some("minor")), "2026-12-06", &[]);
    let f = finding(&v, "SIGN_CERT_ABSENT", "sign_cert").expect("absent");
    assert!(f["message"].as_str().unwrap().contains("under 15"), "{f}");
    // No user-authentication certificate: said, never "no findings".
    let no_auth = profile_file(
        dir.path(),
        "no-auth",
        "[certificates.auth]\npresent = false\n",
    );
    let v = status_of(&no_auth, "2026-12-06", &[]);
    assert!(
        finding(&v, "AUTH_CERT_ABSENT", "auth_cert").is_some(),
        "{v}"
    );
    assert_eq!(v["worst"], "warning");
}
