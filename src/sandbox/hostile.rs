//! A hostile reader for tests: a proxy between pcscd's vpcd and the served
//! card that spoils the card's answer to a chosen APDU — garbled, cut
//! short, late, withheld, too long, an endless "more bytes" chain, or the
//! card pulled mid-command. The tool must come out of each with a bounded
//! time, a documented exit code, no panic, no try spent by a read-only
//! command and no partial file. It relays whole vpcd frames and knows
//! nothing of the card: what it breaks is only the wire.

use crate::vcard::vpcd::{read_frame, send_frame, Read2, POLL};
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every data byte and the status word flipped.
    Garble,
    /// Only the first N bytes of the answer (0: an empty answer, which
    /// vpcd reads as a pulled card).
    Truncate(usize),
    /// The answer, late.
    Delay(Duration),
    /// No answer until this long has passed (past any sensible budget).
    Withhold(Duration),
    /// 300 extra bytes before the status word (more than was asked for).
    Oversize,
    /// The status word replaced by `61 FF` ("255 more bytes"), on every
    /// answer from then on: an endless GET RESPONSE chain.
    EndlessMore,
    /// The card pulled: vpcd is told the card is gone, the link closes.
    Drop,
}

/// The proxy's setting, shared with the test.
#[derive(Debug, Default)]
pub struct Hostile {
    pub fault: Option<Fault>,
    /// The APDU (1-based, counted since `set`) whose answer is spoiled;
    /// 0 = every APDU.
    pub at: u32,
    seen: u32,
    /// `EndlessMore` stays on once it started.
    endless: bool,
}

impl Hostile {
    pub fn set(&mut self, fault: Option<Fault>, at: u32) {
        self.fault = fault;
        self.at = at;
        self.seen = 0;
        self.endless = false;
    }

    /// APDUs relayed since `set`.
    pub fn seen(&self) -> u32 {
        self.seen
    }

    fn next(&mut self) -> Option<Fault> {
        self.seen += 1;
        if self.endless {
            return Some(Fault::EndlessMore);
        }
        let f = self.fault.filter(|_| self.at == 0 || self.seen == self.at);
        if f == Some(Fault::EndlessMore) {
            self.endless = true;
        }
        f
    }
}

fn spoil(fault: Fault, mut r: Vec<u8>) -> Option<Vec<u8>> {
    match fault {
        Fault::Garble => Some(r.iter().map(|b| b ^ 0x5A).collect()),
        Fault::Truncate(n) => {
            r.truncate(n);
            Some(r)
        }
        Fault::Delay(d) | Fault::Withhold(d) => {
            std::thread::sleep(d);
            Some(r)
        }
        Fault::Oversize => {
            let sw = r.split_off(r.len().saturating_sub(2));
            r.extend(std::iter::repeat_n(0xEE, 300));
            r.extend(sw);
            Some(r)
        }
        Fault::EndlessMore => {
            let n = r.len().saturating_sub(2);
            r.truncate(n);
            r.extend([0x61, 0xFF]);
            Some(r)
        }
        Fault::Drop => None,
    }
}

/// Relay one card connection until either side closes or a `Drop`.
/// Returns whether the card was dropped.
fn relay(
    mut card: TcpStream,
    mut vpcd: TcpStream,
    h: &Mutex<Hostile>,
    stop: &AtomicBool,
) -> io::Result<bool> {
    for s in [&card, &vpcd] {
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(POLL))?;
    }
    loop {
        let frame = match read_frame(&mut vpcd, stop)? {
            Read2::Frame(f) => f,
            Read2::Closed | Read2::Stopped => return Ok(false),
        };
        send_frame(&mut card, &frame)?;
        let apdu = frame.len() > 1;
        if !(apdu || frame == [0x04]) {
            continue;
        }
        let answer = match read_frame(&mut card, stop)? {
            Read2::Frame(f) => f,
            Read2::Closed | Read2::Stopped => return Ok(false),
        };
        let fault = if apdu {
            h.lock().map(|mut g| g.next()).unwrap_or(None)
        } else {
            None
        };
        match fault.map_or(Some(answer.clone()), |f| spoil(f, answer)) {
            Some(r) if !r.is_empty() => send_frame(&mut vpcd, &r)?,
            // An empty answer is vpcd's "card gone": the link ends with it.
            _ => {
                // An empty frame is how vpcd learns the card is gone.
                let _ = send_frame(&mut vpcd, &[]);
                return Ok(true);
            }
        }
    }
}

/// The proxy: the card connects to `port()`; each card connection is
/// relayed to vpcd at 127.0.0.1:`vpcd_port`.
pub struct Proxy {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    pub fn start(vpcd_port: u16, h: Arc<Mutex<Hostile>>) -> io::Result<Proxy> {
        let l = TcpListener::bind(("127.0.0.1", 0))?;
        l.set_nonblocking(true)?;
        let port = l.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let st = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                let card = match l.accept() {
                    Ok((c, _)) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    }
                };
                let _ = card.set_nonblocking(false);
                let Ok(vpcd) = TcpStream::connect(("127.0.0.1", vpcd_port)) else {
                    continue;
                };
                if let Ok(true) = relay(card, vpcd, &h, &st) {
                    // Out for more than one presence poll, as a pulled card.
                    std::thread::sleep(Duration::from_millis(900));
                }
            }
        });
        Ok(Proxy {
            port,
            stop,
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_change_only_the_chosen_answer() {
        let mut h = Hostile::default();
        h.set(Some(Fault::Garble), 2);
        assert_eq!(h.next(), None);
        assert_eq!(h.next(), Some(Fault::Garble));
        assert_eq!(h.next(), None);
        assert_eq!(
            spoil(Fault::Garble, vec![0x90, 0x00]),
            Some(vec![0xCA, 0x5A])
        );
        assert_eq!(spoil(Fault::Truncate(1), vec![1, 2, 3]), Some(vec![1]));
        let o = spoil(Fault::Oversize, vec![1, 0x90, 0x00]).unwrap();
        assert_eq!(o.len(), 303);
        assert_eq!(&o[o.len() - 2..], &[0x90, 0x00]);
        assert_eq!(
            spoil(Fault::EndlessMore, vec![1, 0x90, 0x00]),
            Some(vec![1, 0x61, 0xFF])
        );
        h.set(Some(Fault::EndlessMore), 1);
        assert_eq!(h.next(), Some(Fault::EndlessMore));
        assert_eq!(h.next(), Some(Fault::EndlessMore));
        assert_eq!(spoil(Fault::Drop, vec![0x90, 0x00]), None);
    }
}
