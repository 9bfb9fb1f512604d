//! What `doctor` finds: the steps from the USB port to the card, how each
//! went and what it found — the one model the probes (`doctor_usb`,
//! `doctor_card`) fill and `doctor` puts in order, and the command words.

use crate::protocol::TokenType;
use serde::Serialize;
use std::path::PathBuf;

/// The steps, in the order the path runs from the USB port to the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepId {
    Usb,
    Service,
    Readers,
    Card,
    Applications,
    ExtendedLength,
    Latency,
}

impl StepId {
    pub const ALL: [StepId; 7] = [
        StepId::Usb,
        StepId::Service,
        StepId::Readers,
        StepId::Card,
        StepId::Applications,
        StepId::ExtendedLength,
        StepId::Latency,
    ];
}

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// Works, with something worth knowing.
    Warn,
    /// This step stops the path: its fix comes first.
    Fail,
    /// Not reached: an earlier step failed.
    Skipped,
    /// Not checked on this system, or not for the virtual card.
    NotChecked,
}

/// Why a step was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotChecked {
    OtherSystem,
    VirtualCard,
    NoPcscBuild,
}

/// The PC/SC service as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    Ok,
    NotInstalled,
    /// `PCSCLITE_CSOCK_NAME` names a socket that is not there.
    EnvSocketMissing(PathBuf),
    /// No socket, no daemon.
    NotRunning(PathBuf),
    /// The socket is there but nothing answers on it.
    NoAnswer(PathBuf),
    /// Not reachable, where the system's PC/SC is not pcsc-lite.
    Unavailable,
    /// Any other PC/SC failure.
    Other(String),
}

/// What one step found: the data a presenter words.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    NotChecked(NotChecked),
    Skipped,
    Usb(UsbFinding),
    Service(Service),
    /// The readers pcscd offers (none: nothing to read with).
    Readers(usize),
    /// `--reader` names none of them (`matches` empty) or several.
    ReaderChoice {
        query: String,
        matches: Vec<String>,
    },
    Card(CardFinding),
    Applications(AppsFinding),
    Extended(Extended),
    Latency {
        median_ms: f64,
        apdus: u32,
    },
}

/// One step, checked.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: StepId,
    pub status: Status,
    pub finding: Finding,
}

/// What the USB step found: the device that matters most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbFinding {
    /// No smart-card or NFC device on USB.
    None,
    /// Every device found is one pcscd offers (or cannot be told).
    Fine(usize),
    /// A reader a Linux NFC driver holds (RC-S380 on `port100`).
    KernelNfc { model: String, driver: String },
    /// A CCID reader, and no CCID driver for pcscd (libccid).
    NoCcidDriver { model: String },
    /// A CCID reader pcscd does not offer, though its driver is there.
    NotOffered { model: String },
}

/// How the card is reached, as its ATR says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interface {
    Contact,
    Contactless,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardFinding {
    Ok {
        interface: Interface,
    },
    NoCard,
    /// Another program holds the card.
    Busy,
    /// The card did not answer as a card should (the error's words).
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppsFinding {
    /// The JPKI application answered; the others as listed.
    Ok(Option<TokenType>),
    NotMyNumberCard,
    Error(String),
}

/// How the extended-length read went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extended {
    /// One READ BINARY brought the whole certificate.
    Works { bytes: usize },
    /// The card or reader refused it (6700): short reads are used.
    Refused,
    /// The read failed on the way (a reader that cannot carry the answer).
    Broke(String),
}
