//! A TSA for one test (RFC 3161 over HTTP on the loopback): a CA, the
//! TSA's key and certificate made by OpenSSL (the CA's returned, as the
//! anchor to trust), and a responder thread that hands each query to
//! `openssl ts -reply`. It stops after `n` answered requests, or when the
//! test's directory is gone (the test ended), never on a deadline a loaded
//! machine reaches while the test still waits for it (that was the flake
//! of a pyHanko test under parallel load: a 60 s budget counted from before
//! the test's first signing).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A safety bound only: the responder outlives no test run.
const AT_MOST: Duration = Duration::from_secs(600);

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Make the TSA's PKI in `d/tsa` and start its responder: (URL, CA PEM).
pub fn start(d: &Path, n: usize) -> (String, PathBuf) {
    let dir = d.join("tsa");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| openssl(&dir, args);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=mynacard test TSA CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=mynacard test TSA",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-out",
        "tsa.pem",
    ]);
    std::fs::write(
        dir.join("tsa.cnf"),
        "[ tsa ]\ndefault_tsa = c\n[ c ]\nserial = ./serial\ncrypto_device = builtin\n\
         signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\n\
         accuracy = secs:1\nordering = no\ntsa_name = no\ness_cert_id_chain = no\n\
         ess_cert_id_alg = sha256\n",
    )
    .unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let work = dir.clone();
    std::thread::spawn(move || serve(listener, &work, n));
    (url, dir.join("ca.pem"))
}

fn serve(listener: TcpListener, work: &Path, n: usize) {
    let until = Instant::now() + AT_MOST;
    let mut answered = 0;
    while answered < n && work.exists() && Instant::now() < until {
        match listener.accept() {
            // Only a request answered counts: a connection that brings none
            // does not use up the test's budget.
            Ok((s, _)) => answered += usize::from(answer(s, work)),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The request's body: read until Content-Length bytes follow the head.
fn body(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let k = s.read(&mut chunk).ok().filter(|k| *k > 0)?;
        buf.extend_from_slice(&chunk[..k]);
        if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..h]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= h + 4 + len {
                return Some(buf[h + 4..h + 4 + len].to_vec());
            }
        }
    }
}

fn answer(mut s: TcpStream, work: &Path) -> bool {
    // Blocking, with timeouts as long as the client's own (30 s).
    if s.set_nonblocking(false).is_err()
        || s.set_read_timeout(Some(Duration::from_secs(30))).is_err()
    {
        return false;
    }
    let Some(q) = body(&mut s) else {
        return false;
    };
    if std::fs::write(work.join("q.tsq"), q).is_err() {
        return false;
    }
    let o = Command::new("openssl")
        .args(["ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq"])
        .args(["-inkey", "tsa.key", "-signer", "tsa.pem", "-out", "r.tsr"])
        .current_dir(work)
        .output();
    let r = match o {
        Ok(o) if o.status.success() => std::fs::read(work.join("r.tsr")).unwrap_or_default(),
        _ => Vec::new(),
    };
    let head = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: application/timestamp-reply\r\n\
         Content-Length: {}\r\n\r\n",
        r.len()
    );
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(&r))
        .is_ok()
}
