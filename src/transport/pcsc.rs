//! PC/SC back end on the `pcsc` crate (pcsc-lite on Linux).

use super::{Connection, Transport};
use crate::apdu::{Command, Response};
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
        P::RemovedCard | P::ResetCard | P::UnpoweredCard | P::CardUnsupported => Error::CardRemoved,
        P::SharingViolation => Error::CardInUse,
        P::Timeout => Error::Timeout {
            what: "waiting for the card".into(),
            secs: 0.0,
        },
        other => Error::Pcsc(other.to_string()),
    }
}

/// One reader as `readers` reports it.
#[derive(Debug, Clone)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
    pub atr: Vec<u8>,
}

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
    /// by another program is retried until `busy_timeout`.
    pub fn connect(
        self,
        reader: &str,
        exclusive: bool,
        busy_timeout: Duration,
    ) -> Result<PcscConnection> {
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
                Err(pcsc::Error::SharingViolation) if Instant::now() < deadline => {
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
        Ok(PcscConnection {
            _ctx: self.ctx,
            card: Some(card),
            reader: reader.to_string(),
            atr,
        })
    }
}

pub struct PcscConnection {
    _ctx: Context,
    card: Option<pcsc::Card>,
    reader: String,
    atr: Vec<u8>,
}

struct Tx<'a>(&'a pcsc::Card);

fn transmit(card: &pcsc::Card, cmd: &Command) -> Result<Response> {
    // Receive into the largest buffer so that a long answer never fails
    // with "insufficient buffer" after the card already executed the command.
    let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let mut bytes = cmd.to_bytes();
    let r = card.transmit(&bytes, &mut buf).map(|r| r.to_vec());
    zeroize::Zeroize::zeroize(&mut bytes);
    let raw = r.map_err(map_err)?;
    // No status word at all: the reader lost the card mid-command (vpcd
    // answers so when the card's connection closes).
    if raw.len() < 2 {
        return Err(Error::CardRemoved);
    }
    Response::from_bytes(&raw).map_err(|e| Error::Data(e.to_string()))
}

impl Transport for Tx<'_> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        transmit(self.0, cmd)
    }
}

impl Transport for PcscConnection {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        match &self.card {
            Some(c) => transmit(c, cmd),
            None => Err(Error::CardRemoved),
        }
    }
}

impl Connection for PcscConnection {
    fn reader(&self) -> &str {
        &self.reader
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport) -> Result<()>) -> Result<()> {
        let card = self.card.as_mut().ok_or(Error::CardRemoved)?;
        let tx = card.transaction().map_err(map_err)?;
        let mut t = Tx(&tx);
        let r = f(&mut t);
        let end = tx.end(Disposition::LeaveCard).map_err(|(_, e)| map_err(e));
        r.and(end)
    }

    fn close(mut self: Box<Self>, unpower: bool) -> Result<()> {
        if let Some(card) = self.card.take() {
            let d = if unpower {
                Disposition::UnpowerCard
            } else {
                Disposition::ResetCard
            };
            card.disconnect(d).map_err(|(_, e)| map_err(e))?;
        }
        Ok(())
    }
}
