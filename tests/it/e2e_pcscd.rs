//! End to end through the real PC/SC stack: a private pcscd (own mount
//! namespace) with vsmartcard's vpcd driver, the virtual card served to it,
//! and the shipped binary (and OpenSC's tools) as clients. Every test stops
//! the processes it started, by PID. Outside CI the tests skip when pcscd
//! cannot start here (not root, packages missing); with CI=true they fail.

// The binary talks PC/SC only with the `pcsc` feature; without it these
// tests have nothing to run against.
#![cfg(feature = "pcsc")]

use crate::common;

use assert_cmd::Command;
use common::e2e::*;
use mynacard::sandbox::{self, Sandbox};
use mynacard::vcard::{KeyRef, Profile, VirtualCard};
use serde_json::Value;
use std::time::{Duration, Instant};

#[test]
fn readers_reports_reader_atr_and_my_number_card() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let out = cli(&sb).args(["--json", "readers"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    let r = &v["readers"][0];
    assert_eq!(r["name"], sb.reader());
    assert_eq!(r["card_present"], true);
    assert_eq!(r["card_type"], "card");
    let atr = sb.card.lock().unwrap().atr();
    assert_eq!(r["atr"], mynacard::apdu::hex_spaced(&atr));
    // The second slot has no card.
    assert_eq!(v["readers"][1]["card_present"], false);
}

#[test]
fn no_service_and_no_card_codes() {
    // No pcscd behind the socket: "PC/SC service not running".
    let out = Command::cargo_bin("mynacard")
        .unwrap()
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .args(["readers"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PC/SC service is not running"));

    let Some(sb) = sandbox_with(default_card()) else {
        return;
    };
    // No card inserted: --wait 2 returns after about two seconds.
    let t = Instant::now();
    let out = cli(&sb)
        .args(["--reader", &sb.reader(), "--wait", "2", "pin", "status"])
        .output()
        .unwrap();
    let took = t.elapsed().as_secs_f64();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!((1.9..6.0).contains(&took), "took {took} s");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no card"), "{err}");
    // Without --wait it fails at once and says how to wait.
    let out = cli(&sb)
        .args(["--reader", &sb.reader(), "pin", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--wait"));
    // An unknown reader name lists the readers.
    let out = cli(&sb)
        .args(["--reader", "nosuch", "readers"])
        .output()
        .unwrap();
    let _ = out;
    let out = cli(&sb)
        .args(["--reader", "nosuch", "pin", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&sb.reader()));
}

#[test]
fn pin_status_and_wrong_pin_through_pcscd() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let tries = |sb: &Sandbox| -> Vec<u8> {
        let c = sb.card.lock().unwrap();
        KeyRef::ALL.iter().map(|k| c.tries_left(*k)).collect()
    };
    let before = tries(&sb);
    let out = cli(&sb)
        .args(["--trace", "pin", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let trace = String::from_utf8_lossy(&out.stderr);
    let verifies: Vec<&str> = trace.lines().filter(|l| l.starts_with("> 00 20")).collect();
    assert_eq!(verifies.len(), 5, "{trace}");
    assert!(
        verifies.iter().all(|l| l.len() == "> 00 20 00 9B".len()),
        "{trace}"
    );
    assert_eq!(tries(&sb), before, "pin status changed a counter");
    let out = cli(&sb).args(["--json", "pin", "status"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    let rem: Vec<u64> = v["pins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["remaining"].as_u64().unwrap())
        .collect();
    assert_eq!(rem, [5, 3, 3, 3]);
    let before = sb.card.lock().unwrap().tries_left(KeyRef::Auth);
    cli(&sb)
        .args(["pin", "verify", "auth", "--pin-env", "P"])
        .env("P", "0000")
        .assert()
        .code(9);
    assert_eq!(sb.card.lock().unwrap().tries_left(KeyRef::Auth), before - 1);
    assert_eq!(sb.card.lock().unwrap().tries_left(KeyRef::Sign), 5);
}

#[test]
fn opensc_reads_our_card_as_jpki() {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let out = opensc_tool(&sb, "opensc-tool", &["--reader", "0", "-n"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "jpki",
        "{out:?}"
    );

    let out = opensc_tool(
        &sb,
        "pkcs15-tool",
        &["--reader", "0", "--list-certificates"],
    );
    let s = String::from_utf8_lossy(&out.stdout);
    for label in [
        "User Authentication Certificate",
        "Digital Signature Certificate",
        "User Authentication Certificate CA",
        "Digital Signature Certificate CA",
    ] {
        assert!(s.contains(label), "{label}: {s}");
    }

    let out = opensc_tool(&sb, "pkcs15-tool", &["--reader", "0", "--list-pins"]);
    let s = String::from_utf8_lossy(&out.stdout);
    let tries: Vec<&str> = s.lines().filter(|l| l.contains("Tries left")).collect();
    assert_eq!(tries.len(), 2, "{s}");
    assert!(tries.iter().any(|l| l.trim_end().ends_with('3')), "{s}");
    assert!(tries.iter().any(|l| l.trim_end().ends_with('5')), "{s}");

    // The user-authentication certificate: byte-identical to the profile's.
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("auth.pem");
    let out = opensc_tool(
        &sb,
        "pkcs15-tool",
        &[
            "--reader",
            "0",
            "--read-certificate",
            "01",
            "--output",
            pem.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let der = mynacard::cert::decode_input(&std::fs::read(&pem).unwrap())
        .unwrap()
        .remove(0);
    assert_eq!(der, sb.card.lock().unwrap().pki().auth_cert_der());
    let ours = cli(&sb)
        .args(["cert", "show", "auth", "--der"])
        .output()
        .unwrap();
    assert_eq!(ours.status.code(), Some(0));
    assert_eq!(ours.stdout, der);

    // A wrong PIN through OpenSC lowers the counter our tool then reports.
    let out = opensc_tool(
        &sb,
        "pkcs15-tool",
        &[
            "--reader",
            "0",
            "--verify-pin",
            "--auth-id",
            "01",
            "--pin",
            "9999",
        ],
    );
    assert!(!out.status.success());
    let v = json(
        &cli(&sb)
            .args(["--json", "pin", "status"])
            .output()
            .unwrap()
            .stdout,
    );
    assert_eq!(v["pins"][1]["kind"], "auth");
    assert_eq!(v["pins"][1]["remaining"], 2);
}

#[test]
fn served_by_a_separate_process_stopped_by_pid() {
    let Some(sb) = sandbox_with(default_card()) else {
        return;
    };
    // Serve on the second slot from a `mynacard vcard serve` process.
    let mut child = Guard(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("mynacard"))
            .args(["vcard", "serve", "--port", &(sb.port + 1).to_string()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let reader = format!("{} 00 01", sb.friendly);
    let deadline = Instant::now() + Duration::from_secs(10);
    let v = loop {
        let out = cli(&sb).args(["--json", "readers"]).output().unwrap();
        let v = json(&out.stdout);
        if v["readers"][1]["card_type"] == "card" {
            break v;
        }
        assert!(Instant::now() < deadline, "served card never appeared");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(v["readers"][1]["name"], reader);
    sandbox::terminate(&mut child.0);
    // SIGTERM ends it cleanly (exit code 0).
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
}

#[test]
fn watch_reports_each_card_and_survives_a_pulled_one() {
    // The card is pulled at its 5th APDU once (mid-report), then behaves.
    let p = Profile::from_toml("base = \"builtin\"\n[faults]\nremove_after = 5\n").unwrap();
    let Some(mut sb) = sandbox_with(VirtualCard::new(&p).unwrap()) else {
        return;
    };
    let mut child = Guard(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("mynacard"))
            .env("PCSCLITE_CSOCK_NAME", sb.socket())
            .args([
                "--json",
                "--reader",
                &sb.reader(),
                "status",
                "--watch",
                "--today",
                "2026-11-25",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rx = line_reader(child.0.stdout.take().unwrap());
    let next = |what: &str| -> Value {
        let l = rx
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("no JSON line for {what}"));
        let v = json(l.as_bytes());
        // Each line, report, event or error, is a published shape.
        common::assert_schema(&v, what);
        v
    };
    sb.insert();
    // First insertion: pulled mid-report → an error line, the loop goes on.
    let v = next("the pulled card");
    assert_eq!(v["command"], "error", "{v}");
    assert_eq!(v["error"]["code"], "CARD_REMOVED");
    // Every line says which reader and when.
    assert_eq!(v["reader"], sb.reader());
    assert!(v["at"].as_str().unwrap().ends_with("+09:00"), "{v}");
    // The removal is a line of its own.
    let v = next("the removal");
    assert_eq!(v["command"], "watch", "{v}");
    assert_eq!(v["event"], "card_removed");
    // The card comes back by itself (vpcd reconnect): a full report.
    let v = next("the card again");
    assert_eq!(v["command"], "status", "{v}");
    assert_eq!(v["card"]["serial"], "400000012719843");
    assert_eq!(v["reader"], sb.reader());
    // Remove and insert again: one more report, one object per line.
    sb.remove();
    let v = next("the second removal");
    assert_eq!(v["event"], "card_removed", "{v}");
    std::thread::sleep(Duration::from_millis(900));
    sb.insert();
    let v = next("the third insertion");
    assert_eq!(v["command"], "status");
    sandbox::terminate(&mut child.0);
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
}

#[test]
fn two_processes_never_interleave_and_the_second_waits_or_says_in_use() {
    // Every answer takes 150 ms: a verify holds the card for about 0.5 s.
    let p = Profile::from_toml("base = \"builtin\"\n[faults]\ndelay_ms = 150\n").unwrap();
    let Some(mut sb) = sandbox_with(VirtualCard::new(&p).unwrap()) else {
        return;
    };
    insert(&mut sb);
    let bin = assert_cmd::cargo::cargo_bin("mynacard");
    let verify = || {
        Guard(
            std::process::Command::new(&bin)
                .env("PCSCLITE_CSOCK_NAME", sb.socket())
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
        )
    };
    // Wait until the verifying process is talking to the card (it then
    // holds it exclusively for about 0.6 s).
    let busy = |sb: &Sandbox| {
        let start = sb.card.lock().unwrap().stats().apdus;
        let deadline = Instant::now() + Duration::from_secs(10);
        while sb.card.lock().unwrap().stats().apdus == start {
            assert!(
                Instant::now() < deadline,
                "the verifying process never started"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    // A short timeout: "card in use".
    let mut a = verify();
    busy(&sb);
    let out = cli(&sb)
        .args([
            "--reader",
            &sb.reader(),
            "--timeout",
            "0.2",
            "pin",
            "status",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(14),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));
    assert!(a.0.wait().unwrap().success());
    // A long one: it waits and then succeeds.
    let mut a = verify();
    busy(&sb);
    let out = cli(&sb)
        .args([
            "--reader",
            &sb.reader(),
            "--timeout",
            "20",
            "--json",
            "pin",
            "status",
        ])
        .output()
        .unwrap();
    assert!(a.0.wait().unwrap().success());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["pins"][1]["remaining"], 3);
}

#[test]
fn extended_length_through_pcscd_is_remembered() {
    let p = Profile::from_toml("base = \"builtin\"\n[card]\nextended_length = true\n").unwrap();
    let card = VirtualCard::new(&p).unwrap();
    let der = card.pki().auth_cert_der().to_vec();
    let Some(mut sb) = sandbox_with(card) else {
        return;
    };
    insert(&mut sb);
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        cli(&sb)
            .env("XDG_CACHE_HOME", cache.path())
            .args(["--reader", &sb.reader(), "--trace"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--extended-length", "cert", "show", "auth", "--der"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, der);
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(trace.contains("> 00 B0 8A 00 00 00 00"), "{trace}");
    assert!(trace.contains("# 2 APDUs"), "{trace}");
    // Remembered for this reader and card: status uses it unasked.
    let out = run(&["status"]);
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(trace.contains("> 00 B0 8B 00 00 00 00"), "{trace}");
    assert!(trace.contains("# 14 APDUs"), "{trace}");
}

#[test]
fn the_served_card_comes_back_after_pcscd_restarts() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let first = sb.pcscd_pid();
    sb.restart_pcscd().unwrap();
    assert_ne!(sb.pcscd_pid(), first);
    // The card reconnects to the new pcscd by itself.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = cli(&sb).args(["--json", "pin", "status"]).output().unwrap();
        if out.status.success() {
            assert_eq!(json(&out.stdout)["pins"][0]["remaining"], 5);
            break;
        }
        assert!(Instant::now() < deadline, "card not back: {}", sb.log());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_sandbox_keeps_its_pcscd_private_and_logs_no_apdu() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    cli(&sb)
        .args(["pin", "verify", "auth", "--pin-env", "P"])
        .env("P", "1234")
        .assert()
        .code(0);
    use std::os::unix::fs::PermissionsExt;
    let dir = sb
        .socket()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{}", dir.display());
    let log = sb.log();
    assert!(!log.contains("31 32 33 34"), "{log}");
    assert!(!log.contains("APDU:"), "{log}");
    drop(sb);
    assert!(!dir.exists(), "the sandbox folder outlived it");
}

#[test]
fn the_sandbox_passes_a_missing_command_through_as_127() {
    if sandbox::unavailable_reason().is_some() {
        assert!(!in_ci());
        return;
    }
    let out = Command::cargo_bin("mynacard")
        .unwrap()
        .args(["vcard", "sandbox", "--", "/nonexistent/command"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("command not found"));
}

/// Through pcscd too, a second `status` reads the card as the first did
/// (nothing of the card is kept) and answers the same; a renewed card's
/// certificate is reported.
#[test]
fn warm_status_reads_the_card_again_and_a_renewed_certificate_is_reported() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let cache = tempfile::tempdir().unwrap();
    // APDUs the served card answered during one `status`.
    let run = |sb: &mynacard::sandbox::Sandbox| {
        let before = sb.card.lock().unwrap().stats().apdus;
        let out = cli(sb)
            .env("XDG_CACHE_HOME", cache.path())
            .args(["--json", "status"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let n = sb.card.lock().unwrap().stats().apdus - before;
        (json(&out.stdout), n)
    };
    let (cold, n_cold) = run(&sb);
    let (warm, n_warm) = run(&sb);
    // 25 with the real-size certificates (20 before): see cli_status.rs.
    assert_eq!((n_cold, n_warm), (25, 25));
    assert_eq!(warm, cold);

    // The card renewed: its new certificate is reported.
    pull(&mut sb);
    let p = Profile::from_toml(
        "base = \"builtin\"\n[certificates.auth]\nissued = \"2026-06-01\"\nexpires = \"2031-02-17\"\n",
    )
    .unwrap();
    *sb.card.lock().unwrap() = VirtualCard::new(&p).unwrap();
    insert(&mut sb);
    let (renewed, n) = run(&sb);
    assert_eq!(renewed["auth_cert"]["source"], "card");
    assert_eq!(renewed["auth_cert"]["not_after"], "2031-02-17");
    assert_eq!(n, 25);
}

/// SIGTERM to `status --watch`, while it waits for a card and while it
/// reads a (slow) one: the watcher ends at once with exit 0 and says
/// nothing else — the wait or read it cut short is not a failure.
#[test]
fn sigterm_to_a_watcher_ends_it_quietly() {
    let p = Profile::from_toml("base = \"builtin\"\n[faults]\ndelay_ms = 250\n").unwrap();
    let Some(mut sb) = sandbox_with(VirtualCard::new(&p).unwrap()) else {
        return;
    };
    for reading in [false, true] {
        let mut child = Guard(
            std::process::Command::new(assert_cmd::cargo::cargo_bin("mynacard"))
                .env("PCSCLITE_CSOCK_NAME", sb.socket())
                .env("LANG", "C")
                .args(["--reader", &sb.reader(), "status", "--watch"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
        if reading {
            let before = sb.card.lock().unwrap().stats().apdus;
            sb.insert();
            let deadline = Instant::now() + Duration::from_secs(15);
            while sb.card.lock().unwrap().stats().apdus < before + 2 {
                assert!(Instant::now() < deadline, "the watcher never read the card");
                std::thread::sleep(Duration::from_millis(20));
            }
        } else {
            std::thread::sleep(Duration::from_millis(1200));
        }
        let pid = child.0.id().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.0.try_wait().unwrap() {
                break s;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(0), "reading: {reading}");
        let mut err = String::new();
        std::io::Read::read_to_string(child.0.stderr.as_mut().unwrap(), &mut err).unwrap();
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| !l.starts_with("watching "))
            .collect();
        assert!(lines.is_empty(), "reading: {reading}: {err}");
    }
}
