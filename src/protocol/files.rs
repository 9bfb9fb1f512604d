//! Elementary files per application (card-protocol.md §2). Every FID in
//! use lies in 0001–001E, so each also has a short EF identifier equal to
//! its low byte.

use super::App;
use serde::Serialize;

/// JPKI AP (§2.1).
pub mod jpki {
    /// 署名用電子証明書: readable only after the signature password.
    pub const SIGN_CERT: u16 = 0x0001;
    pub const SIGN_CA_CERT: u16 = 0x0002;
    /// Token information (PKCS#11 CK_TOKEN_INFO; the label says the kind).
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Which certificates exist (`8F 8F 00` when both do).
    pub const CERT_AVAILABILITY: u16 = 0x0008;
    /// The byte of `CERT_AVAILABILITY` that says a certificate is there
    /// (the tool takes any non-zero byte so, §16 item 16).
    pub const CERT_PRESENT: u8 = 0x8F;
    pub const AUTH_CERT: u16 = 0x000A;
    pub const AUTH_CA_CERT: u16 = 0x000B;
    pub const AUTH_KEY: u16 = 0x0017;
    pub const SIGN_KEY: u16 = 0x001A;
}

/// 券面事項入力補助AP (§2.2).
pub mod text {
    /// 個人番号: `FF 10 0C` + 12 digits, 17 bytes on the card.
    pub const MY_NUMBER: u16 = 0x0001;
    /// 基本4情報 (name, address, birth date, sex).
    pub const ATTRIBUTES: u16 = 0x0002;
    /// SHA-256 of 0001 and 0002 with the AP's signature.
    pub const INTEGRITY: u16 = 0x0003;
    /// The AP's card-verifiable certificate.
    pub const CV_CERT: u16 = 0x0004;
    pub const BASIC_INFO: u16 = 0x0005;
    pub const SESSION_KEY: u16 = 0x0006;
    pub const SIGNED_PUBLIC_KEY: u16 = 0x0007;
    pub const UNKNOWN_0008: u16 = 0x0008;
    /// The AP's own signing key (`80 2A 00 00`, no credential).
    pub const AP_KEY: u16 = 0x0013;
    /// Length of the 個人番号 EF as the card stores it (two filler bytes).
    pub const MY_NUMBER_LEN: usize = 17;
    /// The byte that fills the 個人番号 EF after its record.
    pub const FILLER: u8 = 0xFF;
}

/// 券面AP (§2.3).
pub mod surface {
    pub const AGE_RECORD: u16 = 0x0001;
    pub const CARD_FACE: u16 = 0x0002;
    pub const BASIC_INFO: u16 = 0x0003;
    pub const CV_CERT: u16 = 0x0004;
    pub const NUMBER_IMAGE: u16 = 0x0005;
    pub const AP_KEY: u16 = 0x001A;
}

/// 共通AP and 住基AP (§2.4).
pub mod common {
    /// Record EF: record 1 is the card-information record (no PIN).
    pub const CARD_INFO: u16 = 0x0001;
    /// The card-information record's number in `CARD_INFO`.
    pub const CARD_INFO_RECORD: u8 = 1;
    /// 16-byte key reference record (住基AP).
    pub const JUKI_KEY_ID: u16 = 0x0002;
}

/// The data objects GET DATA answers at the MF level (§2.5).
pub mod mf {
    /// Issuer ID, 16 bytes.
    pub const ISSUER_ID: u16 = 0x0042;
    /// Card identification number, ASCII.
    pub const CARD_ID: u16 = 0x0045;
    /// GlobalPlatform card recognition data.
    pub const CARD_RECOGNITION: u16 = 0x0066;
    /// Municipality code, 5 ASCII digits.
    pub const MUNICIPALITY: u16 = 0x00F0;
    /// Card expiry, 8 ASCII digits.
    pub const CARD_EXPIRY: u16 = 0x00F2;
    /// The intermediate CV key ID.
    pub const INTERMEDIATE_KEY_ID: u16 = 0x00F7;
    /// The CV certificate root → intermediate.
    pub const CV_CHAIN: u16 = 0x00F8;
    /// The same CV certificate (absent on older cards).
    pub const CV_CERT: u16 = 0x7F21;
    /// The contact ATR without TS; also answered with an AP selected.
    pub const CONTACT_ATR: u16 = 0x5F51;
}

/// The four certificates on the JPKI AP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CertSlot {
    Auth,
    Sign,
    AuthCa,
    SignCa,
}

impl CertSlot {
    pub fn fid(self) -> u16 {
        match self {
            CertSlot::Sign => jpki::SIGN_CERT,
            CertSlot::SignCa => jpki::SIGN_CA_CERT,
            CertSlot::Auth => jpki::AUTH_CERT,
            CertSlot::AuthCa => jpki::AUTH_CA_CERT,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            CertSlot::Auth => "auth",
            CertSlot::Sign => "sign",
            CertSlot::AuthCa => "auth-ca",
            CertSlot::SignCa => "sign-ca",
        }
    }

    /// The CA certificate that issued this end-entity certificate.
    pub fn ca(self) -> Option<CertSlot> {
        match self {
            CertSlot::Auth => Some(CertSlot::AuthCa),
            CertSlot::Sign => Some(CertSlot::SignCa),
            _ => None,
        }
    }
}

/// Whether an EF holds personal data (the number, name, address, birth
/// date, the card face, the signature certificate, or a digest of them):
/// its bytes never appear in a trace or a log, only its length.
pub fn is_personal(app: App, fid: u16) -> bool {
    match app {
        App::Jpki => fid == jpki::SIGN_CERT,
        // Every file of the 入力補助AP: the number, the four attributes, and
        // the integrity record (an unsalted SHA-256 of the number is
        // recoverable by trying all 10^11 numbers).
        App::Text => true,
        App::Surface => matches!(
            fid,
            surface::AGE_RECORD | surface::CARD_FACE | surface::NUMBER_IMAGE
        ),
        App::Common | App::Juki => false,
    }
}

/// The short EF identifier of a FID (its low five bits).
pub fn sfi(fid: u16) -> u8 {
    (fid & 0x1F) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_files() {
        assert!(is_personal(App::Jpki, jpki::SIGN_CERT));
        assert!(!is_personal(App::Jpki, jpki::AUTH_CERT));
        assert!(!is_personal(App::Jpki, jpki::TOKEN_INFO));
        for fid in [
            text::MY_NUMBER,
            text::ATTRIBUTES,
            text::INTEGRITY,
            text::CV_CERT,
        ] {
            assert!(is_personal(App::Text, fid));
        }
        assert!(is_personal(App::Surface, surface::CARD_FACE));
        assert!(!is_personal(App::Common, common::CARD_INFO));
        assert_eq!(sfi(jpki::AUTH_CERT), 0x0A);
    }
}
