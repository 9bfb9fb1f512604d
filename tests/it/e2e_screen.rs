//! The counter screen (`mynacard watch`) in a real terminal: tmux drives
//! it (`send-keys`, `capture-pane`) against the served virtual card through
//! a private pcscd. Card inserted → counters and timeline; pulled → cleared
//! within a second; a locked PIN → its row says locked and where it is
//! reset; pcscd stopped and started → said, and recovered; `l` switches
//! the language; `q` exits 0 with the terminal restored.

#![cfg(feature = "pcsc")]

use crate::common;

use common::e2e::{card_from, insert, pull, sandbox_with};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of this test's own (its socket in a temporary folder),
/// killed through that socket when the test ends.
struct Tmux {
    sock: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "w"])
    }

    fn format(&self, f: &str) -> String {
        self.run(&["display-message", "-p", "-t", "w", f])
            .trim()
            .to_string()
    }

    /// Wait until the screen shows `what`; how long it took.
    fn wait_for(&self, what: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "no {what:?} within {limit:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Tmux {
    /// Kill the session `w`; the server then exits (its last session), and
    /// a new session is started only once it is gone — one started while it
    /// exits fails ("server exited unexpectedly").
    fn end_session(&self) {
        self.run(&["kill-session", "-t", "w"]);
        let t0 = Instant::now();
        while self.sock.exists() && t0.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .arg("kill-server")
            .output();
    }
}

fn start(socket: &Path) -> Tmux {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux {
        sock: dir.path().join("tmux.sock"),
        _dir: dir,
    };
    t.open(socket, "");
    t
}

impl Tmux {
    /// Run `mynacard watch` in the session `w` (extra environment first).
    fn open(&self, socket: &Path, env: &str) {
        let bin = assert_cmd::cargo::cargo_bin("mynacard");
        let cmd = format!(
            "env -u LANG -u LANGUAGE -u LC_ALL NO_COLOR=1 {env} PCSCLITE_CSOCK_NAME={} XDG_CACHE_HOME={} {} watch; echo exit=$?",
            socket.display(),
            self._dir.path().display(),
            bin.display()
        );
        let size = ["-x", "80", "-y", "24"];
        let mut args = vec!["-f", "/dev/null", "new-session", "-d", "-s", "w"];
        args.extend(size);
        args.push(&cmd);
        self.run(&args);
        self.run(&["set-option", "-t", "w", "remain-on-exit", "on"]);
        // The program's own bytes, to see what it leaves the terminal in.
        let log = self._dir.path().join("out.log");
        let _ = std::fs::remove_file(&log);
        let pipe = format!("cat >> {}", log.display());
        self.run(&["pipe-pane", "-t", "w", "-o", &pipe]);
    }

    /// Wait for the program in the pane to end; what the pane then holds.
    fn ended(&self, how: &str) -> String {
        let start = Instant::now();
        while self.format("#{pane_dead}") != "1" {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "still running:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(
            self.format("#{alternate_on}"),
            "0",
            "{how}: left the alternate screen"
        );
        // What it wrote last: the cursor shown and the main screen back,
        // after its last drawing (tmux's own dead-pane note may hide the
        // cursor afterwards, so the bytes are the judge).
        let out = std::fs::read(self._dir.path().join("out.log")).unwrap_or_default();
        let last = |pat: &[u8]| out.windows(pat.len()).rposition(|w| w == pat);
        let (show, hide) = (last(b"\x1b[?25h"), last(b"\x1b[?25l"));
        let (leave, enter) = (last(b"\x1b[?1049l"), last(b"\x1b[?1049h"));
        assert!(
            show.is_some() && show > hide,
            "{how}: the cursor is not shown again"
        );
        assert!(
            leave.is_some() && leave > enter,
            "{how}: the full screen was not left"
        );
        assert!(hide < leave, "{how}: drawn over the restored terminal");
        self.run(&["capture-pane", "-p", "-S", "-200", "-t", "w"])
    }
}

/// `SCREEN_CAPTURE_DIR=DIR`: keep the captures (for the README).
fn keep(lang: &str, screen: &str) {
    if let Ok(d) = std::env::var("SCREEN_CAPTURE_DIR") {
        std::fs::write(Path::new(&d).join(format!("watch-{lang}.txt")), screen).unwrap();
    }
}

#[test]
fn the_counter_screen_follows_card_after_card() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(!common::e2e::in_ci(), "CI=true but tmux is not installed");
        return;
    }
    let Some(mut sb) = sandbox_with(card_from("[pins.card_info]\ntries = 0\n")) else {
        return;
    };
    let t = start(&sb.socket());
    t.wait_for("place the next card", Duration::from_secs(15));
    assert_eq!(t.format("#{alternate_on}"), "1", "a full screen");

    insert(&mut sb);
    t.wait_for("timeline", Duration::from_secs(15));
    let s = t.screen();
    keep("en", &s);
    assert!(
        s.contains("mynacard counter screen") && s.contains(&sb.reader()),
        "{s}"
    );
    assert!(s.contains("read at ") && s.contains(" JST"), "{s}");
    assert!(s.contains("●●●●● 5/5 ok"), "{s}");
    assert!(
        s.contains("card-info PIN           ○○○ 0/3 LOCKED → have it reset at your"),
        "{s}"
    );
    assert!(
        s.contains("|-") && s.contains("=C|") && s.contains("= renewal"),
        "{s}"
    );
    assert!(
        s.contains("findings (most severe first)") && s.contains("ERROR"),
        "{s}"
    );
    for personal in ["吉田", "1980", "537686677188", "千代田"] {
        assert!(!s.contains(personal), "{personal} on the screen:\n{s}");
    }
    assert!(
        s.lines().count() <= 24 && s.lines().all(|l| l.chars().count() <= 80),
        "{s}"
    );

    // Pulled: cleared within a second.
    sb.remove();
    let took = t.wait_for("place the next card", Duration::from_secs(5));
    eprintln!("cleared {took:?} after the card was pulled");
    assert!(took < Duration::from_secs(1), "cleared after {took:?}");
    assert!(!t.screen().contains("LOCKED"));
    pull(&mut sb);

    // The language key.
    t.run(&["send-keys", "-t", "w", "l"]);
    t.wait_for("次のカードを置いてください", Duration::from_secs(3));
    t.run(&["send-keys", "-t", "w", "l"]);
    t.wait_for("place the next card", Duration::from_secs(3));

    // pcscd stopped, then started: said, and recovered by itself.
    sb.stop_pcscd();
    t.wait_for("pcscd) is not running", Duration::from_secs(10));
    sb.start_pcscd().unwrap();
    t.wait_for("place the next card", Duration::from_secs(15));
    insert(&mut sb);
    t.wait_for("LOCKED", Duration::from_secs(15));

    // q: exit 0, the terminal as it was; the shell's line after it (tmux's
    // own note may push it into the history).
    t.run(&["send-keys", "-t", "w", "q"]);
    let s = t.ended("q");
    assert!(s.contains("exit=0"), "{s}");
    assert!(
        !s.contains("LOCKED"),
        "the screen's content stayed behind:\n{s}"
    );
    t.end_session();

    // Japanese from the locale; SIGTERM ends it the same way.
    t.open(&sb.socket(), "LANG=ja_JP.UTF-8");
    t.wait_for("暗証番号 (残り回数)", Duration::from_secs(15));
    let s = t.screen();
    keep("ja", &s);
    assert!(
        s.contains("ロック") && s.contains("期限の見通し") && s.contains("q: 終了"),
        "{s}"
    );
    let shell = t.format("#{pane_pid}");
    let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "no child of the pane's shell");
    common::e2e::kill("-TERM", pid.parse().unwrap());
    let s = t.ended("SIGTERM");
    assert!(s.contains("exit=0"), "{s}");
    t.end_session();

    // A panic (a debug build's fault point, as a report arrives) gives the
    // terminal back too, and says what happened.
    t.open(&sb.socket(), "MYNACARD_TEST_PANIC=watch-report");
    let s = t.ended("panic");
    assert!(
        s.contains("test panic at watch-report") && s.contains("exit=101"),
        "{s}"
    );
}

/// The face check on the counter screen: only after `f` and the printed
/// parts typed does a 照合番号B VERIFY go to the card; the verdict and the
/// face (half-blocks) are shown, and cleared the moment the card leaves.
#[test]
fn the_counter_screen_checks_the_face_and_clears_it_when_the_card_leaves() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(!common::e2e::in_ci(), "CI=true but tmux is not installed");
        return;
    }
    let Some(mut sb) = sandbox_with(common::e2e::default_card()) else {
        return;
    };
    let t = start(&sb.socket());
    t.wait_for("place the next card", Duration::from_secs(15));
    insert(&mut sb);
    t.wait_for("timeline", Duration::from_secs(15));
    assert!(t.screen().contains("f: face check"), "{}", t.screen());

    t.run(&["send-keys", "-t", "w", "f"]);
    t.wait_for("type what is printed on the card", Duration::from_secs(3));
    // The parts typed are masked: the screen never shows them.
    t.run(&["send-keys", "-t", "w", "-l", "S55.2.17"]);
    t.run(&["send-keys", "-t", "w", "Enter"]);
    t.run(&["send-keys", "-t", "w", "-l", "2035"]);
    t.wait_for("••••", Duration::from_secs(3));
    let s = t.screen();
    assert!(!s.contains("S55") && !s.contains("2035"), "{s}");
    t.run(&["send-keys", "-t", "w", "Enter"]);
    t.run(&["send-keys", "-t", "w", "-l", "2285"]);
    let sent = Instant::now();
    t.run(&["send-keys", "-t", "w", "Enter"]);
    t.wait_for("under a TEST CA", Duration::from_secs(30));
    let took = sent.elapsed();
    eprintln!("verdict and face {took:?} after Enter");
    // Still there a moment later: the check's power-down is not a removal.
    std::thread::sleep(Duration::from_millis(1500));
    let s = t.screen();
    keep("face-en", &s);
    assert!(s.contains("4. matches the print ✓ ok"), "{s}");
    assert!(s.contains("tries left: 3"), "{s}");
    assert!(
        s.contains("birth date (signed) 1980-02-17   sex male"),
        "{s}"
    );
    let photo_rows = s
        .lines()
        .filter(|l| l.chars().take(24).filter(|c| "▀▄█".contains(*c)).count() > 8)
        .count();
    assert!(photo_rows >= 10, "no photo:\n{s}");
    assert!(!s.contains("2285"), "{s}");

    // The card leaves: verdict and face gone within a second.
    sb.remove();
    let took = t.wait_for("place the next card", Duration::from_secs(5));
    eprintln!("face cleared {took:?} after the card was pulled");
    assert!(took < Duration::from_secs(1), "cleared after {took:?}");
    let s = t.screen();
    for gone in ["1980", "TEST CA", "█", "▀"] {
        assert!(!s.contains(gone), "{gone} stayed:\n{s}");
    }
    pull(&mut sb);

    // The next card: its report, no face until asked again.
    insert(&mut sb);
    t.wait_for("timeline", Duration::from_secs(15));
    assert!(!t.screen().contains("1980"));
    t.run(&["send-keys", "-t", "w", "q"]);
    let s = t.ended("q");
    assert!(s.contains("exit=0") && !s.contains("1980"), "{s}");
}
