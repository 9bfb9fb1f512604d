//! The virtual card's APDU processor: any bytes, any sequence.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::vcard::{Profile, VirtualCard};
use std::sync::{Mutex, OnceLock};

fn card() -> &'static Mutex<VirtualCard> {
    static CARD: OnceLock<Mutex<VirtualCard>> = OnceLock::new();
    CARD.get_or_init(|| Mutex::new(VirtualCard::new(&Profile::builtin()).unwrap()))
}

fuzz_target!(|data: &[u8]| {
    let mut c = card().lock().unwrap();
    // Split the input into APDUs at 0xFE bytes.
    for apdu in data.split(|b| *b == 0xFE) {
        let r = c.process(apdu);
        assert!(r.len() >= 2);
    }
    c.power_off();
});
