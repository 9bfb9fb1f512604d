//! The virtual card's APDU processor: any bytes, any sequence, on a fresh
//! card per input (a shared one would lock its PINs early and leave the
//! PIN paths unexplored).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::vcard::{Profile, VirtualCard};
use std::sync::OnceLock;

fn template() -> &'static VirtualCard {
    static CARD: OnceLock<VirtualCard> = OnceLock::new();
    CARD.get_or_init(|| VirtualCard::new(&Profile::builtin()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let mut c = template().fresh();
    // Split the input into APDUs at 0xFE bytes.
    for apdu in data.split(|b| *b == 0xFE) {
        let r = c.process(apdu);
        assert!(r.len() >= 2);
    }
});
