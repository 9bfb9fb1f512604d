//! The frames between the tool and its PC/SC helper process: a 4-byte
//! big-endian length, then a tag byte and the fields. Both ends are this
//! crate, so the format is private; it is bounded (no frame over
//! `MAX_FRAME`) and every decode error is an error value, never a panic.

use crate::error::Error;
use std::io::{self, Read, Write};
use zeroize::Zeroize;

/// Larger than any extended APDU or reader list.
pub const MAX_FRAME: usize = 1 << 20;

/// One reader as the helper saw it (no connection made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
    pub atr: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
    Transmit(Vec<u8>),
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ErrKind {
    NoService = 1,
    NoReader = 2,
    NoCard = 3,
    CardRemoved = 4,
    CardInUse = 5,
    Other = 6,
    Protocol = 7,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Done,
    Readers(Vec<ReaderInfo>),
    Event {
        present: bool,
        count: u32,
    },
    Flag(bool),
    Connected {
        atr: Vec<u8>,
    },
    /// The answer APDU (data and status word).
    Response(Vec<u8>),
    Failed(ErrKind, String),
    /// Sent once, after `Abort` or the end of input: whether the card was
    /// powered down (`false`: there was a card and unpowering it failed).
    Unpowered {
        ok: bool,
        had_card: bool,
    },
}

impl ErrKind {
    fn from_u8(b: u8) -> ErrKind {
        match b {
            1 => ErrKind::NoService,
            2 => ErrKind::NoReader,
            3 => ErrKind::NoCard,
            4 => ErrKind::CardRemoved,
            5 => ErrKind::CardInUse,
            6 => ErrKind::Other,
            _ => ErrKind::Protocol,
        }
    }

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

struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
}

struct Dec<'a>(&'a [u8]);

fn short() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "helper frame too short")
}

impl Dec<'_> {
    fn u8(&mut self) -> io::Result<u8> {
        let (&b, rest) = self.0.split_first().ok_or_else(short)?;
        self.0 = rest;
        Ok(b)
    }
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(short());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u32(&mut self) -> io::Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> io::Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
    fn str(&mut self) -> io::Result<String> {
        String::from_utf8(self.bytes()?)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "helper frame: not UTF-8"))
    }
    fn bool(&mut self) -> io::Result<bool> {
        Ok(self.u8()? != 0)
    }
}

fn bad_tag(t: u8) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("helper frame: unknown tag {t}"),
    )
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc(Vec::new());
        match self {
            Request::Readers => e.u8(1),
            Request::WaitForCard { reader, timeout_ms } => e.u8(2).str(reader).u64(*timeout_ms),
            Request::CardEvent { reader } => e.u8(3).str(reader),
            Request::WaitForRemoval {
                reader,
                since,
                timeout_ms,
            } => e.u8(4).str(reader).u32(*since).u64(*timeout_ms),
            Request::Connect {
                reader,
                exclusive,
                busy_ms,
            } => e.u8(5).str(reader).u8(*exclusive as u8).u64(*busy_ms),
            Request::Begin => e.u8(6),
            Request::Transmit(apdu) => e.u8(7).bytes(apdu),
            Request::End => e.u8(8),
            Request::Disconnect { unpower } => e.u8(9).u8(*unpower as u8),
            Request::Abort => e.u8(10),
        };
        e.0
    }

    pub fn decode(b: &[u8]) -> io::Result<Request> {
        let mut d = Dec(b);
        Ok(match d.u8()? {
            1 => Request::Readers,
            2 => Request::WaitForCard {
                reader: d.str()?,
                timeout_ms: d.u64()?,
            },
            3 => Request::CardEvent { reader: d.str()? },
            4 => Request::WaitForRemoval {
                reader: d.str()?,
                since: d.u32()?,
                timeout_ms: d.u64()?,
            },
            5 => Request::Connect {
                reader: d.str()?,
                exclusive: d.bool()?,
                busy_ms: d.u64()?,
            },
            6 => Request::Begin,
            7 => Request::Transmit(d.bytes()?),
            8 => Request::End,
            9 => Request::Disconnect { unpower: d.bool()? },
            10 => Request::Abort,
            t => return Err(bad_tag(t)),
        })
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
        let mut e = Enc(Vec::new());
        match self {
            Reply::Done => e.u8(1),
            Reply::Readers(rs) => {
                e.u8(2).u32(rs.len() as u32);
                for r in rs {
                    e.str(&r.name).u8(r.card_present as u8).bytes(&r.atr);
                }
                &mut e
            }
            Reply::Event { present, count } => e.u8(3).u8(*present as u8).u32(*count),
            Reply::Flag(b) => e.u8(4).u8(*b as u8),
            Reply::Connected { atr } => e.u8(5).bytes(atr),
            Reply::Response(r) => e.u8(6).bytes(r),
            Reply::Failed(k, s) => e.u8(7).u8(*k as u8).str(s),
            Reply::Unpowered { ok, had_card } => e.u8(8).u8(*ok as u8).u8(*had_card as u8),
        };
        e.0
    }

    pub fn decode(b: &[u8]) -> io::Result<Reply> {
        let mut d = Dec(b);
        Ok(match d.u8()? {
            1 => Reply::Done,
            2 => {
                let n = d.u32()? as usize;
                let mut v = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    v.push(ReaderInfo {
                        name: d.str()?,
                        card_present: d.bool()?,
                        atr: d.bytes()?,
                    });
                }
                Reply::Readers(v)
            }
            3 => Reply::Event {
                present: d.bool()?,
                count: d.u32()?,
            },
            4 => Reply::Flag(d.bool()?),
            5 => Reply::Connected { atr: d.bytes()? },
            6 => Reply::Response(d.bytes()?),
            7 => Reply::Failed(ErrKind::from_u8(d.u8()?), d.str()?),
            8 => Reply::Unpowered {
                ok: d.bool()?,
                had_card: d.bool()?,
            },
            t => return Err(bad_tag(t)),
        })
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
