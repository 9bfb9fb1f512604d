//! Profiles of the virtual card: a TOML file describes the holder, the card,
//! each PIN, the certificates, quirks and raw EF overrides
//! (`docs/virtual-card.md`). Bad profiles get an error that names the field.

mod model;
mod raw;
mod source;

use super::App;
use crate::rules;
use raw::*;
use source::{merged, parse_value, toml_error, with_base};
use std::fmt;
use std::path::Path;
use time::Date;

/// The built-in profile (also `mynacard vcard profile`).
pub const BUILTIN_PROFILE_TOML: &str = include_str!("../../../fixtures/profiles/default.toml");

/// A profile error; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

fn err(field: &str, why: impl fmt::Display) -> ProfileError {
    ProfileError(format!("{field}: {why}"))
}

/// What the token label (JPKI EF 0006) says, and which applications exist.
pub use model::*;

fn date(field: &str, s: &str) -> Result<Date, ProfileError> {
    let bad = || err(field, format!("expected a date YYYY-MM-DD, got {s:?}"));
    if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return Err(bad());
    }
    rules::parse_yyyymmdd(&s.replace('-', "")).ok_or_else(bad)
}

fn digits(field: &str, s: &str, n: usize) -> Result<String, ProfileError> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(field, format!("expected {n} digits 0-9, got {s:?}")));
    }
    Ok(s.to_string())
}

fn pin(field: &str, value: &str, tries: Option<u8>, sign: bool) -> Result<PinSpec, ProfileError> {
    let max = if sign { 5 } else { 3 };
    let format = if sign {
        crate::protocol::PinFormat::SignPassword
    } else {
        crate::protocol::PinFormat::Digits(4)
    };
    let ok = format.accepts(value.as_bytes());
    if !ok {
        // The value itself is not echoed: it is a PIN.
        return Err(err(
            &format!("{field}.value"),
            if sign {
                "the signature password must be 6 to 16 characters of A-Z and 0-9"
            } else {
                "the PIN must be exactly 4 digits"
            },
        ));
    }
    let tries = tries.unwrap_or(max);
    if tries > max {
        return Err(err(
            &format!("{field}.tries"),
            format!("at most {max}, got {tries}"),
        ));
    }
    Ok(PinSpec {
        value: value.to_string(),
        tries,
    })
}

fn flags(field: &str, s: Option<String>) -> Result<Option<String>, ProfileError> {
    match s {
        Some(f) if !f.bytes().all(|b| b == b'0' || b == b'1') => Err(err(
            field,
            format!("expected a string of 0 and 1, got {f:?}"),
        )),
        other => Ok(other),
    }
}

/// Parse "3B DA 13 …" or "3BDA13…" hex.
pub fn parse_hex(field: &str, s: &str) -> Result<Vec<u8>, ProfileError> {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    hex::decode(&clean).map_err(|e| err(field, format!("not hex ({e})")))
}

/// The command-header prefixes of `faults.delay_for` ("0020,802A").
pub fn delay_prefixes(s: &str) -> Result<Vec<Vec<u8>>, ProfileError> {
    s.split(',')
        .map(|one| parse_hex("faults.delay_for", one))
        .collect()
}

fn app_of(name: &str) -> Option<App> {
    Some(match name.to_ascii_lowercase().as_str() {
        "jpki" => App::Jpki,
        "text" | "kenhojo" => App::Text,
        "surface" | "kenkaku" => App::Surface,
        "common" => App::Common,
        "juki" => App::Juki,
        _ => return None,
    })
}

/// `[holder]`, checked.
fn holder_of(h: RawHolder) -> Result<Holder, ProfileError> {
    let birth = date("holder.birth_date", &h.birth_date)?;
    if h.name.trim().is_empty() {
        return Err(err("holder.name", "must not be empty"));
    }
    if h.address.trim().is_empty() {
        return Err(err("holder.address", "must not be empty"));
    }
    let sex = digits("holder.sex", &h.sex, 1)?;
    let number = digits("holder.number", &h.number, 12)?;
    if rules::number_check_digit(&number.as_bytes()[..11]) != Some(number.as_bytes()[11] - b'0') {
        return Err(err(
            "holder.number",
            "the check digit (12th digit) does not match the first 11",
        ));
    }
    let security_code = digits("holder.security_code", &h.security_code, 4)?;
    Ok(Holder {
        name: h.name,
        address: h.address,
        birth_date: birth,
        sex,
        number,
        security_code,
    })
}

/// `[card]`, checked (its expiry derived from the holder's birth date).
fn card_of(c: RawCard, birth: Date) -> Result<CardSpec, ProfileError> {
    let token = match c.token.as_str() {
        "card" => Token::Card,
        "smartphone_android" => Token::SmartphoneAndroid,
        "smartphone_ios" => Token::SmartphoneIos,
        "juki_card" => Token::JukiCard,
        "other" => Token::Other,
        t => {
            return Err(err(
                "card.token",
                format!(
                "expected card, smartphone_android, smartphone_ios, juki_card or other, got {t:?}"
            ),
            ))
        }
    };
    let issued = date("card.issued", &c.issued)?;
    if issued < birth {
        return Err(err("card.issued", "is before holder.birth_date"));
    }
    let application = match &c.application {
        Some(a) => date("card.application", a)?,
        None => issued,
    };
    let expiry = if c.expiry == "derived" {
        rules::card_expiry(birth, application, issued)
    } else {
        date("card.expiry", &c.expiry)?
    };
    if expiry <= issued {
        return Err(err("card.expiry", "must be after card.issued"));
    }
    let atr = match &c.atr {
        Some(a) => {
            let v = parse_hex("card.atr", a)?;
            if v.len() < 2 || v.len() > 33 || (v[0] != 0x3B && v[0] != 0x3F) {
                return Err(err(
                    "card.atr",
                    "an ATR is 2 to 33 bytes starting with 3B or 3F",
                ));
            }
            v
        }
        None => DEFAULT_ATR.to_vec(),
    };
    let algorithm = match c.algorithm.as_deref() {
        None | Some("rsa-2048") => Algorithm::Rsa2048,
        Some("ecdsa-p384") => Algorithm::EcdsaP384,
        Some(a) => {
            return Err(err(
                "card.algorithm",
                format!("expected rsa-2048 or ecdsa-p384, got {a:?}"),
            ))
        }
    };
    Ok(CardSpec {
        token,
        algorithm,
        serial: digits("card.serial", &c.serial, 15)?,
        municipality: digits("card.municipality", &c.municipality, 5)?,
        issued,
        expiry,
        extended_length: c.extended_length,
        recorded: c.recorded,
        atr,
    })
}

/// `[pins]`, checked.
fn pins_of(p: RawPins) -> Result<Pins, ProfileError> {
    let resident = pin("pins.resident", &p.resident.value, p.resident.tries, false)?;
    let resident_common = pin(
        "pins.resident",
        p.resident
            .common_value
            .as_deref()
            .unwrap_or(&p.resident.value),
        p.resident.common_tries.or(p.resident.tries),
        false,
    )?;
    Ok(Pins {
        sign: pin("pins.sign", &p.sign.value, p.sign.tries, true)?,
        auth: pin("pins.auth", &p.auth.value, p.auth.tries, false)?,
        card_info: pin(
            "pins.card_info",
            &p.card_info.value,
            p.card_info.tries,
            false,
        )?,
        resident,
        resident_common,
    })
}

/// Raw EF contents (`APP:FID`) and MF data objects (`mf:TAG`).
#[allow(clippy::type_complexity)]
fn overrides_of(
    raw_overrides: std::collections::BTreeMap<String, String>,
) -> Result<(Vec<(App, u16, Vec<u8>)>, Vec<(u16, Vec<u8>)>), ProfileError> {
    let mut overrides = Vec::new();
    let mut mf_overrides = Vec::new();
    for (k, v) in raw_overrides {
        let field = format!("ef_overrides.{k:?}");
        let (a, fid) = k
            .split_once(':')
            .ok_or_else(|| err(&field, "the key must be APP:FID, e.g. \"jpki:0006\""))?;
        if a.eq_ignore_ascii_case("mf") {
            let tag = u16::from_str_radix(fid, 16)
                .map_err(|_| err(&field, "a GET DATA tag is 4 hex digits, e.g. 00F8"))?;
            mf_overrides.push((tag, parse_hex(&field, &v)?));
            continue;
        }
        let app = app_of(a).ok_or_else(|| {
            err(
                &field,
                "APP must be jpki, text, surface, common, juki or mf",
            )
        })?;
        let fid = u16::from_str_radix(fid, 16)
            .map_err(|_| err(&field, "FID must be 4 hex digits, e.g. 000A"))?;
        overrides.push((app, fid, parse_hex(&field, &v)?));
    }
    Ok((overrides, mf_overrides))
}

impl Profile {
    #[allow(
        clippy::unreachable,
        reason = "the built-in profile is compiled in and parsed by a test"
    )]
    pub fn builtin() -> Profile {
        match Profile::from_toml(BUILTIN_PROFILE_TOML) {
            Ok(p) => p,
            // The built-in profile is tested; this cannot fail at run time.
            Err(e) => unreachable!("built-in profile: {e}"),
        }
    }

    /// Load a profile file. `base = "builtin"` (or a path relative to the
    /// file) makes it a set of changes to another profile.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let v = merged(path, 0)?;
        Profile::from_value(v)
    }

    pub fn from_toml(s: &str) -> Result<Profile, ProfileError> {
        let v = with_base(parse_value(s)?, None, 0)?;
        Profile::from_value(v)
    }

    /// A profile file's text, already read; a `base` file is found beside it.
    pub fn from_file_text(s: &str, path: &Path) -> Result<Profile, ProfileError> {
        let v = with_base(parse_value(s)?, path.parent(), 0)?;
        Profile::from_value(v)
    }

    /// SHA-256 of the merged tables the profile was read from.
    pub fn source_digest(&self) -> [u8; 32] {
        self.source
    }

    fn from_value(v: toml::Table) -> Result<Profile, ProfileError> {
        use sha2::Digest;
        let source = sha2::Sha256::digest(v.to_string()).into();
        let raw: RawProfile = toml::Value::Table(v)
            .try_into()
            .map_err(|e: toml::de::Error| toml_error(&e, None))?;
        let holder = holder_of(raw.holder)?;
        let birth = holder.birth_date;
        let card = card_of(raw.card, birth)?;
        let pins = pins_of(raw.pins)?;

        // Raw EF overrides make another card: its certificates differ too.
        let other_card = format!("{:?}", raw.ef_overrides);
        let cert =
            |which: &str, rc: Option<RawCert>, serial: u64| -> Result<CertSpec, ProfileError> {
                let f = |k: &str| format!("certificates.{which}.{k}");
                let rc = rc.unwrap_or(RawCert {
                    present: true,
                    issued: None,
                    expires: derived(),
                    serial: None,
                    name: None,
                    address: None,
                    name_substitutes: None,
                    address_substitutes: None,
                    wrong_issuer: false,
                });
                let issued_c = match &rc.issued {
                    Some(d) => date(&f("issued"), d)?,
                    None => card.issued,
                };
                let expires = if rc.expires == "derived" {
                    rules::cert_expiry(birth, issued_c, card.expiry)
                } else {
                    date(&f("expires"), &rc.expires)?
                };
                if expires < issued_c {
                    return Err(err(&f("expires"), "is before the certificate's issue date"));
                }
                // A CA never gives two certificates one serial number: the
                // default one follows everything the certificate says.
                let content = format!(
                "{which}|{}|{issued_c}|{expires}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}|{other_card}",
                card.serial,
                rc.name,
                rc.address,
                rc.name_substitutes,
                rc.address_substitutes,
                rc.wrong_issuer,
                holder.name,
                holder.address,
                holder.birth_date,
                holder.sex,
            );
                let h = <sha2::Sha256 as sha2::Digest>::digest(content.as_bytes());
                let high = u64::from(u32::from_be_bytes([h[0] & 0x7F, h[1], h[2], h[3]]));
                let derived_serial = (high << 24) | (serial & 0xFF_FFFF);
                Ok(CertSpec {
                    present: rc.present,
                    issued: issued_c,
                    expires,
                    serial: rc.serial.unwrap_or(derived_serial),
                    name: rc.name.unwrap_or_else(|| holder.name.clone()),
                    address: rc.address.unwrap_or_else(|| holder.address.clone()),
                    name_substitutes: flags(&f("name_substitutes"), rc.name_substitutes)?,
                    address_substitutes: flags(&f("address_substitutes"), rc.address_substitutes)?,
                    wrong_issuer: rc.wrong_issuer,
                })
            };
        // Deterministic serials from the card serial, so each card differs.
        let base: u64 = card.serial[7..].parse().unwrap_or(1);
        let auth_cert = cert("auth", raw.certificates.auth, base * 2 + 1)?;
        let sign_cert = cert("sign", raw.certificates.sign, base * 2 + 2)?;

        let (overrides, mf_overrides) = overrides_of(raw.ef_overrides)?;
        if let Some(s) = &raw.faults.status {
            let v = parse_hex("faults.status", s)?;
            if v.len() != 2 {
                return Err(err(
                    "faults.status",
                    "expected a status word of 2 bytes, e.g. \"6F00\"",
                ));
            }
        }
        if let Some(s) = &raw.faults.status_for {
            parse_hex("faults.status_for", s)?;
        }
        if let Some(s) = &raw.faults.delay_for {
            delay_prefixes(s)?;
        }
        Ok(Profile {
            holder,
            card,
            pins,
            auth_cert,
            sign_cert,
            quirks: raw.quirks,
            faults: raw.faults,
            timing: raw.timing.resolve()?,
            overrides,
            mf_overrides,
            source,
        })
    }
}

#[cfg(test)]
mod tests;
