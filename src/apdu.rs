//! ISO 7816-4 APDU mechanics: command builder and parser, response type and
//! status words. Byte forms follow `docs/card-protocol.md` §3 and §4.

use std::fmt;
use zeroize::Zeroize;

pub mod cmd;
mod ins;
mod sw_ja;
pub use ins::{Instruction, CLA_ISO, CLA_PROPRIETARY};

/// Whether a command's data is a secret (PIN, new PIN) that must never be
/// printed: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, and the
/// proprietary CHANGE KEY (CLA 8x) of the 共通/住基 APs.
pub fn is_secret_command(cla: u8, ins: u8) -> bool {
    Instruction::from_byte(ins).is_some_and(|i| i.carries_secret(cla))
}

/// A command APDU. The data is wiped from memory when the command is dropped,
/// because VERIFY data is a PIN.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected response length: `None` = no Le field; `Some(256)` is the
    /// short `00`; up to 65536 with the extended form.
    pub le: Option<usize>,
    /// Force the extended-length encoding even where a short one fits.
    pub extended: bool,
    /// The response carries personal data (individual number) that a trace
    /// must not print.
    pub redact_response: bool,
}

impl Drop for Command {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

impl Command {
    /// Case 1: header only.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
            redact_response: false,
        }
    }

    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    pub fn extended(mut self) -> Self {
        self.extended = true;
        self
    }

    pub fn redacted_response(mut self) -> Self {
        self.redact_response = true;
        self
    }

    /// True when the short encoding cannot carry this command.
    pub fn needs_extended(&self) -> bool {
        self.extended || self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    pub fn is_secret(&self) -> bool {
        is_secret_command(self.cla, self.ins)
    }

    /// The instruction its CLA and INS name (`None`: not one the card knows
    /// in that class).
    pub fn instruction(&self) -> Option<Instruction> {
        Instruction::from_header(self.cla, self.ins)
    }

    /// CLA bits 3–4: secure messaging asked for.
    pub fn secure_messaging(&self) -> bool {
        self.cla & 0x0C != 0
    }

    /// CLA bits 1–2: a logical channel other than 0.
    pub fn logical_channel(&self) -> bool {
        self.cla & 0x03 != 0
    }

    /// Encode to bytes (ISO 7816-4 §5.1 cases 1, 2S/3S/4S, 2E/3E/4E).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        let ext = self.needs_extended();
        if !self.data.is_empty() {
            if ext {
                let n = self.data.len();
                out.extend_from_slice(&[0, (n >> 8) as u8, n as u8]);
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if ext {
                let v = if le >= 65536 { 0 } else { le };
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&[(v >> 8) as u8, v as u8]);
            } else {
                out.push(if le >= 256 { 0 } else { le as u8 });
            }
        }
        out
    }

    /// Parse a command APDU (used by the virtual card). Errors mean the card
    /// answers `6700` (wrong length).
    pub fn parse(b: &[u8]) -> Result<Command, ApduError> {
        if b.len() < 4 {
            return Err(ApduError::TooShort(b.len()));
        }
        let mut c = Command::new(b[0], b[1], b[2], b[3]);
        let body = &b[4..];
        match body.len() {
            0 => {}
            1 => c.le = Some(if body[0] == 0 { 256 } else { body[0] as usize }),
            _ if body[0] != 0 => {
                // short Lc
                let lc = body[0] as usize;
                let rest = &body[1..];
                if rest.len() == lc {
                    c.data = rest.to_vec();
                } else if rest.len() == lc + 1 {
                    c.data = rest[..lc].to_vec();
                    let le = rest[lc];
                    c.le = Some(if le == 0 { 256 } else { le as usize });
                } else {
                    return Err(ApduError::BadLength);
                }
            }
            3 => {
                // extended Le only
                let le = u16::from_be_bytes([body[1], body[2]]) as usize;
                c.le = Some(if le == 0 { 65536 } else { le });
                c.extended = true;
            }
            n if n > 3 => {
                let lc = u16::from_be_bytes([body[1], body[2]]) as usize;
                let rest = &body[3..];
                if lc == 0 {
                    return Err(ApduError::BadLength);
                }
                if rest.len() == lc {
                    c.data = rest.to_vec();
                } else if rest.len() == lc + 2 {
                    c.data = rest[..lc].to_vec();
                    let le = u16::from_be_bytes([rest[lc], rest[lc + 1]]) as usize;
                    c.le = Some(if le == 0 { 65536 } else { le });
                } else {
                    return Err(ApduError::BadLength);
                }
                c.extended = true;
            }
            _ => return Err(ApduError::BadLength),
        }
        Ok(c)
    }

    /// Hex of the command for traces, with secret data shown as `****`.
    pub fn trace_hex(&self) -> String {
        let bytes = self.to_bytes();
        if self.is_secret() && !self.data.is_empty() {
            let header_len = 4 + if self.needs_extended() { 3 } else { 1 };
            let mut s = hex_spaced(&bytes[..header_len]);
            s.push_str(" ****");
            s
        } else {
            hex_spaced(&bytes)
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Command({})", self.trace_hex())
    }
}

/// Upper-case hex with a space between bytes.
pub fn hex_spaced(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{x:02X}"));
    }
    s
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("APDU shorter than a header ({0} bytes)")]
    TooShort(usize),
    #[error("APDU length fields do not match its size")]
    BadLength,
    #[error("response shorter than a status word ({0} bytes)")]
    ShortResponse(usize),
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl Response {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Response { data, sw }
    }

    pub fn sw(sw: StatusWord) -> Self {
        Response {
            data: Vec::new(),
            sw,
        }
    }

    pub fn from_bytes(raw: &[u8]) -> Result<Response, ApduError> {
        if raw.len() < 2 {
            return Err(ApduError::ShortResponse(raw.len()));
        }
        let n = raw.len() - 2;
        Ok(Response {
            data: raw[..n].to_vec(),
            sw: StatusWord::from(u16::from_be_bytes([raw[n], raw[n + 1]])),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.data.clone();
        v.extend_from_slice(&self.sw.bytes());
        v
    }

    pub fn is_ok(&self) -> bool {
        self.sw == StatusWord::Ok
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Data may be personal; print only its length.
        write!(
            f,
            "Response({} bytes, {:04X})",
            self.data.len(),
            self.sw.code()
        )
    }
}

/// Status words the card uses (card-protocol.md §4). Every `u16` maps to
/// exactly one variant and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusWord {
    /// 9000
    Ok,
    /// 61xx: xx more bytes wait for GET RESPONSE (00 = 256).
    BytesRemaining(u8),
    /// 6282: end of file reached before Le bytes.
    EndOfFile,
    /// 6300: verification failed, no counter (key without retry limit).
    VerifyFailed,
    /// 63Cx: x tries left (also the answer to the retry query).
    RetriesLeft(u8),
    /// 6581: memory failure (the virtual card could not store a counter).
    MemoryFailure,
    /// 6700
    WrongLength,
    /// 6881
    LogicalChannelNotSupported,
    /// 6882
    SecureMessagingNotSupported,
    /// 6981: command incompatible with the file structure (READ BINARY of
    /// a record EF or the reverse).
    IncompatibleFileStructure,
    /// 6982
    SecurityStatusNotSatisfied,
    /// 6983: authentication method blocked (some sources' "PIN blocked").
    AuthMethodBlocked,
    /// 6984: reference data blocked (PIN locked).
    ReferenceDataBlocked,
    /// 6985
    ConditionsNotSatisfied,
    /// 6986
    CommandNotAllowed,
    /// 6A80
    WrongData,
    /// 6A81
    FunctionNotSupported,
    /// 6A82
    FileNotFound,
    /// 6A83
    RecordNotFound,
    /// 6A86
    IncorrectP1P2,
    /// 6A88: referenced data (a key, a data object) not found.
    ReferencedDataNotFound,
    /// 69FC: secure messaging refused (READ BINARY, VERIFY; card-protocol.md §4).
    SecureMessagingRefused,
    /// 6B00: wrong parameters; past the end of file on READ BINARY.
    WrongP1P2,
    /// 6Cxx: wrong Le, resend with Le = xx (00 = 256).
    WrongLe(u8),
    /// 6D00
    InsNotSupported,
    /// 6E00
    ClaNotSupported,
    /// 6F00
    NoPreciseDiagnosis,
    /// Any other code.
    Other(u16),
}

impl From<u16> for StatusWord {
    fn from(code: u16) -> Self {
        use StatusWord::*;
        let sw2 = code as u8;
        match code {
            0x9000 => Ok,
            0x6100..=0x61FF => BytesRemaining(sw2),
            0x6282 => EndOfFile,
            0x6300 => VerifyFailed,
            0x63C0..=0x63CF => RetriesLeft(sw2 & 0x0F),
            0x6581 => MemoryFailure,
            0x6700 => WrongLength,
            0x6881 => LogicalChannelNotSupported,
            0x6882 => SecureMessagingNotSupported,
            0x6981 => IncompatibleFileStructure,
            0x6982 => SecurityStatusNotSatisfied,
            0x6983 => AuthMethodBlocked,
            0x6984 => ReferenceDataBlocked,
            0x6985 => ConditionsNotSatisfied,
            0x6986 => CommandNotAllowed,
            0x6A80 => WrongData,
            0x6A81 => FunctionNotSupported,
            0x6A82 => FileNotFound,
            0x6A83 => RecordNotFound,
            0x6A86 => IncorrectP1P2,
            0x6A88 => ReferencedDataNotFound,
            0x69FC => SecureMessagingRefused,
            0x6B00 => WrongP1P2,
            0x6C00..=0x6CFF => WrongLe(sw2),
            0x6D00 => InsNotSupported,
            0x6E00 => ClaNotSupported,
            0x6F00 => NoPreciseDiagnosis,
            other => Other(other),
        }
    }
}

impl StatusWord {
    pub fn code(self) -> u16 {
        use StatusWord::*;
        match self {
            Ok => 0x9000,
            BytesRemaining(n) => 0x6100 | n as u16,
            EndOfFile => 0x6282,
            VerifyFailed => 0x6300,
            RetriesLeft(n) => 0x63C0 | (n & 0x0F) as u16,
            MemoryFailure => 0x6581,
            WrongLength => 0x6700,
            LogicalChannelNotSupported => 0x6881,
            SecureMessagingNotSupported => 0x6882,
            IncompatibleFileStructure => 0x6981,
            SecurityStatusNotSatisfied => 0x6982,
            AuthMethodBlocked => 0x6983,
            ReferenceDataBlocked => 0x6984,
            ConditionsNotSatisfied => 0x6985,
            CommandNotAllowed => 0x6986,
            WrongData => 0x6A80,
            FunctionNotSupported => 0x6A81,
            FileNotFound => 0x6A82,
            RecordNotFound => 0x6A83,
            IncorrectP1P2 => 0x6A86,
            ReferencedDataNotFound => 0x6A88,
            SecureMessagingRefused => 0x69FC,
            WrongP1P2 => 0x6B00,
            WrongLe(n) => 0x6C00 | n as u16,
            InsNotSupported => 0x6D00,
            ClaNotSupported => 0x6E00,
            NoPreciseDiagnosis => 0x6F00,
            Other(c) => c,
        }
    }

    /// SW1 SW2 as sent on the wire.
    pub fn bytes(self) -> [u8; 2] {
        self.code().to_be_bytes()
    }

    /// 6983 or 6984: both are read as "blocked" (card-protocol.md §4.1).
    pub fn is_blocked(self) -> bool {
        matches!(
            self,
            StatusWord::AuthMethodBlocked | StatusWord::ReferenceDataBlocked
        )
    }

    /// A short English description for error messages.
    pub fn describe(self) -> &'static str {
        use StatusWord::*;
        match self {
            Ok => "success",
            BytesRemaining(_) => "more data available",
            EndOfFile => "end of file reached",
            VerifyFailed => "verification failed",
            RetriesLeft(_) => "verification failed / tries left",
            MemoryFailure => "memory failure",
            WrongLength => "wrong length",
            LogicalChannelNotSupported => "logical channel not supported",
            SecureMessagingNotSupported => "secure messaging not supported",
            IncompatibleFileStructure => "command incompatible with the file structure",
            SecurityStatusNotSatisfied => "security status not satisfied (PIN needed)",
            AuthMethodBlocked => "authentication method blocked",
            ReferenceDataBlocked => "reference data blocked (PIN locked)",
            ConditionsNotSatisfied => "conditions of use not satisfied",
            CommandNotAllowed => "command not allowed",
            WrongData => "wrong data",
            FunctionNotSupported => "function not supported",
            FileNotFound => "file or application not found",
            RecordNotFound => "record not found",
            IncorrectP1P2 => "incorrect parameters P1-P2",
            ReferencedDataNotFound => "referenced data not found",
            SecureMessagingRefused => "secure messaging refused",
            WrongP1P2 => "wrong parameters (offset past end of file)",
            WrongLe(_) => "wrong Le",
            InsNotSupported => "instruction not supported",
            ClaNotSupported => "class not supported",
            NoPreciseDiagnosis => "no precise diagnosis",
            Other(_) => "unknown status",
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.code(), self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_status_word_round_trips() {
        for code in 0..=u16::MAX {
            assert_eq!(StatusWord::from(code).code(), code, "{code:04X}");
        }
    }

    proptest! {
        #[test]
        fn status_word_round_trip(code in any::<u16>()) {
            prop_assert_eq!(StatusWord::from(code).code(), code);
        }

        #[test]
        fn command_round_trip(cla in any::<u8>(), ins in any::<u8>(), p1 in any::<u8>(), p2 in any::<u8>(),
                              data in proptest::collection::vec(any::<u8>(), 0..300),
                              le in proptest::option::of(1usize..=65536), ext in any::<bool>()) {
            let mut c = Command::new(cla, ins, p1, p2).with_data(data);
            c.le = le;
            c.extended = ext;
            let bytes = c.to_bytes();
            let back = Command::parse(&bytes).unwrap();
            prop_assert_eq!(back.to_bytes(), bytes);
            prop_assert_eq!(&back.data, &c.data);
            prop_assert_eq!(back.le, c.le);
        }

        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Command::parse(&b);
            let _ = Response::from_bytes(&b);
        }
    }

    #[test]
    fn forms_from_card_protocol() {
        // Retry query is case 1: exactly four bytes.
        assert_eq!(
            Command::new(0, 0x20, 0, 0x80).to_bytes(),
            [0, 0x20, 0, 0x80]
        );
        let sel = Command::new(0, 0xA4, 2, 0x0C).with_data([0, 0x0A]);
        assert_eq!(sel.to_bytes(), [0, 0xA4, 2, 0x0C, 2, 0, 0x0A]);
        let rb = Command::new(0, 0xB0, 0, 0).with_le(256);
        assert_eq!(rb.to_bytes(), [0, 0xB0, 0, 0, 0]);
        let ext = Command::new(0, 0xB0, 0x8A, 0).with_le(65536).extended();
        assert_eq!(ext.to_bytes(), [0, 0xB0, 0x8A, 0, 0, 0, 0]);
    }

    #[test]
    fn verify_data_is_redacted() {
        let v = Command::new(0, 0x20, 0, 0x80).with_data(*b"1234");
        assert_eq!(v.trace_hex(), "00 20 00 80 04 ****");
        assert!(!format!("{v:?}").contains("31 32"));
        let ck = Command::new(0x80, 0x32, 0, 0x80).with_data(*b"5678");
        assert_eq!(ck.trace_hex(), "80 32 00 80 04 ****");
        let q = Command::new(0, 0x20, 0, 0x80);
        assert_eq!(q.trace_hex(), "00 20 00 80");
    }

    #[test]
    fn classification() {
        assert_eq!(StatusWord::from(0x63C3), StatusWord::RetriesLeft(3));
        assert!(StatusWord::from(0x6983).is_blocked());
        assert!(StatusWord::from(0x6984).is_blocked());
        assert_eq!(StatusWord::from(0x6C10), StatusWord::WrongLe(0x10));
        assert_eq!(StatusWord::from(0x6105), StatusWord::BytesRemaining(5));
    }
}
