//! PC/SC on the `pcsc` crate (pcsc-lite on Linux). Only the helper
//! process (`agent::worker`) calls it: a PC/SC call can block without end
//! (a stopped pcscd, a reader stuck on a lost answer), and the tool must be
//! able to give up on it and still power the card down. The one exception
//! is [`power_down_from_outside`], which the tool runs (on a thread it
//! waits for with a bound) when its helper was killed.

use crate::error::{Error, Result};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::time::{Duration, Instant};

/// Map a PC/SC error to the library's error.
pub fn map_err(e: pcsc::Error) -> Error {
    use pcsc::Error as P;
    match e {
        P::NoService | P::ServiceStopped => Error::NoService,
        P::NoReadersAvailable | P::UnknownReader | P::ReaderUnavailable => Error::NoReader,
        P::NoSmartcard => Error::NoCard {
            reader: None,
            waited: None,
        },
        P::RemovedCard | P::CardUnsupported => Error::CardRemoved,
        // Another program reset or powered the card down while this one
        // used it: the card is busy, not gone.
        P::SharingViolation | P::ResetCard | P::UnpoweredCard => Error::CardInUse,
        P::Timeout => Error::Timeout {
            what: crate::error::waiting::CARD.en.into(),
            secs: 0.0,
        },
        other => Error::Pcsc(other.to_string()),
    }
}

pub use super::agent::proto::ReaderInfo;

pub struct Pcsc {
    ctx: Context,
}

impl Pcsc {
    pub fn establish() -> Result<Pcsc> {
        Ok(Pcsc {
            ctx: Context::establish(Scope::User).map_err(map_err)?,
        })
    }

    /// Every reader with presence and ATR, read without connecting.
    pub fn readers(&self) -> Result<Vec<ReaderInfo>> {
        let names = self.ctx.list_readers_owned().map_err(map_err)?;
        if names.is_empty() {
            return Ok(vec![]);
        }
        let mut states: Vec<ReaderState> = names
            .iter()
            .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
            .collect();
        self.ctx
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(map_err)?;
        Ok(states
            .iter()
            .map(|s| {
                let present = s.event_state().contains(State::PRESENT)
                    && !s.event_state().contains(State::MUTE);
                ReaderInfo {
                    name: s.name().to_string_lossy().into_owned(),
                    card_present: present,
                    atr: if present { s.atr().to_vec() } else { vec![] },
                }
            })
            .collect())
    }

    /// Wait until a card is present in `reader`, for at most `timeout`.
    pub fn wait_for_card(&self, reader: &str, timeout: Duration) -> Result<()> {
        let name = CString::new(reader).map_err(|_| Error::NoReader)?;
        let deadline = Instant::now() + timeout;
        let mut states = [ReaderState::new(name, State::UNAWARE)];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.ctx.get_status_change(left, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(map_err(e)),
            }
            let st = states[0].event_state();
            if st.contains(State::PRESENT) && !st.contains(State::MUTE) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::NoCard {
                    reader: Some(reader.to_string()),
                    waited: Some(timeout.as_secs_f64()),
                });
            }
            states[0].sync_current_state();
        }
    }

    /// Whether `reader` holds a card, and pcscd's insertion/removal count
    /// for it (which tells a card pulled and put back from one that stayed).
    pub fn card_event(&self, reader: &str) -> Result<(bool, u32)> {
        let name = CString::new(reader).map_err(|_| Error::NoReader)?;
        let mut states = [ReaderState::new(name, State::UNAWARE)];
        self.ctx
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(map_err)?;
        let st = states[0].event_state();
        Ok((
            st.contains(State::PRESENT) && !st.contains(State::MUTE),
            states[0].event_count(),
        ))
    }

    /// Wait up to `timeout` for the card seen at event count `since` to
    /// go; `true` once it has (the reader is empty, or a card was pulled and
    /// another put in meanwhile).
    pub fn wait_for_removal(&self, reader: &str, since: u32, timeout: Duration) -> Result<bool> {
        let name = CString::new(reader).map_err(|_| Error::NoReader)?;
        let mut states = [ReaderState::new(name, State::UNAWARE)];
        self.ctx
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(map_err)?;
        let gone =
            |s: &ReaderState| !s.event_state().contains(State::PRESENT) || s.event_count() != since;
        if gone(&states[0]) {
            return Ok(true);
        }
        states[0].sync_current_state();
        match self.ctx.get_status_change(timeout, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(map_err(e)),
        }
        Ok(gone(&states[0]))
    }

    /// Connect to the card in `reader`. `exclusive` keeps every other
    /// program out (used while a PIN is verified). A card held exclusively
    /// by another program is retried until `busy_timeout`, or until `stop`
    /// says to give up.
    pub fn connect(
        &self,
        reader: &str,
        exclusive: bool,
        busy_timeout: Duration,
        stop: &dyn Fn() -> bool,
    ) -> Result<(pcsc::Card, Vec<u8>)> {
        let name = CString::new(reader).map_err(|_| Error::NoReader)?;
        let mode = if exclusive {
            ShareMode::Exclusive
        } else {
            ShareMode::Shared
        };
        let deadline = Instant::now() + busy_timeout;
        let card = loop {
            match self.ctx.connect(&name, mode, Protocols::ANY) {
                Ok(c) => break c,
                Err(pcsc::Error::SharingViolation) if Instant::now() < deadline && !stop() => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(pcsc::Error::NoSmartcard) => {
                    return Err(Error::NoCard {
                        reader: Some(reader.to_string()),
                        waited: None,
                    })
                }
                Err(e) => return Err(map_err(e)),
            }
        };
        let atr = card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(map_err)?;
        Ok((card, atr))
    }
}

/// Send one APDU. The answer is received into the largest buffer so that a
/// long answer never fails with "insufficient buffer" after the card
/// already executed the command (card-protocol.md §15 #25).
pub fn transmit_raw(card: &pcsc::Card, apdu: &[u8]) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let raw = card.transmit(apdu, &mut buf).map(|r| r.to_vec());
    let raw = raw.map_err(map_err)?;
    // No status word at all: the reader lost the card mid-command (vpcd
    // answers so when the card's connection closes).
    if raw.len() < 2 {
        return Err(Error::CardRemoved);
    }
    Ok(raw)
}

/// How a power-down from a fresh connection went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rescue {
    /// The card was powered down (or is no longer in the reader).
    PoweredDown,
    /// Within `limit` it could not be: the reader does not let go, or
    /// pcscd does not answer.
    Failed,
}

/// Power the card in `reader` down from a new PC/SC connection. The tool
/// calls this itself (not through a helper) when its helper was killed
/// after a PIN was sent: pcscd then only *resets* the card, which keeps a
/// verified PIN (card-protocol.md §6), and frees it for any program. So the
/// connect is retried without pause while the dead helper's exclusive
/// handle is being released, to be first in; a `SCardReconnect` with
/// `SCARD_UNPOWER_CARD` is refused only while another program holds a
/// transaction, and is retried the same way.
pub fn power_down_from_outside(reader: &str, limit: Duration) -> Rescue {
    let deadline = Instant::now() + limit;
    let Ok(name) = CString::new(reader) else {
        return Rescue::Failed;
    };
    let ctx = loop {
        match Context::establish(Scope::User) {
            Ok(c) => break c,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => return Rescue::Failed,
        }
    };
    let mut card = loop {
        match ctx.connect(&name, ShareMode::Shared, Protocols::ANY) {
            Ok(c) => break c,
            // No card (pulled, or never powered again): nothing is held.
            Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => return Rescue::PoweredDown,
            Err(_) if Instant::now() < deadline => std::hint::spin_loop(),
            Err(_) => return Rescue::Failed,
        }
    };
    loop {
        match card.reconnect(ShareMode::Shared, Protocols::ANY, Disposition::UnpowerCard) {
            Ok(()) => break,
            Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => return Rescue::PoweredDown,
            Err(_) if Instant::now() < deadline => std::hint::spin_loop(),
            Err(_) => return Rescue::Failed,
        }
    }
    // Powered down and up again (no verified state): leave it unpowered.
    let _ = card.disconnect(Disposition::UnpowerCard);
    Rescue::PoweredDown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_reset_or_unpowered_by_another_program_is_busy_not_removed() {
        for e in [
            pcsc::Error::SharingViolation,
            pcsc::Error::ResetCard,
            pcsc::Error::UnpoweredCard,
        ] {
            assert_eq!(map_err(e).code(), "CARD_IN_USE", "{e:?}");
        }
        assert_eq!(map_err(pcsc::Error::RemovedCard).code(), "CARD_REMOVED");
    }
}
