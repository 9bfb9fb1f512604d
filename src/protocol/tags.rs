//! The tags of the card's records (card-protocol.md §2, §8, §8.10), each
//! named once: the card layer reads by them and the virtual card writes
//! its files with them.

/// A two-byte BER-TLV tag as it stands in a file.
pub type Tag2 = [u8; 2];

/// 券面事項入力補助AP (§2.2, §8.1–§8.3).
pub mod text {
    use super::Tag2;

    /// EF 0001: `FF 10 0C` + the 12 digits of the number.
    pub const NUMBER: Tag2 = [0xFF, 0x10];
    /// EF 0002: the four attributes.
    pub const ATTRIBUTES: Tag2 = [0xFF, 0x20];
    /// EF 0002: the table of u16 positions of the four attributes.
    pub const OFFSETS: Tag2 = [0xDF, 0x21];
    /// 氏名 (UTF-8).
    pub const NAME: Tag2 = [0xDF, 0x22];
    /// 住所 (UTF-8).
    pub const ADDRESS: Tag2 = [0xDF, 0x23];
    /// 生年月日 `YYYYMMDD`.
    pub const BIRTH_DATE: Tag2 = [0xDF, 0x24];
    /// 性別, one digit.
    pub const SEX: Tag2 = [0xDF, 0x25];
    /// The attributes in the order the offset table lists them.
    pub const ATTRIBUTE_ORDER: [Tag2; 4] = [NAME, ADDRESS, BIRTH_DATE, SEX];
    /// EF 0003: the integrity record.
    pub const INTEGRITY: Tag2 = [0xFF, 0x30];
    /// SHA-256 of EF 0001 as stored.
    pub const NUMBER_HASH: Tag2 = [0xDF, 0x31];
    /// SHA-256 of EF 0002 from its first attribute.
    pub const ATTRIBUTES_HASH: Tag2 = [0xDF, 0x32];
    /// The AP's signature over the two hashes.
    pub const INTEGRITY_SIGNATURE: Tag2 = [0xDF, 0x33];
    /// EF 0005: the AP's basic information.
    pub const BASIC_INFO: Tag2 = [0xFF, 0x40];
    pub const BASIC_AP_ID: Tag2 = [0xDF, 0x41];
    pub const BASIC_KEY_ID: Tag2 = [0xDF, 0x42];
    pub const BASIC_OPAQUE: Tag2 = [0xDF, 0x43];
    /// EF 0006: the secure-messaging public key.
    pub const SESSION_KEY: u8 = 0xA1;
    /// EF 0007: the AP's public key, signed by the issuer.
    pub const SIGNED_KEY: Tag2 = [0xFF, 0x50];
    pub const SIGNED_KEY_VALUE: Tag2 = [0xDF, 0x51];
    pub const SIGNED_KEY_SIGNATURE: Tag2 = [0xDF, 0x52];
}

/// 券面AP (§2.3, §8.4).
pub mod surface {
    use super::Tag2;

    /// EF 0001: the age-verification record.
    pub const AGE_RECORD: Tag2 = [0xFF, 0x10];
    pub const AGE_BIRTH_DATE: Tag2 = [0xDF, 0x11];
    pub const AGE_CARD_KEY: Tag2 = [0xDF, 0x12];
    pub const AGE_SIGNATURE: Tag2 = [0xDF, 0x13];
    /// EF 0002: the card face.
    pub const FACE: Tag2 = [0xFF, 0x20];
    pub const FACE_OFFSETS: Tag2 = [0xDF, 0x21];
    pub const FACE_BIRTH_DATE: Tag2 = [0xDF, 0x22];
    pub const FACE_SEX: Tag2 = [0xDF, 0x23];
    pub const FACE_CARD_KEY: Tag2 = [0xDF, 0x24];
    pub const NAME_IMAGE: Tag2 = [0xDF, 0x25];
    pub const ADDRESS_IMAGE: Tag2 = [0xDF, 0x26];
    pub const PHOTO: Tag2 = [0xDF, 0x27];
    pub const FACE_SIGNATURE: Tag2 = [0xDF, 0x28];
    /// The card expiry, after the signature and not covered by it.
    pub const CARD_EXPIRY: Tag2 = [0xDF, 0x29];
    pub const SECURITY_CODE_IMAGE: Tag2 = [0xDF, 0x2A];
    /// EF 0003: the AP's basic information.
    pub const BASIC_INFO: Tag2 = [0xFF, 0x30];
    pub const BASIC_AP_ID: Tag2 = [0xDF, 0x31];
    pub const BASIC_KEY_ID: Tag2 = [0xDF, 0x32];
    pub const BASIC_VERSION: Tag2 = [0xDF, 0x33];
    pub const BASIC_MUNICIPALITY: Tag2 = [0xDF, 0x34];
    pub const BASIC_OPAQUE: Tag2 = [0xDF, 0x35];
    /// EF 0005: the number as a picture.
    pub const NUMBER_IMAGE: Tag2 = [0xFF, 0x40];
    pub const NUMBER_PNG: Tag2 = [0xDF, 0x41];
    pub const NUMBER_KEY_ID: Tag2 = [0xDF, 0x42];
    pub const NUMBER_SIGNATURE: Tag2 = [0xDF, 0x43];
}

/// Card-verifiable certificates (§8.10) and the RSA keys the APs store.
pub mod cv {
    use super::Tag2;

    pub const CERT: Tag2 = [0x7F, 0x21];
    /// Issuer key ID, subject key ID, then the public key.
    pub const BODY: Tag2 = [0x5F, 0x4E];
    pub const SIGNATURE: Tag2 = [0x5F, 0x37];
    /// An RSA public key's exponent and modulus (`90 … 91 …`).
    pub const RSA_EXPONENT: u8 = 0x90;
    pub const RSA_MODULUS: u8 = 0x91;
}
