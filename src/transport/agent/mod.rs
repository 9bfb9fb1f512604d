//! PC/SC through a helper process, so that the tool can always give up on
//! a call and still leave no verified PIN behind.
//!
//! A PC/SC call can block without end (a stopped pcscd, a reader stuck on a
//! lost answer, a card that stops answering), and ending a process that is
//! inside one leaves pcscd to *reset* the card, which keeps a verified PIN
//! on a real card (card-protocol.md §6). So the tool never calls PC/SC
//! itself: a helper process (`worker`, the same binary run as
//! `mynacard __pcsc-agent`) holds the context and the card, and the tool
//! sends it requests and waits for each answer with a deadline.
//!
//! - Every wait is bounded: the tool's deadline runs from the first call.
//! - When the tool gives up (a timeout), is interrupted (a signal), panics,
//!   or simply ends, the helper is told to stop, or sees its input end, and
//!   powers the card down — inside the transaction when one is open — as
//!   soon as the call in progress returns. The tool waits [`GRACE`] for it
//!   to confirm; if the reader is stuck and it cannot, the tool says so.
//! - The helper runs apart from the terminal (its own process group on
//!   Unix; no console on Windows, `platform::process`): a Ctrl-C at the
//!   terminal reaches the tool, which then stops the helper in order.

mod connection;
pub mod proto;
pub mod worker;
pub use connection::AgentConnection;

use super::pcsc::{power_down_from_outside, Rescue};
use super::Waiting;
use crate::error::{Error, Result};
use proto::{read_frame, write_frame, ErrKind, ReaderInfo, Reply, Request};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// The first argument that makes the binary the helper.
pub const AGENT_ARG: &str = "__pcsc-agent";

/// How long the tool waits for the helper to confirm the power-down.
pub const GRACE: Duration = Duration::from_secs(5);

/// Extra time for the steps after the card work (ending the transaction,
/// disconnecting): they must not fail only because the budget ran out.
const CLOSE_ALLOWANCE: Duration = Duration::from_secs(3);

/// How the helper ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Unpowered {
        ok: bool,
        had_card: bool,
    },
    /// It exited (or its output ended) without reporting: killed from
    /// outside. `rescued`: how the tool's own power-down went, when a PIN
    /// had been sent.
    Exited {
        rescued: Option<Rescue>,
    },
}

/// What stopping a helper achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Nothing was connected, or the card was powered down.
    Clean,
    /// The power-down was not confirmed (the reader is stuck, or unpowering
    /// failed); `pin_sent`: a PIN went to the card on this connection.
    NotConfirmed { pin_sent: bool },
}

struct Shared {
    stdin: Mutex<Option<ChildStdin>>,
    connected: AtomicBool,
    pin_sent: AtomicBool,
    /// The reader of the connection, for a power-down from outside.
    reader: Mutex<Option<String>>,
    end: (Mutex<Option<End>>, Condvar),
}

impl Shared {
    fn set_end(&self, e: End) {
        let (m, cv) = &self.end;
        if let Ok(mut g) = m.lock() {
            if g.is_none() {
                *g = Some(e);
            }
        }
        cv.notify_all();
    }

    fn ended(&self) -> bool {
        self.end.0.lock().map(|g| g.is_some()).unwrap_or(true)
    }

    /// The helper's output ended. When it had not reported its end (it was
    /// killed) and a PIN went to the card, pcscd only resets the card,
    /// which keeps the PIN verified, and frees it for any program: power it
    /// down from here at once, before anything else.
    fn output_ended(&self) {
        let rescued = if !self.ended()
            && self.connected.load(Ordering::SeqCst)
            && self.pin_sent.load(Ordering::SeqCst)
        {
            let reader = self.reader.lock().ok().and_then(|r| r.clone());
            Some(reader.map_or(Rescue::Failed, |r| power_down_from_outside(&r, GRACE)))
        } else {
            None
        };
        self.set_end(End::Exited { rescued });
    }

    fn wait_end(&self, limit: Duration) -> Option<End> {
        let (m, cv) = &self.end;
        let g = m.lock().ok()?;
        let (g, _) = cv.wait_timeout_while(g, limit, |e| e.is_none()).ok()?;
        *g
    }

    /// Tell the helper to stop and wait for its report.
    fn stop(&self) -> Stopped {
        if let Ok(mut g) = self.stdin.lock() {
            if let Some(mut w) = g.take() {
                let _ = write_frame(&mut w, &Request::Abort.encode());
            }
        }
        let connected = self.connected.load(Ordering::SeqCst);
        let pin_sent = self.pin_sent.load(Ordering::SeqCst);
        // Only a card that got a PIN is worth waiting for: any other is
        // reset by pcscd when the helper is ended.
        let limit = if connected && pin_sent {
            GRACE
        } else {
            Duration::from_millis(500)
        };
        match self.wait_end(limit) {
            Some(End::Unpowered { ok: true, .. }) => Stopped::Clean,
            Some(End::Unpowered {
                ok: false,
                had_card: false,
            }) => Stopped::Clean,
            Some(End::Exited {
                rescued: Some(Rescue::PoweredDown),
            }) => Stopped::Clean,
            _ if !connected || !pin_sent => Stopped::Clean,
            _ => Stopped::NotConfirmed { pin_sent },
        }
    }
}

/// Helpers alive in this process, for [`stop_all`].
static LIVE: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

/// Stop every helper of this process (a signal or a panic): each powers
/// its card down. Returns the worst outcome.
pub fn stop_all() -> Stopped {
    let live: Vec<Arc<Shared>> = match LIVE.lock() {
        Ok(l) => l.iter().filter_map(Weak::upgrade).collect(),
        Err(_) => return Stopped::Clean,
    };
    let mut worst = Stopped::Clean;
    for s in live {
        if let Stopped::NotConfirmed { pin_sent } = s.stop() {
            worst = match worst {
                Stopped::NotConfirmed { pin_sent: p } => Stopped::NotConfirmed {
                    pin_sent: p || pin_sent,
                },
                Stopped::Clean => Stopped::NotConfirmed { pin_sent },
            };
        }
    }
    worst
}

/// The tool's side of one helper process.
pub struct Agent {
    shared: Arc<Shared>,
    child: Option<Child>,
    rx: Receiver<Reply>,
    budget: Duration,
    deadline: Instant,
    /// Set once a call timed out: the helper is busy with it, so every
    /// later call fails the same way.
    wedged: Option<Waiting>,
    /// How stopping the helper went, once it was stopped.
    finished: Option<Stopped>,
}

impl Agent {
    /// Start a helper. `budget` bounds the card work that follows (the
    /// `--timeout`); it runs from now.
    pub fn spawn(budget: Duration) -> Result<Agent> {
        let exe = std::env::current_exe().map_err(|e| {
            Error::Helper(format!(
                "cannot find this program to start its PC/SC helper: {e}"
            ))
        })?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg(AGENT_ARG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = crate::platform::process::apart_from_terminal(&mut cmd)
            .spawn()
            .map_err(|e| Error::Helper(format!("cannot start it: {e}")))?;
        let (Some(stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Helper("it has no pipes".into()));
        };
        let shared = Arc::new(Shared {
            stdin: Mutex::new(Some(stdin)),
            connected: AtomicBool::new(false),
            pin_sent: AtomicBool::new(false),
            reader: Mutex::new(None),
            end: (Mutex::new(None), Condvar::new()),
        });
        let (tx, rx) = mpsc::channel();
        {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || loop {
                let reply = match read_frame(&mut stdout) {
                    Ok(Some(mut b)) => {
                        let r = Reply::decode(&b);
                        zeroize::Zeroize::zeroize(&mut b);
                        r.ok()
                    }
                    _ => None,
                };
                match reply {
                    Some(Reply::Unpowered { ok, had_card }) => {
                        shared.set_end(End::Unpowered { ok, had_card })
                    }
                    Some(r) => {
                        let _ = tx.send(r);
                    }
                    None => {
                        shared.output_ended();
                        return;
                    }
                }
            });
        }
        if let Ok(mut l) = LIVE.lock() {
            l.retain(|w| w.strong_count() > 0);
            l.push(Arc::downgrade(&shared));
        }
        Ok(Agent {
            shared,
            child: Some(child),
            rx,
            budget,
            deadline: Instant::now() + budget,
            wedged: None,
            finished: None,
        })
    }

    /// Start the budget again (a new card in `status --watch`).
    pub fn restart_budget(&mut self) {
        self.deadline = Instant::now() + self.budget;
    }

    fn call(&mut self, req: Request, until: Instant, waiting: Waiting) -> Result<Reply> {
        if let Some(w) = self.wedged {
            return Err(w.error(self.budget.as_secs_f64()));
        }
        {
            let mut body = req.encode();
            drop(req);
            let mut g = self
                .shared
                .stdin
                .lock()
                .map_err(|_| Error::Helper("its state is poisoned".into()))?;
            let sent = match g.as_mut() {
                Some(w) => write_frame(w, &body).is_ok(),
                None => false,
            };
            zeroize::Zeroize::zeroize(&mut body);
            if !sent {
                drop(g);
                return Err(self.gone());
            }
        }
        match self
            .rx
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            Ok(r) => Ok(r),
            Err(RecvTimeoutError::Timeout) => {
                self.wedged = Some(waiting);
                Err(waiting.error(self.budget.as_secs_f64()))
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.gone()),
        }
    }

    /// The error for a helper that ended without being told to: its
    /// output has ended, and the power-down from here (if one was needed)
    /// is over before that is seen.
    fn gone(&mut self) -> Error {
        // Told to stop by this process (a signal, a panic): not killed.
        if self.shared.stdin.lock().is_ok_and(|g| g.is_none()) {
            return Error::Helper("it has ended".into());
        }
        let end = self.shared.wait_end(GRACE + Duration::from_secs(1));
        let signal = self.child.as_mut().and_then(|c| {
            let until = Instant::now() + Duration::from_millis(300);
            loop {
                match c.try_wait() {
                    Ok(Some(st)) => return crate::platform::process::ended_by_signal(&st),
                    Ok(None) if Instant::now() < until => {
                        std::thread::sleep(Duration::from_millis(2))
                    }
                    _ => return None,
                }
            }
        });
        match end {
            Some(End::Exited {
                rescued: Some(Rescue::PoweredDown),
            }) => Error::HelperKilled {
                signal,
                cleared: true,
            },
            Some(End::Exited {
                rescued: Some(Rescue::Failed),
            })
            | None => Error::LeftPowered {
                cause: Some(Box::new(Error::HelperKilled {
                    signal,
                    cleared: false,
                })),
            },
            Some(_) => Error::HelperKilled {
                signal,
                cleared: false,
            },
        }
    }

    fn expect_done(r: Reply, reader: Option<&str>) -> Result<()> {
        match r {
            Reply::Done => Ok(()),
            other => Err(unexpected(other, reader)),
        }
    }

    /// Every reader with presence and ATR, read without connecting.
    pub fn readers(&mut self) -> Result<Vec<ReaderInfo>> {
        match self.call(Request::Readers, self.deadline, Waiting::Service)? {
            Reply::Readers(v) => Ok(v),
            other => Err(unexpected(other, None)),
        }
    }

    /// Wait up to `wait` for a card in `reader`; the card-work budget then
    /// starts again.
    pub fn wait_for_card(&mut self, reader: &str, wait: Duration) -> Result<()> {
        let until = Instant::now() + wait + self.budget;
        let r = self.call(
            Request::WaitForCard {
                reader: reader.into(),
                timeout_ms: wait.as_millis() as u64,
            },
            until,
            Waiting::Service,
        )?;
        let r = Self::expect_done(r, Some(reader)).map_err(|e| match e {
            Error::NoCard { reader, .. } => Error::NoCard {
                reader,
                waited: Some(wait.as_secs_f64()),
            },
            e => e,
        });
        self.restart_budget();
        r
    }

    /// Whether `reader` holds a card, and pcscd's event count for it.
    pub fn card_event(&mut self, reader: &str) -> Result<(bool, u32)> {
        let until = Instant::now() + self.budget;
        match self.call(
            Request::CardEvent {
                reader: reader.into(),
            },
            until,
            Waiting::Service,
        )? {
            Reply::Event { present, count } => Ok((present, count)),
            other => Err(unexpected(other, Some(reader))),
        }
    }

    /// Wait up to `wait` for the card seen at event count `since` to go.
    pub fn wait_for_removal(&mut self, reader: &str, since: u32, wait: Duration) -> Result<bool> {
        let until = Instant::now() + wait + self.budget;
        match self.call(
            Request::WaitForRemoval {
                reader: reader.into(),
                since,
                timeout_ms: wait.as_millis() as u64,
            },
            until,
            Waiting::Service,
        )? {
            Reply::Flag(b) => Ok(b),
            other => Err(unexpected(other, Some(reader))),
        }
    }

    /// Connect to the card in `reader` (exclusively while a PIN may be
    /// sent). A card held by another program is waited for within the
    /// budget.
    pub fn connect(mut self, reader: &str, exclusive: bool) -> Result<AgentConnection> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let r = self.call(
            Request::Connect {
                reader: reader.into(),
                exclusive,
                busy_ms: left.as_millis() as u64,
            },
            self.deadline + Duration::from_millis(500),
            Waiting::Connect,
        )?;
        match r {
            Reply::Connected { atr } => {
                if let Ok(mut r) = self.shared.reader.lock() {
                    *r = Some(reader.to_string());
                }
                self.shared.connected.store(true, Ordering::SeqCst);
                Ok(AgentConnection {
                    agent: self,
                    reader: reader.to_string(),
                    atr,
                })
            }
            other => Err(unexpected(other, Some(reader))),
        }
    }

    /// Stop the helper: it powers down any card it holds. Waits for its
    /// report (bounded), then for the process. A helper that could not
    /// confirm the power-down of a card that got a PIN is left running, so
    /// that it still powers the card down when the reader comes back.
    fn finish(&mut self) -> Stopped {
        if let Some(done) = self.finished {
            return done;
        }
        let out = self.shared.stop();
        self.finished = Some(out);
        if let Some(mut c) = self.child.take() {
            let deadline = Instant::now() + Duration::from_millis(500);
            loop {
                match c.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        if out == (Stopped::NotConfirmed { pin_sent: true }) {
                            // Left to finish its power-down on its own.
                            break;
                        }
                        let _ = c.kill();
                        let _ = c.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        }
        out
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.finish();
        if let Ok(mut l) = LIVE.lock() {
            l.retain(|w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), &*self.shared));
        }
    }
}

/// An answer that does not fit the request.
fn unexpected(r: Reply, reader: Option<&str>) -> Error {
    match r {
        Reply::Failed(kind, detail) => kind.to_error(detail, reader),
        other => ErrKind::Protocol.to_error(
            format!("the PC/SC helper answered {other:?} out of turn"),
            reader,
        ),
    }
}
