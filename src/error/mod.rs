//! Library errors. One table (`class`) gives each its stable code and exit
//! code (`docs/cli.md`, `docs/json.md`); its message and its remedy are each
//! written once, the two languages side by side. Errors carry data, never
//! translated text, and never a PIN.

use crate::apdu::StatusWord;
use crate::i18n::Lang;
use crate::protocol::{CertSlot, PinKind};
use std::fmt;
use std::path::PathBuf;

pub mod exit;
mod misuse;
pub use misuse::Misuse;
mod message;
mod remedy;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    NoService,
    NoReader,
    ReaderNotFound {
        query: String,
        readers: Vec<String>,
    },
    AmbiguousReader {
        query: String,
        matches: Vec<String>,
    },
    NoCard {
        reader: Option<String>,
        waited: Option<f64>,
    },
    /// No JPKI application: another card, or a newer kind of My Number
    /// Card this version does not know (its ATR, for a report).
    NotMyNumberCard {
        reader: String,
        atr: Vec<u8>,
    },
    CardRemoved,
    CardInUse,
    /// `what`: what the command was waiting for (English, technical).
    Timeout {
        what: String,
        secs: f64,
    },
    Pcsc(String),
    UnexpectedStatus {
        command: &'static str,
        sw: StatusWord,
    },
    WrongPin {
        kind: PinKind,
        left: u8,
    },
    PinLocked {
        kind: PinKind,
    },
    /// `left`: `None` when the card does not tell.
    LastTry {
        kind: PinKind,
        left: Option<u8>,
    },
    CountersChanged {
        kind: PinKind,
    },
    ChangeLost {
        kind: PinKind,
        reference: &'static str,
    },
    ChangeUndone {
        kind: PinKind,
        cause: Box<Error>,
    },
    ChangeHalfDone {
        kind: PinKind,
        new_on: Vec<&'static str>,
        old_on: Vec<&'static str>,
        unknown: Option<&'static str>,
        cause: Box<Error>,
    },
    /// `new`: the new PIN of a change.
    PinFormat {
        kind: PinKind,
        problem: crate::protocol::FormatProblem,
        new: bool,
    },
    /// The PIN is needed, there is no terminal and no source was given.
    NoPinSource {
        kind: PinKind,
    },
    /// The new PIN typed twice differed.
    NewPinsDiffer {
        kind: PinKind,
    },
    /// A PIN source failed (technical detail, English).
    PinInput(String),
    VerifyLost {
        kind: PinKind,
    },
    Data(String),
    Cert(String),
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    FileExists(PathBuf),
    OutputRefused {
        path: PathBuf,
        what: &'static str,
    },
    /// The folder of an `-o` file cannot take it (found before the card).
    OutputFolder {
        folder: PathBuf,
        problem: crate::platform::atomic::FolderProblem,
    },
    Profile(String),
    Usage(Misuse),
    Absent {
        slot: CertSlot,
    },
    /// The card's keys are of a kind this version cannot have it sign
    /// with (the next card's ECDSA): its certificates still read and check.
    UnsupportedKey {
        key: String,
    },
    /// The signing key's certificate is outside its validity: a signature
    /// made now would not verify (the date, JST).
    CertNotValid {
        slot: CertSlot,
        expired: bool,
        date: time::Date,
    },
    /// The token lacks an application (a smartphone certificate has only JPKI).
    NotOnToken {
        app: &'static str,
    },
    /// This build has no PC/SC (built without the `pcsc` feature).
    NoPcscBuild,
    /// The private pcscd of `vcard sandbox` could not start (the reason).
    Sandbox(String),
    /// The PC/SC helper process could not be started or ended early.
    Helper(String),
    /// The helper ended without being told: another program killed it.
    /// `signal`: what ended it, when known; `cleared`: a PIN had been
    /// sent, and the tool powered the card down itself.
    HelperKilled {
        signal: Option<i32>,
        cleared: bool,
    },
    LeftPowered {
        cause: Option<Box<Error>>,
    },
    Interrupted {
        signal: &'static str,
        code: i32,
    },
}

impl Error {
    /// The stable code (JSON `error.code`) and the exit code: the one table.
    pub fn class(&self) -> (&'static str, i32) {
        use exit::*;
        use Error::*;
        match self {
            NoService => ("NO_SERVICE", NO_SERVICE),
            NoReader => ("NO_READER", NO_READER),
            ReaderNotFound { .. } => ("READER_NOT_FOUND", NO_READER),
            AmbiguousReader { .. } => ("READER_AMBIGUOUS", USAGE),
            NoCard { .. } => ("NO_CARD", NO_CARD),
            NotMyNumberCard { .. } => ("NOT_MY_NUMBER_CARD", NOT_MY_NUMBER_CARD),
            CardRemoved => ("CARD_REMOVED", CARD_REMOVED),
            CardInUse => ("CARD_IN_USE", TIMEOUT),
            Timeout { .. } => ("TIMEOUT", TIMEOUT),
            Pcsc(_) => ("PCSC_ERROR", CARD_ERROR),
            UnexpectedStatus { .. } => ("UNEXPECTED_STATUS", CARD_ERROR),
            WrongPin { .. } => ("WRONG_PIN", WRONG_PIN),
            PinLocked { .. } => ("PIN_LOCKED", PIN_LOCKED),
            LastTry { .. } => ("PIN_LAST_TRY", PIN_LOCKED),
            CountersChanged { .. } => ("PIN_COUNTER_CHANGED", PIN_INPUT),
            ChangeLost { .. } => ("PIN_CHANGE_LOST", CARD_REMOVED),
            ChangeUndone { cause, .. } => ("PIN_CHANGE_UNDONE", cause.exit_code()),
            ChangeHalfDone { .. } => ("PIN_CHANGE_HALF_DONE", PIN_HALF_CHANGED),
            PinFormat { .. } => ("PIN_FORMAT", PIN_INPUT),
            NoPinSource { .. } | NewPinsDiffer { .. } | PinInput(_) => ("PIN_INPUT", PIN_INPUT),
            VerifyLost { .. } => ("VERIFY_LOST", CARD_REMOVED),
            Data(_) => ("CARD_DATA", DATA),
            Cert(_) => ("CERT_INPUT", DATA),
            Io { .. } => ("IO", IO),
            FileExists(_) => ("FILE_EXISTS", IO),
            OutputRefused { .. } => ("OUTPUT_REFUSED", IO),
            OutputFolder { .. } => ("OUTPUT_FOLDER", IO),
            Profile(_) => ("PROFILE", DATA),
            Usage(_) => ("USAGE", USAGE),
            Absent { .. } => ("ABSENT", ABSENT),
            UnsupportedKey { .. } => ("UNSUPPORTED_KEY", UNSUPPORTED_KEY),
            CertNotValid { .. } => ("CERT_NOT_VALID", CERT_NOT_VALID),
            NotOnToken { .. } => ("NOT_ON_TOKEN", ABSENT),
            NoPcscBuild => ("NO_PCSC_BUILD", NO_SERVICE),
            Sandbox(_) => ("SANDBOX", NO_SERVICE),
            Helper(_) => ("HELPER", FAILURE),
            HelperKilled { .. } => ("HELPER_KILLED", FAILURE),
            LeftPowered { cause } => (
                "CARD_LEFT_POWERED",
                cause.as_ref().map_or(CARD_ERROR, |e| e.exit_code()),
            ),
            Interrupted { code, .. } => ("INTERRUPTED", *code),
        }
    }

    pub fn code(&self) -> &'static str {
        self.class().0
    }

    pub fn exit_code(&self) -> i32 {
        self.class().1
    }

    /// Standard output was closed by its reader.
    pub fn is_closed_output(&self) -> bool {
        matches!(self, Error::Io { path, source }
            if path.as_os_str() == "stdout" && source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::ChangeUndone { cause, .. } | Error::ChangeHalfDone { cause, .. } => {
                Some(cause.as_ref())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_per_meaning_and_the_english_is_the_display() {
        let e = Error::WrongPin {
            kind: PinKind::Auth,
            left: 1,
        };
        assert_eq!(e.to_string(), "wrong user-authentication PIN: 1 try left");
        assert_eq!(e.class(), ("WRONG_PIN", exit::WRONG_PIN));
        assert!(e.message(Lang::Ja).contains("残り 1 回"));
        let lp = Error::LeftPowered {
            cause: Some(Box::new(Error::Timeout {
                what: "waiting".into(),
                secs: 2.0,
            })),
        };
        assert_eq!(lp.exit_code(), exit::TIMEOUT);
        assert!(lp.to_string().starts_with("timed out after 2 s"));
    }
}
