//! PEM decoding with specific errors (RFC 7468 textual encoding; lax about
//! surrounding text, CRLF and whitespace, strict about the blocks).
//! Written here rather than with the `pem` crate so that each failure can
//! name the block, the line and the cause.

use super::{parse_cert, CertError};

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// A block whose END line has not been seen yet.
struct Open {
    label: String,
    line: usize,
    /// Base64 characters with their line numbers.
    chars: Vec<(u8, usize)>,
}

/// The DER of every CERTIFICATE block, or None when there is no BEGIN line.
pub(super) fn decode(body: &[u8]) -> Result<Option<Vec<Vec<u8>>>, CertError> {
    let mut out = Vec::new();
    let mut block = 0usize;
    let mut open: Option<Open> = None;
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let line = raw.trim_ascii();
        if line.starts_with(BEGIN) {
            if let Some(Open { label, line, .. }) = open.take() {
                return Err(CertError::PemNoEnd { block, label, line });
            }
            block += 1;
            let label = framed_label(line, BEGIN).ok_or_else(|| CertError::PemFraming {
                block,
                detail: format!("malformed BEGIN line on line {line_no}"),
            })?;
            open = Some(Open {
                label,
                line: line_no,
                chars: Vec::new(),
            });
        } else if line.starts_with(END) {
            let Some(Open { label, chars, .. }) = open.take() else {
                return Err(CertError::PemFraming {
                    block: block + 1,
                    detail: format!("END line on line {line_no} without a BEGIN line"),
                });
            };
            let end_label = framed_label(line, END).ok_or_else(|| CertError::PemFraming {
                block,
                detail: format!("malformed END line on line {line_no}"),
            })?;
            if end_label != label {
                return Err(CertError::PemFraming {
                    block,
                    detail: format!(
                        "BEGIN {label:?} is closed by END {end_label:?} on line {line_no}"
                    ),
                });
            }
            out.push(finish_block(block, &label, &chars)?);
        } else if let Some(o) = open.as_mut() {
            o.chars.extend(
                line.iter()
                    .filter(|b| !b.is_ascii_whitespace())
                    .map(|&b| (b, line_no)),
            );
        }
    }
    if let Some(Open { label, line, .. }) = open {
        return Err(CertError::PemNoEnd { block, label, line });
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}

/// The label of a `-----BEGIN X-----` / `-----END X-----` line (RFC 7468 §3).
fn framed_label(line: &[u8], marker: &[u8]) -> Option<String> {
    let inner = line.strip_prefix(marker)?.strip_suffix(DASHES)?;
    let label = std::str::from_utf8(inner).ok()?;
    if label.bytes().all(|b| b.is_ascii_graphic() || b == b' ') && !label.contains("--") {
        Some(label.to_string())
    } else {
        None
    }
}

/// What a non-certificate PEM label holds, for the error message.
fn describe_label(label: &str) -> String {
    match label {
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "DSA PRIVATE KEY" => {
            "a private key".into()
        }
        "ENCRYPTED PRIVATE KEY" => "an encrypted private key".into(),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => "a public key".into(),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            "a certificate signing request (CSR)".into()
        }
        "X509 CRL" => "a certificate revocation list (CRL)".into(),
        "PKCS7" | "CMS" => "a PKCS #7 / CMS message".into(),
        "TRUSTED CERTIFICATE" => {
            "an OpenSSL trusted certificate (convert it with `openssl x509`)".into()
        }
        other => format!("a {other:?} block"),
    }
}

fn finish_block(block: usize, label: &str, chars: &[(u8, usize)]) -> Result<Vec<u8>, CertError> {
    // "X509 CERTIFICATE" is the legacy label RFC 7468 §5.3 asks parsers to accept.
    if label != "CERTIFICATE" && label != "X509 CERTIFICATE" {
        return Err(CertError::PemNotCertificate {
            block,
            label: label.to_string(),
            what: describe_label(label),
        });
    }
    let der = base64(chars).map_err(|detail| CertError::Base64 { block, detail })?;
    match parse_cert(&der) {
        Ok(_) => Ok(der),
        Err(CertError::Truncated {
            promised,
            available,
        }) => Err(CertError::PemContent {
            block,
            detail: format!(
                "truncated: header promises {promised} bytes, the block holds {available}"
            ),
        }),
        Err(CertError::NotCertificate(detail)) => Err(CertError::PemContent { block, detail }),
        Err(e) => Err(CertError::PemContent {
            block,
            detail: e.to_string(),
        }),
    }
}

fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

fn show(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", char::from(c))
    } else {
        format!("byte 0x{c:02X}")
    }
}

/// Standard base64 (RFC 4648 §4); padding may be omitted.
fn base64(chars: &[(u8, usize)]) -> Result<Vec<u8>, String> {
    if chars.is_empty() {
        return Err("no data between the BEGIN and END lines".into());
    }
    let pad = chars.iter().rev().take_while(|(c, _)| *c == b'=').count();
    let data = chars.get(..chars.len() - pad).unwrap_or_default();
    // Characters first: a stray one is the likelier fault than the length.
    let mut values = Vec::with_capacity(data.len());
    for &(c, line) in data {
        match sextet(c) {
            Some(v) => values.push(v),
            None if c == b'=' => return Err(format!("'=' before the end, on line {line}")),
            None => return Err(format!("invalid character {} on line {line}", show(c))),
        }
    }
    if pad > 2 {
        return Err(format!("{pad} '=' padding characters (at most 2)"));
    }
    if pad > 0 && !chars.len().is_multiple_of(4) {
        return Err(format!(
            "{} characters with padding, not a multiple of 4",
            chars.len()
        ));
    }
    if data.len() % 4 == 1 {
        return Err(format!(
            "{} characters: the last group is incomplete",
            data.len()
        ));
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for v in values {
        acc = ((acc << 6) | v) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    Ok(out)
}

/// Text: valid UTF-8 without control characters other than tab, CR, LF.
pub(super) fn looks_like_text(body: &[u8]) -> bool {
    std::str::from_utf8(body)
        .map(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'))
        })
        .unwrap_or(false)
}

/// A hint on what the input is instead, for "neither PEM nor DER".
pub(super) fn hint(body: &[u8]) -> String {
    let magic: [(&[u8], &str); 6] = [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"%PDF", "a PDF document"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "gzip-compressed data"),
    ];
    if let Some((_, what)) = magic.iter().find(|(m, _)| body.starts_with(m)) {
        return format!(" (it looks like {what})");
    }
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    if looks_like_text(body) {
        if has(END) {
            " (it is text with a PEM END line but no BEGIN line)".into()
        } else {
            " (it is text with no \"-----BEGIN CERTIFICATE-----\" line)".into()
        }
    } else {
        let first = body.first().copied().unwrap_or_default();
        format!(" (it starts with byte 0x{first:02X}; a DER certificate starts with 0x30)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> Result<Vec<u8>, String> {
        let v: Vec<(u8, usize)> = s.bytes().map(|b| (b, 1)).collect();
        base64(&v)
    }

    #[test]
    fn base64_rfc4648_vectors() {
        // RFC 4648 §10 test vectors.
        for (enc, dec) in [
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("Zm9vYg", "foob"),
        ] {
            assert_eq!(b64(enc).unwrap(), dec.as_bytes(), "{enc}");
        }
        assert!(b64("Zm9v#mFy")
            .unwrap_err()
            .contains("invalid character '#'"));
        assert!(b64("Zg=v").unwrap_err().contains("'=' before the end"));
        assert!(b64("Zm9vY").unwrap_err().contains("incomplete"));
        assert!(b64("Zg===").unwrap_err().contains("padding"));
        assert!(b64("").unwrap_err().contains("no data"));
    }

    #[test]
    fn labels() {
        assert_eq!(
            framed_label(b"-----BEGIN CERTIFICATE-----", BEGIN).as_deref(),
            Some("CERTIFICATE")
        );
        assert_eq!(framed_label(b"-----BEGIN CERTIFICATE", BEGIN), None);
        assert_eq!(framed_label(b"-----BEGIN \xFF-----", BEGIN), None);
    }
}
