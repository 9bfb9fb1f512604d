//! The frames between the tool and its PC/SC helper process: a 4-byte
//! big-endian length, then the message in `postcard` (serde's compact
//! binary form). Both ends are this crate, so the format is private; it is
//! bounded (no frame over `MAX_FRAME`) and every decode error is an error
//! value, never a panic.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};
use zeroize::Zeroize;

/// Larger than any extended APDU or reader list.
pub const MAX_FRAME: usize = 1 << 20;

/// One reader as the helper saw it (no connection made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
    #[serde(with = "serde_bytes")]
    pub atr: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Readers,
    WaitForCard {
        reader: String,
        timeout_ms: u64,
    },
    CardEvent {
        reader: String,
    },
    WaitForRemoval {
        reader: String,
        since: u32,
        timeout_ms: u64,
    },
    Connect {
        reader: String,
        exclusive: bool,
        busy_ms: u64,
    },
    Begin,
    /// A command APDU; its bytes are wiped once written or used.
    Transmit(#[serde(with = "serde_bytes")] Vec<u8>),
    End,
    Disconnect {
        unpower: bool,
    },
    /// Power the card down now (inside the transaction when one is open)
    /// and end: the answer is `Reply::Unpowered`.
    Abort,
}

/// Kinds of failure the helper reports; the tool turns them into its
/// own error values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrKind {
    NoService,
    NoReader,
    NoCard,
    CardRemoved,
    CardInUse,
    Other,
    Protocol,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    Done,
    Readers(Vec<ReaderInfo>),
    Event {
        present: bool,
        count: u32,
    },
    Flag(bool),
    Connected {
        #[serde(with = "serde_bytes")]
        atr: Vec<u8>,
    },
    /// The answer APDU (data and status word).
    Response(#[serde(with = "serde_bytes")] Vec<u8>),
    Failed(ErrKind, String),
    /// Sent once, after `Abort` or the end of input: whether the card was
    /// powered down (`false`: there was a card and unpowering it failed).
    Unpowered {
        ok: bool,
        had_card: bool,
    },
}

impl ErrKind {
    /// The tool's error for this failure (`reader` for the messages).
    pub fn to_error(self, detail: String, reader: Option<&str>) -> Error {
        match self {
            ErrKind::NoService => Error::NoService,
            ErrKind::NoReader => Error::NoReader,
            ErrKind::NoCard => Error::NoCard {
                reader: reader.map(str::to_string),
                waited: None,
            },
            ErrKind::CardRemoved => Error::CardRemoved,
            ErrKind::CardInUse => Error::CardInUse,
            ErrKind::Other | ErrKind::Protocol => Error::Pcsc(detail),
        }
    }
}

fn bad_frame(e: postcard::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("helper frame: {e}"))
}

impl Request {
    /// The message's bytes. A command APDU is written into a buffer sized
    /// for it, so no growing copy of a PIN is left behind.
    pub fn encode(&self) -> Vec<u8> {
        let room = match self {
            Request::Transmit(apdu) => apdu.len() + 16,
            _ => 64,
        };
        let mut buf = vec![0u8; room];
        let n = postcard::to_slice(self, &mut buf).map(|b| b.len());
        match n {
            Ok(n) => {
                buf.truncate(n);
                buf
            }
            // Larger than the guess (a long reader name): no secret here.
            Err(_) => postcard::to_stdvec(self).unwrap_or_default(),
        }
    }

    pub fn decode(b: &[u8]) -> io::Result<Request> {
        postcard::from_bytes(b).map_err(bad_frame)
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if let Request::Transmit(b) = self {
            b.zeroize();
        }
    }
}

impl Reply {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn decode(b: &[u8]) -> io::Result<Reply> {
        postcard::from_bytes(b).map_err(bad_frame)
    }
}

/// Write one frame; the caller wipes `body` if it was secret.
pub fn write_frame(w: &mut dyn Write, body: &[u8]) -> io::Result<()> {
    let mut f = Vec::with_capacity(body.len() + 4);
    f.extend_from_slice(&(body.len() as u32).to_be_bytes());
    f.extend_from_slice(body);
    let r = w.write_all(&f).and_then(|()| w.flush());
    f.zeroize();
    r
}

/// Read one frame; `None` at a clean end of input.
pub fn read_frame(r: &mut dyn Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let n = u32::from_be_bytes(len) as usize;
    if n > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("helper frame of {n} bytes"),
        ));
    }
    let mut body = vec![0u8; n];
    r.read_exact(&mut body)?;
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_message_round_trips() {
        let reqs = [
            Request::Readers,
            Request::WaitForCard {
                reader: "Virtual PCD 00 00".into(),
                timeout_ms: 1500,
            },
            Request::CardEvent { reader: "r".into() },
            Request::WaitForRemoval {
                reader: "r".into(),
                since: 7,
                timeout_ms: 250,
            },
            Request::Connect {
                reader: "r".into(),
                exclusive: true,
                busy_ms: 10_000,
            },
            Request::Begin,
            Request::Transmit(vec![0, 0x20, 0, 0x80]),
            Request::End,
            Request::Disconnect { unpower: true },
            Request::Abort,
        ];
        for r in reqs {
            assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        }
        let replies = [
            Reply::Done,
            Reply::Readers(vec![
                ReaderInfo {
                    name: "a".into(),
                    card_present: true,
                    atr: vec![0x3B, 0x88],
                },
                ReaderInfo {
                    name: "b".into(),
                    card_present: false,
                    atr: vec![],
                },
            ]),
            Reply::Event {
                present: true,
                count: 3,
            },
            Reply::Flag(false),
            Reply::Connected { atr: vec![1, 2, 3] },
            Reply::Response(vec![0x63, 0xC3]),
            Reply::Failed(ErrKind::CardInUse, "busy".into()),
            Reply::Unpowered {
                ok: true,
                had_card: true,
            },
        ];
        for r in replies {
            assert_eq!(Reply::decode(&r.encode()).unwrap(), r);
        }
    }

    #[test]
    fn frames_are_bounded() {
        let mut big = Vec::new();
        big.extend_from_slice(&((MAX_FRAME as u32) + 1).to_be_bytes());
        assert!(read_frame(&mut &big[..]).is_err());
        assert_eq!(read_frame(&mut &[][..]).unwrap(), None);
        let mut buf = Vec::new();
        write_frame(&mut buf, b"\x01").unwrap();
        assert_eq!(read_frame(&mut &buf[..]).unwrap(), Some(vec![1]));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Request::decode(&b);
            let _ = Reply::decode(&b);
        }
    }
}
