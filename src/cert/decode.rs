//! Certificate files as the user gives them: PEM with one or more
//! CERTIFICATE blocks, or one DER certificate, each parsed once, with
//! errors that say what was found (truncated, trailing bytes, text).

use super::{der, pem_input, CertError};
use x509_parser::certificate::X509Certificate;

/// Decodes a certificate file: PEM with one or more CERTIFICATE blocks, or
/// one DER certificate. Returns the DER of each certificate, in order; each
/// has been parsed once.
pub fn decode_input(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    if bytes.is_empty() {
        return Err(CertError::Empty);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(CertError::WhitespaceOnly(bytes.len()));
    }
    // DER first: a binary certificate could contain the PEM marker by chance.
    let der_error = if bytes.first() == Some(&0x30) {
        match parse_cert(bytes) {
            Ok(_) => return Ok(vec![bytes.to_vec()]),
            Err(e) => Some(e),
        }
    } else {
        None
    };
    if let Some(ders) = pem_input::decode(body)? {
        return Ok(ders);
    }
    let hint = pem_input::hint(body);
    match der_error {
        // Text that happens to start with '0' is not a broken DER file.
        Some(_) if pem_input::looks_like_text(body) => Err(CertError::NotPemOrDer { hint }),
        Some(e) => Err(e),
        None => Err(CertError::NotPemOrDer { hint }),
    }
}

/// Parses exactly one DER certificate, rejecting truncation and trailing
/// bytes with errors that say which.
pub(crate) fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    let total = match der::header(der) {
        Ok((0x30, hl, cl)) => hl.saturating_add(cl),
        Ok((tag, _, _)) => {
            return Err(CertError::NotCertificate(format!(
                "it does not start with a DER SEQUENCE (first byte 0x{tag:02X})"
            )))
        }
        Err(der::HeaderError::Empty) => {
            return Err(CertError::NotCertificate("no data (0 bytes)".into()))
        }
        Err(der::HeaderError::IncompleteHeader) => {
            return Err(CertError::TruncatedHeader {
                available: der.len(),
            })
        }
        Err(e) => return Err(CertError::NotCertificate(e.to_string())),
    };
    if total > der.len() {
        return Err(CertError::Truncated {
            promised: total,
            available: der.len(),
        });
    }
    if total < der.len() {
        return Err(CertError::TrailingBytes {
            extra: der.len() - total,
            end: total,
        });
    }
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], x)) => Ok(x),
        Ok((rest, _)) => Err(CertError::TrailingBytes {
            extra: rest.len(),
            end: der.len() - rest.len(),
        }),
        Err(e) => Err(CertError::NotCertificate(format!(
            "a DER SEQUENCE of {} bytes that does not parse as one ({})",
            der.len(),
            describe(&e)
        ))),
    }
}

fn describe(e: &x509_parser::nom::Err<x509_parser::error::X509Error>) -> String {
    match e {
        x509_parser::nom::Err::Incomplete(_) => "incomplete data".into(),
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e.to_string(),
    }
}
