//! Following the reader for the counter screen, on a thread of its own:
//! what is on the reader now (nothing, reading, a report, a failure), and
//! the states around it (no PC/SC service, no reader), recovering by itself
//! when the cause goes away. Only what `status` reads without a PIN.

use crate::error::Error;
use crate::transport::agent::Agent;
use crate::usecase::status::{status, Request, Status};
use crate::usecase::CardOptions;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the screen shows.
pub enum Seen {
    Starting,
    /// pcscd is not running (or went away).
    NoService,
    /// No reader, or none that `--reader` names.
    NoReader,
    /// The reader is empty: place the next card.
    Waiting {
        reader: String,
    },
    Reading {
        reader: String,
    },
    Report {
        reader: String,
        /// When it was read (JST, `HH:MM:SS`).
        at: String,
        status: Box<Status>,
    },
    /// The card could not be read; the error says why (not a My Number
    /// Card, busy, a read error).
    Failed {
        reader: String,
        error: Error,
    },
}

const TICK: Duration = Duration::from_millis(200);
const RETRY: Duration = Duration::from_secs(1);

fn pause(stop: &AtomicBool, d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
}

/// The state a failure of the reader or the service means.
fn outage(e: &Error) -> Seen {
    match e {
        Error::NoReader | Error::ReaderNotFound { .. } => Seen::NoReader,
        _ => Seen::NoService,
    }
}

/// Follow the reader until `stop`; every change goes to `tx`.
pub fn follow(o: CardOptions, tx: Sender<Seen>, stop: Arc<AtomicBool>) {
    let send = |s: Seen| tx.send(s).is_ok();
    'service: while !stop.load(Ordering::SeqCst) {
        let mut p = match Agent::spawn(o.budget()) {
            Ok(p) => p,
            Err(e) => {
                send(outage(&e));
                pause(&stop, RETRY);
                continue;
            }
        };
        let names: Vec<String> = match p.readers() {
            Ok(r) => r.into_iter().map(|r| r.name).collect(),
            Err(e) => {
                send(outage(&e));
                pause(&stop, RETRY);
                continue;
            }
        };
        let reader = match &o.reader {
            Some(q) => crate::usecase::connect::choose_reader(&names, q).ok(),
            None => names.first().cloned(),
        };
        let Some(reader) = reader else {
            send(Seen::NoReader);
            pause(&stop, RETRY);
            continue;
        };
        loop {
            if !send(Seen::Waiting {
                reader: reader.clone(),
            }) {
                return;
            }
            loop {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                match p.wait_for_card(&reader, TICK) {
                    Ok(()) => break,
                    Err(Error::NoCard { .. }) => continue,
                    Err(e) => {
                        send(outage(&e));
                        pause(&stop, RETRY);
                        continue 'service;
                    }
                }
            }
            let seen = match p.card_event(&reader) {
                Ok((_, seen)) => seen,
                Err(e) => {
                    send(outage(&e));
                    continue 'service;
                }
            };
            send(Seen::Reading {
                reader: reader.clone(),
            });
            let mut one = o.clone();
            one.reader = Some(reader.clone());
            one.wait = None;
            let today = crate::rules::today_jst();
            let r = status(
                &one,
                Request {
                    today,
                    at: time::OffsetDateTime::now_utc(),
                    sign: None,
                    compare_holder: false,
                    lang: crate::i18n::Lang::En,
                },
            );
            let at = crate::rules::now_jst_string();
            let at = at.get(11..19).unwrap_or(&at).to_string();
            send(match r {
                Ok(st) => Seen::Report {
                    reader: reader.clone(),
                    at,
                    status: Box::new(st),
                },
                // Pulled mid-read: the next state is the empty reader.
                Err(Error::CardRemoved) => continue,
                Err(error) => Seen::Failed {
                    reader: reader.clone(),
                    error,
                },
            });
            loop {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                match p.wait_for_removal(&reader, seen, TICK) {
                    Ok(true) => break,
                    Ok(false) => continue,
                    Err(e) => {
                        send(outage(&e));
                        pause(&stop, RETRY);
                        continue 'service;
                    }
                }
            }
        }
    }
}
