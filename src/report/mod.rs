//! The status report's rules, pure: facts in (what was read, and "today"),
//! one decision about what the holder should do (`advice`), and findings
//! with stable codes that all follow from that one decision (`findings`).
//! No I/O.

pub mod advice;
mod findings;
pub mod timeline;

pub use findings::{findings, holder_mismatch};

use crate::card::pin::PinStatus;
use crate::cert::chain::ChainStatus;
use crate::cert::roots::Provenance;
use crate::protocol::TokenType;
use crate::rules;
use serde::Serialize;
use time::Date;

/// Severity of a finding; ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code (docs/json.md).
    pub code: &'static str,
    pub severity: Severity,
    /// What it is about: `card`, `auth_cert`, `sign_cert`, or a PIN kind.
    pub subject: String,
    pub message: String,
    pub next_step: String,
    /// A relevant date (expiry, renewal opening), YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// What was read about one certificate.
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub not_before: Date,
    /// Last valid day in JST.
    pub not_after: Date,
    /// Its chain to the card's CA certificate, when checked.
    pub chain: Option<ChainStatus>,
    /// The holder's birth date, when the certificate carries it.
    pub birth: Option<Date>,
    /// Who issued it, by the built-in roots (level 1).
    pub provenance: Provenance,
    /// Whether the card's CA file is that root (level 2).
    pub card_ca_is_root: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub today: Date,
    pub token: TokenType,
    /// Card expiry from the 共通AP record (None: not readable / token).
    pub card_expiry: Option<Date>,
    pub auth: Option<CertFacts>,
    pub sign_present: bool,
    pub sign: Option<CertFacts>,
    pub pins: Vec<PinStatus>,
    /// Holder's birth date, when known (signature certificate).
    pub birth: Option<Date>,
    /// Parts the card would not give: (subject, what went wrong).
    pub unreadable: Vec<(String, String)>,
    /// `--with-sign` could not use the password: why (in the report's language).
    pub sign_refused: Option<String>,
    /// The signature certificate against the card's own record (入力補助AP):
    /// the fields that differ (`name`, `address`); None when not compared.
    pub holder_differs: Option<Vec<&'static str>>,
    /// The comparison was asked for but the card-info PIN could not be used:
    /// why (in the report's language).
    pub holder_refused: Option<String>,
}

/// Which of the signature certificate's name and address differ from the
/// card's record, ignoring the white space certificates may carry.
pub fn holder_differences(
    cert: &crate::cert::jpki_attrs::Holder,
    card_name: &str,
    card_address: &str,
) -> Vec<&'static str> {
    let norm = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let mut out = Vec::new();
    if norm(&cert.name) != norm(card_name) {
        out.push("name");
    }
    if norm(&cert.address) != norm(card_address) {
        out.push("address");
    }
    out
}

/// Days-left and renewal facts for one expiry.
#[derive(Debug, Clone, Serialize)]
pub struct Expiry {
    pub expires: String,
    pub days_left: i64,
    pub expired: bool,
    pub renewal_opens: String,
    pub renewal_open: bool,
}

pub fn expiry(today: Date, last_day: Date) -> Expiry {
    let opens = rules::renewal_opens(last_day);
    Expiry {
        expires: last_day.to_string(),
        days_left: rules::days_between(today, last_day),
        expired: today > last_day,
        renewal_opens: opens.to_string(),
        renewal_open: today >= opens && today <= last_day,
    }
}

/// The worst severity among findings.
pub fn worst(f: &[Finding]) -> Option<Severity> {
    f.iter().map(|f| f.severity).max()
}
