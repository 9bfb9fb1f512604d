//! The in-process virtual card as a transport: APDUs are encoded to bytes
//! and handed to the card's byte-level processor, exactly as a reader would.

use super::{Connection, Transport};
use crate::apdu::{Command, Response};
use crate::error::{Error, Result};
use std::sync::{Arc, Mutex};

/// Something that answers APDUs like a card (the virtual card).
pub trait Simulator: Send {
    fn process(&mut self, apdu: &[u8]) -> Vec<u8>;
    fn atr(&self) -> Vec<u8>;
    fn power_off(&mut self);
    fn reset(&mut self);
}

pub type SharedCard = Arc<Mutex<dyn Simulator>>;

pub struct InProcess {
    card: SharedCard,
    name: String,
    atr: Vec<u8>,
}

impl InProcess {
    pub fn new(card: SharedCard) -> InProcess {
        let atr = card.lock().map(|c| c.atr()).unwrap_or_default();
        InProcess {
            card,
            name: "mynacard virtual card (in-process)".into(),
            atr,
        }
    }
}

impl Transport for InProcess {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        let raw = {
            let mut card = self
                .card
                .lock()
                .map_err(|_| Error::Pcsc("virtual card state poisoned".into()))?;
            card.process(&cmd.to_bytes())
        };
        // No answer at all is how a card that was pulled looks.
        if raw.is_empty() {
            return Err(Error::CardRemoved);
        }
        Response::from_bytes(&raw).map_err(|e| Error::Data(e.to_string()))
    }
}

impl Connection for InProcess {
    fn reader(&self) -> &str {
        &self.name
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport) -> Result<()>) -> Result<()> {
        f(self)
    }

    fn close(self: Box<Self>, unpower: bool) -> Result<()> {
        if let Ok(mut c) = self.card.lock() {
            if unpower {
                c.power_off();
            } else {
                c.reset();
            }
        }
        Ok(())
    }
}
