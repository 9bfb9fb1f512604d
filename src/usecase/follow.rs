//! Following one reader card after card — the one loop behind `status
//! --watch` (lines) and `watch` (the counter screen): wait for a card, read
//! its report, wait for its removal, and again, until told to stop. Only
//! what `status` reads without a PIN.

use super::connect::CardOptions;
use super::status::Status;
use crate::error::{Error, Result};
use std::sync::atomic::AtomicBool;
#[cfg(feature = "pcsc")]
use std::sync::atomic::Ordering;
#[cfg(feature = "pcsc")]
use std::time::{Duration, Instant};

/// What happened on the reader.
pub enum Event {
    /// Several readers and none holds a card: the first card chooses
    /// (said once).
    Choosing { readers: Vec<String> },
    /// The reader being followed (when it is chosen, and when another is:
    /// `by_card`, the one of several that a card was put on).
    Following { reader: String, by_card: bool },
    /// pcscd is not running (or went away); tried again (`recover`).
    NoService,
    /// No reader, or none that `--reader` names; tried again (`recover`).
    NoReader,
    /// The reader is empty: place the next card.
    Waiting { reader: String },
    /// A card arrived and is being read.
    Reading { reader: String },
    /// Its report.
    Report { reader: String, status: Box<Status> },
    /// The card could not be read; the error says why (pulled mid-read:
    /// `CardRemoved`).
    Failed { reader: String, error: Error },
    /// The card was taken off.
    Removed { reader: String },
}

/// How to follow.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Ride out a missing service or reader (the counter screen), instead
    /// of ending with the error (`status --watch`).
    pub recover: bool,
    /// With several readers and no `--reader`, follow the one a card is
    /// put on (each card afresh), instead of the first reader.
    pub by_card: bool,
}

#[cfg(feature = "pcsc")]
const TICK: Duration = Duration::from_millis(200);
#[cfg(feature = "pcsc")]
const RETRY: Duration = Duration::from_secs(1);

#[cfg(feature = "pcsc")]
fn pause(stop: &AtomicBool, d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
}

#[cfg(feature = "pcsc")]
fn outage(e: &Error) -> Event {
    match e {
        Error::NoReader | Error::ReaderNotFound { .. } => Event::NoReader,
        _ => Event::NoService,
    }
}

/// The reader to follow: the one `--reader` names, the only one, or (with
/// several and `mode.by_card`) the first that holds a card, waited for;
/// `None` when stopped while waiting. The flag says it was chosen by card.
#[cfg(feature = "pcsc")]
fn which_reader(
    o: &CardOptions,
    mode: Mode,
    p: &mut crate::transport::agent::Agent,
    stop: &AtomicBool,
    said: &mut bool,
    on: &mut dyn FnMut(Event) -> bool,
) -> Result<Option<(String, bool)>> {
    loop {
        let readers = p.readers()?;
        let names: Vec<String> = readers.iter().map(|r| r.name.clone()).collect();
        match (&o.reader, names.len()) {
            (Some(q), _) => {
                return super::connect::choose_reader(&names, q).map(|r| Some((r, false)))
            }
            (None, 0) => return Err(Error::NoReader),
            (None, n) if n > 1 && mode.by_card => {
                if let Some(r) = readers.into_iter().find(|r| r.card_present) {
                    return Ok(Some((r.name, true)));
                }
                if !std::mem::replace(said, true) && !on(Event::Choosing { readers: names }) {
                    return Ok(None);
                }
            }
            (None, _) => return Ok(Some((names[0].clone(), false))),
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        std::thread::sleep(TICK);
    }
}

/// How one card on the reader ended.
#[cfg(feature = "pcsc")]
enum Step {
    /// Stopped, or `on` said so.
    Stop,
    /// Removed: the next card.
    Next,
    /// The service or the reader went away.
    Outage(Error),
}

/// Wait for a card on `reader`, report it, wait for its removal.
#[cfg(feature = "pcsc")]
fn one_card(
    p: &mut crate::transport::agent::Agent,
    one: &CardOptions,
    reader: &str,
    stop: &AtomicBool,
    read: &mut dyn FnMut(&CardOptions) -> Result<Status>,
    on: &mut dyn FnMut(Event) -> bool,
) -> Step {
    let r = || reader.to_string();
    if !on(Event::Waiting { reader: r() }) {
        return Step::Stop;
    }
    loop {
        if stop.load(Ordering::SeqCst) {
            return Step::Stop;
        }
        match p.wait_for_card(reader, TICK) {
            Ok(()) => break,
            Err(Error::NoCard { .. }) => continue,
            Err(e) => return Step::Outage(e),
        }
    }
    let seen = match p.card_event(reader) {
        Ok((_, seen)) => seen,
        Err(e) => return Step::Outage(e),
    };
    if !on(Event::Reading { reader: r() }) {
        return Step::Stop;
    }
    let event = match read(one) {
        Ok(st) => Event::Report {
            reader: r(),
            status: Box::new(st),
        },
        Err(error) => Event::Failed { reader: r(), error },
    };
    if !on(event) {
        return Step::Stop;
    }
    loop {
        if stop.load(Ordering::SeqCst) {
            return Step::Stop;
        }
        match p.wait_for_removal(reader, seen, TICK) {
            Ok(true) => break,
            Ok(false) => continue,
            Err(e) => return Step::Outage(e),
        }
    }
    if !on(Event::Removed { reader: r() }) {
        return Step::Stop;
    }
    Step::Next
}

/// Follow until `stop` is set or `on` returns false. `read` makes the
/// report of the card on the reader it is given (`CardOptions` naming it).
#[cfg(feature = "pcsc")]
pub fn follow(
    o: &CardOptions,
    mode: Mode,
    stop: &AtomicBool,
    read: &mut dyn FnMut(&CardOptions) -> Result<Status>,
    on: &mut dyn FnMut(Event) -> bool,
) -> Result<()> {
    use crate::transport::agent::Agent;
    let mut followed: Option<String> = None;
    let mut said = false;
    // An outage ends the command, or is shown and waited out.
    let ride_out = |e: Error, on: &mut dyn FnMut(Event) -> bool| -> Result<bool> {
        if !mode.recover {
            return Err(e);
        }
        if !on(outage(&e)) {
            return Ok(false);
        }
        pause(stop, RETRY);
        Ok(true)
    };
    while !stop.load(Ordering::SeqCst) {
        let mut p = match Agent::spawn(o.budget()) {
            Ok(p) => p,
            Err(e) => match ride_out(e, on)? {
                true => continue,
                false => return Ok(()),
            },
        };
        // Choose the reader (again after each card when chosen by card).
        let e = loop {
            let (reader, by_card) = match which_reader(o, mode, &mut p, stop, &mut said, on) {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(e) => break e,
            };
            if followed.as_deref() != Some(reader.as_str()) {
                followed = Some(reader.clone());
                let reader = reader.clone();
                if !on(Event::Following { reader, by_card }) {
                    return Ok(());
                }
            }
            let mut one = o.clone();
            one.reader = Some(reader.clone());
            one.wait = None;
            let step = loop {
                match one_card(&mut p, &one, &reader, stop, read, on) {
                    Step::Next if !by_card => continue,
                    s => break s,
                }
            };
            match step {
                Step::Stop => return Ok(()),
                Step::Next => continue,
                Step::Outage(e) => break e,
            }
        };
        if !ride_out(e, on)? {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(not(feature = "pcsc"))]
pub fn follow(
    _o: &CardOptions,
    _mode: Mode,
    _stop: &AtomicBool,
    _read: &mut dyn FnMut(&CardOptions) -> Result<Status>,
    _on: &mut dyn FnMut(Event) -> bool,
) -> Result<()> {
    Err(Error::NoPcscBuild)
}
