//! A signature timestamp from a TSA (RFC 3161 over plain HTTP, RFC 3161
//! §3.4: the reply is signed, so no TLS is needed), added to a CMS
//! signature (`cert::tsp`). Bounded: 10 s to connect, 30 s to answer, a
//! reply of at most 1 MiB.

use crate::cert::tsp;
use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

fn fail(url: &str, why: impl std::fmt::Display) -> Error {
    Error::Tsa(format!("{url}: {why}"))
}

/// `http://host[:port]/path` → (host, port, path).
fn parse_url(url: &str) -> Result<(String, u16, String)> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        fail(
            url,
            "give an http:// URL (the reply is signed: TLS is not needed)",
        )
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
            h.to_string(),
            p.parse()
                .map_err(|_| fail(url, "the port is not a number"))?,
        ),
        _ => (authority.to_string(), 80),
    };
    if host.is_empty() {
        return Err(fail(url, "no host"));
    }
    Ok((host, port, path))
}

/// POST the query, return the reply's body (status 200 only).
fn post(url: &str, query: &[u8]) -> Result<Vec<u8>> {
    let (host, port, path) = parse_url(url)?;
    let addr = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .map_err(|e| fail(url, e))?
        .next()
        .ok_or_else(|| fail(url, "the host has no address"))?;
    let mut s =
        TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(|e| fail(url, e))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| fail(url, e))?;
    s.set_write_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| fail(url, e))?;
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/timestamp-query\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        query.len()
    );
    s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(query))
        .map_err(|e| fail(url, e))?;
    let mut reply = Vec::new();
    s.take(1024 * 1024 + 1)
        .read_to_end(&mut reply)
        .map_err(|e| fail(url, e))?;
    if reply.len() > 1024 * 1024 {
        return Err(fail(url, "the reply is larger than 1 MiB"));
    }
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| fail(url, "not an HTTP reply"))?;
    let status = String::from_utf8_lossy(&reply[..split]);
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code != "200" {
        return Err(fail(url, format!("HTTP status {code}")));
    }
    Ok(reply[split + 4..].to_vec())
}

/// `cms` with a signature timestamp from the TSA at `url`; and the
/// token's time (GeneralizedTime, as the TSA wrote it).
pub fn stamp(url: &str, cms: &[u8]) -> Result<(Vec<u8>, String)> {
    let value = tsp::signature_value(cms).map_err(|e| fail(url, e))?;
    let imprint = tsp::imprint(&value);
    let mut n = [0u8; 8];
    getrandom::getrandom(&mut n).map_err(|e| fail(url, e))?;
    let nonce = u64::from_be_bytes(n) >> 1;
    let reply = post(url, &tsp::request(&imprint, nonce))?;
    let (token, time) = tsp::token(&reply, &imprint, nonce).map_err(|e| fail(url, e))?;
    let out = tsp::add_token(cms, &token).map_err(|e| fail(url, e))?;
    Ok((out, time))
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("http://127.0.0.1:8080/tsa").unwrap(),
            ("127.0.0.1".into(), 8080, "/tsa".into())
        );
        assert_eq!(
            parse_url("http://tsa.example").unwrap(),
            ("tsa.example".into(), 80, "/".into())
        );
        assert!(parse_url("https://tsa.example/").is_err());
        assert!(parse_url("http://:80/").is_err());
    }
}
