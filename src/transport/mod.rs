//! The seam between card logic and the wire: one trait, several back ends
//! (PC/SC, the in-process virtual card, a tracing wrapper).

#[cfg(feature = "pcsc")]
pub mod agent;
pub mod inproc;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod trace;

use crate::apdu::{Command, Response, StatusWord};
use crate::error::{Error, Result};

/// Sends one command APDU and returns the card's answer.
pub trait Transport {
    fn transmit(&mut self, cmd: &Command) -> Result<Response>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        (**self).transmit(cmd)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        (**self).transmit(cmd)
    }
}

/// Send `cmd`, handling 61xx (GET RESPONSE until done) and 6Cxx (resend
/// with the right Le) in this one place. A command with secret data is never
/// resent: the card may already have counted it.
pub fn exchange(t: &mut dyn Transport, cmd: &Command) -> Result<Response> {
    let mut resp = t.transmit(cmd)?;
    if let StatusWord::WrongLe(n) = resp.sw {
        if !cmd.is_secret() && cmd.le.is_some() {
            let mut again = cmd.clone();
            again.le = Some(if n == 0 { 256 } else { n as usize });
            resp = t.transmit(&again)?;
        }
    }
    let mut data = std::mem::take(&mut resp.data);
    let mut rounds = 0;
    while let StatusWord::BytesRemaining(n) = resp.sw {
        rounds += 1;
        // A GET RESPONSE that gave nothing yet promises more makes no
        // progress, and no answer is longer than an extended one: either is
        // a broken card or reader (malformed data, exit 12), found at once
        // rather than after the time budget ran out.
        if rounds > 256 || (rounds > 1 && resp.data.is_empty()) || data.len() > 65_538 {
            return Err(Error::Data("endless 61xx chain".into()));
        }
        let mut get = crate::apdu::cmd::get_response(n);
        get.redact_response = cmd.redact_response;
        resp = t.transmit(&get)?;
        data.extend_from_slice(&resp.data);
    }
    Ok(Response::new(data, resp.sw))
}

/// What a timed-out call was waiting for (the message says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// pcscd itself (context, reader list, card events).
    Service,
    /// Connecting to the card in a reader.
    Connect,
    /// The PC/SC transaction: another program holds the card.
    Transaction,
    /// The card's answer to a command.
    Answer,
    /// The card's answer to a VERIFY or CHANGE: the try may be counted.
    SecretAnswer,
}

impl Waiting {
    pub fn error(self, secs: f64) -> Error {
        use crate::error::waiting;
        let what = match self {
            Waiting::Service => waiting::SERVICE.en,
            Waiting::Connect => waiting::CONNECT.en,
            Waiting::Transaction => return Error::CardInUse,
            Waiting::Answer => waiting::ANSWER.en,
            Waiting::SecretAnswer => waiting::SECRET_ANSWER.en,
        };
        Error::Timeout {
            what: what.into(),
            secs,
        }
    }
}

/// A connected card: the reader it is in, its ATR, and transactions.
pub trait Connection {
    fn reader(&self) -> &str;
    fn atr(&self) -> &[u8];
    /// Begin a transaction: no other program's APDUs interleave until the
    /// guard ends (`end`, or dropped).
    fn begin(&mut self) -> Result<Box<dyn Transaction + '_>>;
    /// Disconnect. `unpower` powers the card down (the only way to clear a
    /// verified PIN on a real card, card-protocol.md §6); otherwise it is
    /// left as it is (no PIN was sent, so there is nothing to clear, and
    /// the next program does not wait for the card to start again).
    fn close(self: Box<Self>, unpower: bool) -> Result<()>;
}

/// An open transaction (a guard, like pcsc's `Transaction`): commands go
/// through it; dropping it ends the transaction.
pub trait Transaction: Transport {
    /// End the transaction, reporting a failure to do so.
    fn end(self: Box<Self>) -> Result<()>;
}

/// A transport over a fixed script, for unit tests of the card layer.
#[cfg(test)]
pub struct Scripted {
    pub expect: std::collections::VecDeque<(Vec<u8>, Vec<u8>)>,
    pub sent: Vec<Vec<u8>>,
}

#[cfg(test)]
impl Transport for Scripted {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        let bytes = cmd.to_bytes();
        self.sent.push(bytes.clone());
        let (want, reply) = self.expect.pop_front().expect("unexpected extra APDU");
        assert_eq!(
            crate::apdu::hex_spaced(&bytes),
            crate::apdu::hex_spaced(&want)
        );
        Ok(Response::from_bytes(&reply).unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn get_response_chain_and_wrong_le() {
        let mut t = Scripted {
            expect: [
                (h("00B0000010"), h("6C08")),
                (h("00B0000008"), h("0102 6104")),
                (h("00C0000004"), h("03040506 9000")),
            ]
            .into_iter()
            .collect(),
            sent: vec![],
        };
        let r = exchange(
            &mut t,
            &crate::apdu::cmd::read_binary(crate::apdu::cmd::Target::Selected, 0, 16),
        )
        .unwrap();
        assert_eq!(r.data, [1, 2, 3, 4, 5, 6]);
        assert_eq!(r.sw, StatusWord::Ok);
    }

    #[test]
    fn an_endless_get_response_chain_is_malformed_data_at_once() {
        let mut t = Scripted {
            expect: [(h("00B0000010"), h("61FF")), (h("00C00000FF"), h("61FF"))]
                .into_iter()
                .collect(),
            sent: vec![],
        };
        let e = exchange(
            &mut t,
            &crate::apdu::cmd::read_binary(crate::apdu::cmd::Target::Selected, 0, 16),
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::DATA);
        assert_eq!(t.sent.len(), 2);
    }

    #[test]
    fn secret_command_is_never_resent() {
        let mut t = Scripted {
            expect: [(h("0020008004 31323334"), h("6C04"))]
                .into_iter()
                .collect(),
            sent: vec![],
        };
        let r = exchange(
            &mut t,
            &crate::apdu::cmd::verify(crate::apdu::cmd::Target::Selected, b"1234"),
        )
        .unwrap();
        assert_eq!(r.sw, StatusWord::WrongLe(4));
        assert_eq!(t.sent.len(), 1);
    }
}
