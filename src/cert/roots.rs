//! Who issued a certificate, as far as mynacard can prove it: the
//! production roots of J-LIS's two JPKI CAs (every published generation,
//! built in from `data/jlis-roots/`), the virtual card's test PKI, and
//! J-LIS's test PKI (`data/jlis-test-roots/`). Each is found by name and key
//! identifier and decided by the signature: an issuer that is only named
//! is a claim, never "issued by". A forged card carries a forged CA file, so the
//! card's own CA certificate proves nothing; these roots do — about the
//! certificate. Whether the *card* is genuine only a signature by the card
//! shows (`usecase::prove`).

use super::chain::{authority_key_id, issued_by, issuer_match};
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
        generation: 2,
        der: include_bytes!("../../data/jlis-roots/authca02.cer"),
        sha256: "0d98de47fc11b7f67126874b7028b6026a803d2638d6edfe53176953961fade6",
        source: "the crate myna-card 3.3.4 (MIT, KIRISHIKI Yudai) certs/authca02.cer, as it says downloaded from jpki.go.jp; its key identifier is the one real 2019-2023 certificates name (siketyan/keychain jpki/auth.crt.pem); no public quote of J-LIS's fingerprint was found to check it against",
    },
    Root {
        ca: Ca::Auth,
        generation: 3,
        der: include_bytes!("../../data/jlis-roots/authca03.cer"),
        sha256: "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5",
        source: "jpki/myna src/ta/auth_ca_2023.pem, as DER; no public quote of J-LIS's fingerprint was found to check it against",
    },
];

/// One of J-LIS's test CA certificates (`O=JPKI-TEST`), read off JPKI test
/// cards; J-LIS numbers no generation for them. TEST ONLY.
pub struct TestRoot {
    pub ca: Ca,
    pub der: &'static [u8],
    /// SHA-256 of `der` (lowercase hex), as computed from the copy.
    pub sha256: &'static str,
}

/// J-LIS's test PKI (source and fingerprints: data/jlis-test-roots/).
pub const JLIS_TEST: &[TestRoot] = &[
    TestRoot {
        ca: Ca::Auth,
        der: include_bytes!("../../data/jlis-test-roots/authca-test-2019.cer"),
        sha256: "b6de0ff5a384f5af0242a6ca854dee57ee2cad97b341f18b914948fd8e638706",
    },
    TestRoot {
        ca: Ca::Auth,
        der: include_bytes!("../../data/jlis-test-roots/authca-test-2023.cer"),
        sha256: "5a0e7d690c718fadebc7fb6eff66a6dd623458debc1aa6fb1778bfe157cbeb25",
    },
    TestRoot {
        ca: Ca::Sign,
        der: include_bytes!("../../data/jlis-test-roots/signca-test-2019.cer"),
        sha256: "7bdbdf2652a15e6d458efc143b7201242e1162416251d0903060fa7c642465cc",
    },
    TestRoot {
        ca: Ca::Sign,
        der: include_bytes!("../../data/jlis-test-roots/signca-test-2024.cer"),
        sha256: "8126df7dd2db230bd8ee48caa40fc3417dde3607050ed34973d8d3cf267fe723",
    },
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
    /// 02) and that root is not built in. No longer produced: the root is
    /// built in since, so such a certificate verifies (`Jlis`) or only
    /// claims J-LIS (`NotJlis`). Kept so the JSON's value set stays.
    JlisUnverifiable { ca: Ca, generation: u8 },
    /// It verifies with one of J-LIS's test CA certificates
    /// (`O=JPKI-TEST`, built in): a test card, never a resident's.
    JlisTest,
    /// It verifies with the virtual card's test PKI (mynacard's own keys).
    TestPki { ca: Ca },
    /// Not issued by J-LIS nor by a test PKI: the card or file may not be
    /// genuine. What its issuer is *named* is a claim only.
    NotJlis {
        /// Its issuer is named like a J-LIS CA (a forgery would be), but no
        /// J-LIS root verifies its signature.
        claims_jlis: bool,
        /// Its issuer is named like J-LIS's test PKI (`O=JPKI-TEST`), but
        /// no test CA verifies its signature.
        claims_test_pki: bool,
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

/// Whether a certificate's authority key identifier (when it names one)
/// is this key's, by either common method: the first 20 bytes of the
/// SPKI's SHA-256 (mynacard's test PKI, `protocol::certgen`) or the SHA-1
/// of the key's bits (RFC 5280 §4.2.1.2 method 1).
fn names_key(x: &X509Certificate<'_>, spki_der: &[u8], key: &SubjectPublicKeyInfo<'_>) -> bool {
    use sha2::Digest;
    let Some(aki) = authority_key_id(x) else {
        return true;
    };
    aki[..] == sha2::Sha256::digest(spki_der)[..20]
        || aki[..] == sha1::Sha1::digest(&key.subject_public_key.data)[..]
}

/// Who issued `ee` (DER). `now` tells whether a root has expired since.
pub fn provenance(ee: &[u8], now: OffsetDateTime) -> Provenance {
    let test: Vec<&[u8]> = JLIS_TEST.iter().map(|r| r.der).collect();
    provenance_among(ee, now, &test)
}

/// `provenance` with these test CA certificates for J-LIS's test PKI.
fn provenance_among(ee: &[u8], now: OffsetDateTime, test_roots: &[&[u8]]) -> Provenance {
    let Ok(x) = parse_cert(ee) else {
        return Provenance::NotJlis {
            claims_jlis: false,
            claims_test_pki: false,
        };
    };
    let org = |want: &str| {
        x.issuer()
            .iter_organization()
            .filter_map(|o| o.as_str().ok())
            .any(|o| o == want)
    };
    let mut claims_jlis = org("JPKI");
    for r in JLIS {
        let Ok(root) = parse_cert(r.der) else {
            continue;
        };
        if issuer_match(&x, &root).is_none() {
            continue;
        }
        claims_jlis = true;
        if issued_by(&x, &root) {
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
    let mut claims_test_pki = org("JPKI-TEST");
    for der in test_roots {
        let Ok(root) = parse_cert(der) else {
            continue;
        };
        claims_test_pki |= issuer_match(&x, &root).is_some();
        if issued_by(&x, &root) {
            return Provenance::JlisTest;
        }
    }
    // The virtual card's CAs are keys, not certificates: the key
    // identifier narrows, the signature decides.
    for (i, (ca, _)) in TEST_CA_KEYS.iter().enumerate() {
        let Some(spki) = test_spki(i) else { continue };
        if let Ok((_, key)) = SubjectPublicKeyInfo::from_der(spki) {
            if names_key(&x, spki, &key) && verifies(&x, &key) {
                return Provenance::TestPki { ca: *ca };
            }
        }
    }
    Provenance::NotJlis {
        claims_jlis,
        claims_test_pki,
    }
}

/// The built-in J-LIS root that issued `ee` (DER), proven by its
/// signature (`issuer::issuer_among`). Only then may `status` check the
/// chain against that root and leave the card's own CA file unread.
pub fn builtin_issuer(ee: &[u8]) -> Option<&'static Root> {
    let ders: Vec<&[u8]> = JLIS.iter().map(|r| r.der).collect();
    super::issuer::issuer_among(ee, &ders).and_then(|i| JLIS.get(i))
}

/// Level 2: whether the card's CA file is the very root that issued the
/// certificate `ee` (`None` when the certificate is neither J-LIS's nor
/// J-LIS's test PKI's, or no CA file). For the test PKI the CA file must
/// be a built-in test CA and issue `ee` by key identifier and signature:
/// another test card's CA has the same name and another key.
pub fn card_ca_is_root(ee: &[u8], card_ca: Option<&[u8]>, p: &Provenance) -> Option<bool> {
    let ca = card_ca?;
    match p {
        Provenance::Jlis { root_sha256, .. } => {
            Some(super::sha256_hex(ca).eq_ignore_ascii_case(root_sha256))
        }
        Provenance::JlisTest => Some(
            JLIS_TEST.iter().any(|r| r.der == ca)
                && super::issuer::issuer_among(ee, &[ca]).is_some(),
        ),
        _ => None,
    }
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
        assert_eq!(JLIS.len(), 6);
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

    #[test]
    fn the_user_authentication_root_of_generation_02_is_the_one_certificates_name() {
        // As certificates it issued name it (their authority key
        // identifier; siketyan/keychain jpki/auth.crt.pem).
        const KEY_ID: [u8; 20] = [
            0x8C, 0xD5, 0x58, 0x6A, 0x89, 0x14, 0x85, 0xE5, 0x59, 0x37, 0x9B, 0x7E, 0x29, 0xD4,
            0x10, 0xCF, 0xD2, 0x8B, 0x35, 0x93,
        ];
        let r = JLIS
            .iter()
            .find(|r| (r.ca, r.generation) == (Ca::Auth, 2))
            .unwrap();
        let x = parse_cert(r.der).unwrap();
        assert_eq!(super::super::chain::subject_key_id(&x).unwrap(), KEY_ID);
        assert_eq!(x.raw_serial_as_string(), "01:33:c3:49");
        assert_eq!(jst_date(x.validity().not_before).to_string(), "2019-09-15");
        assert_eq!(
            x.validity().not_after.to_datetime().date().to_string(),
            "2029-09-14"
        );
        // Same name as the other generations, another key.
        let g3 = parse_cert(JLIS[5].der).unwrap();
        assert_eq!(x.subject().as_raw(), g3.subject().as_raw());
        assert_ne!(x.public_key().raw, g3.public_key().raw);
    }

    #[test]
    fn every_test_root_is_j_lis_test_pki_and_has_its_recorded_fingerprint() {
        let sums = include_str!("../../data/jlis-test-roots/SHA256SUMS");
        for r in JLIS_TEST {
            let got = hex::encode(sha2::Sha256::digest(r.der));
            assert_eq!(got, r.sha256);
            assert!(sums.contains(&got), "SHA256SUMS lacks {got}");
            let x = parse_cert(r.der).unwrap();
            assert!(verifies(&x, x.public_key()));
            let org: Vec<&str> = x
                .subject()
                .iter_organization()
                .filter_map(|o| o.as_str().ok())
                .collect();
            assert_eq!(org, ["JPKI-TEST"]);
            assert_eq!(
                provenance(r.der, OffsetDateTime::now_utc()),
                Provenance::JlisTest
            );
        }
    }

    const CARD_AUTH: &[u8] =
        include_bytes!("../../fixtures/certs/jpki-test-card/jpki-auth-cert.der");
    const CARD_SIGN: &[u8] =
        include_bytes!("../../fixtures/certs/jpki-test-card/jpki-sign-cert.der");

    #[test]
    fn a_test_card_certificate_is_the_test_pki_only_through_its_own_ca() {
        let now = OffsetDateTime::now_utc();
        // [wrong, right] of one name: the 2019 CAs are the other card's.
        for (ee, wrong, right) in [
            (CARD_AUTH, JLIS_TEST[0].der, JLIS_TEST[1].der),
            (CARD_SIGN, JLIS_TEST[2].der, JLIS_TEST[3].der),
        ] {
            assert_eq!(provenance(ee, now), Provenance::JlisTest);
            assert_eq!(
                provenance_among(ee, now, &[wrong, right]),
                Provenance::JlisTest
            );
            assert_eq!(
                provenance_among(ee, now, &[wrong]),
                Provenance::NotJlis {
                    claims_jlis: false,
                    claims_test_pki: true
                }
            );
            // Level 2: the card's CA file is the issuer by key, not by name.
            let p = Provenance::JlisTest;
            assert_eq!(card_ca_is_root(ee, Some(right), &p), Some(true));
            assert_eq!(card_ca_is_root(ee, Some(wrong), &p), Some(false));
            assert_eq!(card_ca_is_root(ee, None, &p), None);
        }
    }

    #[test]
    fn a_self_made_certificate_only_claims_its_issuer() {
        use crate::protocol::certgen::{name, Key, Params, Text};
        use rsa::pkcs8::DecodePrivateKey;
        let key = Key::Rsa(
            rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("../../fixtures/keys/other-ca.pem"))
                .unwrap(),
        );
        let t0 = ::time::macros::datetime!(2025-01-01 0:00 UTC);
        let t1 = ::time::macros::datetime!(2035-01-01 0:00 UTC);
        for (root, claims_jlis, claims_test_pki) in
            [(JLIS[5].der, true, false), (JLIS_TEST[1].der, false, true)]
        {
            // The issuer's name copied byte for byte from the real CA;
            // signed by another key.
            use der::Decode;
            let ca = parse_cert(root).unwrap();
            let dn = ca.subject().to_string();
            let copied = x509_cert::name::Name::from_der(ca.subject().as_raw()).unwrap();
            let issuer = Params::new(&[1], copied, t0, t1);
            let ee = Params::new(
                &[2],
                name(&[("CN", "look-alike")], Text::Utf8).unwrap(),
                t0,
                t1,
            );
            let der = ee.signed_by(&key, &issuer, &key).unwrap();
            assert_eq!(
                provenance(&der, OffsetDateTime::now_utc()),
                Provenance::NotJlis {
                    claims_jlis,
                    claims_test_pki
                },
                "{dn}"
            );
        }
    }
}
