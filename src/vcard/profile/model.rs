//! What a validated profile holds: the holder, the card, each PIN, the
//! certificates, quirks and faults. Parsing and checking are in `mod.rs`.

use crate::vcard::App;
use serde::Deserialize;
use std::fmt;
use time::Date;

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
    /// The certificates' key and signature algorithm.
    pub algorithm: Algorithm,
    pub serial: String,
    pub municipality: String,
    pub issued: Date,
    pub expiry: Date,
    /// The card answers extended-length READ BINARY (Le > 256).
    pub extended_length: bool,
    /// The files were recorded from a real card (`[ef_overrides]`) whose
    /// private keys are not here: the card holds no signing key. SELECT of
    /// a key EF answers 6A82, a signature with an AP's own key 6A88.
    pub recorded: bool,
    pub atr: Vec<u8>,
}

/// The key and signature algorithm of the JPKI certificates and keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Algorithm {
    /// Today's cards: RSA-2048, PKCS#1 v1.5 with SHA-256.
    #[default]
    Rsa2048,
    /// The announced next card: ECDSA P-384 with SHA-384. The card's
    /// signing command is not modelled for it (answers 6A81).
    EcdsaP384,
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
    /// Answer a READ BINARY whose Le runs past the end of the file with the
    /// data and `6282` (ISO 7816-4's warning) instead of `9000`; the My
    /// Number Card answers `9000` with the shorter data (JICSAP 6.4.1).
    pub short_read_6282: bool,
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            retry_query_ok_after_verify: false,
            keep_verified_on_reset: true,
            first_command_6f00: false,
            short_ef_ids: true,
            short_read_6282: false,
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
    /// prefix (e.g. "00B081", a READ BINARY of EF 0001 by SFI), or with one
    /// of several separated by commas ("0020,802A"): a card that goes silent
    /// at one step of a command.
    pub delay_for: Option<String>,
    /// Flip a byte in the user-authentication certificate (a corrupt EF).
    pub corrupt_auth_cert: bool,
    /// Sign with another key than the user-authentication certificate's:
    /// a card that does not hold its certificate's key (a forgery).
    pub wrong_auth_key: bool,
    /// 券面AP: a byte of the card face changed after it was signed.
    pub face_altered: bool,
    /// 券面AP: the chip answers challenges with another key than the one in
    /// the signed face data (genuine data copied onto another chip).
    pub face_copied: bool,
    /// 券面AP: 照合番号B locked (counter 0).
    pub face_code_locked: bool,
    /// 券面AP: its CV certificate names J-LIS's production CA key
    /// `5000023` but is signed by another (a look-alike CA): level 1 fails.
    pub face_lookalike_ca: bool,
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
    pub timing: crate::vcard::timing::Timing,
    /// Raw EF contents that replace the generated ones.
    pub overrides: Vec<(App, u16, Vec<u8>)>,
    /// Data objects that replace the generated ones at the MF level (GET
    /// DATA tag, value as GET DATA returns it): `"mf:00F8"` in
    /// `[ef_overrides]`.
    pub mf_overrides: Vec<(u16, Vec<u8>)>,
    /// SHA-256 of what the profile was read from (its tables merged with
    /// its base's): names the kept card image (`image.rs`). A profile
    /// changed field by field in code keeps its old digest, so only
    /// profiles read from text are kept.
    pub(super) source: [u8; 32],
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // PINs and personal data stay out of Debug output.
        f.write_str("Profile(REDACTED)")
    }
}

/// Default ATR: a contact My Number Card (pcsc-tools' list, "My Number Card").
pub const DEFAULT_ATR: &[u8] = &[
    0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6,
    0x01, 0xC0, 0x3B,
];
