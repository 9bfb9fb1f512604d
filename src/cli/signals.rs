//! Every way out of the process leaves the card powered down and the
//! terminal as it was: SIGINT, SIGTERM and SIGHUP (on Windows Ctrl-C and
//! Ctrl-Break; `platform::signals`) are handled on a thread of their own,
//! and a panic (a closed pipe among them) first stops the PC/SC helpers,
//! which power their cards down.

use super::Ctx;
use crate::error::Error;
use crate::platform::term::{self, TermState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The exit code of a program killed by SIGPIPE (128 + 13).
pub const CLOSED_PIPE_EXIT: i32 = 141;

/// `status --watch`: a signal is the normal way to stop (exit 0, no error).
static WATCHING: AtomicBool = AtomicBool::new(false);

/// Called by the main thread on its way out: while a signal is being
/// handled, leave the ending to that thread (at most 10 s).
pub fn let_a_signal_finish() {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while super::output::last_word_taken() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub fn set_watching() {
    WATCHING.store(true, Ordering::SeqCst);
}

/// The terminal settings saved before a no-echo prompt, restored if the
/// process ends during it.
static SAVED_TTY: Mutex<Option<TermState>> = Mutex::new(None);

/// Run `f` (a no-echo prompt) with the terminal's settings saved, so that a
/// signal during it can give the echo back.
pub fn with_saved_tty<T>(f: impl FnOnce() -> T) -> T {
    if let (Some(saved), Ok(mut g)) = (term::save(), SAVED_TTY.lock()) {
        *g = Some(saved);
    }
    let r = f();
    if let Ok(mut g) = SAVED_TTY.lock() {
        *g = None;
    }
    r
}

/// A full-screen view's way back to the ordinary terminal (`watch`),
/// called on every way out: a signal, a panic.
static SCREEN_RESTORE: Mutex<Option<fn()>> = Mutex::new(None);

pub fn set_screen_restore(f: Option<fn()>) {
    if let Ok(mut g) = SCREEN_RESTORE.lock() {
        *g = f;
    }
}

fn restore_tty() {
    if let Some(f) = SCREEN_RESTORE.try_lock().ok().and_then(|g| *g) {
        f();
    }
    let Ok(g) = SAVED_TTY.try_lock() else { return };
    if let Some(saved) = g.as_ref() {
        if term::restore(saved).is_ok() {
            let _ = std::io::Write::write_all(&mut std::io::stderr(), b"\n");
        }
    }
}

/// Stop every PC/SC helper; `Some(error)` when a card that got a PIN could
/// not be confirmed powered down.
#[cfg(feature = "pcsc")]
fn stop_helpers() -> bool {
    crate::usecase::connect::stop_helpers()
}

#[cfg(not(feature = "pcsc"))]
fn stop_helpers() -> bool {
    false
}

fn is_broken_pipe(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let msg = info
        .payload()
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| info.payload().downcast_ref::<&str>().copied())
        .unwrap_or("");
    crate::platform::is_closed_pipe_message(msg)
}

/// Install the signal thread and the panic hook (once, at start).
pub fn install(ctx: &Ctx) {
    let mut wctx = ctx.with_global(ctx.g.clone());
    wctx.color = false;
    let _ = crate::platform::signals::on_first_stop(move |sig| {
        super::output::take_last_word();
        let left = stop_helpers();
        restore_tty();
        // Let a line being printed finish; print nothing after it.
        let out = std::io::stdout();
        let mut lock = out.lock();
        let _ = std::io::Write::flush(&mut lock);
        let e = Error::Interrupted {
            signal: sig.name,
            code: sig.exit_code,
        };
        let e = if left {
            Error::LeftPowered {
                cause: Some(Box::new(e)),
            }
        } else {
            e
        };
        if WATCHING.load(Ordering::SeqCst) && !left {
            std::process::exit(0);
        }
        drop(lock);
        super::output::print_error(&wctx, &e);
        std::process::exit(e.exit_code());
    });
    let mut pctx = ctx.with_global(ctx.g.clone());
    pctx.color = false;
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let left = stop_helpers();
        restore_tty();
        if left {
            super::output::print_error(&pctx, &Error::LeftPowered { cause: None });
        }
        if is_broken_pipe(info) {
            // The reader of our output went away: end quietly, as a
            // program killed by SIGPIPE would.
            std::process::exit(CLOSED_PIPE_EXIT);
        }
        default(info);
    }));
}
