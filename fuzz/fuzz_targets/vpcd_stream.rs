//! The vpcd byte stream as the virtual card reads it: length-prefixed
//! frames of control bytes and APDUs, cut anywhere.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::vcard::vpcd::{serve_link, Link, ServeOptions};
use mynacard::vcard::{Profile, VirtualCard};
use std::io::{Cursor, Read, Write};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

struct Mem(Cursor<Vec<u8>>, Vec<u8>);

impl Read for Mem {
    fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(b)
    }
}

impl Write for Mem {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.1.write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Link for Mem {}

fn card() -> &'static Arc<Mutex<VirtualCard>> {
    static CARD: OnceLock<Arc<Mutex<VirtualCard>>> = OnceLock::new();
    CARD.get_or_init(|| Arc::new(Mutex::new(VirtualCard::new(&Profile::builtin()).unwrap())))
}

fuzz_target!(|data: &[u8]| {
    let opts = ServeOptions { host: String::new(), port: 0, verbose: false, apdu_log: None };
    let mut m = Mem(Cursor::new(data.to_vec()), Vec::new());
    let _ = serve_link(&mut m, card(), &opts, &mut None, &AtomicBool::new(false));
    card().lock().unwrap().power_off();
    // Every reply is a whole frame.
    let mut b = m.1.as_slice();
    while !b.is_empty() {
        let n = u16::from_be_bytes([b[0], b[1]]) as usize;
        assert!(n > 0 && b.len() >= 2 + n);
        b = &b[2 + n..];
    }
});
