//! The profile file's shape as serde reads it (`Raw*`): every field
//! optional where the file may leave it out, checked and turned into the
//! validated types by `Profile::from_value` (`mod.rs`).

use super::{err, Faults, ProfileError, Quirks};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub(super) holder: RawHolder,
    pub(super) card: RawCard,
    pub(super) pins: RawPins,
    #[serde(default)]
    pub(super) certificates: RawCerts,
    #[serde(default)]
    pub(super) quirks: Quirks,
    #[serde(default)]
    pub(super) faults: Faults,
    #[serde(default)]
    pub(super) timing: RawTiming,
    #[serde(default)]
    pub(super) ef_overrides: BTreeMap<String, String>,
}

/// `[timing]`: a preset, with any figure overridden.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTiming {
    pub(super) preset: Option<String>,
    pub(super) interface: Option<crate::vcard::timing::Interface>,
    pub(super) bit_rate: Option<u32>,
    pub(super) command_us: Option<u64>,
    pub(super) verify_us: Option<u64>,
    pub(super) sign_us: Option<u64>,
    pub(super) activation_us: Option<u64>,
}

impl RawTiming {
    pub(super) fn resolve(self) -> Result<crate::vcard::timing::Timing, ProfileError> {
        use crate::vcard::timing::{self, Interface};
        let mut t = match &self.preset {
            None => timing::NONE,
            Some(n) => timing::preset(n).ok_or_else(|| {
                err(
                    "timing.preset",
                    format!(
                        "unknown preset; one of {}",
                        timing::preset_names().join(", ")
                    ),
                )
            })?,
        };
        if let Some(i) = self.interface {
            t.interface = i;
        }
        if let Some(b) = self.bit_rate {
            if b == 0 || b > 10_000_000 {
                return Err(err("timing.bit_rate", "expected 1 to 10000000 bit/s"));
            }
            t.bit_rate = b;
        }
        t.command_us = self.command_us.unwrap_or(t.command_us);
        t.verify_us = self.verify_us.unwrap_or(t.verify_us);
        t.sign_us = self.sign_us.unwrap_or(t.sign_us);
        t.activation_us = self.activation_us.unwrap_or(t.activation_us);
        for (f, v) in [
            ("timing.command_us", t.command_us),
            ("timing.verify_us", t.verify_us),
            ("timing.sign_us", t.sign_us),
            ("timing.activation_us", t.activation_us),
        ] {
            if v > 60_000_000 {
                return Err(err(f, "at most 60000000 (one minute)"));
            }
        }
        if t.interface != Interface::None && t.bit_rate == 0 {
            return Err(err("timing.bit_rate", "an interface needs its bit rate"));
        }
        Ok(t)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHolder {
    pub(super) name: String,
    pub(super) address: String,
    pub(super) birth_date: String,
    pub(super) sex: String,
    pub(super) number: String,
    #[serde(default = "default_security_code")]
    pub(super) security_code: String,
}

pub(super) fn default_security_code() -> String {
    "0000".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCard {
    #[serde(default = "default_token")]
    pub(super) token: String,
    /// `rsa-2048` (default) or `ecdsa-p384`.
    pub(super) algorithm: Option<String>,
    pub(super) serial: String,
    pub(super) municipality: String,
    pub(super) issued: String,
    /// Application date for the 2022 age rule (default: the issue date).
    pub(super) application: Option<String>,
    #[serde(default = "derived")]
    pub(super) expiry: String,
    #[serde(default)]
    pub(super) extended_length: bool,
    /// Files recorded from a card whose private keys are not here.
    #[serde(default)]
    pub(super) recorded: bool,
    pub(super) atr: Option<String>,
}

pub(super) fn default_token() -> String {
    "card".into()
}

pub(super) fn derived() -> String {
    "derived".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPins {
    pub(super) sign: RawPin,
    pub(super) auth: RawPin,
    pub(super) card_info: RawPin,
    pub(super) resident: RawResident,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPin {
    pub(super) value: String,
    pub(super) tries: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawResident {
    pub(super) value: String,
    pub(super) tries: Option<u8>,
    /// The 共通AP reference, when it differs from the 住基AP one.
    pub(super) common_value: Option<String>,
    pub(super) common_tries: Option<u8>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCerts {
    pub(super) auth: Option<RawCert>,
    pub(super) sign: Option<RawCert>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCert {
    #[serde(default = "yes")]
    pub(super) present: bool,
    pub(super) issued: Option<String>,
    #[serde(default = "derived")]
    pub(super) expires: String,
    pub(super) serial: Option<u64>,
    pub(super) name: Option<String>,
    pub(super) address: Option<String>,
    pub(super) name_substitutes: Option<String>,
    pub(super) address_substitutes: Option<String>,
    #[serde(default)]
    pub(super) wrong_issuer: bool,
}

pub(super) fn yes() -> bool {
    true
}
