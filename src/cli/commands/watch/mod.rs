//! `mynacard watch`: the counter screen. A full-screen view of the card on
//! the reader, card after card, for a glance while talking to a resident
//! (`status --watch` is the scrolling, scriptable form). It reads only what
//! `status` reads without a PIN, and gives the terminal back on every way
//! out (q, Ctrl-C, SIGTERM, a panic).

#[cfg(feature = "pcsc")]
mod view;
#[cfg(feature = "pcsc")]
mod worker;

use super::Ctx;
use crate::error::{Error, Result};

#[cfg(feature = "pcsc")]
pub fn run(ctx: &Ctx) -> Result<i32> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};
    use std::time::Duration;
    if ctx.g.virtual_card.is_some() {
        return Err(Error::Usage(crate::error::Misuse::WatchVirtual));
    }
    if ctx.g.json || ctx.g.trace || ctx.g.wait.is_some() {
        return Err(Error::Usage(crate::error::Misuse::ScreenOptions));
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::Usage(crate::error::Misuse::ScreenNeedsTerminal));
    }
    // A signal ends the screen normally (exit 0), the terminal restored.
    crate::cli::signals::set_watching();
    crate::cli::signals::set_screen_restore(Some(restore));
    let mut term = ratatui::init();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let worker = {
        let (o, stop) = (ctx.card.clone(), Arc::clone(&stop));
        std::thread::spawn(move || worker::follow(o, tx, stop))
    };
    let mut seen = worker::Seen::Starting;
    let mut look = view::Look {
        lang: ctx.lang,
        color: ctx.color,
    };
    let r: Result<()> = (|| loop {
        {
            // Drawn only while the screen is on: a signal's restore holds
            // the same lock, so nothing is drawn over the restored terminal.
            let on = SCREEN
                .lock()
                .map_err(|_| Error::Helper("screen lock".into()))?;
            if !*on {
                return Ok(());
            }
            term.draw(|f| view::draw(f, &seen, look))
                .map_err(|e| Error::io("terminal", e))?;
        }
        if event::poll(Duration::from_millis(100)).map_err(|e| Error::io("terminal", e))? {
            if let Event::Key(k) = event::read().map_err(|e| Error::io("terminal", e))? {
                if k.kind != KeyEventKind::Press {
                    continue;
                }
                match k.code {
                    KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        return Ok(())
                    }
                    KeyCode::Char('l') => {
                        look.lang = match look.lang {
                            crate::i18n::Lang::Ja => crate::i18n::Lang::En,
                            crate::i18n::Lang::En => crate::i18n::Lang::Ja,
                        }
                    }
                    _ => {}
                }
            }
        }
        while let Ok(s) = rx.try_recv() {
            if matches!(s, worker::Seen::Report { .. }) {
                crate::testhook::point("watch-report");
            }
            seen = s;
        }
    })();
    stop.store(true, Ordering::SeqCst);
    restore();
    crate::cli::signals::set_screen_restore(None);
    // The worker notices within one tick; its helper powers nothing it
    // verified (no PIN is ever sent here).
    let _ = worker.join();
    r.map(|()| 0)
}

/// Whether the full screen is on; held while drawing.
#[cfg(feature = "pcsc")]
static SCREEN: std::sync::Mutex<bool> = std::sync::Mutex::new(true);

/// Leave the full screen (once): raw mode off, the main screen and cursor
/// back.
#[cfg(feature = "pcsc")]
fn restore() {
    let Ok(mut on) = SCREEN.lock() else { return };
    if !*on {
        return;
    }
    *on = false;
    ratatui::restore();
    // The cursor too (ratatui shows it again only when its terminal is
    // dropped, which a signal's exit never does).
    let _ = ratatui::crossterm::execute!(std::io::stdout(), ratatui::crossterm::cursor::Show);
}

#[cfg(not(feature = "pcsc"))]
pub fn run(_ctx: &Ctx) -> Result<i32> {
    Err(Error::NoPcscBuild)
}
