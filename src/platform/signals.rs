//! The requests to stop that a process gets from outside, as one portable
//! value.
//!
//! - Unix: SIGINT, SIGTERM and SIGHUP (`signal-hook`), waited for on a
//!   thread of their own.
//! - Windows: the console's Ctrl-C and Ctrl-Break, through a console
//!   control handler (`ctrlc`, which runs the action on a thread of its
//!   own). Not `signal-hook`: on Windows it asks the C runtime for the
//!   current handler with `signal(sig, SIG_GET)`, which the `msvcrt.dll`
//!   the GNU target links may take for a handler at address 2 (under wine
//!   the first Ctrl-C jumped there). The closing of the console window, a log-off and a shutdown reach
//!   the same handler, but Windows ends the process as soon as it returns:
//!   the PC/SC helper (which has no console) then sees its input end and
//!   powers the card down itself.

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

/// Windows: the console's Ctrl-C and Ctrl-Break (one console handler,
/// which cannot tell them apart).
#[cfg(windows)]
const CONSOLE_STOP: Signal = Signal {
    name: "Ctrl-C/Ctrl-Break",
    exit_code: 130,
};

/// Set `flag` when any request to stop arrives (the PC/SC helper, `vcard
/// serve`): the process goes on, and looks at the flag when it can.
#[cfg(unix)]
pub fn set_flag_on_stop(flag: &Arc<AtomicBool>) -> io::Result<()> {
    for (sig, _) in CAUGHT {
        signal_hook::flag::register(sig, Arc::clone(flag))?;
    }
    Ok(())
}

/// Set `flag` when any request to stop arrives (the PC/SC helper, `vcard
/// serve`): the process goes on, and looks at the flag when it can.
#[cfg(windows)]
pub fn set_flag_on_stop(flag: &Arc<AtomicBool>) -> io::Result<()> {
    let flag = Arc::clone(flag);
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
        .map_err(io::Error::other)
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
    let mut f = Some(f);
    ctrlc::set_handler(move || {
        if let Some(f) = f.take() {
            f(CONSOLE_STOP)
        }
    })
    .map_err(io::Error::other)
}
