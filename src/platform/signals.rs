//! The requests to stop that a process gets from outside, as one portable
//! value.
//!
//! - Unix: SIGINT, SIGTERM and SIGHUP (`signal-hook`), waited for on a
//!   thread of their own.
//! - Windows: the console's Ctrl-C and Ctrl-Break, which the C runtime turns
//!   into SIGINT and SIGBREAK (`signal-hook`'s flags; a thread looks at
//!   them every 20 ms). The closing of the console window, a log-off and a
//!   shutdown are not caught: Windows then ends the process, and the PC/SC
//!   helper sees its input end and powers the card down itself.

use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A request to stop: its name for messages and the exit code it gives
/// (128 + the Unix signal number; Ctrl-C and Ctrl-Break on Windows give
/// SIGINT's 130).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub name: &'static str,
    pub exit_code: i32,
}

#[cfg(unix)]
const CAUGHT: [(i32, Signal); 3] = [
    (
        signal_hook::consts::SIGINT,
        Signal {
            name: "SIGINT",
            exit_code: 130,
        },
    ),
    (
        signal_hook::consts::SIGTERM,
        Signal {
            name: "SIGTERM",
            exit_code: 143,
        },
    ),
    (
        signal_hook::consts::SIGHUP,
        Signal {
            name: "SIGHUP",
            exit_code: 129,
        },
    ),
];

/// The C runtime's SIGBREAK (Ctrl-Break); `libc` has no name for it.
#[cfg(windows)]
const SIGBREAK: i32 = 21;

#[cfg(windows)]
const CAUGHT: [(i32, Signal); 2] = [
    (
        signal_hook::consts::SIGINT,
        Signal {
            name: "Ctrl-C",
            exit_code: 130,
        },
    ),
    (
        SIGBREAK,
        Signal {
            name: "Ctrl-Break",
            exit_code: 130,
        },
    ),
];

/// Set `flag` when any request to stop arrives (the PC/SC helper, `vcard
/// serve`): the process goes on, and looks at the flag when it can.
pub fn set_flag_on_stop(flag: &Arc<AtomicBool>) -> io::Result<()> {
    for (sig, _) in CAUGHT {
        signal_hook::flag::register(sig, Arc::clone(flag))?;
    }
    Ok(())
}

/// Run `f` on a thread of its own when the first request to stop arrives
/// (the process then no longer ends by itself on one: `f` ends it).
#[cfg(unix)]
pub fn on_first_stop(f: impl FnOnce(Signal) + Send + 'static) -> io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new(CAUGHT.map(|(n, _)| n))?;
    std::thread::spawn(move || {
        if let Some(n) = signals.forever().next() {
            if let Some((_, s)) = CAUGHT.iter().find(|(m, _)| *m == n) {
                f(*s);
            }
        }
    });
    Ok(())
}

/// Run `f` on a thread of its own when the first request to stop arrives
/// (the process then no longer ends by itself on one: `f` ends it).
#[cfg(windows)]
pub fn on_first_stop(f: impl FnOnce(Signal) + Send + 'static) -> io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // 0: none yet; else 1 + the index in CAUGHT.
    let got = Arc::new(AtomicUsize::new(0));
    for (i, (sig, _)) in CAUGHT.iter().enumerate() {
        signal_hook::flag::register_usize(*sig, Arc::clone(&got), i + 1)?;
    }
    std::thread::spawn(move || loop {
        match got.load(Ordering::SeqCst) {
            0 => std::thread::sleep(std::time::Duration::from_millis(20)),
            i => return f(CAUGHT[i - 1].1),
        }
    });
    Ok(())
}
