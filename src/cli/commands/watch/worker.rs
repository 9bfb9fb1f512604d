//! Following the reader for the counter screen, on a thread of its own:
//! what is on the reader now (nothing, reading, a report, a failure), and
//! the states around it (no PC/SC service, no reader), recovering by itself
//! when the cause goes away. Only what `status` reads without a PIN.

use crate::error::Error;
use crate::usecase::follow::{Event, Mode};
use crate::usecase::status::{status, Request, Status};
use crate::usecase::CardOptions;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;

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

/// Follow the reader until `stop`; every change goes to `tx`.
pub fn follow(o: CardOptions, tx: Sender<Seen>, stop: Arc<AtomicBool>) {
    let mut read = |one: &CardOptions| {
        status(
            one,
            Request {
                today: crate::rules::today_jst(),
                at: time::OffsetDateTime::now_utc(),
                sign: None,
                compare_holder: false,
                lang: crate::i18n::Lang::En,
            },
        )
    };
    let mut on = |e: Event| -> bool {
        let seen = match e {
            Event::NoService => Seen::NoService,
            Event::NoReader => Seen::NoReader,
            Event::Waiting { reader } => Seen::Waiting { reader },
            Event::Reading { reader } => Seen::Reading { reader },
            Event::Report { reader, status } => {
                let at = crate::rules::now_jst_string();
                Seen::Report {
                    reader,
                    at: at.get(11..19).unwrap_or(&at).to_string(),
                    status,
                }
            }
            // Pulled mid-read: the next state is the empty reader.
            Event::Failed {
                error: Error::CardRemoved,
                ..
            }
            | Event::Following { .. }
            | Event::Choosing { .. }
            | Event::Removed { .. } => return true,
            Event::Failed { reader, error } => Seen::Failed { reader, error },
        };
        tx.send(seen).is_ok()
    };
    let mode = Mode {
        recover: true,
        by_card: false,
    };
    // Recovering, it ends only when stopped.
    let _ = crate::usecase::follow::follow(&o, mode, &stop, &mut read, &mut on);
}
