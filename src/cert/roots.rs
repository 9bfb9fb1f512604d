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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    /// SHA-256 of `der` (lowercase hex): as J-LIS publishes it for the
    /// signature roots; as computed from the copy for the others.
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
        source: "nunnun/jpki-local-signer Sources/SelfVerify/TrustAnchors (= jpki/myna src/ta/sign_ca_2015.pem); fingerprint as J-LIS publishes it (quoted by nunnun/jpki-local-signer JPKITrustAnchors.swift, checked 2026-07-04)",
    },
    Root {
        ca: Ca::Sign,
        generation: 2,
        der: include_bytes!("../../data/jlis-roots/signca02.cer"),
        sha256: "79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb",
        source: "nunnun/jpki-local-signer; byte-identical to the CA file read off a card in siketyan/keychain jpki/ca/sign-ca.crt.pem; fingerprint as J-LIS publishes it (nunnun/jpki-local-signer; susumutomita/ZeroKeyMate, against jpki.go.jp sign_fingerprint.pdf)",
    },
    Root {
        ca: Ca::Sign,
        generation: 3,
        der: include_bytes!("../../data/jlis-roots/signca03.cer"),
        sha256: "d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f",
        source: "nunnun/jpki-local-signer (= jpki/myna src/ta/sign_ca_2023.pem); fingerprint as J-LIS publishes it (nunnun/jpki-local-signer; susumutomita/ZeroKeyMate; lulitech-dev/jpki-signer-android: identical to a real card's CA file)",
    },
    Root {
        ca: Ca::Auth,
        generation: 1,
        der: include_bytes!("../../data/jlis-roots/authca01.cer"),
        sha256: "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d",
        source: "jpki/myna src/ta/auth_ca_2015.pem, as DER; no public quote of J-LIS's fingerprint was found to check it against",
    },
    Root {
        ca: Ca::Auth,
        generation: 3,
        der: include_bytes!("../../data/jlis-roots/authca03.cer"),
        sha256: "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5",
        source: "jpki/myna src/ta/auth_ca_2023.pem, as DER; no public quote of J-LIS's fingerprint was found to check it against",
    },
];

/// The subject key identifier of J-LIS's user-authentication root of
/// generation 02 (2019-09-14 – 2029-09-14, serial 0133C349), as certificates
/// it issued name it (their authority key identifier; seen in a public
/// certificate, siketyan/keychain jpki/auth.crt.pem); the root itself has
/// no public copy here.
const AUTH_CA_02_KEY_ID: [u8; 20] = [
    0x8C, 0xD5, 0x58, 0x6A, 0x89, 0x14, 0x85, 0xE5, 0x59, 0x37, 0x9B, 0x7E, 0x29, 0xD4, 0x10, 0xCF,
    0xD2, 0x8B, 0x35, 0x93,
];

/// The virtual card's test CAs (public test keys, fixtures/keys/): TEST ONLY.
const TEST_CA_KEYS: &[(Ca, &str)] = &[
    (Ca::Sign, include_str!("../../fixtures/keys/sign-ca.pem")),
    (Ca::Auth, include_str!("../../fixtures/keys/auth-ca.pem")),
    // The ECDSA P-384 test PKI (profile `card.algorithm = "ecdsa-p384"`).
    (
        Ca::Sign,
        include_str!("../../fixtures/keys/sign-ca-p384.pem"),
    ),
    (
        Ca::Auth,
        include_str!("../../fixtures/keys/auth-ca-p384.pem"),
    ),
];

/// Where a certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    super::verify_signed(x, spki).is_ok()
}

/// The test CA's public key (SubjectPublicKeyInfo DER), read from its
/// private key file once per process: for RSA only the modulus and
/// exponent are taken (no private-key arithmetic); an EC key's file
/// carries its public point.
fn test_spki(i: usize) -> Option<&'static [u8]> {
    static SPKI: [std::sync::OnceLock<Option<Vec<u8>>>; 4] = [
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
    ];
    let (_, pem) = TEST_CA_KEYS.get(i)?;
    SPKI.get(i)?
        .get_or_init(|| {
            use rsa::pkcs1::der::Decode;
            use rsa::pkcs8::EncodePublicKey;
            let der = ::pem::parse(pem).ok()?;
            let info = rsa::pkcs8::PrivateKeyInfo::from_der(der.contents()).ok()?;
            if info.algorithm.oid == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
                let ec = sec1::EcPrivateKey::from_der(info.private_key).ok()?;
                let point = p384::PublicKey::from_sec1_bytes(ec.public_key?).ok()?;
                return Some(point.to_public_key_der().ok()?.as_bytes().to_vec());
            }
            let k = rsa::pkcs1::RsaPrivateKey::from_der(info.private_key).ok()?;
            let n = rsa::BigUint::from_bytes_be(k.modulus.as_bytes());
            let e = rsa::BigUint::from_bytes_be(k.public_exponent.as_bytes());
            let public = rsa::RsaPublicKey::new(n, e).ok()?;
            Some(public.to_public_key_der().ok()?.as_bytes().to_vec())
        })
        .as_deref()
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
    // The test CA the issuer's name points at first: a failed check costs
    // as much as one that passes.
    let names_auth = x
        .issuer()
        .iter_organizational_unit()
        .filter_map(|o| o.as_str().ok())
        .any(|o| o.contains("user authentication"));
    let mut order: Vec<(usize, &(Ca, &str))> = TEST_CA_KEYS.iter().enumerate().collect();
    order.sort_by_key(|(_, (ca, _))| (*ca == Ca::Auth) != names_auth);
    for (i, (ca, _)) in order {
        let Some(spki) = test_spki(i) else { continue };
        if let Ok((_, key)) = SubjectPublicKeyInfo::from_der(spki) {
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
    // Issued by the user-authentication root of generation 02 (by its key
    // identifier), which is not built in: cannot be verified here.
    if named_jlis == Some(Ca::Auth) && aki(&x).as_deref() == Some(&AUTH_CA_02_KEY_ID[..]) {
        return Provenance::JlisUnverifiable {
            ca: Ca::Auth,
            generation: 2,
        };
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
    fn the_test_cas_public_keys_are_their_private_keys_public_halves() {
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
        for (i, (_, pem)) in TEST_CA_KEYS.iter().enumerate() {
            let Ok(full) = rsa::RsaPrivateKey::from_pkcs8_pem(pem) else {
                let k = p384::SecretKey::from_pkcs8_pem(pem).unwrap();
                let want = k.public_key().to_public_key_der().unwrap();
                assert_eq!(test_spki(i).unwrap(), want.as_bytes(), "key {i}");
                continue;
            };
            let want = rsa::RsaPublicKey::from(&full).to_public_key_der().unwrap();
            assert_eq!(test_spki(i).unwrap(), want.as_bytes(), "key {i}");
        }
        assert!(test_spki(TEST_CA_KEYS.len()).is_none());
    }

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
