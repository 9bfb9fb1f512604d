//! No verified state outlives a command, on any exit path (the attack of
//! issue "No verified state … escapes", item 1): the tool verifies the
//! signature password on a slow served card, then leaves — by a timeout, a
//! signal, a panic, a closed stderr, SIGKILL — and a second program
//! (OpenSC's `opensc-tool`, an independent client) selects the JPKI
//! application and asks the signature key to sign. The card must answer
//! `69 82`: the password is no longer verified. A control case shows that
//! the same second program *can* sign on a card that was left verified.
//! Also: every wait is bounded from the first PC/SC call.
#![cfg(feature = "pcsc")]

use crate::common;

use common::e2e::*;
use mynacard::sandbox::Sandbox;
use mynacard::vcard::KeyRef;
use std::process::Stdio;
use std::time::{Duration, Instant};

const JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SIGN_KEY: &str = "00 A4 02 0C 02 00 1A";
/// The built-in profile's signature password, "TEST1234".
const VERIFY_SIGN: &str = "00 A4 02 0C 02 00 1B";
const VERIFY_DATA: &str = "00 20 00 80 08 54 45 53 54 31 32 33 34";

fn sign_apdu() -> String {
    // COMPUTE DIGITAL SIGNATURE with a SHA-256 DigestInfo of zeros.
    let mut s =
        String::from("80 2A 00 80 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20");
    for _ in 0..32 {
        s.push_str(" 00");
    }
    s.push_str(" 00");
    s
}

/// The status word the card gives a second program that tries to sign
/// with the signature key, without the password.
fn second_program_signs(sb: &Sandbox) -> String {
    let sign = sign_apdu();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = opensc_tool(
            sb,
            "opensc-tool",
            &["--reader", "0", "-s", JPKI, "-s", SIGN_KEY, "-s", &sign],
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let received: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("Received (SW1="))
            .collect();
        if received.len() == 3 {
            let l = received[2];
            // "Received (SW1=0x69, SW2=0x82)"
            let sw1 = &l[16..18];
            let sw2 = &l[26..28];
            return format!("{sw1}{sw2}").to_uppercase();
        }
        // The other program may still hold the card for a moment.
        assert!(
            Instant::now() < deadline,
            "opensc-tool never got through: {out:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A password file for the built-in profile.
fn password_file() -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("sp");
    std::fs::write(&p, "TEST1234\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = p.display().to_string();
    (d, s)
}

/// A card that answers every command after 400 ms, and keeps a verified
/// PIN across a warm reset as the real card does (only power-off clears it).
fn slow_card() -> mynacard::vcard::VirtualCard {
    card_from("[quirks]\nkeep_verified_on_reset = true\n[faults]\ndelay_ms = 400\n")
}

/// Wait until the served card has answered `n` APDUs.
fn until_apdus(sb: &Sandbox, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while sb.card.lock().unwrap().stats().apdus < n {
        assert!(Instant::now() < deadline, "the card never saw {n} APDUs");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `cert show sign` against the slow card: SELECT, READ 0008, the retry
/// query, the VERIFY (answered 9000 as the 4th APDU), then the reads.
fn cert_show_sign(sb: &Sandbox, pw: &str, out: &std::path::Path) -> std::process::Command {
    let mut c = process(sb);
    c.args(["--reader", &sb.reader(), "cert", "show", "sign", "--der"])
        .args(["--pin-file", pw, "-o"])
        .arg(out);
    c
}

#[test]
fn control_a_card_left_verified_signs_for_anyone() {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(card_from("[quirks]\nkeep_verified_on_reset = true\n")) else {
        return;
    };
    insert(&mut sb);
    assert_eq!(second_program_signs(&sb), "6982");
    // One program verifies and leaves the card as most tools do.
    let out = opensc_tool(
        &sb,
        "opensc-tool",
        &[
            "--reader",
            "0",
            "-s",
            JPKI,
            "-s",
            VERIFY_SIGN,
            "-s",
            VERIFY_DATA,
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("SW1=0x90, SW2=0x00)\n"),
        "{out:?}"
    );
    // The next program signs without the password: the attack is real.
    assert_eq!(second_program_signs(&sb), "9000");
}

#[test]
fn a_timeout_after_the_verify_powers_the_card_down() {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(slow_card()) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let out_file = dir.path().join("sign.der");
    let start = Instant::now();
    let out = cert_show_sign(&sb, &pw, &out_file)
        .args(["--timeout", "2.5"])
        .output()
        .unwrap();
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{err}");
    assert!(err.contains("timed out after 2.5 s"), "{err}");
    // The VERIFY had been answered; the card went on to the reads.
    assert!(sb.card.lock().unwrap().stats().apdus >= 5);
    assert!(!out_file.exists(), "a partial file was written");
    // Bounded: the budget, the answer in flight, the power-down.
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert_eq!(second_program_signs(&sb), "6982");
    assert_eq!(sb.card.lock().unwrap().tries_left(KeyRef::Sign), 5);
}

fn signal_after_verify(sig: &str, to_group: bool, want_code: i32, want_text: &str) {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(slow_card()) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let out_file = dir.path().join("sign.der");
    let before = sb.card.lock().unwrap().stats().apdus;
    let mut cmd = cert_show_sign(&sb, &pw, &out_file);
    if to_group {
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    let mut child = Guard(
        cmd.stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The VERIFY (4th APDU) has been answered and a READ is on its way.
    until_apdus(&sb, before + 5);
    let pid = child.0.id() as i64;
    kill(sig, if to_group { -pid } else { pid });
    let (code, took) = wait_exit(&mut child.0, Duration::from_secs(10));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(code, want_code, "{err}");
    assert!(err.contains(want_text), "{err}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(!out_file.exists());
    assert_eq!(second_program_signs(&sb), "6982");
}

#[test]
fn sigint_after_the_verify_powers_the_card_down() {
    signal_after_verify("-INT", false, 130, "interrupted by SIGINT");
}

#[test]
fn sigterm_after_the_verify_powers_the_card_down() {
    signal_after_verify("-TERM", false, 143, "interrupted by SIGTERM");
}

#[test]
fn ctrl_c_to_the_process_group_powers_the_card_down() {
    // A terminal's Ctrl-C reaches the whole foreground group; the helper
    // is in a group of its own and is stopped by the tool, in order.
    signal_after_verify("-INT", true, 130, "interrupted by SIGINT");
}

#[test]
fn sighup_after_the_verify_powers_the_card_down() {
    signal_after_verify("-HUP", false, 129, "interrupted by SIGHUP");
}

#[test]
fn sigkill_after_the_verify_still_powers_the_card_down() {
    // Nothing runs in the tool after SIGKILL: the helper sees its input
    // end and powers the card down by itself.
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(slow_card()) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let before = sb.card.lock().unwrap().stats().apdus;
    let mut child = Guard(
        cert_show_sign(&sb, &pw, &dir.path().join("o"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    until_apdus(&sb, before + 5);
    kill("-KILL", child.0.id() as i64);
    let (code, _) = wait_exit(&mut child.0, Duration::from_secs(5));
    assert_eq!(code, 128 + 9);
    assert_eq!(second_program_signs(&sb), "6982");
}

#[test]
fn a_panic_after_the_verify_powers_the_card_down() {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(card_from("[quirks]\nkeep_verified_on_reset = true\n")) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let out = cert_show_sign(&sb, &pw, &dir.path().join("o"))
        .env("MYNACARD_TEST_PANIC", "after-verify")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{err}");
    assert!(err.contains("test panic at after-verify"), "{err}");
    assert_eq!(second_program_signs(&sb), "6982");
}

#[test]
fn a_closed_stderr_under_trace_powers_the_card_down() {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(slow_card()) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let out_file = dir.path().join("o");
    let before = sb.card.lock().unwrap().stats().apdus;
    let mut child = Guard(
        cert_show_sign(&sb, &pw, &out_file)
            .arg("--trace")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Drain the trace until the VERIFY has been answered, then close it.
    let mut stderr = child.0.stderr.take().unwrap();
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut seen = String::new();
        while !seen.contains("> 00 20 00 9B 08 ****") {
            match std::io::Read::read(&mut stderr, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        drop(stderr);
        seen
    });
    until_apdus(&sb, before + 5);
    let seen = drain.join().unwrap();
    assert!(seen.contains("****"), "{seen}");
    assert!(!seen.contains("TEST1234"));
    let (code, _) = wait_exit(&mut child.0, Duration::from_secs(15));
    // The trace is written without ever failing the command: it finishes,
    // writes its file and powers the card down as on any other day.
    assert_eq!(code, 0);
    assert!(out_file.exists());
    assert_eq!(second_program_signs(&sb), "6982");
}

#[test]
fn a_stopped_pcscd_is_a_timeout_not_a_hang() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let pid = sb.pcscd_pid().unwrap() as i64;
    kill("-STOP", pid);
    let start = Instant::now();
    let out = cli(&sb)
        .args(["--timeout", "2", "pin", "status"])
        .output()
        .unwrap();
    let took = start.elapsed();
    kill("-CONT", pid);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{err}");
    assert!(err.contains("PC/SC service (pcscd)"), "{err}");
    assert!(took < Duration::from_secs(4), "took {took:?}");
    // pcscd goes on; so does the card.
    let out = cli(&sb).args(["--json", "pin", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_silent_card_is_a_timeout_not_a_hang() {
    let Some(mut sb) = sandbox_with(card_from("[faults]\ndelay_ms = 5000\n")) else {
        return;
    };
    insert(&mut sb);
    let start = Instant::now();
    let out = cli(&sb)
        .args(["--timeout", "2", "pin", "status"])
        .output()
        .unwrap();
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{err}");
    assert!(err.contains("waiting for the card's answer"), "{err}");
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn a_reader_stuck_after_the_verify_says_remove_the_card() {
    if !opensc() {
        return;
    }
    // Quick up to the VERIFY; the first read of the certificate takes 9 s.
    let Some(mut sb) = sandbox_with(card_from(
        "[quirks]\nkeep_verified_on_reset = true\n[faults]\ndelay_ms = 9000\ndelay_for = \"00B081\"\n",
    )) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let start = Instant::now();
    let out = cert_show_sign(&sb, &pw, &dir.path().join("o"))
        .args(["--timeout", "2", "--json"])
        .output()
        .unwrap();
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{err}");
    assert!(err.contains("could not be powered down"), "{err}");
    assert!(err.contains("remove the card from the reader now"), "{err}");
    let v = json(&out.stdout);
    assert_eq!(v["error"]["code"], "CARD_LEFT_POWERED", "{v}");
    // The budget and the grace period, not the stuck answer.
    assert!(took < Duration::from_secs(8), "took {took:?}");
    // The helper powers the card down once the reader comes back.
    assert_eq!(second_program_signs(&sb), "6982");
}

#[test]
fn watch_gives_a_line_for_a_silent_card_goes_on_and_stops_on_sigterm_mid_read() {
    // Every answer takes 3 s: with --timeout 1 the read of each card times out.
    let Some(mut sb) = sandbox_with(card_from("[faults]\ndelay_ms = 3000\n")) else {
        return;
    };
    let mut child = Guard(
        process(&sb)
            .args(["--json", "--reader", &sb.reader(), "--timeout", "1"])
            .args(["status", "--watch", "--today", "2026-11-25"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rx = line_reader(child.0.stdout.take().unwrap());
    let next = |what: &str| {
        let l = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no JSON line for {what}"));
        json(l.as_bytes())
    };
    sb.insert();
    let v = next("the silent card");
    assert_eq!(v["command"], "error", "{v}");
    assert_eq!(v["error"]["code"], "TIMEOUT", "{v}");
    // Pull it; a good card comes: the loop went on.
    sb.remove();
    let v = next("the removal");
    assert_eq!(v["event"], "card_removed", "{v}");
    std::thread::sleep(Duration::from_millis(900));
    *sb.card.lock().unwrap() = default_card();
    sb.insert();
    let v = next("the good card");
    assert_eq!(v["command"], "status", "{v}");
    assert_eq!(v["card"]["serial"], "400000012719843");
    // A slow card again; SIGTERM while it is being read ends the watch at once.
    sb.remove();
    let v = next("the second removal");
    assert_eq!(v["event"], "card_removed", "{v}");
    std::thread::sleep(Duration::from_millis(900));
    *sb.card.lock().unwrap() = card_from("[faults]\ndelay_ms = 700\n");
    let before = sb.card.lock().unwrap().stats().apdus;
    sb.insert();
    until_apdus(&sb, before + 1);
    kill("-TERM", child.0.id() as i64);
    let (code, took) = wait_exit(&mut child.0, Duration::from_secs(5));
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

/// The children of `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            // pid (comm) state ppid …: comm may hold spaces; split after ')'.
            let after = stat.rsplit(')').next().unwrap_or("");
            let ppid = after
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse::<u32>().ok());
            if ppid == Some(pid) {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn no_core_dump_and_the_pin_variable_never_reaches_the_helper() {
    let Some(mut sb) = sandbox_with(slow_card()) else {
        return;
    };
    insert(&mut sb);
    let dir = tempfile::tempdir().unwrap();
    let before = sb.card.lock().unwrap().stats().apdus;
    let mut child = Guard(
        process(&sb)
            .args(["--reader", &sb.reader(), "cert", "show", "sign", "--der"])
            .args(["--pin-env", "MYNA_TEST_PW", "-o"])
            .arg(dir.path().join("o"))
            .env("MYNA_TEST_PW", "TEST1234")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    until_apdus(&sb, before + 3);
    let pid = child.0.id();
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert_eq!(
        core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
        ["0", "0"],
        "{core}"
    );
    let helpers = children_of(pid);
    assert_eq!(helpers.len(), 1, "one PC/SC helper");
    let env = std::fs::read(format!("/proc/{}/environ", helpers[0])).unwrap();
    let env = String::from_utf8_lossy(&env);
    assert!(
        env.contains("PCSCLITE_CSOCK_NAME="),
        "the helper's environment"
    );
    assert!(!env.contains("MYNA_TEST_PW"), "{env}");
    assert!(!env.contains("TEST1234"));
    let (code, _) = wait_exit(&mut child.0, Duration::from_secs(30));
    assert_eq!(code, 0);
}

/// When the helper is killed (by another program) at a phase of the command.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// The retry-counter query is in flight: no PIN was sent.
    BeforeVerify,
    /// The VERIFY with the password is in flight (the card will accept it).
    DuringVerify,
    /// The VERIFY was answered 90 00 and a READ BINARY is on its way.
    AfterVerify,
    /// `sign`: the COMPUTE DIGITAL SIGNATURE is in flight.
    DuringSignature,
}

/// A card that answers the retry query, the VERIFY, the first READ BINARY
/// of the signature certificate by its short id, and the signature after
/// 400 ms (everything else at once), and keeps a verified PIN across a warm
/// reset as the real card does.
fn slow_verify_card() -> mynacard::vcard::VirtualCard {
    card_from(
        "[quirks]\nkeep_verified_on_reset = true\n\
         [faults]\ndelay_ms = 400\ndelay_for = \"0020,802A,00B08100\"\n",
    )
}

/// Whether the card's last command matches `phase`'s moment.
fn at_phase(stats: &mynacard::vcard::CardStats, phase: Phase, verify_seen: &mut bool) -> bool {
    let verify = stats.last_header[..2] == [0x00, 0x20];
    let with_data = stats.last_len > 5;
    match phase {
        Phase::BeforeVerify => verify && !with_data,
        Phase::DuringVerify => verify && with_data,
        Phase::AfterVerify => {
            *verify_seen |= verify && with_data;
            *verify_seen && stats.last_header == [0x00, 0xB0, 0x81, 0x00]
        }
        Phase::DuringSignature => stats.last_header[..2] == [0x80, 0x2A],
    }
}

/// Wait until the card, past its first `before` APDUs, is at `phase`.
fn until_phase(sb: &Sandbox, before: u64, phase: Phase) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut verify_seen = false;
    loop {
        let st = sb.card.lock().unwrap().stats();
        if st.apdus > before && at_phase(&st, phase, &mut verify_seen) {
            return;
        }
        assert!(Instant::now() < deadline, "{phase:?} never came: {st:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Every 50 ms from now until `window` has passed, another program (OpenSC's
/// `opensc-tool`) selects the JPKI application and reads the signature
/// certificate, which the card gives only while the password is verified.
/// Returns the status words of the reads that got through.
fn probe_sign_cert(sb: &Sandbox, window: Duration) -> Vec<String> {
    let start = Instant::now();
    let mut got = Vec::new();
    while start.elapsed() < window {
        let t = Instant::now();
        let out = opensc_tool(
            sb,
            "opensc-tool",
            &[
                "--reader",
                "0",
                "-s",
                JPKI,
                "-s",
                "00 A4 02 0C 02 00 01",
                "-s",
                "00 B0 00 00 04",
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let received: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("Received (SW1="))
            .collect();
        if let Some(l) = received.get(2) {
            got.push(format!("{}{}", &l[16..18], &l[26..28]).to_uppercase());
        }
        std::thread::sleep(Duration::from_millis(50).saturating_sub(t.elapsed()));
    }
    got
}

/// Kill the tool's PC/SC helper with SIGKILL at `phase`, `runs` times; each
/// time a second program probes the card every 50 ms for 1 s and must never
/// read the signature certificate, nor then sign; the tool names the cause.
fn helper_killed_at(phase: Phase, runs: usize) {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(slow_verify_card()) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let doc = dir.path().join("doc.txt");
    std::fs::write(&doc, "a document\n").unwrap();
    for run in 0..runs {
        let out_file = dir.path().join(format!("o{run}"));
        let before = sb.card.lock().unwrap().stats().apdus;
        let mut cmd = match phase {
            Phase::DuringSignature => {
                let mut c = process(&sb);
                c.args(["--reader", &sb.reader(), "sign", "--pin-file", &pw, "-o"])
                    .arg(&out_file)
                    .arg(&doc);
                c
            }
            _ => cert_show_sign(&sb, &pw, &out_file),
        };
        let mut child = Guard(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        until_phase(&sb, before, phase);
        let helper = children_of(child.0.id());
        assert_eq!(helper.len(), 1, "one helper: {helper:?}");
        kill("-KILL", helper[0] as i64);
        let reads = probe_sign_cert(&sb, Duration::from_secs(1));
        let (code, took) = wait_exit(&mut child.0, Duration::from_secs(10));
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut err).unwrap();
        assert!(
            !reads.iter().any(|sw| sw == "9000"),
            "{phase:?} run {run}: another program read the signature certificate: {reads:?}"
        );
        assert_eq!(second_program_signs(&sb), "6982", "{phase:?} run {run}");
        assert_eq!(code, 1, "{phase:?} run {run}: {err}");
        assert!(
            err.contains("HELPER_KILLED") || err.contains("ended from outside by SIGKILL"),
            "{err}"
        );
        let pin_sent = !matches!(phase, Phase::BeforeVerify);
        assert_eq!(
            err.contains("powered the card down itself"),
            pin_sent,
            "{phase:?}: {err}"
        );
        assert!(took < Duration::from_secs(8), "took {took:?}");
        assert!(!out_file.exists(), "{phase:?}: a file was written");
        assert_eq!(sb.card.lock().unwrap().tries_left(KeyRef::Sign), 5);
    }
}

/// Runs per phase: 2 in the suite; the stress script asks for 20.
fn kill_runs() -> usize {
    std::env::var("MYNACARD_HELPER_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

#[test]
fn helper_killed_before_the_verify_leaves_nothing() {
    helper_killed_at(Phase::BeforeVerify, kill_runs());
}

#[test]
fn helper_killed_during_the_verify_the_tool_powers_the_card_down() {
    helper_killed_at(Phase::DuringVerify, kill_runs());
}

#[test]
fn helper_killed_after_the_verify_the_tool_powers_the_card_down() {
    helper_killed_at(Phase::AfterVerify, kill_runs());
}

#[test]
fn helper_killed_during_a_signature_the_tool_powers_the_card_down() {
    helper_killed_at(Phase::DuringSignature, kill_runs());
}

#[test]
fn a_card_busy_in_another_program_is_in_use_not_removed_or_silent() {
    if !opensc() {
        return;
    }
    let Some(mut sb) = sandbox_with(slow_verify_card()) else {
        return;
    };
    insert(&mut sb);
    let (dir, pw) = password_file();
    let before = sb.card.lock().unwrap().stats().apdus;
    // One program holds the card (exclusively, a PIN on its way) …
    let mut first = Guard(
        cert_show_sign(&sb, &pw, &dir.path().join("o"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    until_phase(&sb, before, Phase::BeforeVerify);
    // … and a read-only command meanwhile says so, with what to do.
    let out = cli(&sb)
        .args([
            "--reader",
            &sb.reader(),
            "--timeout",
            "0.5",
            "pin",
            "status",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{err}");
    assert!(err.contains("in use by another program"), "{err}");
    assert!(err.contains("wait for it to finish"), "{err}");
    assert!(
        !err.contains("removed") && !err.contains("does not answer"),
        "{err}"
    );
    let (code, _) = wait_exit(&mut first.0, Duration::from_secs(10));
    assert_eq!(code, 0);
}
