//! `status --watch` on a stack with two readers (vpcd's two slots), as the
//! README gives it: no `--reader`. It follows the reader a card is put on,
//! says which in one line on stderr, and keeps stdout one JSON object per
//! line.

#![cfg(feature = "pcsc")]

use crate::common;
use common::e2e::*;
use mynacard::sandbox;
use serde_json::Value;
use std::time::Duration;

#[test]
fn status_watch_follows_the_reader_a_card_is_put_on() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    let mut child = Guard(
        process(&sb)
            .args(["--json", "status", "--watch", "--today", "2026-11-25"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let rx = line_reader(child.0.stdout.take().unwrap());
    let err = line_reader_of(child.0.stderr.take().unwrap());
    let next = |what: &str| -> Value {
        let l = rx
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("no JSON line for {what}"));
        let v = json(l.as_bytes());
        common::assert_schema(&v, what);
        v
    };
    // Two readers, both empty: it waits (no error about the argument).
    std::thread::sleep(Duration::from_millis(600));
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the watcher ended with two empty readers"
    );
    let said = err.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        said,
        format!(
            "waiting for a card on any of 2 readers (Ctrl-C to stop): {}, {}",
            sb.reader(),
            sb.second_reader()
        )
    );
    // The card goes on the second reader: that one is followed.
    sb.insert_second();
    let v = next("the card on the second reader");
    assert_eq!(v["command"], "status", "{v}");
    assert_eq!(v["reader"], sb.second_reader(), "{v}");
    assert_eq!(v["card"]["serial"], "400000012719843");
    let said = err.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        said,
        format!(
            "watching {}, the reader holding a card (Ctrl-C to stop)",
            sb.second_reader()
        )
    );
    sb.remove();
    let v = next("the removal");
    assert_eq!(v["event"], "card_removed", "{v}");
    // The next card on the first reader: followed there.
    std::thread::sleep(Duration::from_millis(900));
    sb.insert();
    let v = next("the card on the first reader");
    assert_eq!(v["command"], "status", "{v}");
    assert_eq!(v["reader"], sb.reader(), "{v}");
    let said = err.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        said.starts_with(&format!("watching {},", sb.reader())),
        "{said}"
    );
    sandbox::terminate(&mut child.0);
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
}

/// An error under `--json --watch` is one line too (here: a reader named
/// that does not exist).
#[test]
fn status_watch_json_error_is_one_line() {
    let Some(sb) = sandbox_with(default_card()) else {
        return;
    };
    let out = cli(&sb)
        .args(["--json", "--reader", "nope", "status", "--watch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let v = json(text.as_bytes());
    assert_eq!(v["error"]["code"], "READER_NOT_FOUND", "{v}");
}

fn line_reader_of(e: std::process::ChildStderr) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(e).lines().map_while(|l| l.ok()) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}
