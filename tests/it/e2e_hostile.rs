//! Every command against a hostile reader (`sandbox::hostile`): the served
//! card's answer to one APDU is garbled, cut short, late, withheld, too
//! long, an endless "more bytes" chain, or the card is pulled — at several
//! points of each command. Each run must end within its time bound, with
//! an exit code documented for the fault (docs/security.md), a message
//! that says what to do, no panic, no try spent by a read-only command,
//! and no partial output file.
#![cfg(feature = "pcsc")]

use crate::common;

use common::e2e::*;
use mynacard::sandbox::hostile::{Fault, Hostile};
use mynacard::vcard::KeyRef;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The exit codes a fault may lead to (docs/security.md, "Hostile reader").
fn allowed(f: Fault) -> &'static [i32] {
    match f {
        // A garbled answer: a wrong status word, malformed data, or data
        // that still parses (then the report says what it found).
        Fault::Garble => &[0, 6, 7, 8, 9, 10, 12, 16, 20, 21],
        // An empty answer is vpcd's "card pulled", which can also leave the
        // reader waiting: the budget ends it.
        Fault::Truncate(_) => &[0, 6, 7, 8, 12, 14, 16],
        Fault::Delay(_) => &[0],
        Fault::Withhold(_) => &[14],
        Fault::Oversize => &[0, 6, 8, 12, 16, 21],
        Fault::EndlessMore => &[0, 6, 8, 12, 16],
        Fault::Drop => &[7],
    }
}

struct Cmd {
    args: &'static [&'static str],
    /// Lists readers: a card it cannot identify is a row with an error.
    lists: bool,
    /// Sends a PIN (then one try may be spent by a lost VERIFY).
    pin: bool,
    /// Writes `-o {out}`.
    output: bool,
}

const CMDS: &[Cmd] = &[
    Cmd {
        args: &["pin", "status"],
        lists: false,
        pin: false,
        output: false,
    },
    Cmd {
        args: &["status", "--today", "2026-11-25"],
        lists: false,
        pin: false,
        output: false,
    },
    Cmd {
        args: &["cert", "show", "auth", "--der", "-o", "{out}"],
        lists: false,
        pin: false,
        output: true,
    },
    Cmd {
        args: &["readers"],
        lists: true,
        pin: false,
        output: false,
    },
    Cmd {
        args: &["pin", "verify", "auth", "--pin-env", "P"],
        lists: false,
        pin: true,
        output: false,
    },
    Cmd {
        args: &["info", "--pin-env", "P"],
        lists: false,
        pin: true,
        output: false,
    },
];

fn tries(sb: &mynacard::sandbox::Sandbox) -> Vec<u8> {
    let c = sb.card.lock().unwrap();
    KeyRef::ALL.iter().map(|k| c.tries_left(*k)).collect()
}

/// Wait until the reader holds the card again (after a pulled one).
fn present(sb: &mynacard::sandbox::Sandbox) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = cli(sb).args(["--json", "readers"]).output().unwrap();
        if out.status.success() && json(&out.stdout)["readers"][0]["card_type"] == "card" {
            return;
        }
        assert!(Instant::now() < deadline, "the card did not come back");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_command_survives_every_hostile_answer() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    let h = Arc::new(Mutex::new(Hostile::default()));
    sb.insert_hostile(Arc::clone(&h)).unwrap();
    present(&sb);
    let faults = [
        Fault::Garble,
        Fault::Truncate(1),
        Fault::Truncate(3),
        Fault::Delay(Duration::from_millis(300)),
        Fault::Withhold(Duration::from_secs(3)),
        Fault::Oversize,
        Fault::EndlessMore,
        Fault::Drop,
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut runs = 0;
    let mut codes = std::collections::BTreeMap::new();
    for cmd in CMDS {
        for fault in faults {
            for at in [1u32, 3] {
                let out_file = dir.path().join(format!("out-{runs}"));
                let args: Vec<String> = cmd
                    .args
                    .iter()
                    .map(|a| a.replace("{out}", &out_file.display().to_string()))
                    .collect();
                let before = tries(&sb);
                h.lock().unwrap().set(Some(fault), at);
                let t = Instant::now();
                // `readers` lists every reader: --reader is refused there.
                let reader = sb.reader();
                let pick: &[&str] = if cmd.lists {
                    &[]
                } else {
                    &["--reader", &reader]
                };
                let out = cli(&sb)
                    .args(pick)
                    .args(["--timeout", "2"])
                    .args(&args)
                    .env("P", "1234")
                    .output()
                    .unwrap();
                let took = t.elapsed();
                let reached = h.lock().unwrap().seen();
                h.lock().unwrap().set(None, 0);
                let code = out.status.code().unwrap_or(-1);
                let err = String::from_utf8_lossy(&out.stderr);
                let what = format!("{args:?} {fault:?} at APDU {at}: exit {code}\n{err}");
                // Bounded: the 2 s budget, the grace for a powered-down
                // card, the withheld answer.
                assert!(took < Duration::from_secs(12), "{what}: took {took:?}");
                assert!(!err.contains("panicked"), "{what}");
                // A fault at an APDU the command never sent changes nothing.
                let hit = reached >= at;
                if hit {
                    assert!(
                        allowed(fault).contains(&code) || (cmd.lists && code == 0),
                        "{what}"
                    );
                } else {
                    assert_eq!(code, 0, "{what}");
                }
                if code != 0 && !(20..=21).contains(&code) {
                    assert!(err.contains("what to do: "), "{what}");
                }
                let after = tries(&sb);
                if !cmd.pin {
                    assert_eq!(before, after, "a read-only command spent a try: {what}");
                } else {
                    // The right PIN: whatever the reader did, no try is spent.
                    assert!(before.iter().zip(&after).all(|(b, a)| a >= b), "{what}");
                }
                if cmd.output {
                    assert_eq!(out_file.exists(), code == 0, "{what}");
                }
                *codes.entry((format!("{fault:?}"), code)).or_insert(0) += 1;
                runs += 1;
                if code == 7 || code == 14 || (hit && fault == Fault::Drop) {
                    present(&sb);
                }
            }
        }
    }
    eprintln!("{runs} runs; (fault, exit code) → count: {codes:?}");
    assert_eq!(runs, CMDS.len() * faults.len() * 2);
}
