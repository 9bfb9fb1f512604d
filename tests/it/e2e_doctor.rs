//! `mynacard doctor` through a private pcscd + vpcd (see `e2e_pcscd`): no
//! card, a contactless card, a busy card, pcscd stopped. One sandbox, in
//! that order, so the whole costs one pcscd start.
#![cfg(feature = "pcsc")]

use crate::common::e2e::*;
use crate::common::{assert_schema, sent};
use mynacard::sandbox::Sandbox;
use serde_json::Value;
use std::time::{Duration, Instant};

fn doctor(sb: &Sandbox, extra: &[&str]) -> (i32, Value, String) {
    let root = tempfile::tempdir().unwrap();
    let out = cli(sb)
        .args(["--json", "--no-cache"])
        .args(extra)
        .args(["doctor", "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_schema(&v, "doctor");
    (
        out.status.code().unwrap(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn status<'a>(v: &'a Value, id: &str) -> &'a Value {
    &v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == id)
        .unwrap_or_else(|| panic!("no step {id}: {v}"))["status"]
}

/// A contactless ATR as a PC/SC reader builds it for a Type B card
/// (`3B 88 80 01`, ATQB application data, protocol info, MBLI, TCK).
fn contactless_atr() -> String {
    let mut a = vec![0x3B, 0x88, 0x80, 0x01, 0, 0, 0, 0, 0x33, 0x81, 0x81, 0x00];
    let tck = a[1..].iter().fold(0u8, |x, b| x ^ b);
    a.push(tck);
    mynacard::apdu::hex_spaced(&a)
}

#[test]
fn doctor_names_the_failing_step_through_pcscd() {
    // Every answer takes 150 ms, so a PIN check holds the card a while.
    let card = card_from(&format!(
        "[card]\natr = \"{}\"\n[faults]\ndelay_ms = 150\n",
        contactless_atr()
    ));
    let Some(mut sb) = sandbox_with(card) else {
        return;
    };
    // No card: the card step fails, exit 5.
    let (code, v, _) = doctor(&sb, &[]);
    assert_eq!(code, 5, "{v}");
    assert_eq!(v["failed_step"], "card");
    assert_eq!(status(&v, "service"), "ok");
    assert_eq!(status(&v, "readers"), "ok");
    assert_eq!(v["readers"][0], sb.reader());
    assert_eq!(status(&v, "applications"), "skipped");
    // A --reader that names no reader: the readers step says so, exit 4.
    let (code, v, _) = doctor(&sb, &["--reader", "nosuch"]);
    assert_eq!(code, 4, "{v}");
    assert_eq!(v["failed_step"], "readers");
    assert!(
        v["steps"][2]["summary"]
            .as_str()
            .unwrap()
            .contains("nosuch"),
        "{v}"
    );

    // A contactless card: every step passes, told contactless.
    insert(&mut sb);
    let (code, v, trace) = doctor(&sb, &["--trace"]);
    assert_eq!(code, 0, "{v}\n{trace}");
    assert_eq!(v["card"]["interface"], "contactless");
    assert_eq!(v["card"]["reader"], sb.reader());
    assert_eq!(v["card"]["atr"], contactless_atr());
    assert_eq!(status(&v, "applications"), "ok");
    assert_eq!(v["extended_length"], false);
    let median = v["latency"]["median_ms"].as_f64().unwrap();
    assert!((100.0..2000.0).contains(&median), "{median} ms: {v}");
    assert!(
        sent(&trace).iter().all(|c| !c.starts_with("> 00 20")),
        "{trace}"
    );

    // A busy card: another program verifies a PIN (held ~0.5 s).
    let start = sb.card.lock().unwrap().stats().apdus;
    let mut other = Guard(
        process(&sb)
            .env("P", "1234")
            .args([
                "--reader",
                &sb.reader(),
                "pin",
                "verify",
                "auth",
                "--pin-env",
                "P",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while sb.card.lock().unwrap().stats().apdus == start {
        assert!(Instant::now() < deadline, "the other program never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let (code, v, _) = doctor(&sb, &["--timeout", "0.2"]);
    assert_eq!(code, 14, "{v}");
    assert_eq!(v["failed_step"], "card");
    let card = v["steps"][3].clone();
    assert!(
        card["fix"].as_str().unwrap().contains("close the program"),
        "{card}"
    );
    assert!(other.0.wait().unwrap().success());

    // pcscd stopped: the service step fails, exit 3.
    sb.stop_pcscd();
    let (code, v, _) = doctor(&sb, &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["failed_step"], "service");
    assert_eq!(status(&v, "readers"), "skipped");
}
