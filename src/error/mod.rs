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
pub use misuse::{Binary, Misuse};
mod message;
mod message_helper;
mod remedy;
pub mod waiting;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The stable machine code of each kind of error (JSON `error.code`,
/// docs/json.md). The schema's enum is generated from this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    Absent,
    CardData,
    CardInUse,
    CardLeftPowered,
    CardRemoved,
    CertInput,
    CertNotValid,
    FileExists,
    Helper,
    HelperKilled,
    Interrupted,
    Io,
    NoPrivateKey,
    NotMyNumberCard,
    NotOnToken,
    NoCard,
    NoPcscBuild,
    NoReader,
    NoService,
    OutputFolder,
    OutputRefused,
    PcscError,
    PinChangeHalfDone,
    PinChangeLost,
    PinChangeUndone,
    PinCounterChanged,
    PinFormat,
    PinInput,
    PinLastTry,
    PinLocked,
    PdfInput,
    Timestamp,
    Profile,
    ReaderAmbiguous,
    ReaderNotFound,
    Sandbox,
    Timeout,
    UnexpectedStatus,
    UnsupportedKey,
    Usage,
    VerifyLost,
    WrongPin,
}

impl ErrorCode {
    /// Every code, for docs and tests.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Absent,
        ErrorCode::CardData,
        ErrorCode::CardInUse,
        ErrorCode::CardLeftPowered,
        ErrorCode::CardRemoved,
        ErrorCode::CertInput,
        ErrorCode::CertNotValid,
        ErrorCode::FileExists,
        ErrorCode::Helper,
        ErrorCode::HelperKilled,
        ErrorCode::Interrupted,
        ErrorCode::Io,
        ErrorCode::NoPrivateKey,
        ErrorCode::NotMyNumberCard,
        ErrorCode::NotOnToken,
        ErrorCode::NoCard,
        ErrorCode::NoPcscBuild,
        ErrorCode::NoReader,
        ErrorCode::NoService,
        ErrorCode::OutputFolder,
        ErrorCode::OutputRefused,
        ErrorCode::PcscError,
        ErrorCode::PinChangeHalfDone,
        ErrorCode::PinChangeLost,
        ErrorCode::PinChangeUndone,
        ErrorCode::PinCounterChanged,
        ErrorCode::PinFormat,
        ErrorCode::PinInput,
        ErrorCode::PinLastTry,
        ErrorCode::PinLocked,
        ErrorCode::PdfInput,
        ErrorCode::Timestamp,
        ErrorCode::Profile,
        ErrorCode::ReaderAmbiguous,
        ErrorCode::ReaderNotFound,
        ErrorCode::Sandbox,
        ErrorCode::Timeout,
        ErrorCode::UnexpectedStatus,
        ErrorCode::UnsupportedKey,
        ErrorCode::Usage,
        ErrorCode::VerifyLost,
        ErrorCode::WrongPin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Absent => "ABSENT",
            ErrorCode::CardData => "CARD_DATA",
            ErrorCode::CardInUse => "CARD_IN_USE",
            ErrorCode::CardLeftPowered => "CARD_LEFT_POWERED",
            ErrorCode::CardRemoved => "CARD_REMOVED",
            ErrorCode::CertInput => "CERT_INPUT",
            ErrorCode::PdfInput => "PDF_INPUT",
            ErrorCode::Timestamp => "TIMESTAMP",
            ErrorCode::CertNotValid => "CERT_NOT_VALID",
            ErrorCode::FileExists => "FILE_EXISTS",
            ErrorCode::Helper => "HELPER",
            ErrorCode::HelperKilled => "HELPER_KILLED",
            ErrorCode::Interrupted => "INTERRUPTED",
            ErrorCode::Io => "IO",
            ErrorCode::NoPrivateKey => "NO_PRIVATE_KEY",
            ErrorCode::NotMyNumberCard => "NOT_MY_NUMBER_CARD",
            ErrorCode::NotOnToken => "NOT_ON_TOKEN",
            ErrorCode::NoCard => "NO_CARD",
            ErrorCode::NoPcscBuild => "NO_PCSC_BUILD",
            ErrorCode::NoReader => "NO_READER",
            ErrorCode::NoService => "NO_SERVICE",
            ErrorCode::OutputFolder => "OUTPUT_FOLDER",
            ErrorCode::OutputRefused => "OUTPUT_REFUSED",
            ErrorCode::PcscError => "PCSC_ERROR",
            ErrorCode::PinChangeHalfDone => "PIN_CHANGE_HALF_DONE",
            ErrorCode::PinChangeLost => "PIN_CHANGE_LOST",
            ErrorCode::PinChangeUndone => "PIN_CHANGE_UNDONE",
            ErrorCode::PinCounterChanged => "PIN_COUNTER_CHANGED",
            ErrorCode::PinFormat => "PIN_FORMAT",
            ErrorCode::PinInput => "PIN_INPUT",
            ErrorCode::PinLastTry => "PIN_LAST_TRY",
            ErrorCode::PinLocked => "PIN_LOCKED",
            ErrorCode::Profile => "PROFILE",
            ErrorCode::ReaderAmbiguous => "READER_AMBIGUOUS",
            ErrorCode::ReaderNotFound => "READER_NOT_FOUND",
            ErrorCode::Sandbox => "SANDBOX",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::UnexpectedStatus => "UNEXPECTED_STATUS",
            ErrorCode::UnsupportedKey => "UNSUPPORTED_KEY",
            ErrorCode::Usage => "USAGE",
            ErrorCode::VerifyLost => "VERIFY_LOST",
            ErrorCode::WrongPin => "WRONG_PIN",
        }
    }
}

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
    /// A wrong entry used the last try (forced): the PIN is now locked.
    LockedByThisEntry {
        kind: PinKind,
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
    /// A PDF that cannot be read, or may not be signed (technical detail, English).
    Pdf(String),
    /// No signature timestamp from the TSA (technical detail, English; names the URL).
    Tsa(String),
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
    /// The card holds no private key for `key` (its key EF is absent, or
    /// the card answers "referenced data not found"): a recorded card,
    /// whose files were copied from a real one. Found before any PIN.
    NoPrivateKey {
        key: crate::protocol::SignKey,
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
    pub fn class(&self) -> (ErrorCode, i32) {
        use exit::*;
        use Error::*;
        match self {
            NoService => (ErrorCode::NoService, NO_SERVICE),
            NoReader => (ErrorCode::NoReader, NO_READER),
            ReaderNotFound { .. } => (ErrorCode::ReaderNotFound, NO_READER),
            AmbiguousReader { .. } => (ErrorCode::ReaderAmbiguous, USAGE),
            NoCard { .. } => (ErrorCode::NoCard, NO_CARD),
            NotMyNumberCard { .. } => (ErrorCode::NotMyNumberCard, NOT_MY_NUMBER_CARD),
            CardRemoved => (ErrorCode::CardRemoved, CARD_REMOVED),
            CardInUse => (ErrorCode::CardInUse, TIMEOUT),
            Timeout { .. } => (ErrorCode::Timeout, TIMEOUT),
            Pcsc(_) => (ErrorCode::PcscError, CARD_ERROR),
            UnexpectedStatus { .. } => (ErrorCode::UnexpectedStatus, CARD_ERROR),
            WrongPin { .. } => (ErrorCode::WrongPin, WRONG_PIN),
            LockedByThisEntry { .. } => (ErrorCode::PinLocked, PIN_LOCKED),
            PinLocked { .. } => (ErrorCode::PinLocked, PIN_LOCKED),
            LastTry { .. } => (ErrorCode::PinLastTry, PIN_LOCKED),
            CountersChanged { .. } => (ErrorCode::PinCounterChanged, PIN_INPUT),
            ChangeLost { .. } => (ErrorCode::PinChangeLost, CARD_REMOVED),
            ChangeUndone { cause, .. } => (ErrorCode::PinChangeUndone, cause.exit_code()),
            ChangeHalfDone { .. } => (ErrorCode::PinChangeHalfDone, PIN_HALF_CHANGED),
            PinFormat { .. } => (ErrorCode::PinFormat, PIN_INPUT),
            NoPinSource { .. } | NewPinsDiffer { .. } | PinInput(_) => {
                (ErrorCode::PinInput, PIN_INPUT)
            }
            VerifyLost { .. } => (ErrorCode::VerifyLost, CARD_REMOVED),
            Data(_) => (ErrorCode::CardData, DATA),
            Cert(_) => (ErrorCode::CertInput, DATA),
            Pdf(_) => (ErrorCode::PdfInput, DATA),
            Tsa(_) => (ErrorCode::Timestamp, FAILURE),
            Io { .. } => (ErrorCode::Io, IO),
            FileExists(_) => (ErrorCode::FileExists, IO),
            OutputRefused { .. } => (ErrorCode::OutputRefused, IO),
            OutputFolder { .. } => (ErrorCode::OutputFolder, IO),
            Profile(_) => (ErrorCode::Profile, DATA),
            Usage(_) => (ErrorCode::Usage, USAGE),
            Absent { .. } => (ErrorCode::Absent, ABSENT),
            NoPrivateKey { .. } => (ErrorCode::NoPrivateKey, ABSENT),
            UnsupportedKey { .. } => (ErrorCode::UnsupportedKey, UNSUPPORTED_KEY),
            CertNotValid { .. } => (ErrorCode::CertNotValid, CERT_NOT_VALID),
            NotOnToken { .. } => (ErrorCode::NotOnToken, ABSENT),
            NoPcscBuild => (ErrorCode::NoPcscBuild, NO_SERVICE),
            Sandbox(_) => (ErrorCode::Sandbox, NO_SERVICE),
            Helper(_) => (ErrorCode::Helper, FAILURE),
            HelperKilled { .. } => (ErrorCode::HelperKilled, FAILURE),
            LeftPowered { cause } => (
                ErrorCode::CardLeftPowered,
                cause.as_ref().map_or(CARD_ERROR, |e| e.exit_code()),
            ),
            Interrupted { code, .. } => (ErrorCode::Interrupted, *code),
        }
    }

    pub fn code(&self) -> &'static str {
        self.class().0.as_str()
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
    fn new_pins_that_differ_are_named_by_their_kind() {
        let e = Error::NewPinsDiffer {
            kind: PinKind::Sign,
        };
        assert!(e
            .remedy(Lang::Ja)
            .contains("新しい署名用電子証明書のパスワードを"));
        assert!(e
            .remedy(Lang::En)
            .contains("the same new signature password twice"));
        let e = Error::NewPinsDiffer {
            kind: PinKind::CardInfo,
        };
        assert!(e
            .remedy(Lang::Ja)
            .contains("新しい券面事項入力補助用の暗証番号を"));
    }

    #[test]
    fn every_code_is_listed_and_spelled_as_serde_spells_it() {
        let schema = schemars::schema_for!(ErrorCode).to_value();
        let listed = schema["enum"].as_array().map_or(0, |a| a.len());
        assert_eq!(listed, ErrorCode::ALL.len(), "ALL misses a code");
        for c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    /// One error of every kind (a new code fails
    /// `every_kind_has_a_message_and_a_remedy` until it is added here).
    fn one_of_each() -> Vec<Error> {
        use crate::platform::atomic::FolderProblem;
        let kind = PinKind::Auth;
        let date = time::macros::date!(2030 - 01 - 01);
        vec![
            Error::Pdf("x".into()),
            Error::Tsa("x".into()),
            Error::NoService,
            Error::NoReader,
            Error::ReaderNotFound {
                query: "x".into(),
                readers: vec![],
            },
            Error::AmbiguousReader {
                query: "x".into(),
                matches: vec![],
            },
            Error::NoCard {
                reader: None,
                waited: None,
            },
            Error::NotMyNumberCard {
                reader: "r".into(),
                atr: vec![0x3B],
            },
            Error::CardRemoved,
            Error::CardInUse,
            Error::Timeout {
                what: "w".into(),
                secs: 1.0,
            },
            Error::Pcsc("p".into()),
            Error::UnexpectedStatus {
                command: "READ BINARY",
                sw: StatusWord::SecurityStatusNotSatisfied,
            },
            Error::WrongPin { kind, left: 2 },
            Error::PinLocked { kind },
            Error::LastTry { kind, left: None },
            Error::CountersChanged { kind },
            Error::ChangeLost {
                kind,
                reference: "a",
            },
            Error::ChangeUndone {
                kind,
                cause: Box::new(Error::CardRemoved),
            },
            Error::ChangeHalfDone {
                kind,
                new_on: vec!["a"],
                old_on: vec!["b"],
                unknown: None,
                cause: Box::new(Error::CardRemoved),
            },
            Error::PinFormat {
                kind,
                problem: crate::protocol::FormatProblem::FullWidth,
                new: true,
            },
            Error::NoPinSource { kind },
            Error::NewPinsDiffer { kind },
            Error::PinInput("i".into()),
            Error::VerifyLost { kind },
            Error::Data("d".into()),
            Error::Cert("c".into()),
            Error::io("f", std::io::Error::other("e")),
            Error::FileExists("f".into()),
            Error::OutputRefused {
                path: "f".into(),
                what: "a FIFO",
            },
            Error::OutputFolder {
                folder: "d".into(),
                problem: FolderProblem::Missing,
            },
            Error::Profile("p".into()),
            Error::Usage(Misuse::NoFile),
            Error::Absent {
                slot: CertSlot::Sign,
            },
            Error::UnsupportedKey {
                key: "ECDSA".into(),
            },
            Error::NoPrivateKey {
                key: crate::protocol::SignKey::JpkiAuth,
            },
            Error::CertNotValid {
                slot: CertSlot::Sign,
                expired: true,
                date,
            },
            Error::NotOnToken { app: "x" },
            Error::NoPcscBuild,
            Error::Sandbox("s".into()),
            Error::Helper("h".into()),
            Error::HelperKilled {
                signal: Some(9),
                cleared: true,
            },
            Error::LeftPowered { cause: None },
            Error::Interrupted {
                signal: "SIGINT",
                code: 130,
            },
        ]
    }

    #[test]
    fn every_kind_has_a_message_and_a_remedy() {
        let all = one_of_each();
        let codes: std::collections::BTreeSet<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes.len(),
            ErrorCode::ALL.len(),
            "a kind is missing from one_of_each"
        );
        for e in &all {
            for lang in [Lang::Ja, Lang::En] {
                assert!(!e.message(lang).is_empty(), "{e:?} has no message");
                assert!(!e.remedy(lang).is_empty(), "{e:?} has no remedy");
            }
        }
    }

    #[test]
    fn reader_errors_point_to_the_doctor_and_japanese_has_no_english_status() {
        for e in one_of_each() {
            let reader = matches!(
                e.code(),
                "NO_SERVICE"
                    | "NO_READER"
                    | "NO_CARD"
                    | "CARD_REMOVED"
                    | "CARD_IN_USE"
                    | "TIMEOUT"
                    | "PCSC_ERROR"
            );
            for lang in [Lang::Ja, Lang::En] {
                assert_eq!(
                    e.remedy(lang).starts_with("mynacard doctor"),
                    reader,
                    "{e:?}"
                );
            }
        }
        let sw = Error::UnexpectedStatus {
            command: "READ BINARY",
            sw: StatusWord::WrongLength,
        };
        assert!(
            sw.message(Lang::Ja).contains("6700 (長さが不正です)"),
            "{}",
            sw.message(Lang::Ja)
        );
        let none = Error::NoCard {
            reader: None,
            waited: None,
        };
        assert_eq!(none.message(Lang::Ja), "どのリーダーにもカードがありません");
        let t = Error::Timeout {
            what: waiting::ANSWER.en.into(),
            secs: 2.0,
        };
        assert_eq!(
            t.message(Lang::Ja),
            "2 秒で時間切れになりました (カードの応答待ち)"
        );
        assert_eq!(
            t.message(Lang::En),
            "timed out after 2 s while waiting for the card's answer"
        );
    }

    #[test]
    fn every_code_is_distinct_per_meaning_and_the_english_is_the_display() {
        let e = Error::WrongPin {
            kind: PinKind::Auth,
            left: 1,
        };
        assert_eq!(e.to_string(), "wrong user-authentication PIN: 1 try left");
        assert_eq!(e.class(), (ErrorCode::WrongPin, exit::WRONG_PIN));
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
