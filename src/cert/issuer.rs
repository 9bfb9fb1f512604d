//! Which of some CA certificates issued a certificate: the one its
//! authority key identifier names, under its issuer name, whose key
//! verifies its signature — a name or a key identifier alone proves
//! nothing (`roots::builtin_issuer` asks it of the J-LIS roots).

use super::parse_cert;
use x509_parser::prelude::*;

/// The index of the certificate in `cas` that issued `ee`: its subject key
/// identifier is `ee`'s authority key identifier, its subject `ee`'s
/// issuer, and its key verifies `ee`'s signature.
pub(crate) fn issuer_among(ee: &[u8], cas: &[&[u8]]) -> Option<usize> {
    let x = parse_cert(ee).ok()?;
    let aki = aki(&x)?;
    cas.iter().position(|der| {
        let Ok(ca) = parse_cert(der) else {
            return false;
        };
        ski(&ca).as_deref() == Some(aki.as_slice())
            && ca.subject().as_raw() == x.issuer().as_raw()
            && super::verify_signed(&x, ca.public_key()).is_ok()
    })
}

fn aki(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}

fn ski(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::testutil::{ca_params, ee_params, jpki_dn, key, sign, AUTH_OU};
    use crate::protocol::certgen::Basic;
    // The J-LIS roots ask this room; their test of it lives here.
    use crate::cert::roots::{builtin_issuer, JLIS};

    fn ca() -> Vec<u8> {
        ca_params(jpki_dn(AUTH_OU), Basic::Ca(None))
            .self_signed(&key("auth-ca"))
            .unwrap()
    }

    fn ee(signer: &str) -> Vec<u8> {
        let p = ca_params(jpki_dn(AUTH_OU), Basic::Ca(None));
        sign(&ee_params("x"), &key("auth-ee"), &p, &key(signer))
    }

    #[test]
    fn the_issuer_is_named_by_key_id_and_proven_by_its_signature() {
        let ca = ca();
        let other = ca_params(jpki_dn("someone else"), Basic::Ca(None))
            .self_signed(&key("sign-ca"))
            .unwrap();
        let good = ee("auth-ca");
        assert_eq!(issuer_among(&good, &[&other, &ca]), Some(1));
        // Signed by another key: its key identifier names no candidate.
        assert_eq!(issuer_among(&ee("other-ca"), &[&ca]), None);
        // Named rightly, signature damaged: not its issuer.
        let mut bad = good.clone();
        let n = bad.len();
        bad[n - 10] ^= 0x5A;
        assert_eq!(issuer_among(&bad, &[&ca]), None);
        assert_eq!(issuer_among(b"not a certificate", &[&ca]), None);
        assert_eq!(issuer_among(&good, &[b"junk"]), None);
    }

    #[test]
    fn no_test_certificate_has_a_built_in_issuer() {
        assert!(builtin_issuer(&ee("auth-ca")).is_none());
        // The roots carry no authority key identifier: not named.
        for r in JLIS {
            assert!(builtin_issuer(r.der).is_none());
        }
    }
}
