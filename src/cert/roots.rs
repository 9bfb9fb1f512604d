//! Who issued a certificate, as far as mynacard can prove it: the
//! production roots of J-LIS's two JPKI CAs (every published generation,
//! built in from `data/jlis-roots/`), the virtual card's test PKI, and
//! J-LIS's test PKI by name. A forged card carries a forged CA file, so the
//! card's own CA certificate proves nothing; these roots do — about the
//! certificate. Whether the *card* is genuine only a signature by the card
//! shows (`usecase::prove`).

use super::parse_cert;
use ::time::{Date, OffsetDateTime};
use serde::Serialize;
use x509_parser::prelude::*;

/// Which of the two JPKI CAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ca {
    /// 署名用 (digital signature).
    Sign,
    /// 利用者証明用 (user authentication).
    Auth,
}

/// One built-in root.
pub struct Root {
    pub ca: Ca,
    pub generation: u8,
    pub der: &'static [u8],
    /// SHA-256 of `der`, as J-LIS publishes it (lowercase hex).
    pub sha256: &'static str,
    /// Where the file came from, and where its fingerprint was checked.
    pub source: &'static str,
}

/// J-LIS's production roots (sources and fingerprints: data/jlis-roots/).
/// Generation 02 of the user-authentication CA has no public copy here.
pub const JLIS: &[Root] = &[
    Root {
        ca: Ca::Sign,
        generation: 1,
        der: include_bytes!("../../data/jlis-roots/signca01.cer"),
        sha256: "19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355",
        source: "signca01.cer: nunnun/jpki-local-signer (= jpki/myna sign_ca_2015.pem); fingerprint as J-LIS publishes it",
    },
    Root {
        ca: Ca::Sign,
        generation: 2,
        der: include_bytes!("../../data/jlis-roots/signca02.cer"),
        sha256: "79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb",
        source: "signca02.cer: nunnun/jpki-local-signer; fingerprint as J-LIS publishes it",
    },
    Root {
        ca: Ca::Sign,
        generation: 3,
        der: include_bytes!("../../data/jlis-roots/signca03.cer"),
        sha256: "d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f",
        source: "signca03.cer: nunnun/jpki-local-signer (= jpki/myna sign_ca_2023.pem); fingerprint as J-LIS publishes it",
    },
    Root {
        ca: Ca::Auth,
        generation: 1,
        der: include_bytes!("../../data/jlis-roots/authca01.cer"),
        sha256: "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d",
        source: "authca01.cer: jpki/myna auth_ca_2015.pem, as DER",
    },
    Root {
        ca: Ca::Auth,
        generation: 3,
        der: include_bytes!("../../data/jlis-roots/authca03.cer"),
        sha256: "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5",
        source: "authca03.cer: jpki/myna auth_ca_2023.pem, as DER",
    },
];

/// The virtual card's test CAs (public test keys, fixtures/keys/): TEST ONLY.
const TEST_CA_KEYS: &[(Ca, &str)] = &[
    (Ca::Sign, include_str!("../../fixtures/keys/sign-ca.pem")),
    (Ca::Auth, include_str!("../../fixtures/keys/auth-ca.pem")),
];

/// Where a certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// Its signature verifies with a built-in J-LIS root.
    Jlis {
        ca: Ca,
        generation: u8,
        root_sha256: String,
        /// The root's last day (JST).
        root_not_after: String,
        /// The root has expired since; it still vouches for what it issued
        /// within its own validity.
        root_expired: bool,
    },
    /// It names J-LIS's user-authentication CA of 2019–2023 (generation
    /// 02), whose root is not built in: it cannot be verified here —
    /// neither genuine nor forged as far as mynacard can tell.
    JlisUnverifiable { ca: Ca, generation: u8 },
    /// It names J-LIS's test PKI (`O=JPKI-TEST`): a test card, never a
    /// resident's.
    JlisTest,
    /// It verifies with the virtual card's test PKI (mynacard's own keys).
    TestPki { ca: Ca },
    /// Not issued by J-LIS: the card or file may not be genuine.
    NotJlis {
        /// Its issuer is named like a J-LIS CA (a forgery would be).
        claims_jlis: bool,
    },
}

impl Provenance {
    pub fn is_jlis(&self) -> bool {
        matches!(self, Provenance::Jlis { .. })
    }
}

fn jst_date(t: ASN1Time) -> Date {
    crate::rules::jst_date(t.to_datetime())
}

fn verifies(x: &X509Certificate<'_>, spki: &SubjectPublicKeyInfo<'_>) -> bool {
    x.verify_signature(Some(spki)).is_ok()
}

/// The test CA's public key, from its private key file.
fn test_spki(pem: &str) -> Option<Vec<u8>> {
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
    let k = rsa::RsaPrivateKey::from_pkcs8_pem(pem).ok()?;
    Some(
        rsa::RsaPublicKey::from(&k)
            .to_public_key_der()
            .ok()?
            .as_bytes()
            .to_vec(),
    )
}

/// Who issued `ee` (DER). `now` tells whether a root has expired since.
pub fn provenance(ee: &[u8], now: OffsetDateTime) -> Provenance {
    let Ok(x) = parse_cert(ee) else {
        return Provenance::NotJlis { claims_jlis: false };
    };
    let issuer = x.issuer().as_raw();
    let mut named_jlis: Option<Ca> = None;
    for r in JLIS {
        let Ok(root) = parse_cert(r.der) else {
            continue;
        };
        if root.subject().as_raw() != issuer {
            continue;
        }
        named_jlis = Some(r.ca);
        if verifies(&x, root.public_key()) {
            let last = jst_date(root.validity().not_after);
            return Provenance::Jlis {
                ca: r.ca,
                generation: r.generation,
                root_sha256: r.sha256.to_string(),
                root_not_after: last.to_string(),
                root_expired: crate::rules::jst_date(now) > last,
            };
        }
    }
    for (ca, pem) in TEST_CA_KEYS {
        let Some(spki) = test_spki(pem) else { continue };
        if let Ok((_, key)) = SubjectPublicKeyInfo::from_der(&spki) {
            if verifies(&x, &key) {
                return Provenance::TestPki { ca: *ca };
            }
        }
    }
    let test_org = x
        .issuer()
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .any(|o| o == "JPKI-TEST");
    if test_org {
        return Provenance::JlisTest;
    }
    // Generation 02 of the user-authentication CA issued from 2019-09-14
    // until generation 03 took over on 2023-07-16; its root is not built in.
    if named_jlis == Some(Ca::Auth) {
        let issued = jst_date(x.validity().not_before);
        let known_aki = aki(&x).is_some_and(|a| {
            JLIS.iter()
                .filter_map(|r| parse_cert(r.der).ok())
                .any(|r| ski(&r).as_deref() == Some(a.as_slice()))
        });
        let window = ::time::macros::date!(2019 - 09 - 14)..::time::macros::date!(2023 - 07 - 16);
        if !known_aki && window.contains(&issued) {
            return Provenance::JlisUnverifiable {
                ca: Ca::Auth,
                generation: 2,
            };
        }
    }
    Provenance::NotJlis {
        claims_jlis: named_jlis.is_some(),
    }
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

/// Level 2: whether the card's CA file is the very root that issued the
/// certificate (`None` when the certificate is not J-LIS's, or no CA file).
pub fn card_ca_is_root(card_ca: Option<&[u8]>, p: &Provenance) -> Option<bool> {
    let (Provenance::Jlis { root_sha256, .. }, Some(ca)) = (p, card_ca) else {
        return None;
    };
    Some(super::sha256_hex(ca).eq_ignore_ascii_case(root_sha256))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn every_built_in_root_has_the_fingerprint_j_lis_publishes() {
        let sums = include_str!("../../data/jlis-roots/SHA256SUMS");
        for r in JLIS {
            let got = hex::encode(sha2::Sha256::digest(r.der));
            assert_eq!(got, r.sha256, "generation {} {:?}", r.generation, r.ca);
            assert!(sums.contains(&got), "SHA256SUMS lacks {got}");
            // Each is self-signed and names its CA.
            let x = parse_cert(r.der).unwrap();
            assert!(verifies(&x, x.public_key()));
            let ou: Vec<&str> = x
                .subject()
                .iter_organizational_unit()
                .filter_map(|o| o.as_str().ok())
                .collect();
            let want = match r.ca {
                Ca::Sign => "JPKI for digital signature",
                Ca::Auth => "JPKI for user authentication",
            };
            assert!(ou.contains(&want), "{ou:?}");
            assert!(!r.source.is_empty());
        }
        assert_eq!(JLIS.len(), 5);
    }

    #[test]
    fn each_root_is_recognised_as_itself() {
        let now = OffsetDateTime::now_utc();
        for r in JLIS {
            match provenance(r.der, now) {
                Provenance::Jlis { ca, generation, .. } => {
                    assert_eq!((ca, generation), (r.ca, r.generation))
                }
                p => panic!("{p:?}"),
            }
        }
    }
}
