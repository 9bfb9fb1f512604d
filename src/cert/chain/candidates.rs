//! Sorting the candidate issuers of a certificate: by name and key
//! identifier first, then by whose key verifies its signature.

use super::{
    ca_flag, cert_sign_allowed, issuer_match, parse_cert, sha256_hex, subject_key_id, validity,
    Match, Validity,
};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;

/// The candidates named as `x`'s issuer, sorted by what they may be.
pub(super) struct Named<'a> {
    /// Named so (whatever the key identifier).
    pub(super) count: usize,
    /// Did not parse.
    pub(super) skipped: usize,
    /// Named so, with the key identifier the certificate names (or one of
    /// the two has none): only these may be its issuer.
    pub(super) keyed: Vec<(X509Certificate<'a>, &'a [u8])>,
    /// Named so with another key identifier, as failure notes.
    pub(super) other_key: Vec<String>,
}

pub(super) fn named_candidates<'a>(
    x: &X509Certificate<'_>,
    candidates: &'a [Vec<u8>],
) -> Named<'a> {
    let mut n = Named {
        count: 0,
        skipped: 0,
        keyed: Vec::new(),
        other_key: Vec::new(),
    };
    for c in candidates {
        match parse_cert(c) {
            Ok(cx) => match issuer_match(x, &cx) {
                None => {}
                Some(Match::KeyDiffers) => {
                    n.count += 1;
                    n.other_key.push(format!(
                        "{}…: key identifier {}",
                        sha256_hex(c).get(..16).unwrap_or(""),
                        subject_key_id(&cx)
                            .map(hex::encode_upper)
                            .unwrap_or_default()
                    ));
                }
                Some(_) => {
                    n.count += 1;
                    n.keyed.push((cx, c.as_slice()));
                }
            },
            Err(_) => n.skipped += 1,
        }
    }
    n
}

/// Among the keyed candidates whose key verifies `x`'s signature, the
/// best; the others' failures are added to `failures`.
pub(super) fn best_issuer<'k, 'a>(
    x: &X509Certificate<'_>,
    keyed: &'k [(X509Certificate<'a>, &'a [u8])],
    at: OffsetDateTime,
    failures: &mut Vec<String>,
) -> Option<(&'k X509Certificate<'a>, &'a [u8])> {
    // All JPKI CA generations share one DN: the key identifier narrows and
    // the signature decides. Among several that verify, prefer a CA that
    // is valid at `at`.
    let mut best: Option<(u8, &X509Certificate<'_>, &[u8])> = None;
    for (cx, der) in keyed {
        match crate::cert::verify_signed(x, cx.public_key()) {
            Ok(()) => {
                let score = u8::from(ca_flag(cx) == Ok(Some(true)))
                    + u8::from(cert_sign_allowed(cx) != Ok(Some(false)))
                    + 2 * u8::from(matches!(validity(cx, at), Validity::Within));
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, cx, der));
                }
            }
            Err(e) => failures.push(format!("{}…: {e}", sha256_hex(der).get(..16).unwrap_or(""))),
        }
    }
    best.map(|(_, cx, der)| (cx, der))
}
