//! One-step chain check: end-entity certificate → issuer among candidates
//! (the card's CA certificate or trust anchors). The checks follow RFC 5280
//! §6.1.3 and §4.2.1.9/§4.2.1.3 for a path of length one. An issuer is
//! found by name and key identifier (§4.2.1.1/§4.2.1.2) and decided by the
//! signature: every JPKI CA generation, and every test CA, shares its name. Revocation is not
//! checked: JPKI OCSP needs a 署名検証者 contract (card-protocol.md §15
//! item 21).

use super::{parse_cert, rfc3339, sha256_hex, CertError};
use serde::Serialize;
use std::path::Path;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

mod candidates;
use candidates::{best_issuer, named_candidates};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainStatus {
    Valid,
    Expired,
    NotYetValid,
    BadSignature,
    UnknownIssuer,
    IssuerNotCa,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ChainResult {
    pub status: ChainStatus,
    pub issuer: Option<String>,
    pub issuer_sha256_fingerprint: Option<String>,
    pub checks: Vec<Check>,
    pub message: String,
    pub revocation: &'static str,
}

const REVOCATION: &str = "not checked";

fn check(name: &'static str, ok: bool, detail: String) -> Check {
    Check { name, ok, detail }
}

/// Where `at` stands against a certificate's validity period.
enum Validity {
    Within,
    Before(OffsetDateTime),
    After(OffsetDateTime),
}

fn validity(x: &X509Certificate<'_>, at: OffsetDateTime) -> Validity {
    let nb = x.validity().not_before.to_datetime();
    let na = x.validity().not_after.to_datetime();
    if at < nb {
        Validity::Before(nb)
    } else if at > na {
        Validity::After(na)
    } else {
        Validity::Within
    }
}

fn validity_check(
    name: &'static str,
    who: &str,
    x: &X509Certificate<'_>,
    at: OffsetDateTime,
) -> Check {
    let nb = rfc3339(x.validity().not_before.to_datetime(), false);
    let na = rfc3339(x.validity().not_after.to_datetime(), false);
    match validity(x, at) {
        Validity::Within => check(name, true, format!("{who} is valid from {nb} to {na}")),
        Validity::Before(t) => check(
            name,
            false,
            format!("{who} is not valid until {}", rfc3339(t, false)),
        ),
        Validity::After(t) => check(
            name,
            false,
            format!("{who} expired at {}", rfc3339(t, false)),
        ),
    }
}

/// keyCertSign when keyUsage is present (RFC 5280 §4.2.1.3); None when the
/// extension is absent.
fn cert_sign_allowed(x: &X509Certificate<'_>) -> Result<Option<bool>, String> {
    match x.key_usage() {
        Ok(Some(ku)) => Ok(Some(ku.value.key_cert_sign())),
        Ok(None) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn ca_flag(x: &X509Certificate<'_>) -> Result<Option<bool>, String> {
    match x.basic_constraints() {
        Ok(b) => Ok(b.map(|b| b.value.ca)),
        Err(e) => Err(e.to_string()),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The key identifier a certificate names for its issuer
/// (authorityKeyIdentifier, RFC 5280 §4.2.1.1).
pub(crate) fn authority_key_id(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}

/// A certificate's own key identifier (subjectKeyIdentifier, §4.2.1.2).
pub(crate) fn subject_key_id(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
}

/// How a candidate stands as a certificate's issuer before any signature
/// is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// Named so, with the key identifier the certificate names.
    KeyId,
    /// Named so; one of the two has no key identifier.
    NameOnly,
    /// Named so, but with another key identifier: not its issuer.
    KeyDiffers,
}

/// `None` when `ca`'s subject is not the issuer `ee` names.
pub(crate) fn issuer_match(ee: &X509Certificate<'_>, ca: &X509Certificate<'_>) -> Option<Match> {
    if ca.subject().as_raw() != ee.issuer().as_raw() {
        return None;
    }
    Some(match (authority_key_id(ee), subject_key_id(ca)) {
        (Some(a), Some(s)) if a == s => Match::KeyId,
        (Some(_), Some(_)) => Match::KeyDiffers,
        _ => Match::NameOnly,
    })
}

/// Whether `ca` issued `ee`: its name and key identifier point at it, and
/// `ee`'s signature verifies with its key. A name alone is only a claim.
pub(crate) fn issued_by(ee: &X509Certificate<'_>, ca: &X509Certificate<'_>) -> bool {
    matches!(issuer_match(ee, ca), Some(Match::KeyId | Match::NameOnly))
        && super::verify_signed(ee, ca.public_key()).is_ok()
}

/// Why no named candidate is the issuer: the message of a bad signature.
fn bad_signature_message(
    issuer_name: &str,
    named_count: usize,
    none_keyed: bool,
    failures: &[String],
) -> String {
    let why = if none_keyed {
        format!(
            "{} another key identifier than the one the certificate names for its issuer",
            if named_count == 1 {
                "it has"
            } else {
                "they have"
            }
        )
    } else {
        format!(
            "the signature does not verify with {}",
            if named_count == 1 {
                "its key"
            } else {
                "any of their keys"
            }
        )
    };
    format!(
        "{} named \"{issuer_name}\", but {why}: {}",
        plural(named_count, "certificate is", "certificates are"),
        failures.join("; ")
    )
}

/// Whether the issuer may issue certificates: its CA flag and key usage.
fn issuer_ca_checks(issuer: &X509Certificate<'_>) -> (Check, Check) {
    let is_ca = match ca_flag(issuer) {
        Ok(Some(true)) => check("issuer_is_ca", true, "basicConstraints CA:TRUE".into()),
        Ok(Some(false)) => check("issuer_is_ca", false, "basicConstraints CA:FALSE".into()),
        Ok(None) => check(
            "issuer_is_ca",
            false,
            "no basicConstraints extension".into(),
        ),
        Err(e) => check(
            "issuer_is_ca",
            false,
            format!("basicConstraints unreadable: {e}"),
        ),
    };
    let usage = match cert_sign_allowed(issuer) {
        Ok(Some(true)) => check(
            "issuer_key_usage",
            true,
            "keyUsage includes keyCertSign".into(),
        ),
        Ok(Some(false)) => check(
            "issuer_key_usage",
            false,
            "keyUsage does not include keyCertSign".into(),
        ),
        Ok(None) => check(
            "issuer_key_usage",
            true,
            "no keyUsage extension (no restriction)".into(),
        ),
        Err(e) => check(
            "issuer_key_usage",
            false,
            format!("keyUsage unreadable: {e}"),
        ),
    };
    (is_ca, usage)
}

/// The status and its message: an issuer that may not issue outranks a
/// validity failure; `valid` is the message when all holds.
fn verdict(
    [is_ca, usage]: [&Check; 2],
    validities: [(&Check, Validity); 2],
    valid: String,
) -> (ChainStatus, String) {
    if !is_ca.ok || !usage.ok {
        let why = if is_ca.ok {
            &usage.detail
        } else {
            &is_ca.detail
        };
        (
            ChainStatus::IssuerNotCa,
            format!("the issuer certificate may not issue certificates: {why}"),
        )
    } else if validities.iter().any(|(c, _)| !c.ok) {
        // not_yet_valid outranks expired; the deciding check comes first.
        let before = |v: &Validity| matches!(v, Validity::Before(_));
        let status = if validities.iter().any(|(_, v)| before(v)) {
            ChainStatus::NotYetValid
        } else {
            ChainStatus::Expired
        };
        let mut failed = Vec::from(validities);
        failed.retain(|(c, _)| !c.ok);
        failed.sort_by_key(|(_, v)| !before(v));
        let details: Vec<&str> = failed.iter().map(|(c, _)| c.detail.as_str()).collect();
        (status, details.join("; "))
    } else {
        (ChainStatus::Valid, valid)
    }
}

/// Verifies `ee` against the best of `candidates` at the instant `at`.
/// Errors only when `ee` itself does not parse.
pub fn check_chain(
    ee: &[u8],
    candidates: &[Vec<u8>],
    at: OffsetDateTime,
) -> Result<ChainResult, CertError> {
    let x = parse_cert(ee)?;
    let issuer_name = x.issuer().to_string();

    let aki = authority_key_id(&x);
    let named = named_candidates(&x, candidates);
    let skipped = named.skipped;
    let skipped_note = if skipped > 0 {
        format!(
            " ({} did not parse and {} skipped)",
            plural(skipped, "candidate certificate", "candidate certificates"),
            if skipped == 1 { "was" } else { "were" }
        )
    } else {
        String::new()
    };
    let ee_validity = validity_check("ee_validity", "the certificate", &x, at);

    if named.count == 0 {
        let message = format!(
            "no candidate certificate has the subject \"{issuer_name}\" ({} examined){skipped_note}",
            candidates.len()
        );
        return Ok(ChainResult {
            status: ChainStatus::UnknownIssuer,
            issuer: None,
            issuer_sha256_fingerprint: None,
            checks: vec![check("issuer_found", false, message.clone()), ee_validity],
            message,
            revocation: REVOCATION,
        });
    }
    let key_note = match &aki {
        Some(k) => format!(
            "; {} the key identifier it names ({})",
            plural(named.keyed.len(), "has", "have"),
            hex::encode_upper(k)
        ),
        None => String::new(),
    };
    let found = check(
        "issuer_found",
        !named.keyed.is_empty(),
        format!(
            "{} named \"{issuer_name}\" among {}{skipped_note}{key_note}",
            plural(named.count, "candidate", "candidates"),
            candidates.len()
        ),
    );

    let mut failures = named.other_key;
    let Some((issuer, issuer_der)) = best_issuer(&x, &named.keyed, at, &mut failures) else {
        // A name alone is only a claim: no issuer is reported.
        let message =
            bad_signature_message(&issuer_name, named.count, named.keyed.is_empty(), &failures);
        return Ok(ChainResult {
            status: ChainStatus::BadSignature,
            issuer: None,
            issuer_sha256_fingerprint: None,
            checks: vec![
                found,
                check("signature", false, message.clone()),
                ee_validity,
            ],
            message,
            revocation: REVOCATION,
        });
    };
    let fingerprint = sha256_hex(issuer_der);
    let sig = check(
        "signature",
        true,
        format!(
            "{} signature verifies with the key of the issuer certificate (SHA-256 {fingerprint})",
            super::signature_name(&x.signature_algorithm.algorithm.to_id_string())
        ),
    );

    let (is_ca, usage) = issuer_ca_checks(issuer);
    let issuer_validity = validity_check("issuer_validity", "the issuer certificate", issuer, at);
    let valid = format!(
        "signed by \"{issuer_name}\" (SHA-256 {fingerprint}); both certificates are valid at {}",
        rfc3339(at, false)
    );
    let (status, message) = verdict(
        [&is_ca, &usage],
        [
            (&ee_validity, validity(&x, at)),
            (&issuer_validity, validity(issuer, at)),
        ],
        valid,
    );
    Ok(ChainResult {
        status,
        issuer: Some(issuer_name),
        issuer_sha256_fingerprint: Some(fingerprint),
        checks: vec![found, sig, is_ca, usage, ee_validity, issuer_validity],
        message,
        revocation: REVOCATION,
    })
}

/// Trust anchors from a file (PEM with one or more certificates, or DER)
/// or a directory (its *.pem, *.crt, *.cer, *.der files, sorted by name).
pub fn load_trust_anchors(path: &Path) -> Result<Vec<Vec<u8>>, CertError> {
    let io = |p: &Path, e: std::io::Error| CertError::Io {
        path: p.to_path_buf(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    let read = |p: &Path| -> Result<Vec<Vec<u8>>, CertError> {
        let bytes = crate::platform::files::read_limited(p, crate::platform::files::limit::CERT)
            .map_err(|e| io(p, e))?;
        super::decode_input(&bytes).map_err(|e| CertError::AnchorFile {
            path: p.to_path_buf(),
            source: Box::new(e),
        })
    };
    if !meta.is_dir() {
        return read(path);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| io(path, e))? {
        let p = entry.map_err(|e| io(path, e))?.path();
        let wanted = p
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "pem" | "crt" | "cer" | "der"
                )
            })
            .unwrap_or(false);
        // metadata() follows symlinks, as c_rehash-style directories use them.
        if wanted && std::fs::metadata(&p).map(|m| m.is_file()).unwrap_or(false) {
            files.push(p);
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in &files {
        out.extend(read(f)?);
    }
    if out.is_empty() {
        return Err(CertError::NoCertificates(path.to_path_buf()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::testutil::{fixtures, to_pem};
    use sha2::Digest;
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-01-01 03:00 UTC);

    fn status_name(r: &ChainResult) -> String {
        serde_json::to_value(r.status)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn names(r: &ChainResult) -> Vec<(&'static str, bool)> {
        r.checks.iter().map(|c| (c.name, c.ok)).collect()
    }

    #[test]
    fn valid_chain() {
        let f = fixtures();
        let r = check_chain(&f.auth_ee, std::slice::from_ref(&f.ca), AT).unwrap();
        assert_eq!(r.status, ChainStatus::Valid);
        assert_eq!(status_name(&r), "valid");
        assert_eq!(
            r.issuer.as_deref(),
            Some("C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems")
        );
        assert_eq!(
            r.issuer_sha256_fingerprint.as_deref(),
            Some(sha256_hex(&f.ca).as_str())
        );
        assert_eq!(
            names(&r),
            vec![
                ("issuer_found", true),
                ("signature", true),
                ("issuer_is_ca", true),
                ("issuer_key_usage", true),
                ("ee_validity", true),
                ("issuer_validity", true)
            ]
        );
        assert!(r.checks[1]
            .detail
            .starts_with("sha256WithRSAEncryption signature verifies"));
        assert!(r
            .message
            .contains("both certificates are valid at 2026-01-01T03:00:00Z"));
        assert_eq!(r.revocation, "not checked");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["checks"][0]["name"], "issuer_found");
        assert_eq!(json["revocation"], "not checked");
    }

    #[test]
    fn same_dn_is_decided_by_the_signature() {
        // Two candidates share the DN (as JPKI CA generations do); only one
        // key verifies. Order must not matter.
        let f = fixtures();
        for cands in [
            vec![f.other_ca.clone(), f.ca.clone()],
            vec![f.ca.clone(), f.other_ca.clone()],
        ] {
            let r = check_chain(&f.sign_ee, &cands, AT).unwrap();
            assert_eq!(r.status, ChainStatus::Valid);
            assert_eq!(r.issuer_sha256_fingerprint, Some(sha256_hex(&f.ca)));
            assert!(r.checks[0].detail.starts_with("2 candidates named"));
        }
    }

    #[test]
    fn bad_signature() {
        let f = fixtures();
        // bad_sig_ee names other-ca's key identifier under ca's name: ca is
        // not its issuer, however it is named.
        let r = check_chain(&f.bad_sig_ee, std::slice::from_ref(&f.ca), AT).unwrap();
        assert_eq!(status_name(&r), "bad_signature");
        assert_eq!(r.issuer, None);
        assert_eq!(r.issuer_sha256_fingerprint, None);
        assert_eq!(
            names(&r),
            vec![
                ("issuer_found", false),
                ("signature", false),
                ("ee_validity", true)
            ]
        );
        assert!(
            r.message
                .contains("but it has another key identifier than the one the certificate names"),
            "{}",
            r.message
        );
        assert!(
            r.checks[0].detail.ends_with(&format!(
                "; 0 have the key identifier it names ({})",
                hex::encode_upper(
                    &sha2::Sha256::digest(
                        crate::cert::testutil::key("other-ca").spki_der().unwrap()
                    )[..20]
                )
            )),
            "{}",
            r.checks[0].detail
        );
        // Without key identifiers the signature decides.
        use crate::cert::testutil::{ca_key_and_params, ee_params, key, sign};
        let (_, ca_p) = ca_key_and_params();
        let mut p = ee_params("no key identifier");
        p.authority_key_id = false;
        let forged = sign(&p, &key("auth-ee"), &ca_p, &key("other-ca"));
        let r = check_chain(&forged, std::slice::from_ref(&f.ca), AT).unwrap();
        assert_eq!(r.status, ChainStatus::BadSignature);
        assert_eq!(r.issuer, None);
        assert_eq!(
            names(&r),
            vec![
                ("issuer_found", true),
                ("signature", false),
                ("ee_validity", true)
            ]
        );
        assert!(
            r.message
                .contains("but the signature does not verify with its key"),
            "{}",
            r.message
        );
        assert!(r.message.contains("signature verification error"));
        // The other CA's own certificate verifies both, wherever it stands.
        for ee in [&f.bad_sig_ee, &forged] {
            let r = check_chain(ee, &[f.ca.clone(), f.other_ca.clone()], AT).unwrap();
            assert_eq!(r.status, ChainStatus::Valid);
            assert_eq!(r.issuer_sha256_fingerprint, Some(sha256_hex(&f.other_ca)));
        }
    }

    #[test]
    fn unknown_issuer_wins_over_everything() {
        let f = fixtures();
        let r = check_chain(
            &f.unknown_issuer_ee,
            &[f.ca.clone(), f.other_ca.clone()],
            AT,
        )
        .unwrap();
        assert_eq!(status_name(&r), "unknown_issuer");
        assert_eq!(r.issuer, None);
        assert!(r.message.starts_with(
            "no candidate certificate has the subject \"C=JP, O=JPKI, OU=JPKI for digital signature"
        ));
        assert!(r.message.contains("(2 examined)"));
        let r = check_chain(&f.auth_ee, &[], AT).unwrap();
        assert_eq!(r.status, ChainStatus::UnknownIssuer);
        assert!(r.message.contains("(0 examined)"));
    }

    #[test]
    fn validity_statuses() {
        let f = fixtures();
        let ca = std::slice::from_ref(&f.ca);
        let r = check_chain(&f.expired_ee, ca, AT).unwrap();
        assert_eq!(status_name(&r), "expired");
        assert_eq!(r.message, "the certificate expired at 2020-02-17T14:59:59Z");
        assert!(!r.checks[4].ok && r.checks[5].ok);
        let r = check_chain(&f.not_yet_ee, ca, AT).unwrap();
        assert_eq!(status_name(&r), "not_yet_valid");
        assert_eq!(
            r.message,
            "the certificate is not valid until 2031-01-01T00:00:00Z"
        );
        // The CA ends 2033-07-15: after that, the issuer has expired too.
        let late = datetime!(2033-07-16 00:00 UTC);
        let r = check_chain(&f.not_yet_ee, ca, late).unwrap();
        assert_eq!(r.status, ChainStatus::Expired);
        assert!(r.message.contains("expired at 2032-02-17T14:59:59Z"));
        // EE valid but issuer not yet valid: not_yet_valid.
        let early = datetime!(2023-01-01 00:00 UTC);
        let r = check_chain(&f.expired_ee, ca, early).unwrap();
        assert_eq!(r.status, ChainStatus::NotYetValid);
        assert_eq!(
            r.message,
            "the issuer certificate is not valid until 2023-07-16T01:01:04Z; \
             the certificate expired at 2020-02-17T14:59:59Z"
        );
        // Last second of validity (23:59:59 JST) is still valid.
        let edge = datetime!(2030-02-17 14:59:59 UTC);
        assert_eq!(
            check_chain(&f.auth_ee, ca, edge).unwrap().status,
            ChainStatus::Valid
        );
        let after = datetime!(2030-02-17 15:00:00 UTC);
        assert_eq!(
            check_chain(&f.auth_ee, ca, after).unwrap().status,
            ChainStatus::Expired
        );
    }

    #[test]
    fn issuer_not_ca() {
        let f = fixtures();
        let r = check_chain(&f.under_not_ca_ee, std::slice::from_ref(&f.not_ca), AT).unwrap();
        assert_eq!(status_name(&r), "issuer_not_ca");
        assert_eq!(
            r.message,
            "the issuer certificate may not issue certificates: basicConstraints CA:FALSE"
        );
        assert_eq!(r.checks[2].name, "issuer_is_ca");
        assert!(!r.checks[2].ok);
        // Precedence over validity: at a time when the EE is expired, still issuer_not_ca.
        let late = datetime!(2031-01-01 00:00 UTC);
        assert_eq!(
            check_chain(&f.under_not_ca_ee, std::slice::from_ref(&f.not_ca), late)
                .unwrap()
                .status,
            ChainStatus::IssuerNotCa
        );
        let r = check_chain(
            &f.under_no_certsign_ee,
            std::slice::from_ref(&f.no_certsign_ca),
            AT,
        )
        .unwrap();
        assert_eq!(r.status, ChainStatus::IssuerNotCa);
        assert!(r.message.ends_with("keyUsage does not include keyCertSign"));
        assert!(r.checks[2].ok && !r.checks[3].ok);
    }

    #[test]
    fn all_status_names() {
        let all = [
            (ChainStatus::Valid, "valid"),
            (ChainStatus::Expired, "expired"),
            (ChainStatus::NotYetValid, "not_yet_valid"),
            (ChainStatus::BadSignature, "bad_signature"),
            (ChainStatus::UnknownIssuer, "unknown_issuer"),
            (ChainStatus::IssuerNotCa, "issuer_not_ca"),
        ];
        for (s, n) in all {
            assert_eq!(serde_json::to_value(s).unwrap(), n);
        }
    }

    #[test]
    fn unparsable_candidates_are_skipped_and_counted() {
        let f = fixtures();
        let cands = vec![b"junk".to_vec(), f.ca[..50].to_vec(), f.ca.clone()];
        let r = check_chain(&f.auth_ee, &cands, AT).unwrap();
        assert_eq!(r.status, ChainStatus::Valid);
        assert!(r.checks[0]
            .detail
            .contains("(2 candidate certificates did not parse and were skipped)"));
        let r = check_chain(&f.auth_ee, &cands[..1], AT).unwrap();
        assert_eq!(r.status, ChainStatus::UnknownIssuer);
        assert!(r
            .message
            .ends_with("(1 examined) (1 candidate certificate did not parse and was skipped)"));
        // Only the EE itself makes it an error.
        assert!(check_chain(b"junk", std::slice::from_ref(&f.ca), AT).is_err());
    }

    #[test]
    fn self_signed_ca_checks_against_itself() {
        let f = fixtures();
        let r = check_chain(&f.ca, std::slice::from_ref(&f.ca), AT).unwrap();
        assert_eq!(r.status, ChainStatus::Valid);
    }

    #[test]
    fn trust_anchors_from_dir_and_file() {
        let f = fixtures();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b-other.der"), &f.other_ca).unwrap();
        std::fs::write(dir.path().join("a-auth.pem"), to_pem(&f.ca)).unwrap();
        std::fs::write(dir.path().join("README.txt"), "not a certificate").unwrap();
        std::fs::create_dir(dir.path().join("sub.pem")).unwrap();
        let got = load_trust_anchors(dir.path()).unwrap();
        assert_eq!(got, vec![f.ca.clone(), f.other_ca.clone()]);
        let r = check_chain(&f.auth_ee, &got, AT).unwrap();
        assert_eq!(r.status, ChainStatus::Valid);

        // One file with two PEM blocks.
        let bundle = dir.path().join("bundle.crt");
        std::fs::write(&bundle, format!("{}{}", to_pem(&f.other_ca), to_pem(&f.ca))).unwrap();
        assert_eq!(
            load_trust_anchors(&bundle).unwrap(),
            vec![f.other_ca.clone(), f.ca.clone()]
        );

        // A junk .pem names the file and says why.
        std::fs::write(dir.path().join("c-junk.pem"), "hello\n").unwrap();
        let e = load_trust_anchors(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("c-junk.pem: the input is neither PEM nor DER"),
            "{e}"
        );

        let empty = tempfile::tempdir().unwrap();
        std::fs::write(empty.path().join("notes.txt"), "x").unwrap();
        let e = load_trust_anchors(empty.path()).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "no certificates in {} (looked for *.pem, *.crt, *.cer, *.der)",
                empty.path().display()
            )
        );

        let missing = dir.path().join("missing.pem");
        let e = load_trust_anchors(&missing).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("cannot read {}", missing.display())),
            "{e}"
        );

        let zero = dir.path().join("zero.cer");
        std::fs::write(&zero, b"").unwrap();
        let e = load_trust_anchors(&zero).unwrap_err().to_string();
        assert!(e.contains("zero.cer: the input is empty"), "{e}");
    }
}
