//! Key references (IEFs holding PINs and codes), their counters and
//! formats, the four user PINs built on them, and the signing keys
//! (card-protocol.md §2, §5).

use super::files::sfi;
use super::App;
use serde::Serialize;

/// Every key reference on the card.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum KeyRef {
    /// JPKI 001B 署名用電子証明書パスワード
    Sign,
    /// JPKI 0018 利用者証明用電子証明書暗証番号
    Auth,
    /// 入力補助 0011 券面事項入力補助用暗証番号
    CardInfo,
    /// 入力補助 0012, blocked from issuance (`63C0` on every card; not a user PIN)
    TextBlocked,
    /// 入力補助 0014 照合番号A (the 12-digit number)
    TextCodeA,
    /// 入力補助 0015 照合番号B (14 digits)
    TextCodeB,
    /// 券面 0011 生年月日 key (6 digits)
    SurfaceBirth,
    /// 券面 0012 照合番号B
    SurfaceCodeB,
    /// 券面 0013 照合番号A
    SurfaceCodeA,
    /// 共通 001C (one half of the resident-registry PIN)
    Common,
    /// 住基 001C (the other half)
    Juki,
}

/// What a PIN or code may look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinFormat {
    /// Exactly this many ASCII digits.
    Digits(usize),
    /// 6 to 16 characters of A–Z and 0–9 (§5.2).
    SignPassword,
}

/// What is wrong with a PIN's format (never the PIN itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatProblem {
    /// The signature password is not 6–16 characters long.
    PasswordLength { got: usize },
    /// A character of the signature password is not A–Z or 0–9 (1-based).
    PasswordChar { at: usize },
    /// Full-width digits (０-９) where half-width ones are needed.
    FullWidth,
    /// Not exactly `want` digits.
    Digits { want: usize, got: usize },
    /// An empty PIN (it would be the retry query, not a check).
    Empty,
    /// 照合番号A whose 12th digit is not the check digit of the first 11:
    /// a typing error, caught before it costs a try.
    CheckDigit,
}

/// How a key's value is changed after a VERIFY (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeForm {
    /// CHANGE REFERENCE DATA `00 24 01 80` (JPKI, 入力補助).
    ReferenceData,
    /// CHANGE KEY `80 32 00 80` (共通, 住基).
    Key,
}

impl PinFormat {
    /// The signature password's length (JPKI: 6 to 16 of A–Z and 0–9).
    pub const PASSWORD_LEN: std::ops::RangeInclusive<usize> = 6..=16;

    /// Whether `v` is well formed (the bytes sent to the card).
    pub fn accepts(self, v: &[u8]) -> bool {
        match self {
            PinFormat::Digits(n) => v.len() == n && v.iter().all(u8::is_ascii_digit),
            PinFormat::SignPassword => {
                Self::PASSWORD_LEN.contains(&v.len())
                    && v.iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            }
        }
    }
}

/// A key reference as JSON names it: its stable id (`jpki-001b`…), one of
/// `KeyRef::ALL`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefId(pub KeyRef);

impl serde::Serialize for RefId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.id())
    }
}

impl schemars::JsonSchema for RefId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "KeyRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = KeyRef::ALL.iter().map(|k| k.id()).collect();
        schemars::json_schema!({ "type": "string", "enum": ids })
    }
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl KeyRef {
    pub const ALL: [KeyRef; 11] = [
        KeyRef::Sign,
        KeyRef::Auth,
        KeyRef::CardInfo,
        KeyRef::TextBlocked,
        KeyRef::TextCodeA,
        KeyRef::TextCodeB,
        KeyRef::SurfaceBirth,
        KeyRef::SurfaceCodeB,
        KeyRef::SurfaceCodeA,
        KeyRef::Common,
        KeyRef::Juki,
    ];

    pub fn app(self) -> App {
        match self {
            KeyRef::Sign | KeyRef::Auth => App::Jpki,
            KeyRef::CardInfo | KeyRef::TextBlocked | KeyRef::TextCodeA | KeyRef::TextCodeB => {
                App::Text
            }
            KeyRef::SurfaceBirth | KeyRef::SurfaceCodeB | KeyRef::SurfaceCodeA => App::Surface,
            KeyRef::Common => App::Common,
            KeyRef::Juki => App::Juki,
        }
    }

    pub fn fid(self) -> u16 {
        match self {
            KeyRef::Sign => 0x001B,
            KeyRef::Auth => 0x0018,
            KeyRef::CardInfo => 0x0011,
            KeyRef::TextBlocked => 0x0012,
            KeyRef::TextCodeA => 0x0014,
            KeyRef::TextCodeB => 0x0015,
            KeyRef::SurfaceBirth => 0x0011,
            KeyRef::SurfaceCodeB => 0x0012,
            KeyRef::SurfaceCodeA => 0x0013,
            KeyRef::Common | KeyRef::Juki => 0x001C,
        }
    }

    /// Short EF identifier (VERIFY and the retry query by P2 = 0x80|SFI).
    pub fn sfi(self) -> u8 {
        sfi(self.fid())
    }

    /// Stable name in JSON, state files and logs.
    pub fn id(self) -> &'static str {
        match self {
            KeyRef::Sign => "jpki-001b",
            KeyRef::Auth => "jpki-0018",
            KeyRef::CardInfo => "text-0011",
            KeyRef::TextBlocked => "text-0012",
            KeyRef::TextCodeA => "text-0014",
            KeyRef::TextCodeB => "text-0015",
            KeyRef::SurfaceBirth => "surface-0011",
            KeyRef::SurfaceCodeB => "surface-0012",
            KeyRef::SurfaceCodeA => "surface-0013",
            KeyRef::Common => "common-001c",
            KeyRef::Juki => "juki-001c",
        }
    }

    /// The counter's maximum: 5 for the signature password, 3 for the
    /// others (§5.1; the 照合番号 limits are disputed, 3 per the emulator
    /// data model).
    pub fn max_tries(self) -> u8 {
        match self {
            KeyRef::Sign => 5,
            _ => 3,
        }
    }

    pub fn format(self) -> PinFormat {
        match self {
            KeyRef::Sign => PinFormat::SignPassword,
            KeyRef::Auth | KeyRef::CardInfo | KeyRef::Common | KeyRef::Juki => PinFormat::Digits(4),
            KeyRef::TextBlocked => PinFormat::Digits(4),
            KeyRef::TextCodeA | KeyRef::SurfaceCodeA => PinFormat::Digits(12),
            KeyRef::TextCodeB | KeyRef::SurfaceCodeB => PinFormat::Digits(14),
            KeyRef::SurfaceBirth => PinFormat::Digits(6),
        }
    }

    /// How its value is changed; `None` for keys a user does not change.
    pub fn change_form(self) -> Option<ChangeForm> {
        match self {
            KeyRef::Sign | KeyRef::Auth | KeyRef::CardInfo => Some(ChangeForm::ReferenceData),
            KeyRef::Common | KeyRef::Juki => Some(ChangeForm::Key),
            _ => None,
        }
    }

    /// The user PIN this reference holds (the 照合番号 and the birth-date
    /// key are not user PINs).
    pub fn kind(self) -> Option<PinKind> {
        match self {
            KeyRef::Sign => Some(PinKind::Sign),
            KeyRef::Auth => Some(PinKind::Auth),
            KeyRef::CardInfo => Some(PinKind::CardInfo),
            KeyRef::Common | KeyRef::Juki => Some(PinKind::Resident),
            KeyRef::SurfaceCodeB => Some(PinKind::FaceCode),
            KeyRef::SurfaceCodeA => Some(PinKind::FaceNumberA),
            KeyRef::SurfaceBirth => Some(PinKind::BirthKey),
            _ => None,
        }
    }
}

/// The four user-facing PINs. The resident-registry PIN is two key
/// references on the card (住基AP and 共通AP `001C`, §1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum PinKind {
    /// 署名用電子証明書パスワード (JPKI 001B)
    Sign,
    /// 利用者証明用電子証明書暗証番号 (JPKI 0018)
    Auth,
    /// 券面事項入力補助用暗証番号 (入力補助 0011)
    CardInfo,
    /// 住民基本台帳用暗証番号 (住基 001C + 共通 001C)
    Resident,
    /// 照合番号B of the 券面AP (`0012`, §5.3): not a PIN the holder chose
    /// but the 14 digits built from what is printed on the card. It goes
    /// through the same policy as the four PINs (counter first, last try
    /// guarded, never resent); it is not one of `ALL`, which are the user
    /// PINs that `pin status` reports and `pin verify` takes.
    #[value(skip)]
    FaceCode,
    /// 照合番号A of the 券面AP (`0013`): the 12-digit individual number,
    /// given to `face-check` only when asked for (`--with-number-a`).
    /// Same policy; not one of `ALL`.
    #[value(skip)]
    FaceNumberA,
    /// The 券面AP's 生年月日 key (`0011`): the birth date as 和暦 `YYMMDD`,
    /// which opens the age record alone (`age-check`). Same policy; not
    /// one of `ALL`.
    #[value(skip)]
    #[serde(rename = "birth-date-key")]
    BirthKey,
}

impl PinKind {
    pub const ALL: [PinKind; 4] = [
        PinKind::Sign,
        PinKind::Auth,
        PinKind::CardInfo,
        PinKind::Resident,
    ];

    /// The key references that hold this PIN, in the order they are changed.
    pub fn refs(self) -> &'static [KeyRef] {
        match self {
            PinKind::Sign => &[KeyRef::Sign],
            PinKind::Auth => &[KeyRef::Auth],
            PinKind::CardInfo => &[KeyRef::CardInfo],
            PinKind::Resident => &[KeyRef::Juki, KeyRef::Common],
            PinKind::FaceCode => &[KeyRef::SurfaceCodeB],
            PinKind::FaceNumberA => &[KeyRef::SurfaceCodeA],
            PinKind::BirthKey => &[KeyRef::SurfaceBirth],
        }
    }

    pub fn max_tries(self) -> u8 {
        self.refs()[0].max_tries()
    }

    pub fn format(self) -> PinFormat {
        self.refs()[0].format()
    }

    /// Stable identifier used in JSON and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            PinKind::Sign => "sign",
            PinKind::Auth => "auth",
            PinKind::CardInfo => "card-info",
            PinKind::Resident => "resident",
            PinKind::FaceCode => "face-code",
            PinKind::FaceNumberA => "face-number-a",
            PinKind::BirthKey => "birth-date-key",
        }
    }

    /// Whether a convenience-store kiosk can reset it (the two JPKI PINs,
    /// when the other one is known and both certificates are valid, §17).
    pub fn kiosk_resettable(self) -> bool {
        matches!(self, PinKind::Sign | PinKind::Auth)
    }
}

impl std::fmt::Display for PinKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1).
pub const SHA256_DIGEST_INFO: &[u8] = &[
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Private keys that sign with `80 2A` (§9).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema, serde::Deserialize,
)]
pub enum SignKey {
    /// JPKI 0017, after VERIFY of 0018.
    JpkiAuth,
    /// JPKI 001A, after VERIFY of 001B.
    JpkiSign,
    /// 入力補助 0013, no credential (`80 2A 00 00`).
    TextAp,
    /// 券面 001A, no credential.
    SurfaceAp,
}

impl SignKey {
    pub fn app(self) -> App {
        match self {
            SignKey::JpkiAuth | SignKey::JpkiSign => App::Jpki,
            SignKey::TextAp => App::Text,
            SignKey::SurfaceAp => App::Surface,
        }
    }

    /// The key's EF.
    pub fn fid(self) -> u16 {
        use super::files::{jpki, surface, text};
        match self {
            SignKey::JpkiAuth => jpki::AUTH_KEY,
            SignKey::JpkiSign => jpki::SIGN_KEY,
            SignKey::TextAp => text::AP_KEY,
            SignKey::SurfaceAp => surface::AP_KEY,
        }
    }

    /// The PIN verified before it signs; `None`: no credential.
    pub fn credential(self) -> Option<KeyRef> {
        match self {
            SignKey::JpkiAuth => Some(KeyRef::Auth),
            SignKey::JpkiSign => Some(KeyRef::Sign),
            SignKey::TextAp | SignKey::SurfaceAp => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_pin_reference_points_back_to_its_kind() {
        for k in PinKind::ALL {
            for r in k.refs() {
                assert_eq!(r.kind(), Some(k));
                assert_eq!(r.max_tries(), k.max_tries());
                assert_eq!(r.format(), k.format());
                assert!(r.change_form().is_some());
            }
        }
        let users: usize = PinKind::ALL.iter().map(|k| k.refs().len()).sum();
        let with_kind = KeyRef::ALL.iter().filter(|r| r.kind().is_some()).count();
        // The user PINs, and the 券面AP's three: 照合番号B and A (the face
        // check) and the 生年月日 key (the age check).
        assert_eq!(users + 3, with_kind);
        assert_eq!(KeyRef::SurfaceBirth.kind(), Some(PinKind::BirthKey));
        assert_eq!(PinKind::BirthKey.format(), PinFormat::Digits(6));
        assert_eq!(PinKind::FaceNumberA.format(), PinFormat::Digits(12));
        assert_eq!(KeyRef::SurfaceCodeB.kind(), Some(PinKind::FaceCode));
        assert_eq!(PinKind::FaceCode.format(), PinFormat::Digits(14));
        assert_eq!(KeyRef::TextBlocked.kind(), None);
    }

    #[test]
    fn formats() {
        assert!(PinFormat::Digits(4).accepts(b"0123"));
        assert!(!PinFormat::Digits(4).accepts(b"123"));
        assert!(!PinFormat::Digits(4).accepts("１２３４".as_bytes()));
        assert!(PinFormat::SignPassword.accepts(b"ABC123"));
        assert!(!PinFormat::SignPassword.accepts(b"abc123"));
        assert!(!PinFormat::SignPassword.accepts(b"ABC12"));
        assert!(!PinFormat::SignPassword.accepts(b"ABCDEFGHIJ1234567"));
        assert_eq!(KeyRef::Auth.sfi(), 0x18);
    }
}
