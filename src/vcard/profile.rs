//! Profiles of the virtual card: a TOML file describes the holder, the card,
//! each PIN, the certificates, quirks and raw EF overrides
//! (`docs/virtual-card.md`). Bad profiles get an error that names the field.

use super::App;
use crate::rules;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use time::Date;

/// The built-in profile (also `mynacard vcard profile`).
pub const BUILTIN_PROFILE_TOML: &str = include_str!("../../fixtures/profiles/default.toml");

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A physical My Number Card (`JPKIAPICCTOKEN2`), all five APs.
    Card,
    /// Android smartphone certificate (`JPKIAPGPSETOKEN`): JPKI AP only;
    /// the auth certificate needs the auth PIN.
    SmartphoneAndroid,
    /// iPhone smartphone certificate (`JPKIAPIOSTOKEN`): JPKI AP only.
    SmartphoneIos,
    /// The older 住基カード (`JPKIAPICCTOKEN`): JPKI AP only.
    JukiCard,
    /// Some other smart card: no My Number Card application at all.
    Other,
}

impl Token {
    /// The JPKI token it presents; `None` for a card with no JPKI AP.
    pub fn token_type(self) -> Option<crate::protocol::TokenType> {
        use crate::protocol::TokenType as T;
        match self {
            Token::Card => Some(T::Card),
            Token::SmartphoneAndroid => Some(T::SmartphoneAndroid),
            Token::SmartphoneIos => Some(T::SmartphoneIos),
            Token::JukiCard => Some(T::JukiCard),
            Token::Other => None,
        }
    }

    pub fn has_app(self, app: App) -> bool {
        self.token_type().is_some_and(|t| t.has_app(app))
    }
}

/// One PIN as the profile sets it.
#[derive(Clone, PartialEq, Eq)]
pub struct PinSpec {
    pub value: String,
    /// Tries left at start.
    pub tries: u8,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Pins {
    pub sign: PinSpec,
    pub auth: PinSpec,
    pub card_info: PinSpec,
    /// The 住基AP `001C` reference.
    pub resident: PinSpec,
    /// The 共通AP `001C` reference (defaults to the 住基 one).
    pub resident_common: PinSpec,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    pub name: String,
    pub address: String,
    pub birth_date: Date,
    pub sex: String,
    pub number: String,
    pub security_code: String,
}

#[derive(Clone, PartialEq, Eq)]
pub struct CardSpec {
    pub token: Token,
    pub serial: String,
    pub municipality: String,
    pub issued: Date,
    pub expiry: Date,
    /// The card answers extended-length READ BINARY (Le > 256).
    pub extended_length: bool,
    pub atr: Vec<u8>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct CertSpec {
    pub present: bool,
    pub issued: Date,
    /// Last valid day (JST).
    pub expires: Date,
    pub serial: u64,
    /// Holder attributes as written into the signature certificate
    /// (default: the holder's); differ them to model a move.
    pub name: String,
    pub address: String,
    pub name_substitutes: Option<String>,
    pub address_substitutes: Option<String>,
    /// Sign with the unrelated test CA (a certificate of another issuer).
    pub wrong_issuer: bool,
}

/// Behaviours where real cards differ (card-protocol.md §4.1, §6, §12).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quirks {
    /// Answer `9000` instead of `63Cx` to the retry query of a key verified
    /// in this power cycle (seen on some cards).
    pub retry_query_ok_after_verify: bool,
    /// Keep the verified state across a warm reset, as the real card does;
    /// only a power-off clears it.
    pub keep_verified_on_reset: bool,
    /// Answer `6F00` to the first command after power-up.
    pub first_command_6f00: bool,
    /// Accept short-EF-identifier addressing (READ BINARY P1=0x80|SFI,
    /// VERIFY P2=0x80|SFI, READ RECORD with SFI); `false` answers 6A86.
    pub short_ef_ids: bool,
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            retry_query_ok_after_verify: false,
            keep_verified_on_reset: true,
            first_command_6f00: false,
            short_ef_ids: true,
        }
    }
}

/// Faults to inject (for reliability tests; `docs/virtual-card.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Drop the connection (card pulled) when APDU number N arrives
    /// (1-based, counted from power-up); it is not answered.
    pub remove_after: Option<u32>,
    /// Answer this status word (hex, e.g. "6F00") to the commands matching
    /// `status_for` instead of executing them.
    pub status: Option<String>,
    /// Command header prefix in hex the status fault applies to (e.g.
    /// "00B0" or "0020"); empty = every command.
    pub status_for: Option<String>,
    /// Apply the status fault only to the N-th matching command (1-based,
    /// counted over the card's life), e.g. the second CHANGE KEY.
    pub status_nth: Option<u32>,
    /// Cut every response longer than N bytes down to N (SW kept).
    pub truncate_to: Option<usize>,
    /// Delay every answer by this many milliseconds.
    pub delay_ms: Option<u64>,
    /// Apply `delay_ms` only to commands whose header starts with this hex
    /// prefix (e.g. "00B081", a READ BINARY of EF 0001 by SFI): a card that
    /// goes silent at one step of a command.
    pub delay_for: Option<String>,
    /// Flip a byte in the user-authentication certificate (a corrupt EF).
    pub corrupt_auth_cert: bool,
    /// Sign with another key than the user-authentication certificate's:
    /// a card that does not hold its certificate's key (a forgery).
    pub wrong_auth_key: bool,
}

/// A validated profile.
#[derive(Clone, PartialEq, Eq)]
pub struct Profile {
    pub holder: Holder,
    pub card: CardSpec,
    pub pins: Pins,
    pub auth_cert: CertSpec,
    pub sign_cert: CertSpec,
    pub quirks: Quirks,
    pub faults: Faults,
    /// How slow the card is (`timing.rs`; none by default).
    pub timing: super::timing::Timing,
    /// Raw EF contents that replace the generated ones.
    pub overrides: Vec<(App, u16, Vec<u8>)>,
    /// SHA-256 of what the profile was read from (its tables merged with
    /// its base's): names the kept card image (`image.rs`). A profile
    /// changed field by field in code keeps its old digest, so only
    /// profiles read from text are kept.
    source: [u8; 32],
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // PINs and personal data stay out of Debug output.
        f.write_str("Profile(REDACTED)")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    holder: RawHolder,
    card: RawCard,
    pins: RawPins,
    #[serde(default)]
    certificates: RawCerts,
    #[serde(default)]
    quirks: Quirks,
    #[serde(default)]
    faults: Faults,
    #[serde(default)]
    timing: RawTiming,
    #[serde(default)]
    ef_overrides: BTreeMap<String, String>,
}

/// `[timing]`: a preset, with any figure overridden.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTiming {
    preset: Option<String>,
    interface: Option<super::timing::Interface>,
    bit_rate: Option<u32>,
    command_us: Option<u64>,
    verify_us: Option<u64>,
    sign_us: Option<u64>,
    activation_us: Option<u64>,
}

impl RawTiming {
    fn resolve(self) -> Result<super::timing::Timing, ProfileError> {
        use super::timing::{self, Interface};
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
struct RawHolder {
    name: String,
    address: String,
    birth_date: String,
    sex: String,
    number: String,
    #[serde(default = "default_security_code")]
    security_code: String,
}

fn default_security_code() -> String {
    "0000".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    #[serde(default = "default_token")]
    token: String,
    serial: String,
    municipality: String,
    issued: String,
    /// Application date for the 2022 age rule (default: the issue date).
    application: Option<String>,
    #[serde(default = "derived")]
    expiry: String,
    #[serde(default)]
    extended_length: bool,
    atr: Option<String>,
}

fn default_token() -> String {
    "card".into()
}

fn derived() -> String {
    "derived".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPins {
    sign: RawPin,
    auth: RawPin,
    card_info: RawPin,
    resident: RawResident,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPin {
    value: String,
    tries: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResident {
    value: String,
    tries: Option<u8>,
    /// The 共通AP reference, when it differs from the 住基AP one.
    common_value: Option<String>,
    common_tries: Option<u8>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCerts {
    auth: Option<RawCert>,
    sign: Option<RawCert>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCert {
    #[serde(default = "yes")]
    present: bool,
    issued: Option<String>,
    #[serde(default = "derived")]
    expires: String,
    serial: Option<u64>,
    name: Option<String>,
    address: Option<String>,
    name_substitutes: Option<String>,
    address_substitutes: Option<String>,
    #[serde(default)]
    wrong_issuer: bool,
}

fn yes() -> bool {
    true
}

/// Default ATR: a contact My Number Card (pcsc-tools' list, "My Number Card").
pub const DEFAULT_ATR: &[u8] = &[
    0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6,
    0x01, 0xC0, 0x3B,
];

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
    let ok = if sign {
        (6..=16).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    } else {
        value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit())
    };
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

/// A TOML error without the profile's text: no quoted line, and no value
/// (a PIN, the number) — only the field names and where.
fn toml_error(e: &toml::de::Error, src: Option<&str>) -> ProfileError {
    let mut msg = String::new();
    let mut rest = e.message();
    while let Some(i) = rest.find('`') {
        msg.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let Some(j) = rest.find('`') else { break };
        let token = &rest[..j];
        let is_name = !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.' || c == '-');
        msg.push_str(if is_name { token } else { "…" });
        msg.push('`');
        rest = &rest[j + 1..];
    }
    msg.push_str(rest);
    // The field, when the error knows it ("in `pins.auth.value`").
    let shown = e.to_string();
    let field = shown
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("in `").and_then(|l| l.strip_suffix('`')))
        .filter(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        });
    let at = match (field, e.span(), src) {
        (Some(f), _, _) => format!("{f}: "),
        (None, Some(span), Some(src)) => {
            let line = src[..span.start.min(src.len())].matches('\n').count() + 1;
            format!("line {line}: ")
        }
        _ => String::new(),
    };
    ProfileError(format!("{at}{}", msg.trim_end()))
}

fn parse_value(s: &str) -> Result<toml::Table, ProfileError> {
    s.parse::<toml::Table>()
        .map_err(|e| toml_error(&e, Some(s)))
}

fn merged(path: &Path, depth: u32) -> Result<toml::Table, ProfileError> {
    let b = crate::platform::files::read_limited(path, crate::platform::files::limit::PROFILE)
        .map_err(|e| match depth {
            0 => ProfileError(format!("cannot read it: {e}")),
            _ => ProfileError(format!("{}: cannot read it: {e}", path.display())),
        })?;
    let s = String::from_utf8(b)
        .map_err(|_| ProfileError(format!("{}: is not UTF-8 text", path.display())))?;
    // The top profile's name is given by the caller; a `base` names its own.
    let v = parse_value(&s).map_err(|e| match depth {
        0 => e,
        _ => ProfileError(format!("{}: {e}", path.display())),
    })?;
    with_base(v, path.parent(), depth)
}

/// Apply `base`: the named profile, with this one's tables merged over it.
fn with_base(
    mut v: toml::Table,
    dir: Option<&Path>,
    depth: u32,
) -> Result<toml::Table, ProfileError> {
    let Some(base) = v.remove("base") else {
        return Ok(v);
    };
    if depth > 8 {
        return Err(err("base", "profiles extend each other in a loop"));
    }
    let mut b = match base.as_str() {
        Some("builtin") => parse_value(BUILTIN_PROFILE_TOML)?,
        Some(rel) => match dir {
            Some(d) => merged(&d.join(rel), depth + 1)?,
            None => return Err(err("base", "only \"builtin\" is possible here")),
        },
        None => return Err(err("base", "expected \"builtin\" or a file name")),
    };
    merge(&mut b, v);
    Ok(b)
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

impl Profile {
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
        let h = raw.holder;
        let birth = date("holder.birth_date", &h.birth_date)?;
        if h.name.trim().is_empty() {
            return Err(err("holder.name", "must not be empty"));
        }
        if h.address.trim().is_empty() {
            return Err(err("holder.address", "must not be empty"));
        }
        let sex = digits("holder.sex", &h.sex, 1)?;
        let number = digits("holder.number", &h.number, 12)?;
        if rules::number_check_digit(&number.as_bytes()[..11]) != Some(number.as_bytes()[11] - b'0')
        {
            return Err(err(
                "holder.number",
                "the check digit (12th digit) does not match the first 11",
            ));
        }
        let security_code = digits("holder.security_code", &h.security_code, 4)?;
        let holder = Holder {
            name: h.name,
            address: h.address,
            birth_date: birth,
            sex,
            number,
            security_code,
        };

        let c = raw.card;
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
        let card = CardSpec {
            token,
            serial: digits("card.serial", &c.serial, 15)?,
            municipality: digits("card.municipality", &c.municipality, 5)?,
            issued,
            expiry,
            extended_length: c.extended_length,
            atr,
        };

        let p = raw.pins;
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
        let pins = Pins {
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
        };

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

        let mut overrides = Vec::new();
        for (k, v) in raw.ef_overrides {
            let field = format!("ef_overrides.{k:?}");
            let (a, fid) = k
                .split_once(':')
                .ok_or_else(|| err(&field, "the key must be APP:FID, e.g. \"jpki:0006\""))?;
            let app = app_of(a)
                .ok_or_else(|| err(&field, "APP must be jpki, text, surface, common or juki"))?;
            let fid = u16::from_str_radix(fid, 16)
                .map_err(|_| err(&field, "FID must be 4 hex digits, e.g. 000A"))?;
            overrides.push((app, fid, parse_hex(&field, &v)?));
        }
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
            parse_hex("faults.delay_for", s)?;
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
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn builtin_profile() {
        let p = Profile::builtin();
        assert_eq!(p.holder.birth_date, date!(1980 - 02 - 17));
        assert_eq!(p.card.expiry, date!(2035 - 02 - 17));
        assert_eq!(p.auth_cert.expires, date!(2030 - 02 - 17));
        assert_eq!(p.pins.sign.tries, 5);
        assert_eq!(p.pins.resident_common.value, p.pins.resident.value);
        assert_eq!(format!("{p:?}"), "Profile(REDACTED)");
    }

    fn with(from: &str, to: &str) -> Result<Profile, ProfileError> {
        assert!(BUILTIN_PROFILE_TOML.contains(from), "{from}");
        Profile::from_toml(&BUILTIN_PROFILE_TOML.replacen(from, to, 1))
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                "birth_date = \"1980-02-17\"",
                "birth_date = \"1980/02/17\"",
                "holder.birth_date",
            ),
            (
                "number = \"537686677188\"",
                "number = \"537686677189\"",
                "check digit",
            ),
            (
                "number = \"537686677188\"",
                "number = \"5376\"",
                "holder.number",
            ),
            ("sex = \"1\"", "sex = \"male\"", "holder.sex"),
            ("token = \"card\"", "token = \"phone\"", "card.token"),
            (
                "serial = \"400000012719843\"",
                "serial = \"12\"",
                "card.serial",
            ),
            (
                "municipality = \"13221\"",
                "municipality = \"1322x\"",
                "card.municipality",
            ),
            (
                "value = \"TEST1234\"",
                "value = \"test\"",
                "pins.sign.value",
            ),
            (
                "value = \"1234\"\ntries = 3",
                "value = \"12345\"\ntries = 3",
                "pins.auth.value",
            ),
            ("tries = 5", "tries = 6", "pins.sign.tries"),
            (
                "expiry = \"derived\"",
                "expiry = \"2020-01-01\"",
                "card.expiry",
            ),
            ("[card]", "[card]\ncolour = \"red\"", "colour"),
            (
                "[holder]",
                "[ef_overrides]\n\"jpki:00ZZ\" = \"00\"\n[holder]",
                "FID",
            ),
            (
                "[holder]",
                "[ef_overrides]\n\"mf:0001\" = \"00\"\n[holder]",
                "APP",
            ),
            (
                "[holder]",
                "[ef_overrides]\n\"jpki:0006\" = \"0G\"\n[holder]",
                "not hex",
            ),
        ];
        for (from, to, want) in cases {
            let e = with(from, to).unwrap_err().to_string();
            assert!(e.contains(want), "{want}: {e}");
            assert!(!e.contains("TEST1234"), "a PIN in an error: {e}");
        }
        assert!(Profile::from_toml("").is_err());
        assert!(Profile::from_toml("[holder\n").is_err());
    }

    #[test]
    fn a_profile_can_extend_another() {
        let p = Profile::from_toml(
            "base = \"builtin\"\n[pins.auth]\ntries = 1\n[card]\ntoken = \"smartphone_ios\"\n",
        )
        .unwrap();
        assert_eq!(p.pins.auth.tries, 1);
        assert_eq!(p.pins.auth.value, Profile::builtin().pins.auth.value);
        assert_eq!(p.card.token, Token::SmartphoneIos);
        assert_eq!(p.card.serial, "400000012719843");
        let e = Profile::from_toml("base = \"other.toml\"").unwrap_err();
        assert!(e.to_string().contains("base"), "{e}");
    }

    #[test]
    fn every_fixture_profile_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                Profile::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                n += 1;
            }
        }
        assert!(n >= 1);
    }

    proptest::proptest! {
        #[test]
        fn random_profiles_never_panic(s in "\\PC{0,200}") {
            let _ = Profile::from_toml(&s);
        }

        #[test]
        fn mutated_profiles_never_panic(i in 0usize..2000, c in proptest::char::any()) {
            let mut chars: Vec<char> = BUILTIN_PROFILE_TOML.chars().collect();
            let n = chars.len();
            chars[i % n] = c;
            let s: String = chars.into_iter().collect();
            let _ = Profile::from_toml(&s);
        }
    }

    #[test]
    fn derived_dates_follow_the_rules() {
        // A 12-year-old: the card for 5 years (5th birthday after issuance).
        let p = with("birth_date = \"1980-02-17\"", "birth_date = \"2013-02-17\"").unwrap();
        assert_eq!(p.card.expiry, date!(2030 - 02 - 17));
        assert_eq!(p.auth_cert.expires, date!(2030 - 02 - 17));
    }
}
