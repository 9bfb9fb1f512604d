//! Helpers for the end-to-end tests through a private pcscd + vpcd + the
//! served virtual card: start a sandbox (or skip outside CI), run the
//! binary against it, insert the card, stop started processes by PID.

use assert_cmd::Command;
use mynacard::sandbox::{self, Sandbox};
use mynacard::vcard::{Profile, VirtualCard};
use serde_json::Value;
use std::time::{Duration, Instant};

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Start a sandbox, or skip (outside CI) with the reason.
pub fn sandbox_with(card: VirtualCard) -> Option<Sandbox> {
    if let Some(why) = sandbox::unavailable_reason() {
        assert!(
            !in_ci(),
            "CI=true but the PC/SC sandbox cannot start: {why}"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    Some(Sandbox::start(card).unwrap_or_else(|e| panic!("sandbox: {e}")))
}

pub fn default_card() -> VirtualCard {
    VirtualCard::new(&Profile::builtin()).unwrap()
}

/// A card from profile text (`base = "builtin"` is added).
pub fn card_from(toml: &str) -> VirtualCard {
    let p = Profile::from_toml(&format!("base = \"builtin\"\n{toml}")).unwrap();
    VirtualCard::new(&p).unwrap()
}

pub fn cli(sb: &Sandbox) -> Command {
    let mut c = Command::cargo_bin("mynacard").unwrap();
    c.env("PCSCLITE_CSOCK_NAME", sb.socket())
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL")
        .timeout(Duration::from_secs(60));
    c
}

/// The binary as a std process (for signals and pipes).
pub fn process(sb: &Sandbox) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("mynacard"));
    c.env("PCSCLITE_CSOCK_NAME", sb.socket())
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL");
    c
}

pub fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// Insert the card and wait until the reader reports it.
/// Pull the card and wait until pcscd has seen it go (a card swapped
/// faster than pcscd's presence poll would look like the same card, still
/// powered, to pcscd: no real reader swaps cards that fast).
pub fn pull(sb: &mut Sandbox) {
    sb.remove();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = cli(sb).args(["--json", "readers"]).output().unwrap();
        if json(&out.stdout)["readers"][0]["card_present"] == false {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the card never went: {}",
            sb.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn insert(sb: &mut Sandbox) {
    sb.insert();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = cli(sb).args(["--json", "readers"]).output().unwrap();
        if out.status.success() && json(&out.stdout)["readers"][0]["card_present"] == true {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "card never appeared: {}",
            sb.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn opensc() -> bool {
    let ok = std::path::Path::new("/usr/bin/pkcs15-tool").exists();
    assert!(ok || !in_ci(), "CI=true but OpenSC is not installed");
    ok
}

pub fn opensc_tool(sb: &Sandbox, tool: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(tool)
        .args(args)
        .env("PCSCLITE_CSOCK_NAME", sb.socket())
        .output()
        .unwrap()
}

/// A process this test started: stopped by its PID when the test ends,
/// even when an assertion fails first.
pub struct Guard(pub std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        sandbox::terminate(&mut self.0);
    }
}

/// Read lines from a child's stdout in the background.
pub fn line_reader(out: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(out).lines().map_while(|l| l.ok()) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

/// Send `sig` (e.g. "-INT") to `pid` (a negative pid is a process group).
pub fn kill(sig: &str, pid: i64) {
    let st = std::process::Command::new("kill")
        .args([sig, "--", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "kill {sig} {pid}");
}

/// Wait for a child to end, at most `limit`; its exit code (or 128 +
/// signal) and how long it took.
pub fn wait_exit(child: &mut std::process::Child, limit: Duration) -> (i32, Duration) {
    use std::os::unix::process::ExitStatusExt;
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            let code = st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0));
            return (code, start.elapsed());
        }
        assert!(
            start.elapsed() < limit,
            "the process did not end in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
