//! Serve the virtual card to pcscd through vsmartcard's vpcd driver
//! (virtual-card-stack.md §6): the card is the TCP client; every message is
//! a 2-byte big-endian length and a payload. One-byte payloads are control
//! (00 power off, 01 power on, 02 reset, 04 ATR); longer ones are APDUs.

use super::VirtualCard;
use crate::apdu::{hex_spaced, Command, Response};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: String,
    pub port: u16,
    /// Log each APDU to stderr (PINs and personal data redacted).
    pub verbose: bool,
    /// Append one line per APDU to this file: sizes, status word and the
    /// command with secrets masked (for APDU counts in benchmarks).
    pub apdu_log: Option<std::path::PathBuf>,
}

/// One line of the APDU log: `apdu in=N out=N sw=XXXX cmd=<hex, PINs masked>`.
pub fn log_line(apdu: &[u8], resp: &[u8]) -> String {
    let cmd = match Command::parse(apdu) {
        Ok(c) => c.trace_hex().replace(' ', ""),
        Err(_) => "malformed".into(),
    };
    let sw = match resp.len() {
        0 => "none".to_string(),
        n => hex::encode_upper(&resp[n.saturating_sub(2)..]),
    };
    format!(
        "apdu in={} out={} sw={sw} cmd={cmd}",
        apdu.len(),
        resp.len()
    )
}

/// How often a blocked read wakes up to look at the stop flag.
pub(crate) const POLL: Duration = Duration::from_millis(100);

pub(crate) enum Read2 {
    Frame(Vec<u8>),
    Closed,
    Stopped,
}

/// Read exactly `buf.len()` bytes, waking every `POLL` to check `stop`.
/// TCP_QUICKACK is set before each read: it is not sticky, and without it
/// the delayed ACK of vpcd's separate length segment costs ~40 ms per APDU
/// (virtual-card-stack.md §7).
/// A byte stream to vpcd. TCP sets TCP_QUICKACK before each read; tests
/// and fuzzing use an in-memory stream.
pub trait Link: Read + Write {
    fn before_read(&mut self) {}
}

impl Link for TcpStream {
    fn before_read(&mut self) {
        crate::platform::tcp_quickack(self);
    }
}

fn read_full<L: Link>(s: &mut L, buf: &mut [u8], stop: &AtomicBool) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        if stop.load(Ordering::SeqCst) {
            return Ok(false);
        }
        s.before_read();
        match s.read(&mut buf[got..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

pub(crate) fn read_frame<L: Link>(s: &mut L, stop: &AtomicBool) -> io::Result<Read2> {
    let mut len = [0u8; 2];
    match read_full(s, &mut len, stop) {
        Ok(true) => {}
        Ok(false) => return Ok(Read2::Stopped),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Read2::Closed),
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(Read2::Closed),
        Err(e) => return Err(e),
    }
    let mut payload = vec![0u8; u16::from_be_bytes(len) as usize];
    match read_full(s, &mut payload, stop) {
        Ok(true) => Ok(Read2::Frame(payload)),
        Ok(false) => Ok(Read2::Stopped),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Read2::Closed),
        Err(e) => Err(e),
    }
}

/// The largest payload a vpcd frame can carry (a 16-bit length).
pub const MAX_PAYLOAD: usize = u16::MAX as usize;

pub(crate) fn send_frame<L: Link>(s: &mut L, payload: &[u8]) -> io::Result<()> {
    // An answer too long for the frame's length field would desynchronise
    // the stream: the card answers 6700 (wrong length) instead.
    let wrong_length = crate::apdu::StatusWord::WrongLength.bytes();
    let payload = if payload.len() > MAX_PAYLOAD {
        &wrong_length[..]
    } else {
        payload
    };
    // One write per frame: with TCP_NODELAY this is one segment.
    let mut f = Vec::with_capacity(payload.len() + 2);
    f.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    f.extend_from_slice(payload);
    s.write_all(&f)
}

fn log_apdu(apdu: &[u8], resp: &[u8], personal: bool, took: Duration) {
    let cmd = match Command::parse(apdu) {
        Ok(c) => c.trace_hex(),
        Err(_) => format!("(malformed, {} bytes)", apdu.len()),
    };
    let ans = match Response::from_bytes(resp) {
        Ok(r) if personal && !r.data.is_empty() => format!(
            "<{} bytes of personal data redacted> {:04X}",
            r.data.len(),
            r.sw.code()
        ),
        Ok(r) => {
            let mut s = hex_spaced(&r.data);
            if !s.is_empty() {
                s.push(' ');
            }
            format!("{s}{:04X}", r.sw.code())
        }
        Err(_) => "(no answer: card removed)".into(),
    };
    eprintln!("vcard: > {cmd}");
    eprintln!("vcard: < {ans}  ({:.3} ms)", took.as_secs_f64() * 1000.0);
}

fn lock(card: &Arc<Mutex<VirtualCard>>) -> std::sync::MutexGuard<'_, VirtualCard> {
    // A panicking holder cannot leave the card's state inconsistent in a
    // way that matters to a test card; keep serving.
    card.lock().unwrap_or_else(|p| p.into_inner())
}

/// One connection to vpcd, until it closes (pcscd stopped), the card is
/// pulled by a fault, or `stop` is set. Returns `true` when stopped.
fn session(
    mut s: TcpStream,
    card: &Arc<Mutex<VirtualCard>>,
    opts: &ServeOptions,
    log: &mut Option<std::fs::File>,
    stop: &AtomicBool,
) -> io::Result<bool> {
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(POLL))?;
    serve_link(&mut s, card, opts, log, stop)
}

/// Speak the vpcd protocol on `s` until it closes, the card is pulled, or
/// `stop` is set (then `Ok(true)`).
pub fn serve_link<L: Link>(
    s: &mut L,
    card: &Arc<Mutex<VirtualCard>>,
    opts: &ServeOptions,
    log: &mut Option<std::fs::File>,
    stop: &AtomicBool,
) -> io::Result<bool> {
    loop {
        let frame = match read_frame(s, stop)? {
            Read2::Frame(f) => f,
            Read2::Closed => return Ok(false),
            Read2::Stopped => return Ok(true),
        };
        match frame.as_slice() {
            [0x00] => lock(card).power_off(),
            [0x01] => lock(card).power_on(),
            [0x02] => lock(card).reset(),
            [0x04] => {
                let atr = lock(card).atr();
                send_frame(s, &atr)?;
            }
            // Unknown control byte: no answer.
            [_] => {}
            [] => return Ok(false),
            apdu => {
                let t = Instant::now();
                let delay = lock(card).arrive(apdu);
                std::thread::sleep(delay);
                let (resp, personal) = {
                    let mut c = lock(card);
                    let r = c.answer(apdu);
                    (r, c.last_response_personal())
                };
                if opts.verbose {
                    log_apdu(apdu, &resp, personal, t.elapsed());
                }
                if let Some(f) = log.as_mut() {
                    let _ = writeln!(f, "{}", log_line(apdu, &resp));
                }
                if resp.is_empty() {
                    // Pulled: an empty frame is how vpcd learns the card is
                    // gone (closing the socket mid-APDU leaves this vpcd
                    // build waiting on the dead connection).
                    let _ = send_frame(s, &[]);
                    return Ok(false);
                }
                send_frame(s, &resp)?;
            }
        }
    }
}

fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) {
    let end = Instant::now() + d;
    while Instant::now() < end && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Connect to vpcd and serve the card until `stop` is set. When pcscd goes
/// away (or the card is pulled by a fault) it reconnects every 50 ms.
pub fn serve(
    card: Arc<Mutex<VirtualCard>>,
    opts: &ServeOptions,
    stop: &AtomicBool,
) -> io::Result<()> {
    let addr = (opts.host.as_str(), opts.port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::other(format!("cannot resolve {}", opts.host)))?;
    let mut log = match &opts.apdu_log {
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)?,
        ),
        None => None,
    };
    let mut announced = false;
    while !stop.load(Ordering::SeqCst) {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(s) => {
                if opts.verbose {
                    eprintln!("vcard: connected to vpcd at {addr}");
                }
                announced = false;
                let r = session(s, &card, opts, &mut log, stop);
                // Whatever ended the session, the card lost power.
                let pulled = {
                    let mut c = lock(&card);
                    let pulled = c.is_removed();
                    c.power_off();
                    pulled
                };
                if pulled {
                    // Stay out for more than one presence poll (400 ms), as
                    // a pulled card would: pcscd must see the reader empty
                    // before a card comes back, or the slot stays unusable.
                    sleep_unless_stopped(Duration::from_millis(900), stop);
                }
                match r {
                    Ok(true) => break,
                    Ok(false) => {
                        if opts.verbose {
                            eprintln!("vcard: vpcd closed the connection; reconnecting");
                        }
                    }
                    Err(e) if opts.verbose => {
                        eprintln!("vcard: connection lost: {e}; reconnecting")
                    }
                    Err(_) => {}
                }
            }
            Err(e) => {
                if opts.verbose && !announced {
                    eprintln!("vcard: waiting for vpcd at {addr} ({e})");
                    announced = true;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcard::Profile;
    use proptest::prelude::*;

    /// An in-memory link: reads `input`, collects what the card writes.
    struct Mem {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Mem {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            self.input.read(b)
        }
    }

    impl Write for Mem {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.output.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Link for Mem {}

    fn frames(mut b: &[u8]) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        while b.len() >= 2 {
            let n = u16::from_be_bytes([b[0], b[1]]) as usize;
            assert!(b.len() >= 2 + n, "a reply frame is cut short");
            v.push(b[2..2 + n].to_vec());
            b = &b[2 + n..];
        }
        assert!(b.is_empty(), "trailing bytes after the last frame");
        v
    }

    #[test]
    fn an_answer_longer_than_a_frame_becomes_6700() {
        let mem = || Mem {
            input: io::Cursor::new(Vec::new()),
            output: Vec::new(),
        };
        let mut m = mem();
        send_frame(&mut m, &vec![0xAB; MAX_PAYLOAD + 10]).unwrap();
        assert_eq!(m.output, [0x00, 0x02, 0x67, 0x00]);
        let mut m = mem();
        send_frame(&mut m, &vec![0xAB; MAX_PAYLOAD]).unwrap();
        assert_eq!(m.output.len(), MAX_PAYLOAD + 2);
        assert_eq!(&m.output[..2], &[0xFF, 0xFF]);
    }

    fn frame(p: &[u8]) -> Vec<u8> {
        [&(p.len() as u16).to_be_bytes()[..], p].concat()
    }

    fn run(input: Vec<u8>) -> Vec<Vec<u8>> {
        let card = Arc::new(Mutex::new(VirtualCard::new(&Profile::builtin()).unwrap()));
        let mut m = Mem {
            input: io::Cursor::new(input),
            output: Vec::new(),
        };
        let opts = ServeOptions {
            host: String::new(),
            port: 0,
            verbose: false,
            apdu_log: None,
        };
        let r = serve_link(&mut m, &card, &opts, &mut None, &AtomicBool::new(false));
        assert!(matches!(r, Ok(false)), "{r:?}");
        frames(&m.output)
    }

    #[test]
    fn control_bytes_and_apdus() {
        let atr = VirtualCard::new(&Profile::builtin()).unwrap().atr();
        let input = [
            frame(&[0x04]),
            frame(&[0x01]),
            frame(&[0x04]),
            frame(&hex::decode("00A4040C0AD392F000260100000001").unwrap()),
            frame(&[0x02]),
            frame(&[0x07]),
            frame(&[0x00, 0x20, 0x00, 0x98]),
            frame(&[0x00]),
        ]
        .concat();
        let out = run(input);
        // Power and reset get no answer; ATR and APDUs one frame each.
        assert_eq!(out.len(), 4);
        assert_eq!(out[0], atr);
        assert_eq!(out[1], atr);
        assert_eq!(out[2], [0x90, 0x00]);
        // After the reset the JPKI AP is no longer selected.
        assert_eq!(out[3], [0x6A, 0x82]);
    }

    #[test]
    fn the_apdu_log_masks_pins() {
        let l = log_line(&hex::decode("002000800431323334").unwrap(), &[0x63, 0xC2]);
        assert_eq!(l, "apdu in=9 out=2 sw=63C2 cmd=0020008004****");
        let l = log_line(&hex::decode("803200800435363738").unwrap(), &[0x90, 0x00]);
        assert!(!l.contains("35363738"), "{l}");
        assert_eq!(
            log_line(&[0, 0xB0], &[]),
            "apdu in=2 out=0 sw=none cmd=malformed"
        );
    }

    proptest! {
        /// Any byte stream from vpcd: no panic, and every reply is a whole,
        /// non-empty frame.
        #[test]
        fn random_streams(b in proptest::collection::vec(any::<u8>(), 0..600)) {
            for f in run(b) {
                prop_assert!(!f.is_empty());
            }
        }

        #[test]
        fn random_apdus_in_frames(apdus in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 2..300), 0..8)) {
            let input: Vec<u8> = apdus.iter().flat_map(|a| frame(a)).collect();
            let out = run(input);
            prop_assert_eq!(out.len(), apdus.len());
            for f in out {
                prop_assert!(f.len() >= 2);
            }
        }
    }
}
