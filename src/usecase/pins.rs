//! Commands that send a PIN, all the same way (`card::policy`): PINs from
//! files, variables or standard input are read and checked before the card
//! is touched; then the card is opened exclusively and every counter the
//! operation touches is read; a locked one is refused, a last try needs
//! consent. Whatever a person must type — the PIN at a prompt, the word
//! that confirms a last try — is asked with the card released and no
//! deadline running, after the counters said it may be used, and the
//! counters are read again before anything is sent.

use super::connect::{open, require_app, require_jpki, transact, CardMeta, CardOptions};
use crate::card::policy::{self, Counters};
use crate::card::Session;
use crate::error::{Error, Result};
use crate::protocol::{App, KeyRef, PinKind};
use std::collections::HashMap;

/// Which PIN of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Which {
    Current,
    /// The new PIN of a change.
    New,
}

/// Where PINs and consent come from: the command line provides it.
pub trait Asker {
    /// The PIN from a source that needs no person (file, environment,
    /// standard input), or `None` when it must be asked for.
    fn given(&mut self, kind: PinKind, which: Which) -> Result<Option<Pin>>;
    /// Ask a person for it (the card is released meanwhile), saying how
    /// many tries are left.
    fn prompt(&mut self, kind: PinKind, which: Which, left: Option<u8>) -> Result<Pin>;
    /// On a terminal, ask the person to confirm using the last try (typing
    /// the kind's name); `None` when there is no terminal to ask at (then
    /// `--force-last-try` alone is the consent).
    fn confirm_last_try(&mut self, kind: PinKind, left: Option<u8>) -> Option<bool>;
    /// Lowercase letters were made uppercase: say so before it is sent.
    fn folded(&mut self, kind: PinKind);
    /// Whether a person at a terminal can be asked.
    fn has_terminal(&self) -> bool;
    /// Every PIN from a non-interactive source has been read (the asker may
    /// now forget where they came from, e.g. remove environment variables).
    fn given_done(&mut self) {}
}

/// One PIN an operation needs.
#[derive(Debug, Clone)]
pub struct Need {
    pub kind: PinKind,
    /// The references it is verified on (all of the kind's by default).
    pub refs: Vec<KeyRef>,
    /// A change: the new PIN is needed too.
    pub change: bool,
}

impl Need {
    pub fn verify(kind: PinKind) -> Need {
        Need {
            kind,
            refs: kind.refs().to_vec(),
            change: false,
        }
    }

    pub fn change(kind: PinKind, refs: Vec<KeyRef>) -> Need {
        Need {
            kind,
            refs,
            change: true,
        }
    }

    fn whiches(&self) -> &'static [Which] {
        if self.change {
            &[Which::Current, Which::New]
        } else {
            &[Which::Current]
        }
    }
}

/// The PINs read for an operation (checked, ready to send).
#[derive(Default)]
pub struct Pins(HashMap<(PinKind, Which), CheckedPin>);

impl Pins {
    pub fn get(&self, kind: PinKind, which: Which) -> Result<&CheckedPin> {
        self.0.get(&(kind, which)).ok_or_else(|| {
            Error::PinInput(format!("no {} PIN was read for {kind}", which_en(which)))
        })
    }

    /// Check `pin`'s format and keep it.
    fn put(&mut self, asker: &mut dyn Asker, kind: PinKind, which: Which, pin: Pin) -> Result<()> {
        let (pin, folded) = CheckedPin::check(kind, &pin).map_err(|problem| Error::PinFormat {
            kind,
            problem,
            new: which == Which::New,
        })?;
        if folded {
            asker.folded(kind);
        }
        self.0.insert((kind, which), pin);
        Ok(())
    }
}

fn which_en(w: Which) -> &'static str {
    match w {
        Which::Current => "current",
        Which::New => "new",
    }
}

enum Step<T> {
    Done(T),
    /// A person must type something; the card is released first.
    Ask {
        counters: Counters,
        consent: Vec<PinKind>,
        prompts: Vec<(PinKind, Which)>,
    },
}

/// Run `work` with the PINs `needs`, under the policy. `check` runs first
/// on every attempt (e.g. "does the card hold a signature certificate"),
/// before any counter is read or anything is asked.
pub fn with_pins<T>(
    o: &CardOptions,
    force_last_try: bool,
    needs: &[Need],
    asker: &mut dyn Asker,
    mut check: impl FnMut(&mut Session) -> Result<()>,
    work: impl FnOnce(&mut Session, &CardMeta, &Pins, &Counters) -> Result<T>,
) -> Result<T> {
    let mut pins = Pins::default();
    for n in needs {
        for &w in n.whiches() {
            if let Some(p) = asker.given(n.kind, w)? {
                pins.put(asker, n.kind, w, p)?;
            }
        }
    }
    asker.given_done();
    // A PIN that only a person could type, and no terminal: fail before
    // the card is touched.
    if !asker.has_terminal() {
        for n in needs {
            for &w in n.whiches() {
                if !pins.0.contains_key(&(n.kind, w)) {
                    asker.prompt(n.kind, w, None)?;
                }
            }
        }
    }
    let refs: Vec<KeyRef> = needs.iter().flat_map(|n| n.refs.iter().copied()).collect();
    let mut work = Some(work);
    let mut consented: Vec<PinKind> = Vec::new();
    let mut seen: Option<Counters> = None;
    loop {
        let mut conn = open(o, true)?;
        let (r, verified) = transact(o, conn.as_mut(), |s, meta| {
            let first = refs.first().map_or(App::Jpki, |r| r.app());
            require_app(s, meta, first)?;
            check(s)?;
            let counters = policy::read_counters(s, &refs)?;
            if let Some(before) = &seen {
                if *before != counters {
                    let kind = counters
                        .0
                        .iter()
                        .zip(&before.0)
                        .find(|(a, b)| a != b)
                        .and_then(|(a, _)| a.0.kind())
                        .unwrap_or(needs[0].kind);
                    return Err(Error::CountersChanged { kind });
                }
            }
            let last = counters.check(force_last_try)?;
            let consent: Vec<PinKind> = last
                .into_iter()
                .filter(|k| !consented.contains(k))
                .collect();
            let prompts: Vec<(PinKind, Which)> = needs
                .iter()
                .flat_map(|n| n.whiches().iter().map(move |&w| (n.kind, w)))
                .filter(|k| !pins.0.contains_key(k))
                .collect();
            let on_terminal = !consent.is_empty() && asker.has_terminal();
            if !prompts.is_empty() || on_terminal {
                return Ok(Step::Ask {
                    counters,
                    consent: if on_terminal { consent } else { Vec::new() },
                    prompts,
                });
            }
            match work.take() {
                Some(w) => w(s, meta, &pins, &counters).map(Step::Done),
                None => Err(Error::Usage(crate::error::Misuse::Internal(
                    "the card work ran twice",
                ))),
            }
        });
        let closed = conn.close(verified);
        let step = super::connect::combine(r, closed, verified)?;
        let (counters, consent, prompts) = match step {
            Step::Done(v) => return Ok(v),
            Step::Ask {
                counters,
                consent,
                prompts,
            } => (counters, consent, prompts),
        };
        if seen.is_some() {
            // Everything was asked the first time round.
            return Err(Error::Usage(crate::error::Misuse::Internal(
                "asked for a PIN twice",
            )));
        }
        for k in consent {
            if asker.confirm_last_try(k, counters.left(k)) != Some(true) {
                return Err(Error::LastTry {
                    kind: k,
                    left: counters.left(k),
                });
            }
            consented.push(k);
        }
        for (k, w) in prompts {
            let p = asker.prompt(k, w, counters.left(k))?;
            pins.put(asker, k, w, p)?;
        }
        seen = Some(counters);
    }
}

/// Whether an error means only that a PIN could not be used (locked, last
/// try, no source, wrong…): a part of a report that needed it is left out,
/// the rest stands; anything else ends the command.
pub(super) fn password_not_used(e: &Error) -> bool {
    matches!(
        e,
        Error::PinLocked { .. }
            | Error::LockedByThisEntry { .. }
            | Error::LastTry { .. }
            | Error::WrongPin { .. }
            | Error::PinFormat { .. }
            | Error::NoPinSource { .. }
            | Error::PinInput(_)
            | Error::CountersChanged { .. }
            | Error::Absent { .. }
    )
}

/// The PIN kind an error is about, when it is one.
pub(super) fn kind_of(e: &Error) -> Option<PinKind> {
    match e {
        Error::PinLocked { kind }
        | Error::LockedByThisEntry { kind }
        | Error::LastTry { kind, .. }
        | Error::WrongPin { kind, .. }
        | Error::PinFormat { kind, .. }
        | Error::NoPinSource { kind, .. }
        | Error::CountersChanged { kind, .. } => Some(*kind),
        _ => None,
    }
}

pub use crate::card::pin::{CheckedPin, CounterState, Pin, PinStatus, RefStatus};

/// Every PIN's counter, read without spending a try (no PIN is sent).
pub fn status(o: &CardOptions) -> Result<Vec<PinStatus>> {
    super::connect::with_card(o, false, |s, meta| {
        require_jpki(s, meta)?;
        crate::card::pin::read_all(s)
    })
}

/// Check a PIN on every key reference that holds it, under the policy.
pub fn verify(
    o: &CardOptions,
    kind: PinKind,
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<()> {
    with_pins(
        o,
        force_last_try,
        &[Need::verify(kind)],
        asker,
        |_| Ok(()),
        |s, _, pins, _| {
            for &r in kind.refs() {
                policy::verify(s, r, pins.get(kind, Which::Current)?)?;
            }
            Ok(())
        },
    )
}

/// Change a PIN on `refs` (all of the kind's unless finishing a half-done
/// change), under the policy.
pub fn change(
    o: &CardOptions,
    kind: PinKind,
    refs: &[KeyRef],
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<()> {
    with_pins(
        o,
        force_last_try,
        &[Need::change(kind, refs.to_vec())],
        asker,
        |_| Ok(()),
        |s, _, pins, _| {
            policy::change(
                s,
                kind,
                refs,
                pins.get(kind, Which::Current)?,
                pins.get(kind, Which::New)?,
            )
        },
    )
}
