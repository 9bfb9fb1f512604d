//! 共通カードAP: the card-information record (serial, municipality, card
//! expiry), readable with no PIN (card-protocol.md §2.4, §8.6, §8.7).

use super::Session;
use crate::error::{Error, Result};
use crate::protocol::App;

pub use crate::protocol::files::common::CARD_INFO as EF_CARD_INFO;
pub use crate::protocol::records::CardInfo;

/// Decode the card-information record, as the card layer's error.
pub fn parse_card_info(rec: &[u8]) -> Result<CardInfo> {
    CardInfo::decode(rec).map_err(|why| Error::Data(format!("共通AP card record: {why}")))
}

pub use crate::rules::parse_yyyymmdd;

/// SELECT the 共通AP and read record 1. `None` if the card has no such AP
/// (e.g. a smartphone token).
pub fn read_card_info(s: &mut Session) -> Result<Option<CardInfo>> {
    if !s.try_select_ap(App::Common)? {
        return Ok(None);
    }
    match s.read_record(
        EF_CARD_INFO,
        crate::protocol::files::common::CARD_INFO_RECORD,
    )? {
        Some(rec) => parse_card_info(&rec).map(Some),
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
        let ci = parse_card_info(&rec[..30]).unwrap();
        assert_eq!(ci.serial, "400000012719843");
        assert_eq!(ci.municipality, "13221");
        assert_eq!(ci.expiry, time::macros::date!(2035 - 02 - 17));
    }

    #[test]
    fn bad_records() {
        assert!(parse_card_info(&[]).is_err());
        assert!(parse_card_info(&[0x01, 0x1C]).is_err());
        let mut r = b"\x01\x1C4000000127198431322120351317".to_vec();
        assert!(parse_card_info(&r)
            .unwrap_err()
            .to_string()
            .contains("expiry"));
        r[5] = b'x';
        assert!(parse_card_info(&r)
            .unwrap_err()
            .to_string()
            .contains("non-digits"));
    }

    proptest! {
        #[test]
        fn never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_card_info(&b);
        }
    }
}
