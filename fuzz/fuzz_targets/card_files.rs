//! The card's files as the tool parses them: 入力補助AP EF 0001/0002/0003
//! (BER-TLV), the 共通AP card record, JPKI EF 0006/0008, TLV lengths.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::card::{jpki, text};
use mynacard::protocol::{records::CardInfo, tlv};

fuzz_target!(|data: &[u8]| {
    let _ = tlv::total_len(data);
    let _ = CardInfo::decode(data);
    let _ = jpki::TokenType::from_label(data);
    let _ = jpki::Availability::parse(data);
    let _ = text::parse_my_number(data);
    if let Ok(a) = text::parse_attributes(data) {
        let _ = text::check_integrity(data, data, &a, Some(data), Some(data));
        let _ = text::cv_public_key(data);
    }
});
