//! The card layer: one module per on-card application, and a `Session` that
//! selects, reads and verifies over any `Transport` with the fewest APDUs
//! (each application and EF selected once; short EF identifiers where the
//! card takes them, with a remembered fallback to SELECT EF).

pub mod common;
pub mod jpki;
pub mod pin;
pub mod policy;
mod read;
pub mod surface;
pub mod text;

use crate::apdu::cmd::{self, Target};
use crate::apdu::{Command, Response, StatusWord};
use crate::error::{Error, Result};
use crate::protocol::{App, ChangeForm, KeyRef, PinKind};
use crate::transport::{exchange, Transport};
use pin::{Pin, Retries};

/// Largest short-APDU Le.
pub const SHORT_LE: usize = 256;

/// The highest offset READ BINARY can address (P1 bit 8 is 0, §3): a file
/// is readable up to 32 KiB, never with a wrapped offset.
pub const MAX_OFFSET: usize = 0x7FFF;

/// How to address EFs: by short identifier (saves a SELECT EF) or by
/// SELECT EF; the choice is remembered for the rest of the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    Sfi,
    Select,
}

pub struct Session<'a> {
    t: &'a mut dyn Transport,
    ap: Option<App>,
    ef: Option<u16>,
    pub addressing: Addressing,
    /// A VERIFY with data was sent in this session (the card must be
    /// powered down at the end).
    pub verified: bool,
    /// No command sent yet: some cards answer the first command after
    /// power-up with 6F00 (card-protocol.md §6, §12).
    fresh: bool,
    /// Read whole files with one extended-length READ BINARY (only where
    /// the reader and card have been shown to take it).
    pub extended_length: bool,
    /// An extended-length read worked in this session.
    pub extended_worked: bool,
    /// The card or reader refused it (6700): short reads from then on.
    pub extended_refused: bool,
}

fn sfi_rejected(sw: StatusWord) -> bool {
    matches!(
        sw,
        StatusWord::IncorrectP1P2 | StatusWord::FunctionNotSupported | StatusWord::InsNotSupported
    )
}

impl<'a> Session<'a> {
    pub fn new(t: &'a mut dyn Transport) -> Session<'a> {
        Session {
            t,
            ap: None,
            ef: None,
            addressing: Addressing::Sfi,
            verified: false,
            fresh: true,
            extended_length: false,
            extended_worked: false,
            extended_refused: false,
        }
    }

    pub fn transport(&mut self) -> &mut dyn Transport {
        self.t
    }

    /// Send a command through the 61xx/6Cxx handling. A 6F00 to the first
    /// command after power-up is answered by sending it once more (never a
    /// command with a PIN).
    pub fn send(&mut self, cmd: &Command) -> Result<Response> {
        let first = std::mem::replace(&mut self.fresh, false);
        let r = exchange(self.t, cmd)?;
        if first && r.sw == StatusWord::NoPreciseDiagnosis && !cmd.is_secret() {
            return exchange(self.t, cmd);
        }
        Ok(r)
    }

    /// SELECT an application by AID (`00 A4 04 0C`), unless it is the
    /// current one. Returns `false` when the card does not have it (6A82).
    pub fn try_select_ap(&mut self, app: App) -> Result<bool> {
        if self.ap == Some(app) {
            return Ok(true);
        }
        let r = self.send(&cmd::select_df(app.aid()))?;
        match r.sw {
            StatusWord::Ok => {
                self.ap = Some(app);
                self.ef = None;
                Ok(true)
            }
            StatusWord::FileNotFound => {
                self.ap = None;
                self.ef = None;
                Ok(false)
            }
            sw => Err(Error::UnexpectedStatus {
                command: "SELECT application",
                sw,
            }),
        }
    }

    pub fn select_ap(&mut self, app: App) -> Result<()> {
        if self.try_select_ap(app)? {
            Ok(())
        } else {
            Err(Error::UnexpectedStatus {
                command: "SELECT application",
                sw: StatusWord::FileNotFound,
            })
        }
    }

    /// SELECT an EF or IEF under the current application (`00 A4 02 0C`).
    /// Returns `false` for 6A82 (no such file).
    pub fn try_select_ef(&mut self, fid: u16) -> Result<bool> {
        if self.ef == Some(fid) {
            return Ok(true);
        }
        let r = self.send(&cmd::select_ef(fid))?;
        match r.sw {
            StatusWord::Ok => {
                self.ef = Some(fid);
                Ok(true)
            }
            StatusWord::FileNotFound => Ok(false),
            sw => Err(Error::UnexpectedStatus {
                command: "SELECT EF",
                sw,
            }),
        }
    }

    fn select_ef(&mut self, fid: u16) -> Result<()> {
        if self.try_select_ef(fid)? {
            Ok(())
        } else {
            Err(Error::UnexpectedStatus {
                command: "SELECT EF",
                sw: StatusWord::FileNotFound,
            })
        }
    }

    /// How a VERIFY or the retry query names `key` (the current application
    /// selected): by SFI unless it is the current EF or the card refused
    /// SFIs, else the IEF is selected first.
    fn key_target(&mut self, key: KeyRef) -> Result<Target> {
        if self.ef != Some(key.fid()) && self.addressing == Addressing::Sfi {
            Ok(Target::Sfi(key.sfi()))
        } else {
            self.select_ef(key.fid())?;
            Ok(Target::Selected)
        }
    }

    /// The retry counter of a key, with the case-1 APDU `00 20 00 80`
    /// (or P2 = 0x80|SFI): no data, no Le, nothing spent.
    pub fn retries(&mut self, key: KeyRef) -> Result<Retries> {
        self.select_ap(key.app())?;
        let at = self.key_target(key)?;
        let query = cmd::retry_query(at);
        debug_assert!(query.data.is_empty() && query.le.is_none());
        self.fresh = false;
        let r = self.t.transmit(&query)?;
        if at.by_sfi() && sfi_rejected(r.sw) {
            self.addressing = Addressing::Select;
            return self.retries(key);
        }
        classify_retries(r.sw).ok_or(Error::UnexpectedStatus {
            command: "VERIFY (retry query)",
            sw: r.sw,
        })
    }

    /// VERIFY `pin` against `key`. The caller has read the counter and
    /// applied the lockout guard. The command is sent once, never resent.
    pub fn verify(&mut self, key: KeyRef, pin: &Pin) -> Result<VerifyOutcome> {
        let kind = user_pin(key)?;
        if pin.is_empty() {
            // An empty VERIFY would be the retry query, not a check.
            return Err(Error::PinFormat {
                kind,
                problem: crate::protocol::FormatProblem::Empty,
                new: false,
            });
        }
        self.select_ap(key.app())?;
        let at = self.key_target(key)?;
        let verify = cmd::verify(at, pin.expose().as_bytes());
        self.verified = true;
        self.fresh = false;
        let r = match self.t.transmit(&verify) {
            Ok(r) => r,
            // A timeout keeps its own error: it already says the try may
            // have been counted.
            Err(Error::CardRemoved) | Err(Error::Pcsc(_)) => {
                return Err(Error::VerifyLost { kind })
            }
            Err(e) => return Err(e),
        };
        match r.sw {
            StatusWord::Ok => {
                crate::testhook::point("after-verify");
                Ok(VerifyOutcome::Verified)
            }
            StatusWord::RetriesLeft(0) => Ok(VerifyOutcome::Locked),
            StatusWord::RetriesLeft(n) => Ok(VerifyOutcome::Wrong(n)),
            sw if sw.is_blocked() => Ok(VerifyOutcome::Locked),
            sw => Err(Error::UnexpectedStatus {
                command: "VERIFY",
                sw,
            }),
        }
    }

    /// Change the PIN of `key` after a successful VERIFY in this session:
    /// CHANGE REFERENCE DATA `00 24 01 80` (JPKI, 入力補助) or CHANGE KEY
    /// `80 32 00 80` (共通, 住基).
    pub fn change(&mut self, key: KeyRef, new: &Pin) -> Result<()> {
        let form = key.change_form().ok_or({
            Error::Usage(crate::error::Misuse::Internal(
                "a key reference that cannot be changed",
            ))
        })?;
        self.select_ap(key.app())?;
        self.select_ef(key.fid())?;
        let new = new.expose().as_bytes();
        let change = match form {
            ChangeForm::Key => cmd::change_key(new),
            ChangeForm::ReferenceData => cmd::change_reference_data(new),
        };
        let name = change.instruction().map_or("CHANGE", |i| i.name());
        self.verified = true;
        let r = match self.t.transmit(&change) {
            Ok(r) => r,
            // The card may have set the new PIN: never resent, and said so.
            Err(Error::CardRemoved | Error::Pcsc(_) | Error::Timeout { .. }) => {
                return Err(Error::ChangeLost {
                    kind: user_pin(key)?,
                    reference: key.id(),
                })
            }
            Err(e) => return Err(e),
        };
        match r.sw {
            StatusWord::Ok => Ok(()),
            sw => Err(Error::UnexpectedStatus { command: name, sw }),
        }
    }

    /// Forget the selection state (e.g. after a reset).
    pub fn forget(&mut self) {
        self.ap = None;
        self.ef = None;
    }

    pub fn current_ap(&self) -> Option<App> {
        self.ap
    }
}

/// The user PIN a key reference holds: only those are verified.
pub(crate) fn user_pin(key: KeyRef) -> Result<PinKind> {
    key.kind().ok_or({
        Error::Usage(crate::error::Misuse::Internal(
            "a key reference that is not a user PIN",
        ))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    Verified,
    /// Wrong PIN; tries left.
    Wrong(u8),
    /// The key is (now) blocked.
    Locked,
}

/// The four-way reading of an answer to the retry query (§4.1).
pub fn classify_retries(sw: StatusWord) -> Option<Retries> {
    match sw {
        StatusWord::RetriesLeft(0) => Some(Retries::Blocked),
        StatusWord::RetriesLeft(n) => Some(Retries::Remaining { left: n }),
        sw if sw.is_blocked() => Some(Retries::Blocked),
        StatusWord::VerifyFailed => Some(Retries::Unlimited),
        StatusWord::Ok => Some(Retries::NotReported),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_classification() {
        assert_eq!(
            classify_retries(StatusWord::RetriesLeft(3)),
            Some(Retries::Remaining { left: 3 })
        );
        assert_eq!(
            classify_retries(StatusWord::RetriesLeft(0)),
            Some(Retries::Blocked)
        );
        assert_eq!(
            classify_retries(StatusWord::AuthMethodBlocked),
            Some(Retries::Blocked)
        );
        assert_eq!(
            classify_retries(StatusWord::ReferenceDataBlocked),
            Some(Retries::Blocked)
        );
        assert_eq!(
            classify_retries(StatusWord::VerifyFailed),
            Some(Retries::Unlimited)
        );
        assert_eq!(classify_retries(StatusWord::Ok), Some(Retries::NotReported));
        assert_eq!(classify_retries(StatusWord::WrongLength), None);
    }
}
