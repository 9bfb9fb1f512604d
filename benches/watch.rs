//! How long a counter waits: the time from a card touching the reader to
//! `mynacard status --watch` printing its report, through a private pcscd
//! and vpcd, on the virtual card slowed by a timing preset.
//! Run: `sudo WATCH_BIN=target/release/mynacard WATCH_PRESET=contact-38400
//! cargo bench --bench watch` (scripts/bench.sh does). Prints one line:
//! `watch <preset> <median ms> <p90 ms> <runs>` per cache setting.
//!
//! The time includes pcscd noticing the card (vpcd's presence poll, up to
//! 400 ms, the same for every PC/SC program), the card's activation and the
//! report's APDUs at the preset's speed.

use mynacard::sandbox::Sandbox;
use mynacard::vcard::{Profile, VirtualCard};
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("watch: skipped (run it with cargo bench --bench watch)");
        return;
    }
    let preset = std::env::var("WATCH_PRESET").unwrap_or_else(|_| "none".into());
    let runs: usize = std::env::var("WATCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let bin = std::env::var("WATCH_BIN").unwrap_or_else(|_| "target/release/mynacard".into());
    let profile = Profile::from_toml(&format!(
        "base = \"builtin\"\n[timing]\npreset = \"{preset}\"\n"
    ))
    .unwrap_or_else(|e| fail(&format!("preset {preset}: {e}")));
    let card = VirtualCard::new(&profile).unwrap_or_else(|e| fail(&e.to_string()));
    let mut sb = Sandbox::start(card).unwrap_or_else(|e| fail(&format!("cannot start pcscd: {e}")));
    for (label, extra) in [("kept", None), ("no-cache", Some("--no-cache"))] {
        let (median, p90) = measure(&mut sb, &bin, extra, runs);
        println!("watch {preset} {label} {median:.1} {p90:.1} {runs}");
    }
}

fn fail(why: &str) -> ! {
    eprintln!("watch: {why}");
    std::process::exit(1)
}

/// Insert and remove the card `runs` times (after one warm-up) under one
/// `status --watch`; the median and p90 of insertion → report, in ms.
fn measure(sb: &mut Sandbox, bin: &str, extra: Option<&str>, runs: usize) -> (f64, f64) {
    let cache = tempfile::tempdir().unwrap_or_else(|e| fail(&e.to_string()));
    let mut cmd = Command::new(bin);
    cmd.args(["--json", "status", "--watch", "--reader", &sb.reader()])
        .args(extra)
        .env("PCSCLITE_CSOCK_NAME", sb.socket())
        .env("XDG_CACHE_HOME", cache.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().unwrap_or_else(|e| fail(&format!("{bin}: {e}")));
    let out = child.stdout.take().unwrap_or_else(|| fail("no stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    // The watcher is waiting for a card once it has had a moment to start.
    std::thread::sleep(Duration::from_millis(800));
    let mut times = Vec::new();
    for i in 0..=runs {
        sb.insert();
        let t0 = Instant::now();
        let seen = next(&rx, |l| !l.contains("card_removed"));
        sb.remove();
        next(&rx, |l| l.contains("card_removed"));
        if i > 0 {
            times.push(seen.duration_since(t0).as_secs_f64() * 1000.0);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    mynacard::sandbox::terminate(&mut child);
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}

/// When the next output line matching `want` came (at most 60 s).
fn next(rx: &mpsc::Receiver<(Instant, String)>, want: impl Fn(&str) -> bool) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((t, line)) if want(&line) => return t,
            Ok(_) => continue,
            Err(_) => fail("status --watch printed nothing for 60 s"),
        }
    }
}
