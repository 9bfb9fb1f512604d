//! Virtual-card profiles (TOML), all the way to a card that answers: a
//! profile that is accepted must build a card, and that card must answer
//! the tool's first commands.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::vcard::{Profile, VirtualCard};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = Profile::from_toml(s) else {
        return;
    };
    if let Ok(mut c) = VirtualCard::new(&p) {
        for apdu in [
            &[0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01][..],
            &[0x00, 0xB0, 0x86, 0x00, 0x20],
            &[0x00, 0x20, 0x00, 0x9B],
        ] {
            assert!(c.process(apdu).len() >= 2 || c.is_removed());
        }
    }
});
