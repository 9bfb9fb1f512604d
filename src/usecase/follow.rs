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
    /// The reader being followed (once per connection to the service).
    Following { reader: String },
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
    /// With several readers and no `--reader`, end with `READER_AMBIGUOUS`
    /// instead of taking the first.
    pub one_reader: bool,
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

/// The reader to follow among `names`: the one `--reader` names, or the
/// only one (the first, unless `mode.one_reader`).
#[cfg(feature = "pcsc")]
fn which_reader(o: &CardOptions, mode: Mode, names: &[String]) -> Result<String> {
    match (&o.reader, names.len()) {
        (Some(q), _) => super::connect::choose_reader(names, q),
        (None, 0) => Err(Error::NoReader),
        (None, n) if n > 1 && mode.one_reader => Err(Error::AmbiguousReader {
            query: "(--watch needs one reader: give --reader)".into(),
            matches: names.to_vec(),
        }),
        (None, _) => Ok(names[0].clone()),
    }
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
    // An outage ends the command, or is shown and waited out.
    macro_rules! outage {
        ($e:expr) => {{
            let e = $e;
            if !mode.recover {
                return Err(e);
            }
            if !on(outage(&e)) {
                return Ok(());
            }
            pause(stop, RETRY);
        }};
    }
    'service: while !stop.load(Ordering::SeqCst) {
        let mut p = match Agent::spawn(o.budget()) {
            Ok(p) => p,
            Err(e) => {
                outage!(e);
                continue;
            }
        };
        let names: Vec<String> = match p.readers() {
            Ok(r) => r.into_iter().map(|r| r.name).collect(),
            Err(e) => {
                outage!(e);
                continue;
            }
        };
        let reader = match which_reader(o, mode, &names) {
            Ok(r) => r,
            Err(e @ Error::AmbiguousReader { .. }) => return Err(e),
            Err(e) => {
                outage!(e);
                continue;
            }
        };
        if !on(Event::Following {
            reader: reader.clone(),
        }) {
            return Ok(());
        }
        let mut one = o.clone();
        one.reader = Some(reader.clone());
        one.wait = None;
        loop {
            if !on(Event::Waiting {
                reader: reader.clone(),
            }) {
                return Ok(());
            }
            loop {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                match p.wait_for_card(&reader, TICK) {
                    Ok(()) => break,
                    Err(Error::NoCard { .. }) => continue,
                    Err(e) => {
                        outage!(e);
                        continue 'service;
                    }
                }
            }
            let seen = match p.card_event(&reader) {
                Ok((_, seen)) => seen,
                Err(e) => {
                    outage!(e);
                    continue 'service;
                }
            };
            if !on(Event::Reading {
                reader: reader.clone(),
            }) {
                return Ok(());
            }
            let event = match read(&one) {
                Ok(st) => Event::Report {
                    reader: reader.clone(),
                    status: Box::new(st),
                },
                Err(error) => Event::Failed {
                    reader: reader.clone(),
                    error,
                },
            };
            if !on(event) {
                return Ok(());
            }
            loop {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                match p.wait_for_removal(&reader, seen, TICK) {
                    Ok(true) => break,
                    Ok(false) => continue,
                    Err(e) => {
                        outage!(e);
                        continue 'service;
                    }
                }
            }
            if !on(Event::Removed {
                reader: reader.clone(),
            }) {
                return Ok(());
            }
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
