//! The PC/SC helper process (`mynacard __pcsc-agent`): it alone holds the
//! PC/SC context and the card handle, and answers the tool's requests one
//! by one over its standard input and output.
//!
//! Its one rule: **when it is told to stop, or its input ends for any
//! reason (the tool finished, failed, panicked, was killed), it powers the
//! card down before it exits** — inside the open transaction when there is
//! one, so no other program can reach the card between the last command
//! and the power-down. A call stuck in PC/SC delays that until the call
//! returns; it is never skipped.

use super::proto::{read_frame, write_frame, ErrKind, Reply, Request};
use crate::error::Error;
use crate::transport::pcsc::{transmit_raw, Pcsc};
use pcsc::{Disposition, Protocols, ShareMode};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

/// After a stop, the helper gives a stuck reader this long to come back
/// before it exits anyway (pcscd then resets the card).
const STUCK_LIMIT: Duration = Duration::from_secs(120);

fn failed(e: Error) -> Reply {
    let kind = match &e {
        Error::NoService => ErrKind::NoService,
        Error::NoReader | Error::ReaderNotFound { .. } => ErrKind::NoReader,
        Error::NoCard { .. } => ErrKind::NoCard,
        Error::CardRemoved => ErrKind::CardRemoved,
        Error::CardInUse => ErrKind::CardInUse,
        _ => ErrKind::Other,
    };
    // A PC/SC error's detail alone: the tool words it (no doubled prefix).
    let detail = match e {
        Error::Pcsc(d) => d,
        e => e.to_string(),
    };
    Reply::Failed(kind, detail)
}

struct Out(std::io::Stdout);

impl Out {
    fn send(&mut self, r: &Reply) -> bool {
        let mut body = r.encode();
        let ok = write_frame(&mut self.0.lock(), &body).is_ok();
        zeroize::Zeroize::zeroize(&mut body);
        ok
    }
}

/// The next request, or `None` once the tool said stop, its input ended,
/// or a signal asked this process to end.
fn next(rx: &Receiver<Option<Request>>, stop: &AtomicBool) -> Option<Request> {
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(r)) => return Some(r),
            Ok(None) | Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

enum TxEnd {
    /// The tool ended the transaction.
    Ended,
    /// Stop: the card was powered down inside the transaction (`true`) or
    /// that failed (`false`).
    Stopped(bool),
}

/// Serve requests inside one transaction until `End` or a stop.
fn in_transaction(
    mut tx: pcsc::Transaction<'_>,
    mode: ShareMode,
    rx: &Receiver<Option<Request>>,
    stop: &AtomicBool,
    out: &mut Out,
) -> TxEnd {
    loop {
        let Some(req) = next(rx, stop) else {
            // Power down while the transaction still keeps others out.
            let ok = tx
                .reconnect(mode, Protocols::ANY, Disposition::UnpowerCard)
                .is_ok();
            let _ = tx.end(Disposition::LeaveCard);
            return TxEnd::Stopped(ok);
        };
        let reply = match &req {
            Request::Transmit(apdu) => match transmit_raw(&tx, apdu) {
                Ok(r) => Reply::Response(r),
                Err(e) => failed(e),
            },
            Request::End => {
                let r = match tx.end(Disposition::LeaveCard) {
                    Ok(()) => Reply::Done,
                    Err((_, e)) => failed(crate::transport::pcsc::map_err(e)),
                };
                out.send(&r);
                return TxEnd::Ended;
            }
            _ => Reply::Failed(
                ErrKind::Protocol,
                "request not allowed in a transaction".into(),
            ),
        };
        if stop.load(Ordering::SeqCst) {
            // The answer is not wanted any more; power down first.
            let ok = tx
                .reconnect(mode, Protocols::ANY, Disposition::UnpowerCard)
                .is_ok();
            let _ = tx.end(Disposition::LeaveCard);
            return TxEnd::Stopped(ok);
        }
        out.send(&reply);
    }
}

/// Read the tool's requests on a thread of its own: an abort or the end
/// of the pipe (the tool went away) sets `stop` at once.
fn spawn_reader(stop: Arc<AtomicBool>, txq: mpsc::Sender<Option<Request>>) {
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            let req = match read_frame(&mut input) {
                Ok(Some(mut body)) => {
                    let r = Request::decode(&body);
                    zeroize::Zeroize::zeroize(&mut body);
                    r.ok()
                }
                _ => None,
            };
            match req {
                Some(Request::Abort) | None => {
                    stop.store(true, Ordering::SeqCst);
                    let _ = txq.send(None);
                    return;
                }
                Some(r) => {
                    if txq.send(Some(r)).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

/// A stuck reader must not keep this process forever.
fn spawn_stuck_guard(stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(STUCK_LIMIT);
        std::process::exit(3);
    });
}

/// The answer to a request about readers (no card handle involved).
fn reader_request(p: &Pcsc, req: &Request) -> Option<Reply> {
    Some(match req {
        Request::Readers => p.readers().map(Reply::Readers).unwrap_or_else(failed),
        Request::WaitForCard { reader, timeout_ms } => p
            .wait_for_card(reader, Duration::from_millis(*timeout_ms))
            .map(|()| Reply::Done)
            .unwrap_or_else(failed),
        Request::CardEvent { reader } => p
            .card_event(reader)
            .map(|(present, count)| Reply::Event { present, count })
            .unwrap_or_else(failed),
        Request::WaitForRemoval {
            reader,
            since,
            timeout_ms,
        } => p
            .wait_for_removal(reader, *since, Duration::from_millis(*timeout_ms))
            .map(Reply::Flag)
            .unwrap_or_else(failed),
        _ => return None,
    })
}

type Held = Option<(pcsc::Card, ShareMode)>;

/// Connect to `reader` (powering down any card held before).
fn connect(
    p: &Pcsc,
    card: &mut Held,
    reader: &str,
    exclusive: bool,
    busy_ms: u64,
    stopping: &dyn Fn() -> bool,
) -> Reply {
    if let Some((c, _)) = card.take() {
        let _ = c.disconnect(Disposition::UnpowerCard);
    }
    match p.connect(reader, exclusive, Duration::from_millis(busy_ms), stopping) {
        Ok((c, atr)) => {
            let mode = if exclusive {
                ShareMode::Exclusive
            } else {
                ShareMode::Shared
            };
            *card = Some((c, mode));
            Reply::Connected { atr }
        }
        Err(e) => failed(e),
    }
}

/// Disconnect the card held, powered down when asked.
fn disconnect(card: &mut Held, unpower: bool) -> Reply {
    match card.take() {
        Some((c, mode)) => {
            let d = if unpower {
                Disposition::UnpowerCard
            } else {
                Disposition::LeaveCard
            };
            match c.disconnect(d) {
                Ok(()) => Reply::Done,
                Err((c, e)) => {
                    // Keep the handle: the stop path tries again.
                    *card = Some((c, mode));
                    failed(crate::transport::pcsc::map_err(e))
                }
            }
        }
        None => Reply::Done,
    }
}

/// Stop, or the tool went away: no verified state may outlive it.
fn finish(card: &mut Held, powered_down: Option<bool>, out: &mut Out) {
    let had_card = card.is_some() || powered_down.is_some();
    let ok = match (powered_down, card.take()) {
        (Some(ok), Some((c, _))) => {
            let _ = c.disconnect(Disposition::LeaveCard);
            ok
        }
        (Some(ok), None) => ok,
        (None, Some((c, _))) => c.disconnect(Disposition::UnpowerCard).is_ok(),
        (None, None) => true,
    };
    out.send(&Reply::Unpowered { ok, had_card });
    let _ = out.0.flush();
}

/// The helper's main loop; returns its exit code.
pub fn main() -> i32 {
    let stop = Arc::new(AtomicBool::new(false));
    // SIGINT, SIGTERM, SIGHUP (Unix). On Windows the helper has no console
    // (`platform::process`), so no console event reaches it.
    let _ = crate::platform::signals::set_flag_on_stop(&stop);
    let (txq, rx) = mpsc::channel::<Option<Request>>();
    spawn_reader(Arc::clone(&stop), txq);
    spawn_stuck_guard(Arc::clone(&stop));
    let mut out = Out(std::io::stdout());
    let mut pcsc: Option<Pcsc> = None;
    let mut card: Held = None;
    let mut powered_down: Option<bool> = None;
    let stopping = || stop.load(Ordering::SeqCst);
    while let Some(req) = next(&rx, &stop) {
        let ctx = match &pcsc {
            Some(p) => Ok(p),
            None => match req {
                Request::Begin | Request::Transmit(_) | Request::End => {
                    Err(Error::Pcsc("no card connected".into()))
                }
                _ => Pcsc::establish().map(|p| &*pcsc.insert(p)),
            },
        };
        let reply = match (ctx, &req) {
            (Err(e), _) => failed(e),
            (Ok(p), req) => match req {
                Request::Connect {
                    reader,
                    exclusive,
                    busy_ms,
                } => connect(p, &mut card, reader, *exclusive, *busy_ms, &stopping),
                Request::Begin => match card.as_mut() {
                    None => failed(Error::Pcsc("no card connected".into())),
                    Some((c, mode)) => {
                        let mode = *mode;
                        match c.transaction() {
                            Err(e) => failed(crate::transport::pcsc::map_err(e)),
                            Ok(tx) => {
                                out.send(&Reply::Done);
                                match in_transaction(tx, mode, &rx, &stop, &mut out) {
                                    TxEnd::Ended => continue,
                                    TxEnd::Stopped(ok) => {
                                        powered_down = Some(ok);
                                        break;
                                    }
                                }
                            }
                        }
                    }
                },
                Request::Transmit(apdu) => match &card {
                    Some((c, _)) => transmit_raw(c, apdu)
                        .map(Reply::Response)
                        .unwrap_or_else(failed),
                    None => failed(Error::Pcsc("no card connected".into())),
                },
                Request::End => Reply::Done,
                Request::Disconnect { unpower } => disconnect(&mut card, *unpower),
                Request::Abort => break,
                other => match reader_request(p, other) {
                    Some(r) => r,
                    None => failed(Error::Pcsc("request not understood".into())),
                },
            },
        };
        if stopping() {
            break;
        }
        if !out.send(&reply) {
            break;
        }
    }
    finish(&mut card, powered_down, &mut out);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pcsc_error_crosses_the_pipe_with_one_prefix() {
        let Reply::Failed(kind, detail) = failed(Error::Pcsc("Reader unavailable".into())) else {
            panic!("not a failure");
        };
        let e = kind.to_error(detail, None);
        assert_eq!(e.to_string(), "PC/SC error: Reader unavailable");
    }
}
