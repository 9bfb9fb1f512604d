//! The 券面AP's records as data (card-protocol.md §2.3, §8.4, §8.10): the
//! card face `FF 20` (EF `0002`) and the card-verifiable certificate
//! `7F 21` (EF `0004`), decoded from the bytes the card returns. The
//! signed segments are kept exactly as stored (tag, length and value), so
//! a signature is checked over the card's own bytes, never a re-encoding.

use super::tags::{cv, surface as tag};

/// Why a record could not be decoded (never its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

fn bad(w: &str) -> Malformed {
    Malformed(w.to_string())
}

/// One BER-TLV object at the start of `b`: (tag bytes, value, the whole
/// object as stored, the rest).
type Object<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a [u8]);

fn object(b: &[u8]) -> Option<Object<'_>> {
    let first = *b.first()?;
    let tag_len = if first & 0x1F == 0x1F {
        // Multi-byte tag: continuation bytes have bit 8 set.
        let more = b.get(1..)?.iter().position(|x| x & 0x80 == 0)?;
        2 + more
    } else {
        1
    };
    let l0 = *b.get(tag_len)?;
    let (len, len_len) = match l0 {
        0x00..=0x7F => (l0 as usize, 1),
        0x81 => (*b.get(tag_len + 1)? as usize, 2),
        0x82 => (
            u16::from_be_bytes([*b.get(tag_len + 1)?, *b.get(tag_len + 2)?]) as usize,
            3,
        ),
        _ => return None,
    };
    let start = tag_len + len_len;
    let end = start.checked_add(len)?;
    let value = b.get(start..end)?;
    Some((&b[..tag_len], value, &b[..end], &b[end..]))
}

/// The children of a constructed object, each as (tag, value, stored bytes).
/// A child: (tag, value, the object as stored).
type Child<'a> = (&'a [u8], &'a [u8], &'a [u8]);

fn children(mut v: &[u8]) -> Result<Vec<Child<'_>>, Malformed> {
    let mut out = Vec::new();
    while !v.is_empty() && v[0] != 0xFF && v[0] != 0x00 {
        let (t, val, raw, rest) = object(v).ok_or_else(|| bad("a child is not valid BER-TLV"))?;
        out.push((t, val, raw));
        v = rest;
    }
    Ok(out)
}

/// An RSA public key as the APs store it: `90 <e> 91 <n>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKey {
    pub exponent: Vec<u8>,
    pub modulus: Vec<u8>,
}

impl RsaKey {
    pub fn parse(b: &[u8]) -> Result<RsaKey, Malformed> {
        let mut exponent = None;
        let mut modulus = None;
        for (t, v, _) in children(b)? {
            if t == [cv::RSA_EXPONENT] {
                exponent = Some(v.to_vec());
            } else if t == [cv::RSA_MODULUS] {
                modulus = Some(v.to_vec());
            }
        }
        match (exponent, modulus) {
            (Some(exponent), Some(modulus)) => Ok(RsaKey { exponent, modulus }),
            _ => Err(bad("an RSA key without its 90 exponent or 91 modulus")),
        }
    }
}

/// A card-verifiable certificate (§8.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvCert {
    /// 証明者鍵ID: the CA key that signed it (16 bytes).
    pub issuer_key_id: Vec<u8>,
    /// 被証明者鍵ID: the key it certifies (16 bytes).
    pub subject_key_id: Vec<u8>,
    pub key: RsaKey,
    /// What the signature covers: the `5F 4E` value (the two IDs and the key).
    pub signed: Vec<u8>,
    pub signature: Vec<u8>,
}

/// A key ID as printed: `6000023/001`.
pub fn key_id_text(id: &[u8]) -> String {
    let digits = |b: &[u8]| -> String {
        b.iter()
            .map(|&c| if c.is_ascii_digit() { c as char } else { '?' })
            .collect()
    };
    match (id.get(..7), id.get(9..12)) {
        (Some(a), Some(b)) => format!("{}/{}", digits(a), digits(b)),
        _ => "?".into(),
    }
}

impl CvCert {
    /// Parse `7F 21 { 5F 4E …, 5F 37 … }`, or its contents alone (as GET
    /// DATA returns them at the MF level).
    pub fn parse(b: &[u8]) -> Result<CvCert, Malformed> {
        let inner = match object(b) {
            Some((t, v, _, _)) if t == cv::CERT => v,
            _ => b,
        };
        let mut body = None;
        let mut signature = None;
        for (t, v, _) in children(inner)? {
            if t == cv::BODY {
                body = Some(v);
            } else if t == cv::SIGNATURE {
                signature = Some(v.to_vec());
            }
        }
        let body = body.ok_or_else(|| bad("the CV certificate has no 5F4E body"))?;
        let signature = signature.ok_or_else(|| bad("the CV certificate has no 5F37 signature"))?;
        if body.len() < 32 {
            return Err(bad(
                "the CV certificate's body is shorter than its two key IDs",
            ));
        }
        Ok(CvCert {
            issuer_key_id: body[..16].to_vec(),
            subject_key_id: body[16..32].to_vec(),
            key: RsaKey::parse(&body[32..])?,
            signed: body.to_vec(),
            signature,
        })
    }
}

/// The card face, EF `0002` (§8.4). Personal data: never printed in a
/// trace, a log or JSON unless asked.
#[derive(Clone, PartialEq, Eq)]
pub struct Face {
    /// `DF22`, 生年月日 `YYYYMMDD` as stored.
    pub birth_date: String,
    /// `DF23`, the sex code (ISO/IEC 5218).
    pub sex: String,
    /// `DF24`, the card's own key (the one `001A` signs challenges with).
    pub card_key: RsaKey,
    pub name_image: Vec<u8>,
    pub address_image: Vec<u8>,
    /// `DF27`, the photo (JPEG 2000).
    pub photo: Vec<u8>,
    /// The three signed segments as stored: `DF22‖DF23‖DF24`, `DF25‖DF26`,
    /// `DF27`.
    pub segments: [Vec<u8>; 3],
    /// `DF28`.
    pub signature: Vec<u8>,
    /// `DF29`, the card expiry `YYYYMMDD`: after the signature and **not**
    /// covered by it.
    pub expiry: Option<String>,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Face(REDACTED)")
    }
}

impl Face {
    pub fn parse(b: &[u8]) -> Result<Face, Malformed> {
        let (t, v, _, _) = object(b).ok_or_else(|| bad("EF 0002 is not valid BER-TLV"))?;
        if t != tag::FACE {
            return Err(bad("EF 0002 does not start with FF 20"));
        }
        let kids = children(v)?;
        let get = |want: [u8; 2]| kids.iter().find(|(t, _, _)| *t == want);
        let need = |want: [u8; 2]| {
            get(want).ok_or_else(|| bad(&format!("EF 0002 lacks {:02X}{:02X}", want[0], want[1])))
        };
        let text = |want: [u8; 2]| -> Result<String, Malformed> {
            let (_, v, _) = need(want)?;
            String::from_utf8(v.to_vec()).map_err(|_| bad("a text field is not ASCII"))
        };
        let raw = |want: [u8; 2]| need(want).map(|(_, _, r)| r.to_vec());
        let value = |want: [u8; 2]| need(want).map(|(_, v, _)| v.to_vec());
        Ok(Face {
            birth_date: text(tag::FACE_BIRTH_DATE)?,
            sex: text(tag::FACE_SEX)?,
            card_key: RsaKey::parse(&value(tag::FACE_CARD_KEY)?)?,
            name_image: value(tag::NAME_IMAGE)?,
            address_image: value(tag::ADDRESS_IMAGE)?,
            photo: value(tag::PHOTO)?,
            segments: [
                [
                    raw(tag::FACE_BIRTH_DATE)?,
                    raw(tag::FACE_SEX)?,
                    raw(tag::FACE_CARD_KEY)?,
                ]
                .concat(),
                [raw(tag::NAME_IMAGE)?, raw(tag::ADDRESS_IMAGE)?].concat(),
                raw(tag::PHOTO)?,
            ],
            signature: value(tag::FACE_SIGNATURE)?,
            expiry: get(tag::CARD_EXPIRY).and_then(|(_, v, _)| String::from_utf8(v.to_vec()).ok()),
        })
    }
}

/// The age-verification record, EF `0001` (§2.3): `FF 10 { DF11 birth
/// date, DF12 card key, DF13 signature }`. The signature is the certified
/// key's RSA PKCS#1 v1.5 SHA-256 over the objects before `DF13` as stored
/// (myna-card `AgeRecord`). Personal data: `Debug` prints none of it.
#[derive(Clone, PartialEq, Eq)]
pub struct AgeRecord {
    /// `DF11`, 生年月日 `YYYYMMDD` as stored.
    pub birth_date: String,
    /// `DF12`, the card's own key (the one `001A` signs challenges with).
    pub card_key: RsaKey,
    /// `DF11‖DF12` as stored: what `DF13` signs.
    pub signed: Vec<u8>,
    /// `DF13`.
    pub signature: Vec<u8>,
}

impl std::fmt::Debug for AgeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AgeRecord(REDACTED)")
    }
}

impl AgeRecord {
    pub fn parse(b: &[u8]) -> Result<AgeRecord, Malformed> {
        let (t, v, _, _) = object(b).ok_or_else(|| bad("EF 0001 is not valid BER-TLV"))?;
        if t != tag::AGE_RECORD {
            return Err(bad("EF 0001 does not start with FF 10"));
        }
        let kids = children(v)?;
        let need = |want: [u8; 2]| {
            kids.iter()
                .find(|(t, _, _)| *t == want)
                .ok_or_else(|| bad(&format!("EF 0001 lacks {:02X}{:02X}", want[0], want[1])))
        };
        let (_, birth, birth_raw) = need(tag::AGE_BIRTH_DATE)?;
        let (_, key, key_raw) = need(tag::AGE_CARD_KEY)?;
        let (_, signature, _) = need(tag::AGE_SIGNATURE)?;
        Ok(AgeRecord {
            birth_date: String::from_utf8(birth.to_vec())
                .map_err(|_| bad("EF 0001's birth date is not ASCII"))?,
            card_key: RsaKey::parse(key)?,
            signed: [*birth_raw, *key_raw].concat(),
            signature: signature.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_print_as_the_card_names_them() {
        let mut id = b"6000023".to_vec();
        id.extend_from_slice(&[0x08, 0x05]);
        id.extend_from_slice(b"001");
        id.extend_from_slice(&[0; 4]);
        assert_eq!(key_id_text(&id), "6000023/001");
        assert_eq!(key_id_text(&[1, 2]), "?");
    }

    #[test]
    fn malformed_records_are_refused_without_panicking() {
        assert!(Face::parse(&[]).is_err());
        assert!(Face::parse(&[0xFF, 0x20, 0x05, 0xDF]).is_err());
        assert!(CvCert::parse(&[0x7F, 0x21, 0x00]).is_err());
        assert!(RsaKey::parse(&[0x90, 0x01, 0x03]).is_err());
        assert!(AgeRecord::parse(&[0xFF, 0x10, 0x03, 0xDF, 0x11, 0x00]).is_err());
        assert!(AgeRecord::parse(&[0xFF, 0x20, 0x00]).is_err());
    }

    #[test]
    fn the_test_cards_age_record_parses() {
        let b = include_bytes!("../../fixtures/surface-test-card/surface-0001.bin");
        let r = AgeRecord::parse(b).unwrap();
        assert_eq!(r.birth_date, "19800217");
        assert_eq!(r.card_key.modulus.len(), 256);
        assert_eq!(r.signature.len(), 256);
        // DF11 (11 bytes) and DF12 (2 + 3 + 265) as stored.
        assert_eq!(r.signed.len(), 11 + 270);
        assert_eq!(format!("{r:?}"), "AgeRecord(REDACTED)");
    }
}
