//! The counter screen's face check: only after the staff press `f` with a
//! card's report on screen and type what is printed on the card (birth
//! date, expiry year, security code — `usecase::face::printed` builds
//! 照合番号B), one 照合番号B VERIFY under the policy every PIN goes through
//! (the counter read first, a locked code refused, the last try never
//! spent from the screen). The verdict and the face are shown until the
//! card leaves the reader, the staff close them, or [`SHOWN_FOR`] passes;
//! the typed parts are wiped once built, or when the entry is left.

use crate::error::{Error, Result};
use crate::protocol::PinKind;
use crate::report::face_image::{self, Grey};
use crate::usecase::face::{face_check, printed, FaceCheck};
use crate::usecase::pins::{Asker, Pin, Which};
use crate::usecase::CardOptions;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// How long a verdict and face (or an unfinished entry) stay on screen
/// with the card still on the reader.
pub const SHOWN_FOR: Duration = Duration::from_secs(60);

/// The longest part typed (a birth date in 和暦 with spaces is ~16).
const MAX_PART: usize = 40;

/// The pictures, decoded once when the result arrives (`None`: not shown,
/// or not decodable — `problem` says which).
#[derive(Default)]
pub struct Pictures {
    pub photo: Option<Grey>,
    pub name: Option<Grey>,
    pub address: Option<Grey>,
    /// A picture that could not be decoded (the decoder's words).
    pub problem: Option<String>,
}

/// What the check gave.
pub enum Done {
    Checked {
        check: Box<FaceCheck>,
        pictures: Pictures,
    },
    Failed(Error),
}

/// What the face part of the screen shows.
pub enum Panel {
    Off,
    /// Typing the printed parts: birth date, expiry year, security code.
    Entry {
        parts: [Zeroizing<String>; 3],
        at: usize,
        problem: Option<printed::Problem>,
        since: Instant,
    },
    Checking,
    Shown {
        done: Box<Done>,
        since: Instant,
    },
}

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyResult {
    /// Used by the face panel.
    Used,
    /// Not for the face panel.
    Ignored,
    /// Quit the screen (Ctrl-C while typing).
    Quit,
}

/// The face panel, its check's thread and the results it sends back.
pub struct Face {
    pub panel: Panel,
    /// Changes on every clear: a result for a card that left is dropped.
    generation: u64,
    tx: Sender<(u64, Done)>,
    rx: Receiver<(u64, Done)>,
}

impl Default for Face {
    fn default() -> Self {
        let (tx, rx) = channel();
        Face {
            panel: Panel::Off,
            generation: 0,
            tx,
            rx,
        }
    }
}

/// The policy's asker on the screen: the code built from the entry, no
/// prompt, and no consent to a last try (the screen never spends it).
struct Given(Option<Pin>);

impl Asker for Given {
    fn given(&mut self, _: PinKind, _: Which) -> Result<Option<Pin>> {
        Ok(self.0.take())
    }
    fn prompt(&mut self, kind: PinKind, _: Which, _: Option<u8>) -> Result<Pin> {
        Err(Error::NoPinSource { kind })
    }
    fn confirm_last_try(&mut self, _: PinKind, _: Option<u8>) -> Option<bool> {
        None
    }
    fn folded(&mut self, _: PinKind) {}
    fn has_terminal(&self) -> bool {
        false
    }
}

/// The pictures of a check whose face data are J-LIS's and unaltered.
pub fn pictures(c: &FaceCheck) -> Pictures {
    let mut p = Pictures::default();
    if !c.face_signed() {
        return p;
    }
    let mut note = |e: face_image::ImageError| {
        p.problem.get_or_insert(e.to_string());
    };
    let photo = face_image::decode_photo(&c.personal.photo)
        .map_err(&mut note)
        .ok();
    let name = face_image::decode_png(&c.personal.name_image)
        .map_err(&mut note)
        .ok();
    let address = face_image::decode_png(&c.personal.address_image)
        .map_err(&mut note)
        .ok();
    Pictures {
        photo,
        name,
        address,
        problem: p.problem,
    }
}

/// Run the check (the card on `o`'s reader) and the decoding.
pub fn check(o: &CardOptions, code: Pin) -> Done {
    match face_check(o, false, &mut Given(Some(code))) {
        Ok(c) => Done::Checked {
            pictures: pictures(&c),
            check: Box::new(c),
        },
        Err(e) => Done::Failed(e),
    }
}

impl Face {
    #[cfg(test)]
    pub fn is_on(&self) -> bool {
        !matches!(self.panel, Panel::Off)
    }

    /// Forget everything shown or typed (the card left, time passed, the
    /// staff closed it); a check still running is disowned.
    pub fn clear(&mut self) {
        self.panel = Panel::Off;
        self.generation += 1;
    }

    /// `f`: open the entry.
    pub fn open(&mut self, now: Instant) {
        self.clear();
        self.panel = Panel::Entry {
            parts: Default::default(),
            at: 0,
            problem: None,
            since: now,
        };
    }

    /// A key while the panel is on; `card` is the card on the reader.
    pub fn key(&mut self, k: KeyEvent, card: Option<&CardOptions>, now: Instant) -> KeyResult {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return KeyResult::Quit;
        }
        let Panel::Entry {
            parts,
            at,
            problem,
            since,
        } = &mut self.panel
        else {
            return match (&self.panel, k.code) {
                (Panel::Off, _) => KeyResult::Ignored,
                // While the VERIFY may be on its way, its answer (a try
                // spent?) must be seen: only quitting ends it.
                (Panel::Checking, KeyCode::Char('q')) => KeyResult::Ignored,
                (Panel::Checking, _) => KeyResult::Used,
                (_, KeyCode::Esc | KeyCode::Enter) => {
                    self.clear();
                    KeyResult::Used
                }
                _ => KeyResult::Ignored,
            };
        };
        // An entry left alone is wiped after SHOWN_FOR.
        *since = now;
        match k.code {
            KeyCode::Esc => self.clear(),
            KeyCode::Char(c)
                if parts[*at].chars().count() < MAX_PART
                    && !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                parts[*at].push(c)
            }
            KeyCode::Backspace => {
                parts[*at].pop();
            }
            KeyCode::Up | KeyCode::BackTab => *at = at.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab => *at = (*at + 1).min(2),
            KeyCode::Enter if *at < 2 => *at += 1,
            KeyCode::Enter => {
                let typed = format!("{}\n{}\n{}", *parts[0], *parts[1], *parts[2]);
                match printed::code_b(typed) {
                    Err(p) => {
                        *parts = Default::default();
                        *at = 0;
                        *problem = Some(p);
                    }
                    Ok(code) => match card {
                        Some(o) => self.start(o.clone(), code),
                        None => self.clear(),
                    },
                }
            }
            _ => {}
        }
        KeyResult::Used
    }

    /// The check on its own thread; the screen keeps drawing meanwhile.
    fn start(&mut self, o: CardOptions, code: Pin) {
        self.generation += 1;
        self.panel = Panel::Checking;
        let (tx, generation) = (self.tx.clone(), self.generation);
        std::thread::spawn(move || {
            let _ = tx.send((generation, check(&o, code)));
        });
    }

    /// A finished check (for this card) and the time limit.
    pub fn tick(&mut self, now: Instant) {
        while let Ok((generation, done)) = self.rx.try_recv() {
            if generation == self.generation && matches!(self.panel, Panel::Checking) {
                self.panel = Panel::Shown {
                    done: Box::new(done),
                    since: now,
                };
            }
        }
        let since = match &self.panel {
            Panel::Entry { since, .. } | Panel::Shown { since, .. } => Some(*since),
            _ => None,
        };
        if since.is_some_and(|s| now.saturating_duration_since(s) >= SHOWN_FOR) {
            self.clear();
        }
    }

    /// For the tests: a result as if a check had just finished.
    #[cfg(test)]
    pub fn show(&mut self, done: Done, now: Instant) {
        self.panel = Panel::Shown {
            done: Box::new(done),
            since: now,
        };
    }
}

#[cfg(test)]
mod tests;
