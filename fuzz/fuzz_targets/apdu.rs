//! Command and response APDUs and status words.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::apdu::{Command, Response, StatusWord};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Command::parse(data) {
        // What parses re-encodes to something that parses the same way.
        let again = Command::parse(&c.to_bytes()).expect("re-encoded command parses");
        assert_eq!(again.data, c.data);
        let _ = c.trace_hex();
    }
    if let Ok(r) = Response::from_bytes(data) {
        assert_eq!(r.to_bytes(), data);
    }
    if data.len() >= 2 {
        let code = u16::from_be_bytes([data[0], data[1]]);
        assert_eq!(StatusWord::from(code).code(), code);
    }
});
