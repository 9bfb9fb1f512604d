//! The in-process virtual card as a transport: APDUs are encoded to bytes
//! and handed to the card's byte-level processor, exactly as a reader would.
//! A card that its profile makes slow or silent runs on a thread of its own
//! so that it is given up on at the deadline, as a real one would be; one
//! that answers at once is called directly (no thread, no hand-over per
//! APDU: about a third of `--virtual status`'s time otherwise).

use super::{Connection, Transaction, Transport, Waiting};
use crate::apdu::{Command, Response};
use crate::error::{Error, Result};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Something that answers APDUs like a card (the virtual card).
pub trait Simulator: Send {
    fn process(&mut self, apdu: &[u8]) -> Vec<u8>;
    fn atr(&self) -> Vec<u8>;
    fn power_off(&mut self);
    /// Whether every answer comes at once (no delay or timing model): such
    /// a card cannot outlast a deadline, so it needs no thread.
    fn answers_at_once(&self) -> bool {
        false
    }
}

pub type SharedCard = Arc<Mutex<dyn Simulator>>;

/// APDUs to the card's thread, answers back.
type Worker = (Sender<Vec<u8>>, Receiver<Vec<u8>>);

pub struct InProcess {
    card: SharedCard,
    name: String,
    atr: Vec<u8>,
    budget: Duration,
    deadline: Instant,
    /// The card's thread, for a card that may be slow (else `None`).
    worker: Option<Worker>,
    /// A command timed out: the card is still busy with it.
    wedged: Option<Waiting>,
}

impl InProcess {
    /// The card, with `budget` for the whole command (`--timeout`).
    pub fn new(card: SharedCard, budget: Duration) -> InProcess {
        let (atr, at_once) = card
            .lock()
            .map(|c| (c.atr(), c.answers_at_once()))
            .unwrap_or_default();
        let worker = (!at_once).then(|| {
            let (to_card, apdus) = mpsc::channel::<Vec<u8>>();
            let (answers, from_card) = mpsc::channel();
            let c = Arc::clone(&card);
            std::thread::spawn(move || {
                for mut apdu in apdus {
                    let raw = process(&c, &apdu);
                    zeroize::Zeroize::zeroize(&mut apdu);
                    if answers.send(raw).is_err() {
                        return;
                    }
                }
            });
            (to_card, from_card)
        });
        InProcess {
            card,
            name: "mynacard virtual card (in-process)".into(),
            atr,
            budget,
            deadline: Instant::now() + budget,
            worker,
            wedged: None,
        }
    }
}

impl Transport for InProcess {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        let secs = self.budget.as_secs_f64();
        if let Some(w) = self.wedged {
            return Err(w.error(secs));
        }
        let Some((to_card, from_card)) = &self.worker else {
            let mut apdu = cmd.to_bytes();
            let raw = process(&self.card, &apdu);
            zeroize::Zeroize::zeroize(&mut apdu);
            return answer(raw);
        };
        to_card
            .send(cmd.to_bytes())
            .map_err(|_| Error::Pcsc("virtual card stopped".into()))?;
        let left = self.deadline.saturating_duration_since(Instant::now());
        let raw = match from_card.recv_timeout(left) {
            Ok(raw) => raw,
            Err(RecvTimeoutError::Timeout) => {
                let w = if cmd.is_secret() && !cmd.data.is_empty() {
                    Waiting::SecretAnswer
                } else {
                    Waiting::Answer
                };
                self.wedged = Some(w);
                return Err(w.error(secs));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Error::Pcsc("virtual card stopped".into()))
            }
        };
        answer(raw)
    }
}

fn process(card: &SharedCard, apdu: &[u8]) -> Vec<u8> {
    match card.lock() {
        Ok(mut card) => card.process(apdu),
        Err(_) => Vec::new(),
    }
}

fn answer(raw: Vec<u8>) -> Result<Response> {
    // No answer at all is how a card that was pulled looks.
    if raw.is_empty() {
        return Err(Error::CardRemoved);
    }
    Response::from_bytes(&raw).map_err(|e| Error::Data(e.to_string()))
}

/// The in-process card has no other clients: a transaction is a borrow.
struct InTx<'a>(&'a mut InProcess);

impl Transport for InTx<'_> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        self.0.transmit(cmd)
    }
}

impl Transaction for InTx<'_> {
    fn end(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

impl Connection for InProcess {
    fn reader(&self) -> &str {
        &self.name
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn begin(&mut self) -> Result<Box<dyn Transaction + '_>> {
        Ok(Box::new(InTx(self)))
    }

    fn close(self: Box<Self>, unpower: bool) -> Result<()> {
        // A card still busy with a timed-out command ends with this
        // process; its verified state lives only in this process's memory.
        if self.wedged.is_some() {
            return Ok(());
        }
        if let Ok(mut c) = self.card.lock() {
            if unpower {
                c.power_off();
            }
        }
        Ok(())
    }
}
