//! `--trace`: every APDU and answer in hex with timings. VERIFY and CHANGE
//! data always print as `****`; answers marked as personal data print only
//! their length.

use super::Transport;
use crate::apdu::{hex_spaced, Command, Response};
use crate::error::Result;
use std::io::Write;
use std::time::{Duration, Instant};

/// Counts of what crossed the wire (for `--trace` summaries and benchmarks).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub apdus: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub time: Duration,
}

pub struct Tracer<'a, T: Transport + ?Sized> {
    inner: &'a mut T,
    out: Option<&'a mut dyn Write>,
    pub stats: Stats,
}

impl<'a, T: Transport + ?Sized> Tracer<'a, T> {
    /// `out = None` counts without printing.
    pub fn new(inner: &'a mut T, out: Option<&'a mut dyn Write>) -> Self {
        Tracer {
            inner,
            out,
            stats: Stats::default(),
        }
    }
}

/// How a command is shown in a trace.
pub fn command_line(cmd: &Command) -> String {
    format!("> {}", cmd.trace_hex())
}

/// How an answer is shown in a trace.
pub fn response_line(cmd: &Command, resp: &Response, took: Duration) -> String {
    let sw = format!("{:04X}", resp.sw.code());
    let ms = took.as_secs_f64() * 1000.0;
    if resp.data.is_empty() {
        format!(
            "< {} {}  ({ms:.2} ms, {})",
            &sw[..2],
            &sw[2..],
            resp.sw.describe()
        )
    } else if cmd.redact_response || cmd.is_secret() {
        format!(
            "< <{} bytes of personal data redacted> {} {}  ({ms:.2} ms)",
            resp.data.len(),
            &sw[..2],
            &sw[2..]
        )
    } else {
        format!(
            "< {} {} {}  ({ms:.2} ms)",
            hex_spaced(&resp.data),
            &sw[..2],
            &sw[2..]
        )
    }
}

impl<T: Transport + ?Sized> Transport for Tracer<'_, T> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        if let Some(out) = self.out.as_deref_mut() {
            let _ = writeln!(out, "{}", command_line(cmd));
        }
        let start = Instant::now();
        let r = self.inner.transmit(cmd);
        let took = start.elapsed();
        self.stats.apdus += 1;
        self.stats.bytes_sent += cmd.to_bytes().len() as u64;
        self.stats.time += took;
        match &r {
            Ok(resp) => {
                self.stats.bytes_received += resp.data.len() as u64 + 2;
                if let Some(out) = self.out.as_deref_mut() {
                    let _ = writeln!(out, "{}", response_line(cmd, resp, took));
                }
            }
            Err(e) => {
                if let Some(out) = self.out.as_deref_mut() {
                    let _ = writeln!(out, "< error: {e}");
                }
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::cmd::{self, Target};
    use crate::apdu::StatusWord;

    struct Echo;
    impl Transport for Echo {
        fn transmit(&mut self, cmd: &Command) -> Result<Response> {
            Ok(Response::new(cmd.data.clone(), StatusWord::RetriesLeft(2)))
        }
    }

    #[test]
    fn verify_is_masked_and_counted() {
        let mut buf = Vec::new();
        let mut e = Echo;
        {
            let mut t = Tracer::new(&mut e, Some(&mut buf));
            t.transmit(&cmd::verify(Target::Selected, b"9876")).unwrap();
            t.transmit(
                &cmd::read_binary(Target::Sfi(1), 0, 12)
                    .with_data(*b"123456789012")
                    .redacted_response(),
            )
            .unwrap();
            assert_eq!(t.stats.apdus, 2);
        }
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains("> 00 20 00 80 04 ****"), "{s}");
        assert!(!s.contains("39 38 37 36"), "{s}");
        assert!(s.contains("<12 bytes of personal data redacted>"), "{s}");
    }
}
