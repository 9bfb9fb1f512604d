//! Record layouts, each encoded and decoded side by side.

use super::tlv::tlv;
use crate::rules::{parse_yyyymmdd, yyyymmdd};
use time::Date;

/// The 共通AP card-information record (record 1 of EF 0001, no PIN):
/// `01 1C` + 28 ASCII digits: serial (15) ‖ municipality code (5) ‖ card
/// expiry `YYYYMMDD` (card-protocol.md §2.4, §8.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInfo {
    /// 15-digit serial number.
    pub serial: String,
    /// 5-digit 全国地方公共団体コード of the issuing municipality.
    pub municipality: String,
    /// The card's own expiry.
    pub expiry: Date,
}

impl CardInfo {
    /// The record's tag (`01`) and its length (`1C`: the 28 digits).
    pub const TAG: u8 = 0x01;
    pub const DIGITS: usize = 28;

    pub fn encode(&self) -> Vec<u8> {
        let digits = format!(
            "{}{}{}",
            self.serial,
            self.municipality,
            yyyymmdd(self.expiry)
        );
        tlv(&[Self::TAG], digits.as_bytes())
    }

    /// Decode record 1; the error says what is wrong with it.
    pub fn decode(rec: &[u8]) -> Result<CardInfo, String> {
        let end = 2 + Self::DIGITS;
        if rec.len() < end {
            return Err(format!("{} bytes, expected {end}", rec.len()));
        }
        if rec[0] != Self::TAG || rec[1] as usize != Self::DIGITS {
            return Err(format!(
                "starts {:02X} {:02X}, expected {:02X} {:02X}",
                rec[0],
                rec[1],
                Self::TAG,
                Self::DIGITS
            ));
        }
        let digits = &rec[2..end];
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err("contains non-digits".into());
        }
        let s = std::str::from_utf8(digits).map_err(|_| "not ASCII".to_string())?;
        let expiry = parse_yyyymmdd(&s[20..28]).ok_or("expiry is not a date")?;
        Ok(CardInfo {
            serial: s[0..15].to_string(),
            municipality: s[15..20].to_string(),
            expiry,
        })
    }
}

/// The sex code of the 入力補助AP's attributes (and, unconfirmed, the
/// signature certificate's), as ISO/IEC 5218 defines it: a stable id.
pub fn sex_id(code: &str) -> &'static str {
    match sex_of(code) {
        Sex::Unknown => "unknown",
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::NotApplicable => "not_applicable",
        Sex::Undefined => "undefined",
    }
}

/// 性別 by its ISO/IEC 5218 code as the card stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// `0`
    Unknown,
    /// `1`
    Male,
    /// `2`
    Female,
    /// `9`
    NotApplicable,
    /// Any other code.
    Undefined,
}

pub fn sex_of(code: &str) -> Sex {
    match code {
        "0" => Sex::Unknown,
        "1" => Sex::Male,
        "2" => Sex::Female,
        "9" => Sex::NotApplicable,
        _ => Sex::Undefined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_info_round_trips() {
        let c = CardInfo {
            serial: "400000012719843".into(),
            municipality: "13221".into(),
            expiry: time::macros::date!(2035 - 02 - 17),
        };
        let rec = c.encode();
        assert_eq!(&rec[..2], &[0x01, 0x1C]);
        assert_eq!(CardInfo::decode(&rec).unwrap(), c);
        assert!(CardInfo::decode(&rec[..20])
            .unwrap_err()
            .contains("20 bytes"));
        let mut bad = rec.clone();
        bad[5] = b'X';
        assert!(CardInfo::decode(&bad).unwrap_err().contains("non-digits"));
    }
}
