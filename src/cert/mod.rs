//! X.509 certificates: the report on one certificate; decoding files (PEM
//! or DER, `decode`), signature checks (`sigcheck`), JPKI holder attributes
//! (`jpki_attrs`), the chain check (`chain`) and the text view (`view`). No I/O except
//! `chain::load_trust_anchors`.
//!
//! Every function here takes untrusted bytes and returns an error rather
//! than panicking.

pub mod cades;
pub mod chain;
pub mod cms;
pub mod cv_keys;
mod decode;
mod der;
pub mod issuer;
pub mod jpki_attrs;
mod pem_input;
pub mod roots;
mod sigcheck;
pub mod tsp;
pub use decode::decode_input;
pub(crate) use decode::parse_cert;
pub use sigcheck::verify_signed;
#[cfg(test)]
pub(crate) mod testutil;
pub mod view;

use jpki_attrs::Holder;
use serde::Serialize;
use std::path::PathBuf;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry;

/// Why a certificate input could not be used. Messages are shown after
/// "error:" and say what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("the input is empty (0 bytes); expected a certificate in PEM or DER")]
    Empty,
    #[error("the input holds only whitespace ({0} bytes); expected a certificate in PEM or DER")]
    WhitespaceOnly(usize),
    #[error("PEM block {block} (\"-----BEGIN {label}-----\" on line {line}) has no END line")]
    PemNoEnd {
        block: usize,
        label: String,
        line: usize,
    },
    #[error("PEM block {block}: {detail}")]
    PemFraming { block: usize, detail: String },
    #[error("PEM block {block} is {what} (\"-----BEGIN {label}-----\"), not a certificate; a certificate was expected")]
    PemNotCertificate {
        block: usize,
        label: String,
        what: String,
    },
    #[error("PEM block {block}: bad base64: {detail}")]
    Base64 { block: usize, detail: String },
    #[error("PEM block {block} is labelled CERTIFICATE but its content is not an X.509 certificate: {detail}")]
    PemContent { block: usize, detail: String },
    #[error(
        "the certificate is truncated: header promises {promised} bytes, file has {available}"
    )]
    Truncated { promised: usize, available: usize },
    #[error(
        "the certificate is truncated: the data ends inside its DER header ({available} bytes)"
    )]
    TruncatedHeader { available: usize },
    #[error("{extra} trailing {} after the DER certificate (which ends at byte {end})", if *.extra == 1 { "byte" } else { "bytes" })]
    TrailingBytes { extra: usize, end: usize },
    #[error("the input is neither PEM nor DER{hint}")]
    NotPemOrDer { hint: String },
    #[error("not an X.509 certificate: {0}")]
    NotCertificate(String),
    #[error("the JPKI holder attributes are unreadable: {0}")]
    HolderAttributes(String),
    #[error("cannot read {}: {reason}", .path.display())]
    Io { path: PathBuf, reason: String },
    #[error("{}: {source}", .path.display())]
    AnchorFile {
        path: PathBuf,
        source: Box<CertError>,
    },
    #[error("no certificates in {} (looked for *.pem, *.crt, *.cer, *.der)", .0.display())]
    NoCertificates(PathBuf),
}

/// A certificate policy OID and its name where one is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Policy {
    pub oid: String,
    pub name: Option<String>,
}

/// Everything shown about one certificate (`docs/json-cert.md`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CertReport {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub version: u32,
    pub signature_algorithm: String,
    pub not_before_utc: String,
    pub not_after_utc: String,
    pub not_before_jst: String,
    pub not_after_jst: String,
    pub expires: String,
    pub days_left: i64,
    pub expired: bool,
    pub not_yet_valid: bool,
    pub key_algorithm: String,
    pub key_bits: Option<u32>,
    pub key_usage: Vec<String>,
    pub key_usage_critical: bool,
    pub extended_key_usage: Vec<String>,
    pub is_ca: Option<bool>,
    pub path_len: Option<u32>,
    pub certificate_policies: Vec<Policy>,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    pub sha256_fingerprint: String,
    pub kind: String,
    pub holder: Option<Holder>,
    pub notes: Vec<String>,
}

/// RFC 3339 text of an instant, in UTC (`Z`) or JST (`+09:00`).
/// Near the calendar's end (RFC 5280 §4.1.2.5's 99991231235959Z) JST has no
/// representation; the UTC form is used then.
pub(crate) fn rfc3339(t: OffsetDateTime, jst: bool) -> String {
    let offset = if jst {
        crate::rules::JST
    } else {
        time::UtcOffset::UTC
    };
    let t = t
        .checked_to_offset(offset)
        .or_else(|| t.checked_to_offset(time::UtcOffset::UTC))
        .unwrap_or(t);
    // Whole seconds: certificate times have none, and "now" needs none.
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub(crate) use crate::rules::jst_date;

/// Upper-case hex SHA-256 of the DER, no separators.
pub(crate) fn sha256_hex(der: &[u8]) -> String {
    use sha2::Digest;
    hex::encode_upper(sha2::Sha256::digest(der))
}

/// The certificate policies and the subject's and authority's key
/// identifiers (hex); an extension that does not parse is a note.
fn policies_and_key_ids(
    x: &X509Certificate<'_>,
    notes: &mut Vec<String>,
) -> (Vec<Policy>, Option<String>, Option<String>) {
    let mut certificate_policies = Vec::new();
    let mut subject_key_id = None;
    let mut authority_key_id = None;
    for ext in x.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(ps) => {
                for p in ps {
                    let oid = p.policy_id.to_id_string();
                    let name = policy_name(&oid).map(str::to_string);
                    certificate_policies.push(Policy { oid, name });
                }
            }
            ParsedExtension::SubjectKeyIdentifier(k) => {
                subject_key_id = Some(hex::encode_upper(k.0));
            }
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                authority_key_id = a.key_identifier.as_ref().map(|k| hex::encode_upper(k.0));
            }
            ParsedExtension::ParseError { error } => {
                notes.push(format!(
                    "extension {} does not parse and was ignored: {error}",
                    ext.oid.to_id_string()
                ));
            }
            _ => {}
        }
    }
    (certificate_policies, subject_key_id, authority_key_id)
}

/// The holder's attributes (a signature certificate's), with their notes.
fn holder_of(x: &X509Certificate<'_>, notes: &mut Vec<String>) -> Option<Holder> {
    match jpki_attrs::holder_with_notes(x) {
        Ok(Some((h, n))) => {
            notes.extend(n);
            Some(h)
        }
        Ok(None) => None,
        Err(e) => {
            notes.push(e.to_string());
            None
        }
    }
}

/// The kind of certificate: JPKI signature or authentication (by holder
/// or policy), a CA, or other.
fn kind_of(has_holder: bool, certificate_policies: &[Policy], is_ca: Option<bool>) -> &'static str {
    let has_policy = |arc: &str| {
        certificate_policies.iter().any(|p| {
            p.oid == arc
                || p.oid
                    .strip_prefix(arc)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    };
    if has_holder || has_policy(JPKI_SIGN_POLICY) {
        "jpki_sign"
    } else if has_policy(JPKI_AUTH_POLICY) {
        "jpki_auth"
    } else if is_ca == Some(true) {
        "ca"
    } else {
        "other"
    }
}

/// The report on one DER certificate; `today` is the JST date used for
/// "days left".
pub fn parse_der(der: &[u8], today: Date) -> Result<CertReport, CertError> {
    let x = parse_cert(der)?;
    let mut notes = Vec::new();

    let nb = x.validity().not_before.to_datetime();
    let na = x.validity().not_after.to_datetime();
    if nb > na {
        notes.push("notBefore is later than notAfter: the certificate is never valid".into());
    }
    let expires = jst_date(na);
    let starts = jst_date(nb);

    let (key_algorithm, key_bits) = key_info(&x);

    let (key_usage, key_usage_critical) = match x.key_usage() {
        Ok(Some(ku)) => (key_usage_names(ku.value), ku.critical),
        Ok(None) => (Vec::new(), false),
        Err(e) => {
            notes.push(format!("keyUsage extension ignored: {e}"));
            (Vec::new(), false)
        }
    };
    let extended_key_usage = match x.extended_key_usage() {
        Ok(Some(eku)) => eku_names(eku.value),
        Ok(None) => Vec::new(),
        Err(e) => {
            notes.push(format!("extendedKeyUsage extension ignored: {e}"));
            Vec::new()
        }
    };
    let (is_ca, path_len) = match x.basic_constraints() {
        Ok(Some(bc)) => (Some(bc.value.ca), bc.value.path_len_constraint),
        Ok(None) => (None, None),
        Err(e) => {
            notes.push(format!("basicConstraints extension ignored: {e}"));
            (None, None)
        }
    };

    let (certificate_policies, subject_key_id, authority_key_id) =
        policies_and_key_ids(&x, &mut notes);
    let holder = holder_of(&x, &mut notes);
    let kind = kind_of(holder.is_some(), &certificate_policies, is_ca);

    Ok(CertReport {
        subject: crate::protocol::text::printable(&x.subject().to_string()),
        issuer: crate::protocol::text::printable(&x.issuer().to_string()),
        serial: serial_hex(x.raw_serial()),
        version: x.version().0.saturating_add(1),
        signature_algorithm: signature_name(&x.signature_algorithm.algorithm.to_id_string()),
        not_before_utc: rfc3339(nb, false),
        not_after_utc: rfc3339(na, false),
        not_before_jst: rfc3339(nb, true),
        not_after_jst: rfc3339(na, true),
        expires: expires.to_string(),
        days_left: crate::rules::days_between(today, expires),
        expired: today > expires,
        not_yet_valid: today < starts,
        key_algorithm,
        key_bits,
        key_usage,
        key_usage_critical,
        extended_key_usage,
        is_ca,
        path_len,
        certificate_policies,
        subject_key_id,
        authority_key_id,
        sha256_fingerprint: sha256_hex(der),
        kind: kind.into(),
        holder,
        notes,
    })
}

use crate::protocol::oids::{AUTH_POLICY as JPKI_AUTH_POLICY, SIGN_POLICY as JPKI_SIGN_POLICY};

fn policy_name(oid: &str) -> Option<&'static str> {
    // RFC 5280 §4.2.1.4
    if oid == "2.5.29.32.0" {
        return Some("anyPolicy");
    }
    crate::protocol::oids::POLICY_NAMES
        .iter()
        .find(|(o, _)| *o == oid)
        .map(|(_, n)| *n)
}

/// Names of signature algorithms (RFC 3279, RFC 4055, RFC 5758, RFC 8410).
pub(crate) fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "Ed25519",
        other => other,
    }
    .to_string()
}

/// The serial number's value in hex: the INTEGER's sign octet is dropped.
fn serial_hex(raw: &[u8]) -> String {
    let mut v = raw;
    while let [0, rest @ ..] = v {
        if rest.is_empty() {
            break;
        }
        v = rest;
    }
    hex::encode_upper(v)
}

/// Whether the certificate's key is RSA (the only kind today's cards sign
/// with, and the only kind `prove` and `sign` drive); otherwise its key,
/// in words (`EC P-384`), for the refusal.
pub fn rsa_or_key(der: &[u8]) -> Result<(), String> {
    let x = parse_cert(der).map_err(|e| e.to_string())?;
    match key_info(&x) {
        (a, _) if a == "RSA" => Ok(()),
        (a, Some(bits)) if a == "EC" => Err(format!("EC P-{bits}")),
        (a, _) => Err(a),
    }
}

/// Key algorithm name and size: RSA modulus bits, or the EC curve size.
fn key_info(x: &X509Certificate<'_>) -> (String, Option<u32>) {
    let spki = x.public_key();
    let alg = &spki.algorithm.algorithm;
    if *alg == oid_registry::OID_PKCS1_RSAENCRYPTION {
        let bits = match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(k)) => modulus_bits(k.modulus),
            _ => None,
        };
        ("RSA".into(), bits)
    } else if *alg == oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|o| o.to_id_string());
        // Curve OIDs from RFC 5480 §2.1.1.1.
        let bits = match curve.as_deref() {
            Some("1.2.840.10045.3.1.7") => Some(256),
            Some("1.3.132.0.34") => Some(384),
            Some("1.3.132.0.35") => Some(521),
            _ => None,
        };
        ("EC".into(), bits)
    } else {
        (alg.to_id_string(), None)
    }
}

/// Bits of a big-endian unsigned integer, ignoring leading zero octets.
fn modulus_bits(m: &[u8]) -> Option<u32> {
    let start = m.iter().position(|&b| b != 0)?;
    let sig = m.get(start..)?;
    let first = sig.first()?;
    let len = u32::try_from(sig.len()).ok()?;
    len.checked_mul(8)?.checked_sub(first.leading_zeros())
}

/// RFC 5280 §4.2.1.3 names, in bit order.
fn key_usage_names(ku: &x509_parser::extensions::KeyUsage) -> Vec<String> {
    [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, n)| n.to_string())
    .collect()
}

/// RFC 5280 §4.2.1.12 names; other purposes as dotted OIDs.
fn eku_names(e: &x509_parser::extensions::ExtendedKeyUsage<'_>) -> Vec<String> {
    let mut v: Vec<String> = [
        (e.any, "anyExtendedKeyUsage"),
        (e.server_auth, "serverAuth"),
        (e.client_auth, "clientAuth"),
        (e.code_signing, "codeSigning"),
        (e.email_protection, "emailProtection"),
        (e.time_stamping, "timeStamping"),
        (e.ocsp_signing, "OCSPSigning"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, n)| n.to_string())
    .collect();
    v.extend(e.other.iter().map(|o| o.to_id_string()));
    v
}

#[cfg(test)]
mod tests;
