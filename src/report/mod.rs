//! The status report's rules, pure: facts in (what was read, and "today"),
//! one decision about what the holder should do (`advice`), and findings
//! with stable codes that all follow from that one decision (`findings`).
//! No I/O.

pub mod advice;
pub mod day;
pub mod face_image;
mod findings;
pub mod timeline;

pub use findings::{findings, holder_mismatch};

use crate::card::pin::PinStatus;
use crate::cert::chain::ChainStatus;
use crate::cert::roots::Provenance;
use crate::protocol::PinKind;
use crate::protocol::TokenType;
use crate::rules;
use serde::Serialize;
use time::Date;

/// Severity of a finding; ordered.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A text in both languages: decided once, picked by the presenter (JSON
/// carries both, so it is the same under any language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub ja: String,
    pub en: String,
}

impl Words {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Words {
        Words {
            ja: ja.into(),
            en: en.into(),
        }
    }

    pub fn pick(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Ja => &self.ja,
            crate::i18n::Lang::En => &self.en,
        }
    }
}

/// The stable code of a finding (docs/json.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingCode {
    CardCaNotRoot,
    CardDataUnreadable,
    CardExpired,
    CardExpiresSoon,
    CardRenewalOpens,
    AuthCertAbsent,
    CertCappedByCard,
    CertChainInvalid,
    CertEndsBeforeCard,
    CertEndNotByRule,
    CertExpired,
    CertExpiresSoon,
    CertJlisUnverifiable,
    CertNotJlis,
    CertNotYetValid,
    CertRenewalOpens,
    CertTestPki,
    NotPhysicalCard,
    PinLastTry,
    PinLocked,
    PinNotReported,
    PinTriesUsed,
    PinUnreadable,
    SignCertAbsent,
    SignCertMismatch,
    SignCertNotCompared,
    SignCertNotRead,
    SignOutlivesAuth,
}

impl FindingCode {
    /// Every code, for docs and tests.
    pub const ALL: &'static [FindingCode] = &[
        FindingCode::CardCaNotRoot,
        FindingCode::CardDataUnreadable,
        FindingCode::CardExpired,
        FindingCode::CardExpiresSoon,
        FindingCode::CardRenewalOpens,
        FindingCode::AuthCertAbsent,
        FindingCode::CertCappedByCard,
        FindingCode::CertChainInvalid,
        FindingCode::CertEndsBeforeCard,
        FindingCode::CertEndNotByRule,
        FindingCode::CertExpired,
        FindingCode::CertExpiresSoon,
        FindingCode::CertJlisUnverifiable,
        FindingCode::CertNotJlis,
        FindingCode::CertNotYetValid,
        FindingCode::CertRenewalOpens,
        FindingCode::CertTestPki,
        FindingCode::NotPhysicalCard,
        FindingCode::PinLastTry,
        FindingCode::PinLocked,
        FindingCode::PinNotReported,
        FindingCode::PinTriesUsed,
        FindingCode::PinUnreadable,
        FindingCode::SignCertAbsent,
        FindingCode::SignCertMismatch,
        FindingCode::SignCertNotCompared,
        FindingCode::SignCertNotRead,
        FindingCode::SignOutlivesAuth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::CardCaNotRoot => "CARD_CA_NOT_ROOT",
            FindingCode::CardDataUnreadable => "CARD_DATA_UNREADABLE",
            FindingCode::CardExpired => "CARD_EXPIRED",
            FindingCode::CardExpiresSoon => "CARD_EXPIRES_SOON",
            FindingCode::CardRenewalOpens => "CARD_RENEWAL_OPENS",
            FindingCode::AuthCertAbsent => "AUTH_CERT_ABSENT",
            FindingCode::CertCappedByCard => "CERT_CAPPED_BY_CARD",
            FindingCode::CertChainInvalid => "CERT_CHAIN_INVALID",
            FindingCode::CertEndsBeforeCard => "CERT_ENDS_BEFORE_CARD",
            FindingCode::CertEndNotByRule => "CERT_END_NOT_BY_RULE",
            FindingCode::CertExpired => "CERT_EXPIRED",
            FindingCode::CertExpiresSoon => "CERT_EXPIRES_SOON",
            FindingCode::CertJlisUnverifiable => "CERT_JLIS_UNVERIFIABLE",
            FindingCode::CertNotJlis => "CERT_NOT_JLIS",
            FindingCode::CertNotYetValid => "CERT_NOT_YET_VALID",
            FindingCode::CertRenewalOpens => "CERT_RENEWAL_OPENS",
            FindingCode::CertTestPki => "CERT_TEST_PKI",
            FindingCode::NotPhysicalCard => "NOT_PHYSICAL_CARD",
            FindingCode::PinLastTry => "PIN_LAST_TRY",
            FindingCode::PinLocked => "PIN_LOCKED",
            FindingCode::PinNotReported => "PIN_NOT_REPORTED",
            FindingCode::PinTriesUsed => "PIN_TRIES_USED",
            FindingCode::PinUnreadable => "PIN_UNREADABLE",
            FindingCode::SignCertAbsent => "SIGN_CERT_ABSENT",
            FindingCode::SignCertMismatch => "SIGN_CERT_MISMATCH",
            FindingCode::SignCertNotCompared => "SIGN_CERT_NOT_COMPARED",
            FindingCode::SignCertNotRead => "SIGN_CERT_NOT_READ",
            FindingCode::SignOutlivesAuth => "SIGN_OUTLIVES_AUTH",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Card,
    AuthCert,
    AuthCaCert,
    SignCert,
    SignCaCert,
    /// The PIN counters as a whole (they could not be read).
    Pins,
    /// One PIN, by its kind (`sign`, `auth`, `card-info`, `resident`).
    #[serde(untagged)]
    Pin(PinKind),
}

impl Subject {
    /// The subject of a part of the card named as `usecase` names it.
    pub fn of_part(part: &str) -> Subject {
        match part {
            "card" => Subject::Card,
            "auth_cert" => Subject::AuthCert,
            "auth_ca_cert" => Subject::AuthCaCert,
            "sign_cert" => Subject::SignCert,
            "sign_ca_cert" => Subject::SignCaCert,
            _ => Subject::Pins,
        }
    }
}

/// One finding: data (code, subject, date) and its words in both languages,
/// all decided in `findings`.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub subject: Subject,
    pub message: Words,
    pub next_step: Words,
    /// A relevant date (expiry, renewal opening).
    pub date: Option<Date>,
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
    /// The user-authentication certificate is on the token (EF 0008).
    pub auth_present: bool,
    pub auth: Option<CertFacts>,
    pub sign_present: bool,
    pub sign: Option<CertFacts>,
    pub pins: Vec<PinStatus>,
    /// Holder's birth date, when known (signature certificate).
    pub birth: Option<Date>,
    /// Parts the card would not give: (subject, what went wrong).
    pub unreadable: Vec<(String, String)>,
    /// `--with-sign` could not use the password: why.
    pub sign_refused: Option<Words>,
    /// The signature certificate against the card's own record (入力補助AP):
    /// the fields that differ (`name`, `address`); None when not compared.
    pub holder_differs: Option<Vec<HolderField>>,
    /// The comparison was asked for but the card-info PIN could not be used:
    /// why.
    pub holder_refused: Option<Words>,
}

/// A holder field the signature certificate and the card's record share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolderField {
    Name,
    Address,
}

/// Which of the signature certificate's name and address differ from the
/// card's record, ignoring the white space certificates may carry.
pub fn holder_differences(
    cert: &crate::cert::jpki_attrs::Holder,
    card_name: &str,
    card_address: &str,
) -> Vec<HolderField> {
    let norm = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let mut out = Vec::new();
    if norm(&cert.name) != norm(card_name) {
        out.push(HolderField::Name);
    }
    if norm(&cert.address) != norm(card_address) {
        out.push(HolderField::Address);
    }
    out
}

/// Days-left and renewal facts for one expiry.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Expiry {
    /// The last valid day (JST).
    #[serde(serialize_with = "day::iso")]
    #[schemars(with = "day::IsoDate")]
    pub expires: Date,
    /// Negative once expired; 0 on the last day.
    pub days_left: i64,
    pub expired: bool,
    #[serde(serialize_with = "day::iso")]
    #[schemars(with = "day::IsoDate")]
    pub renewal_opens: Date,
    pub renewal_open: bool,
}

pub fn expiry(today: Date, last_day: Date) -> Expiry {
    let opens = rules::renewal_opens(last_day);
    Expiry {
        expires: last_day,
        days_left: rules::days_between(today, last_day),
        expired: today > last_day,
        renewal_opens: opens,
        renewal_open: today >= opens && today <= last_day,
    }
}

/// The worst severity among findings.
pub fn worst(f: &[Finding]) -> Option<Severity> {
    f.iter().map(|f| f.severity).max()
}

#[cfg(test)]
mod code_tests {
    use super::FindingCode;

    #[test]
    fn every_finding_code_is_listed_and_spelled_as_serde_spells_it() {
        let schema = schemars::schema_for!(FindingCode).to_value();
        let listed = schema["enum"].as_array().map_or(0, |a| a.len());
        assert_eq!(listed, FindingCode::ALL.len(), "ALL misses a code");
        for c in FindingCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
