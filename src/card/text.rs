//! 券面事項入力補助AP (card-info): the four basic attributes, the individual
//! number and the integrity record (card-protocol.md §2.2, §8.1–8.3).

use super::Session;
use crate::error::{Error, Result};
use crate::protocol::tags::{cv, text as tag, Tag2};
use crate::protocol::App;
use iso7816_tlv::ber::{Tag, Tlv, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

pub use crate::protocol::files::text as ef;

/// The 入力補助AP's files as read after the card-info PIN.
pub struct Files {
    /// EF 0002, the four attributes.
    pub attributes: Vec<u8>,
    /// EF 0003, the integrity record.
    pub integrity: Vec<u8>,
    /// EF 0004, the AP's CV certificate (no PIN): the key that signed 0003.
    pub cv_cert: Option<Vec<u8>>,
    /// EF 0001, the number: read only when asked for (17 bytes as stored).
    pub number: Option<Vec<u8>>,
}

fn missing(fid: u16) -> Error {
    Error::Data(format!("入力補助AP EF {fid:04X} is missing"))
}

/// The four basic attributes alone (EF 0002; the card-info PIN is verified
/// in this session): for a comparison that needs nothing else.
pub fn read_attributes(s: &mut Session) -> Result<Attributes> {
    let ef2 = s
        .read_tlv_file(ef::ATTRIBUTES)?
        .ok_or_else(|| missing(ef::ATTRIBUTES))?;
    parse_attributes(&ef2)
}

/// Read the files (the card-info PIN is verified in this session).
pub fn read_files(s: &mut Session, with_number: bool) -> Result<Files> {
    let attributes = s
        .read_tlv_file(ef::ATTRIBUTES)?
        .ok_or_else(|| missing(ef::ATTRIBUTES))?;
    let integrity = s
        .read_tlv_file(ef::INTEGRITY)?
        .ok_or_else(|| missing(ef::INTEGRITY))?;
    let cv_cert = s.read_tlv_file(ef::CV_CERT)?;
    let number = if with_number {
        s.read_binary(ef::MY_NUMBER, ef::MY_NUMBER_LEN)?
    } else {
        None
    };
    Ok(Files {
        attributes,
        integrity,
        cv_cert,
        number,
    })
}

pub fn select(s: &mut Session) -> Result<()> {
    s.select_ap(App::Text)
}

fn bad(what: &str) -> Error {
    Error::Data(format!("券面事項入力補助AP: {what}"))
}

/// The four basic attributes (基本4情報). Personal data: `Debug` prints
/// nothing of it.
#[derive(Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Attributes {
    /// 氏名: family name, U+3000, given name.
    pub name: String,
    /// 住所, full-width digits kept as on the card.
    pub address: String,
    /// 生年月日 as on the card (YYYYMMDD, Gregorian).
    pub birth_date_raw: String,
    /// ISO date when the raw value is a valid date.
    pub birth_date: Option<String>,
    /// 性別 code as on the card (1, 2, 9, 0 or anything else).
    pub sex_code: String,
    /// Whether the offset table (DF21) points at the objects it should.
    pub offsets_consistent: bool,
    /// Start and end (exclusive) in the file of the bytes DF32 hashes.
    #[serde(skip)]
    pub hashed_range: (usize, usize),
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Attributes(REDACTED)")
    }
}

/// Where a `FF xx` record starts: at 0, or after up to two leading bytes
/// (reported, unconfirmed, on some cards issued around 2023).
fn record_start(b: &[u8], record: Tag2) -> Option<usize> {
    (0..=2).find(|&i| b.get(i..i + 2) == Some(&record[..]))
}

fn tag(b: &Tag2) -> Result<Tag> {
    Tag::try_from(u16::from_be_bytes(*b)).map_err(|_| bad("invalid tag constant"))
}

/// Parse EF 0002 (`FF 20` { DF21 offsets, DF22 name, DF23 address, DF24
/// birth, DF25 sex }) with a real BER-TLV parse: long-form lengths are
/// accepted, filler after the record is ignored, malformed input is an error.
pub fn parse_attributes(ef: &[u8]) -> Result<Attributes> {
    let start = record_start(ef, tag::ATTRIBUTES).ok_or_else(|| {
        bad(&format!(
            "EF 0002 does not start with tag FF 20 (starts {})",
            crate::apdu::hex_spaced(&ef[..ef.len().min(4)])
        ))
    })?;
    let body = &ef[start..];
    let (tlv, _filler) = Tlv::parse(body);
    let tlv = tlv.map_err(|e| bad(&format!("EF 0002 is not valid BER-TLV ({e:?})")))?;
    let children = match tlv.value() {
        Value::Constructed(c) => c,
        Value::Primitive(_) => return Err(bad("EF 0002's FF 20 is not constructed")),
    };
    let get = |t: Tag2, name: &str| -> Result<Vec<u8>> {
        let want = tag(&t)?;
        match children
            .iter()
            .find(|c| *c.tag() == want)
            .map(|c| c.value())
        {
            Some(Value::Primitive(v)) => Ok(v.clone()),
            Some(Value::Constructed(_)) => Err(bad(&format!(
                "EF 0002: {name} ({:02X}{:02X}) is constructed",
                t[0], t[1]
            ))),
            None => Err(bad(&format!(
                "EF 0002: {name} ({:02X}{:02X}) is missing",
                t[0], t[1]
            ))),
        }
    };
    let utf8 = |v: Vec<u8>, name: &str| {
        String::from_utf8(v)
            .map(|s| crate::protocol::text::printable(&s))
            .map_err(|_| bad(&format!("EF 0002: {name} is not valid UTF-8")))
    };
    let offsets = get(tag::OFFSETS, "offset table")?;
    let name = utf8(get(tag::NAME, "name")?, "name")?;
    let address = utf8(get(tag::ADDRESS, "address")?, "address")?;
    let birth = get(tag::BIRTH_DATE, "birth date")?;
    let sex = get(tag::SEX, "sex")?;
    let birth_raw =
        String::from_utf8(birth).map_err(|_| bad("EF 0002: birth date is not ASCII"))?;
    if birth_raw.len() != 8 || !birth_raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("EF 0002: birth date is not 8 digits"));
    }
    let sex_code = String::from_utf8(sex).map_err(|_| bad("EF 0002: sex code is not ASCII"))?;
    if sex_code.len() != 1 || !sex_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("EF 0002: sex code is not one digit"));
    }
    // The offset table: four u16 positions of DF22..DF25 from the file start.
    let total = crate::protocol::tlv::total_len(body).unwrap_or(body.len());
    let positions: Vec<usize> = offsets
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]) as usize)
        .collect();
    let expected: Vec<usize> = tag::ATTRIBUTE_ORDER
        .iter()
        .filter_map(|t| {
            ef.windows(2)
                .enumerate()
                .skip(start + 2)
                .find(|(_, w)| w == t)
                .map(|(i, _)| i)
        })
        .collect();
    let consistent = positions == expected;
    let first = if consistent {
        positions[0]
    } else {
        *expected.first().unwrap_or(&start)
    };
    let birth_date = crate::card::common::parse_yyyymmdd(&birth_raw).map(|d| d.to_string());
    Ok(Attributes {
        name,
        address,
        birth_date_raw: birth_raw,
        birth_date,
        sex_code,
        offsets_consistent: consistent,
        hashed_range: (first, start + total),
    })
}

/// The individual number (個人番号). Wiped on drop; `Debug` prints nothing.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MyNumber(String);

impl MyNumber {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// All but the last four digits replaced by `*`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!(
            "{}{}",
            "*".repeat(n.saturating_sub(4)),
            &self.0[n.saturating_sub(4)..]
        )
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(REDACTED)")
    }
}

pub use crate::rules::number_check_digit as check_digit;

/// Parse EF 0001: `FF 10 0C` + 12 ASCII digits, then filler. Parsed by
/// hand: iso7816-tlv reads FF 10 as a constructed tag and would try to
/// parse the digits as nested TLVs.
pub fn parse_my_number(ef: &[u8]) -> Result<MyNumber> {
    let start = record_start(ef, tag::NUMBER)
        .ok_or_else(|| bad("EF 0001 does not start with tag FF 10"))?;
    let b = &ef[start..];
    if b.len() < 15 || b[2] != 0x0C {
        return Err(bad("EF 0001 is not FF 10 0C followed by 12 digits"));
    }
    let digits = &b[3..15];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad("EF 0001 holds non-digits"));
    }
    if check_digit(&digits[..11]) != Some(digits[11] - b'0') {
        return Err(bad("the individual number's check digit does not match"));
    }
    Ok(MyNumber(String::from_utf8_lossy(digits).into_owned()))
}

/// Result of checking the integrity record (EF 0003).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Integrity {
    /// SHA-256 of EF 0001 matches DF31 (None: the number was not read).
    pub number_hash_ok: Option<bool>,
    /// SHA-256 of EF 0002 from the first attribute to the end matches DF32.
    pub attributes_hash_ok: bool,
    /// The record's RSA signature (DF33) verifies with the key that the
    /// AP's card-verifiable certificate (EF 0004) certifies (None: EF 0004
    /// not given). The certificate's own issuer is checked by the use case
    /// (`usecase::info`, against the built-in CV CA keys).
    pub signature_ok: Option<bool>,
}

/// The RSA public key in a card-verifiable certificate `7F 21 { 5F 4E
/// <16-byte issuer key ID> <16-byte subject key ID> 90 <e> 91 <n>, 5F 37
/// <signature> }` (card-protocol.md §8.10).
pub fn cv_public_key(ef4: &[u8]) -> Result<rsa::RsaPublicKey> {
    let e = |w: &str| bad(&format!("EF 0004 (CV certificate): {w}"));
    let (outer, _) = Tlv::parse(ef4);
    let outer = outer.map_err(|x| e(&format!("not valid BER-TLV ({x:?})")))?;
    let Value::Constructed(children) = outer.value() else {
        return Err(e("7F21 is not constructed"));
    };
    let want = Tag::try_from(u16::from_be_bytes(cv::BODY)).map_err(|_| e("tag"))?;
    let body = match children
        .iter()
        .find(|c| *c.tag() == want)
        .map(|c| c.value())
    {
        Some(Value::Primitive(v)) => v.clone(),
        _ => return Err(e("no 5F4E body")),
    };
    let key = body
        .get(32..)
        .ok_or_else(|| e("body shorter than its two key IDs"))?;
    let mut rest = key;
    let mut take = |t: u8| -> Result<Vec<u8>> {
        let (tlv, r) = Tlv::parse(rest);
        rest = r;
        match tlv {
            Ok(x) if x.tag().to_bytes() == [t] => match x.value() {
                Value::Primitive(v) => Ok(v.clone()),
                _ => Err(e("key part is constructed")),
            },
            _ => Err(e(&format!("no {t:02X} key part"))),
        }
    };
    let exp = take(cv::RSA_EXPONENT)?;
    let modulus = take(cv::RSA_MODULUS)?;
    rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&modulus),
        rsa::BigUint::from_bytes_be(&exp),
    )
    .map_err(|x| e(&format!("not an RSA key ({x})")))
}

/// Check EF 0003 against EF 0002 (and EF 0001 as stored, filler included,
/// when it was read).
pub fn check_integrity(
    ef3: &[u8],
    ef2: &[u8],
    attrs: &Attributes,
    ef1: Option<&[u8]>,
    ef4: Option<&[u8]>,
) -> Result<Integrity> {
    let start = record_start(ef3, tag::INTEGRITY)
        .ok_or_else(|| bad("EF 0003 does not start with tag FF 30"))?;
    let (tlv, _) = Tlv::parse(&ef3[start..]);
    let tlv = tlv.map_err(|e| bad(&format!("EF 0003 is not valid BER-TLV ({e:?})")))?;
    let Value::Constructed(children) = tlv.value() else {
        return Err(bad("EF 0003's FF 30 is not constructed"));
    };
    let get = |t: Tag2| -> Result<Vec<u8>> {
        let want = tag(&t)?;
        match children
            .iter()
            .find(|c| *c.tag() == want)
            .map(|c| c.value())
        {
            Some(Value::Primitive(v)) if v.len() == 32 => Ok(v.clone()),
            _ => Err(bad(&format!(
                "EF 0003 lacks a 32-byte {:02X}{:02X}",
                t[0], t[1]
            ))),
        }
    };
    let h_num = get(tag::NUMBER_HASH)?;
    let h_attr = get(tag::ATTRIBUTES_HASH)?;
    let (a, b) = attrs.hashed_range;
    let range = ef2
        .get(a..b)
        .ok_or_else(|| bad("EF 0002 is shorter than its header says"))?;
    let signature_ok = match ef4 {
        None => None,
        Some(ef4) => {
            let key = cv_public_key(ef4)?;
            let sig = match children
                .iter()
                .find(|c| c.tag().to_bytes() == tag::INTEGRITY_SIGNATURE)
                .map(|c| c.value())
            {
                Some(Value::Primitive(v)) => v.clone(),
                _ => return Err(bad("EF 0003 lacks its signature DF33")),
            };
            // Signed: the DF31 and DF32 objects as stored (card-protocol.md
            // §8.3, "the bytes before it").
            let signed: Vec<u8> = children
                .iter()
                .filter(|c| {
                    let t = c.tag().to_bytes();
                    t == tag::NUMBER_HASH || t == tag::ATTRIBUTES_HASH
                })
                .flat_map(|c| c.to_vec())
                .collect();
            let digest = Sha256::digest(&signed);
            Some(
                key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, &sig)
                    .is_ok(),
            )
        }
    };
    Ok(Integrity {
        number_hash_ok: ef1.map(|e| Sha256::digest(e).as_slice() == h_num.as_slice()),
        attributes_hash_ok: Sha256::digest(range).as_slice() == h_attr.as_slice(),
        signature_ok,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The JPKI test card's EF 0002 (myna-card's dump, card-protocol.md §8.2).
    const EF2: &str = "ff2065df2108000e002000590064df220fe9bb92e6a190e38080e5b9b9e4b99fdf2336e69db1e4baace983bde6b885e780ace5b882e8a6b3e5b883e5ad90e58d97efbc91efbc92efbc8defbc97efbc8defbc92efbc90efbc92df24083139383030323137df250131";

    #[test]
    fn test_card_attributes() {
        let ef = hex::decode(EF2).unwrap();
        let a = parse_attributes(&ef).unwrap();
        assert_eq!(a.name, "黒桐\u{3000}幹也");
        assert_eq!(a.address, "東京都清瀬市観布子南１２－７－２０２");
        assert_eq!(a.birth_date_raw, "19800217");
        assert_eq!(a.birth_date.as_deref(), Some("1980-02-17"));
        assert_eq!(a.sex_code, "1");
        assert!(a.offsets_consistent);
        assert_eq!(a.hashed_range, (14, 104));
        assert_eq!(format!("{a:?}"), "Attributes(REDACTED)");
        // Filler after the record is ignored.
        let mut f = ef.clone();
        f.extend_from_slice(&[0xFF; 20]);
        assert_eq!(parse_attributes(&f).unwrap().name, a.name);
    }

    /// EF2 rebuilt with a long-form outer length (`FF 20 81 65`), offsets
    /// moved by one.
    fn long_form() -> Vec<u8> {
        let ef = hex::decode(EF2).unwrap();
        let mut v = vec![0xFF, 0x20, 0x81, 0x65, 0xDF, 0x21, 0x08];
        for i in 0..4 {
            let o = u16::from_be_bytes([ef[6 + 2 * i], ef[7 + 2 * i]]) + 1;
            v.extend_from_slice(&o.to_be_bytes());
        }
        v.extend_from_slice(&ef[14..]);
        v
    }

    #[test]
    fn tolerated_forms() {
        let a = parse_attributes(&long_form()).unwrap();
        assert_eq!(a.name, "黒桐\u{3000}幹也");
        assert!(a.offsets_consistent);
        assert_eq!(a.hashed_range, (15, 105));
        // Two leading bytes (reported on some cards) and trailing filler.
        let mut lead = vec![0x00, 0x00];
        lead.extend(hex::decode(EF2).unwrap());
        lead.extend_from_slice(&[0xFF; 8]);
        let a = parse_attributes(&lead).unwrap();
        assert_eq!(a.address, "東京都清瀬市観布子南１２－７－２０２");
        // An unknown sex code is kept as such.
        let mut e = hex::decode(EF2).unwrap();
        e[103] = b'3';
        assert_eq!(parse_attributes(&e).unwrap().sex_code, "3");
        assert_eq!(
            crate::i18n::sex_label("3", crate::i18n::Lang::En),
            "undefined code 3"
        );
        // A wrong offset table is reported, not fatal.
        let mut e = hex::decode(EF2).unwrap();
        e[7] = 0x0F;
        assert!(!parse_attributes(&e).unwrap().offsets_consistent);
    }

    #[test]
    fn malformed_attributes_are_clear_errors() {
        let ef = hex::decode(EF2).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "FF 20"),
            (ef[..50].to_vec(), "BER-TLV"),
            (
                {
                    let mut e = ef.clone();
                    e[1] = 0x21;
                    e
                },
                "FF 20",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[2] = 0x70;
                    e
                },
                "BER-TLV",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[2] = 0x84;
                    e
                },
                "BER-TLV",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[19] = 0xFF;
                    e[20] = 0xFE;
                    e
                },
                "UTF-8",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[100] = 0xDF;
                    e[101] = 0x26;
                    e
                },
                "sex",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[92] = b'X';
                    e
                },
                "birth date",
            ),
            (long_form()[..40].to_vec(), "BER-TLV"),
            (
                {
                    let mut e = long_form();
                    e[3] = 0xF0;
                    e
                },
                "BER-TLV",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[3] = 0xDF;
                    e[4] = 0x29;
                    e
                },
                "offset table",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[15] = 0x26;
                    e
                },
                "name (DF22) is missing",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[16] = 0x30;
                    e
                },
                "BER-TLV",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[36] = 0xC0;
                    e
                },
                "address is not valid UTF-8",
            ),
            (
                {
                    let mut e = ef.clone();
                    e[91] = 0x07;
                    e
                },
                "",
            ),
            (vec![0xFF, 0x20, 0x00], "missing"),
            (vec![0x00, 0x00, 0x00, 0xFF, 0x20, 0x00], "FF 20"),
        ];
        for (input, want) in cases {
            let e = parse_attributes(&input).unwrap_err().to_string();
            assert!(e.contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn my_number() {
        let ef = hex::decode("ff100c353337363836363737313838ffff").unwrap();
        let n = parse_my_number(&ef).unwrap();
        assert_eq!(n.expose(), "537686677188");
        assert_eq!(n.masked(), "********7188");
        assert_eq!(format!("{n:?}"), "MyNumber(REDACTED)");
        let mut bad = ef.clone();
        bad[14] = b'9';
        assert!(parse_my_number(&bad)
            .unwrap_err()
            .to_string()
            .contains("check digit"));
        assert!(parse_my_number(&ef[..10]).is_err());
    }

    proptest! {
        #[test]
        fn parsers_never_panic(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_attributes(&b);
            let _ = parse_my_number(&b);
        }

        #[test]
        fn mutations_never_panic(i in 0usize..104, v in any::<u8>()) {
            let mut ef = hex::decode(EF2).unwrap();
            ef[i] = v;
            let _ = parse_attributes(&ef);
        }
    }
}
