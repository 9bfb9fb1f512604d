//! `mynacard watch`: the counter screen. A full-screen view of the card on
//! the reader, card after card, for a glance while talking to a resident
//! (`status --watch` is the scrolling, scriptable form). By itself it reads
//! only what `status` reads without a PIN. The face check (`face`) sends a
//! 照合番号B VERIFY only after the staff press `f` and type the printed
//! parts, and shows the face only until the card leaves. It gives the
//! terminal back on every way out (q, Ctrl-C, SIGTERM, a panic).

#[cfg(feature = "pcsc")]
mod face;
#[cfg(feature = "pcsc")]
mod face_view;
#[cfg(feature = "pcsc")]
mod look;
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
    let mut face = face::Face::default();
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
            term.draw(|f| view::draw(f, &seen, &face.panel, look))
                .map_err(|e| Error::io("terminal", e))?;
        }
        if event::poll(Duration::from_millis(100)).map_err(|e| Error::io("terminal", e))? {
            if let Event::Key(k) = event::read().map_err(|e| Error::io("terminal", e))? {
                if k.kind != KeyEventKind::Press {
                    continue;
                }
                let card = card_on(ctx, &seen);
                match face.key(k, card.as_ref(), std::time::Instant::now()) {
                    face::KeyResult::Quit => return Ok(()),
                    face::KeyResult::Used => continue,
                    face::KeyResult::Ignored => {}
                }
                match k.code {
                    KeyCode::Char('f') if card.is_some() => face.open(std::time::Instant::now()),
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
            // Whatever came (the card left, another card, an outage): the
            // face shown or typed for the card before goes.
            face.clear();
        }
        face.tick(std::time::Instant::now());
    })();
    stop.store(true, Ordering::SeqCst);
    restore();
    crate::cli::signals::set_screen_restore(None);
    // The worker notices within one tick; its helper powers nothing it
    // verified (it sends no PIN). A face check still running ends with its
    // own budget and powers the card down itself.
    let _ = worker.join();
    r.map(|()| 0)
}

/// The card whose report is on screen, on its own reader (for the face
/// check).
#[cfg(feature = "pcsc")]
fn card_on(ctx: &Ctx, seen: &worker::Seen) -> Option<crate::usecase::CardOptions> {
    match seen {
        worker::Seen::Report { reader, .. } => {
            let mut o = ctx.card.clone();
            o.reader = Some(reader.clone());
            o.wait = None;
            Some(o)
        }
        _ => None,
    }
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
