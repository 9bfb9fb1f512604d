//! The card-reading layer against a card that answers anything: every
//! read-only operation of the tool (identify, counters, certificates with
//! their chain, the card record) over a scripted transport whose answers
//! come from the fuzz input. It must never panic, never loop, and never
//! send a VERIFY with data.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::apdu::{Command, Response};
use mynacard::card::{common, jpki, pin, Session};
use mynacard::error::{Error, Result};
use mynacard::transport::Transport;

/// Answers cut from the input: a 2-byte length, then that many bytes.
struct Scripted<'a> {
    input: &'a [u8],
    sent: usize,
}

impl Transport for Scripted<'_> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        assert!(
            !(cmd.ins == 0x20 && !cmd.data.is_empty()),
            "a read-only operation sent a VERIFY with data"
        );
        self.sent += 1;
        assert!(self.sent < 10_000, "endless exchange");
        if self.input.len() < 2 {
            return Err(Error::CardRemoved);
        }
        let (len, rest) = self.input.split_at(2);
        let n = (u16::from_be_bytes([len[0], len[1]]) as usize).min(rest.len());
        let (answer, rest) = rest.split_at(n);
        self.input = rest;
        if answer.len() < 2 {
            return Err(Error::CardRemoved);
        }
        Response::from_bytes(answer).map_err(|e| Error::Data(e.to_string()))
    }
}

fuzz_target!(|data: &[u8]| {
    let mut t = Scripted { input: data, sent: 0 };
    let mut s = Session::new(&mut t);
    let _ = jpki::identify(&mut s);
    let _ = jpki::availability(&mut s);
    for slot in [jpki::CertSlot::Auth, jpki::CertSlot::AuthCa] {
        if let Ok(Some(der)) = jpki::read_cert(&mut s, slot) {
            let _ = mynacard::cert::parse_der(&der, time::macros::date!(2026 - 11 - 25));
        }
    }
    let _ = pin::read_all(&mut s);
    let _ = common::read_card_info(&mut s);
});
