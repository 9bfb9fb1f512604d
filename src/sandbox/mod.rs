//! A private PC/SC stack for the virtual card: a real `pcscd` with
//! vsmartcard's vpcd driver, in its own mount namespace (so it never
//! touches a system pcscd), and the virtual card served to it from a thread.
//! Used by `mynacard vcard sandbox`, the quick start and the end-to-end tests.
//! Processes are stopped by their recorded PID, never by name.

pub mod hostile;

use crate::vcard::{vpcd, VirtualCard};
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const PCSCD: &str = "/usr/sbin/pcscd";
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// Why the sandbox could not start (the caller decides whether to skip).
pub fn unavailable_reason() -> Option<String> {
    if !Path::new(PCSCD).exists() {
        return Some(format!("{PCSCD} is missing (apt-get install pcscd)"));
    }
    if !Path::new(VPCD_DRIVER).exists() {
        return Some(format!(
            "{VPCD_DRIVER} is missing (apt-get install vsmartcard-vpcd)"
        ));
    }
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_default();
    if uid != "0" {
        return Some("a private pcscd needs root (a mount namespace); run with sudo".into());
    }
    None
}

/// Two consecutive free TCP ports (vpcd listens on PORT and PORT+1).
fn free_port_pair() -> io::Result<u16> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = 41000 + (std::process::id() % 400) * 40;
    for _ in 0..200 {
        let p = (base + NEXT.fetch_add(2, Ordering::Relaxed) % 8000) as u16;
        let a = TcpListener::bind(("0.0.0.0", p));
        let b = TcpListener::bind(("0.0.0.0", p + 1));
        if a.is_ok() && b.is_ok() {
            return Ok(p);
        }
    }
    Err(io::Error::other("no free TCP port pair for vpcd"))
}

/// A private folder (mode 0700, an unpredictable name) for pcscd's socket,
/// configuration and log; removed with the sandbox.
fn temp_dir() -> io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::Builder::new()
        .prefix("mynacard-pcscd-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()?;
    std::fs::create_dir(d.path().join("run"))?;
    std::fs::create_dir(d.path().join("conf"))?;
    Ok(d)
}

pub struct Sandbox {
    tmp: Option<tempfile::TempDir>,
    dir: PathBuf,
    pcscd: Option<Child>,
    pub port: u16,
    pub friendly: String,
    pub card: Arc<Mutex<VirtualCard>>,
    stop: Arc<AtomicBool>,
    server: Option<JoinHandle<io::Result<()>>>,
    /// Where the served card logs its APDUs (see `vpcd::log_line`).
    pub apdu_log: Option<PathBuf>,
    /// A hostile reader between vpcd and the card (tests).
    proxy: Option<hostile::Proxy>,
}

impl Sandbox {
    /// Start pcscd in a private mount namespace and wait for its socket.
    /// The card is not inserted yet: call [`Sandbox::insert`].
    pub fn start(card: VirtualCard) -> io::Result<Sandbox> {
        if let Some(why) = unavailable_reason() {
            return Err(io::Error::other(why));
        }
        let tmp = temp_dir()?;
        let dir = tmp.path().to_path_buf();
        let port = free_port_pair()?;
        let friendly = format!("mynacard sandbox {port} vpcd");
        std::fs::write(
            dir.join("conf/vpcd"),
            format!(
                "FRIENDLYNAME \"{friendly}\"\nDEVICENAME /dev/null:{port}\nLIBPATH {VPCD_DRIVER}\n"
            ),
        )?;
        std::fs::create_dir_all("/run/pcscd")?;
        let mut sb = Sandbox {
            tmp: Some(tmp),
            dir,
            pcscd: None,
            port,
            friendly,
            card: Arc::new(Mutex::new(card)),
            stop: Arc::new(AtomicBool::new(false)),
            server: None,
            apdu_log: None,
            proxy: None,
        };
        sb.spawn_pcscd()?;
        Ok(sb)
    }

    /// Start pcscd (in its own mount namespace) and wait for its socket.
    fn spawn_pcscd(&mut self) -> io::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("pcscd.log"))?;
        // unshare and sh exec in place, so the child's PID is pcscd's. No
        // APDU logging (-a): pcscd would log VERIFY data, PINs in clear.
        let script = format!(
            "mount --bind '{}' /run/pcscd && exec {PCSCD} -f -c '{}'",
            self.dir.join("run").display(),
            self.dir.join("conf").display()
        );
        let child = Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.pcscd = Some(child);
        let sb = self;
        let sock = sb.socket();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sock.exists() {
            if let Some(Ok(Some(st))) = sb.pcscd.as_mut().map(|c| c.try_wait()) {
                return Err(io::Error::other(format!(
                    "pcscd exited ({st}): {}",
                    sb.log()
                )));
            }
            if Instant::now() > deadline {
                return Err(io::Error::other(format!(
                    "pcscd did not create its socket within 10 s: {}",
                    sb.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Stop pcscd (by PID) and start it again, with the card left serving:
    /// the served card must find the new pcscd by itself.
    pub fn restart_pcscd(&mut self) -> io::Result<()> {
        self.stop_pcscd();
        self.spawn_pcscd()
    }

    /// Stop pcscd (by PID) and wait for its socket to go.
    pub fn stop_pcscd(&mut self) {
        if let Some(mut c) = self.pcscd.take() {
            terminate(&mut c);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.socket().exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Start pcscd again after [`Sandbox::stop_pcscd`].
    pub fn start_pcscd(&mut self) -> io::Result<()> {
        self.spawn_pcscd()
    }

    /// The client socket: give it to clients as `PCSCLITE_CSOCK_NAME`.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("run/pcscd.comm")
    }

    /// The reader the card appears in.
    pub fn reader(&self) -> String {
        format!("{} 00 00", self.friendly)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pcscd.log")).unwrap_or_default()
    }

    pub fn pcscd_pid(&self) -> Option<u32> {
        self.pcscd.as_ref().map(|c| c.id())
    }

    /// Connect the card to vpcd (slot 0): the reader then reports a card
    /// within one presence poll (≤ 400 ms).
    pub fn insert(&mut self) {
        self.serve_on(self.port);
    }

    /// Connect the card to vpcd's second slot: the second reader
    /// ([`Sandbox::second_reader`]) then reports it; the first stays empty.
    pub fn insert_second(&mut self) {
        self.serve_on(self.port + 1);
    }

    /// vpcd's second reader (its slot 1).
    pub fn second_reader(&self) -> String {
        format!("{} 00 01", self.friendly)
    }

    /// Connect the card through a hostile reader (`hostile::Proxy`) whose
    /// setting the caller keeps.
    pub fn insert_hostile(&mut self, h: Arc<Mutex<hostile::Hostile>>) -> io::Result<()> {
        let p = hostile::Proxy::start(self.port, h)?;
        let port = p.port();
        self.proxy = Some(p);
        self.serve_on(port);
        Ok(())
    }

    fn serve_on(&mut self, port: u16) {
        if self.server.is_some() {
            return;
        }
        self.stop.store(false, Ordering::SeqCst);
        let card = Arc::clone(&self.card);
        let stop = Arc::clone(&self.stop);
        let opts = vpcd::ServeOptions {
            host: "127.0.0.1".into(),
            port,
            verbose: std::env::var_os("MYNACARD_DEBUG_VPCD").is_some(),
            apdu_log: self.apdu_log.clone(),
        };
        self.server = Some(std::thread::spawn(move || vpcd::serve(card, &opts, &stop)));
    }

    /// Disconnect the card from vpcd (the card is "pulled").
    pub fn remove(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.server.take() {
            let _ = h.join();
        }
        self.proxy = None;
    }
}

/// Send SIGTERM to `pid` and wait up to 5 s for `child` to end.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.remove();
        if let Some(mut c) = self.pcscd.take() {
            terminate(&mut c);
        }
        if let Some(t) = self.tmp.take() {
            let _ = t.close();
        }
    }
}
