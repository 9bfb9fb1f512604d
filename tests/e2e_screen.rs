//! The counter screen (`mynacard watch`) in a real terminal: tmux drives
//! it (`send-keys`, `capture-pane`) against the served virtual card through
//! a private pcscd. Card inserted → counters and timeline; pulled → cleared
//! within a second; a locked PIN → its row says locked and where it is
//! reset; pcscd stopped and started → said, and recovered; `l` switches
//! the language; `q` exits 0 with the terminal restored.

#![cfg(feature = "pcsc")]

mod common;

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
    let bin = assert_cmd::cargo::cargo_bin("mynacard");
    let cmd = format!(
        "env -u LANG -u LANGUAGE -u LC_ALL NO_COLOR=1 PCSCLITE_CSOCK_NAME={} XDG_CACHE_HOME={} {} watch; echo exit=$?",
        socket.display(),
        t._dir.path().display(),
        bin.display()
    );
    t.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "w",
        "-x",
        "80",
        "-y",
        "24",
        &cmd,
    ]);
    t.run(&["set-option", "-t", "w", "remain-on-exit", "on"]);
    t
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

    // q: exit 0, the terminal as it was.
    t.run(&["send-keys", "-t", "w", "q"]);
    let start = Instant::now();
    while t.format("#{pane_dead}") != "1" {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still running:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        t.format("#{alternate_on}"),
        "0",
        "left the alternate screen"
    );
    // The shell's line after it, on the ordinary screen (tmux's own note
    // may push it into the history).
    let s = t.run(&["capture-pane", "-p", "-S", "-200", "-t", "w"]);
    assert!(s.contains("exit=0"), "{s}");
    assert!(
        !s.contains("LOCKED"),
        "the screen's content stayed behind:\n{s}"
    );
}
