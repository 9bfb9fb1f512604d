//! 共通カードAP: the card-information record (serial, municipality, card
//! expiry), readable with no PIN (card-protocol.md §2.4, §8.6, §8.7).

use super::{aid, Session};
use crate::error::{Error, Result};
use serde::Serialize;
use time::Date;

pub const EF_CARD_INFO: u16 = 0x0001;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardInfo {
    /// 15-digit serial number.
    pub serial: String,
    /// 5-digit 全国地方公共団体コード of the issuing municipality.
    pub municipality: String,
    /// The card's own expiry.
    pub expiry: Date,
}

impl CardInfo {
    /// Parse record 1: `01 1C` + 28 ASCII digits (15 serial ‖ 5 municipality
    /// ‖ YYYYMMDD expiry).
    pub fn parse(rec: &[u8]) -> Result<CardInfo> {
        let bad = |why: &str| Error::Data(format!("共通AP card record: {why}"));
        if rec.len() < 30 {
            return Err(bad(&format!("{} bytes, expected 30", rec.len())));
        }
        if rec[0] != 0x01 || rec[1] != 0x1C {
            return Err(bad(&format!(
                "starts {:02X} {:02X}, expected 01 1C",
                rec[0], rec[1]
            )));
        }
        let digits = &rec[2..30];
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad("contains non-digits"));
        }
        let s = std::str::from_utf8(digits).map_err(|_| bad("not ASCII"))?;
        let expiry = parse_yyyymmdd(&s[20..28]).ok_or_else(|| bad("expiry is not a date"))?;
        Ok(CardInfo {
            serial: s[0..15].to_string(),
            municipality: s[15..20].to_string(),
            expiry,
        })
    }
}

pub use crate::rules::parse_yyyymmdd;

/// SELECT the 共通AP and read record 1. `None` if the card has no such AP
/// (e.g. a smartphone token).
pub fn read_card_info(s: &mut Session) -> Result<Option<CardInfo>> {
    if !s.try_select_ap(aid::COMMON)? {
        return Ok(None);
    }
    match s.read_record(EF_CARD_INFO, 1)? {
        Some(rec) => CardInfo::parse(&rec).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn test_card_record() {
        // The JPKI test card's record (myna-card's test dump).
        let rec = hex::decode("011C343030303030303132373139383433313332323132303335303231370000")
            .unwrap();
        let ci = CardInfo::parse(&rec[..30]).unwrap();
        assert_eq!(ci.serial, "400000012719843");
        assert_eq!(ci.municipality, "13221");
        assert_eq!(ci.expiry, time::macros::date!(2035 - 02 - 17));
    }

    #[test]
    fn bad_records() {
        assert!(CardInfo::parse(&[]).is_err());
        assert!(CardInfo::parse(&[0x01, 0x1C]).is_err());
        let mut r = b"\x01\x1C4000000127198431322120351317".to_vec();
        assert!(CardInfo::parse(&r)
            .unwrap_err()
            .to_string()
            .contains("expiry"));
        r[5] = b'x';
        assert!(CardInfo::parse(&r)
            .unwrap_err()
            .to_string()
            .contains("non-digits"));
    }

    proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = CardInfo::parse(&b);
        }
    }
}
