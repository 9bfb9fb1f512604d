//! The CV CA keys built in (data/jlis-cv-keys/README.md: their source,
//! second hand, and SHA-256s): J-LIS's production keys, J-LIS's test
//! hierarchy, and the virtual card's own test CA. A card-verifiable
//! certificate names its signer by a 16-byte 証明者鍵ID; the key is found
//! by the whole ID and the verdict is the signature's, never the name's.

use crate::protocol::face::{CvCert, RsaKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Who a CV CA key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hierarchy {
    /// J-LIS's production keys (`5000…`).
    Jlis,
    /// J-LIS's test hierarchy (`6000…`): JPKI test cards, never a resident's.
    JlisTest,
    /// mynacard's virtual card (`fixtures/keys/cv-ca.pem`): TEST ONLY.
    VirtualTest,
}

/// One built-in CA key.
pub struct CaKey {
    pub id: [u8; 16],
    pub hierarchy: Hierarchy,
    /// The RSA modulus (exponent 65537); `None` when it could not be read
    /// (the virtual CA's key file; a build defect the tests catch).
    modulus: fn() -> Option<Vec<u8>>,
}

const fn id(digits: &[u8; 7], last: u8) -> [u8; 16] {
    [
        digits[0], digits[1], digits[2], digits[3], digits[4], digits[5], digits[6], 0x08, 0x05,
        b'0', b'0', b'1', 0, 0, 0, last,
    ]
}

fn m5000020() -> Option<Vec<u8>> {
    Some(include_bytes!("../../data/jlis-cv-keys/5000020.modulus").to_vec())
}
fn m5000023() -> Option<Vec<u8>> {
    Some(include_bytes!("../../data/jlis-cv-keys/5000023.modulus").to_vec())
}
fn m5000033() -> Option<Vec<u8>> {
    Some(include_bytes!("../../data/jlis-cv-keys/5000033.modulus").to_vec())
}
fn m6000020() -> Option<Vec<u8>> {
    Some(include_bytes!("../../data/jlis-cv-keys/6000020.modulus").to_vec())
}
fn m6000023() -> Option<Vec<u8>> {
    Some(include_bytes!("../../data/jlis-cv-keys/6000023.modulus").to_vec())
}
fn m6000033() -> Option<Vec<u8>> {
    Some(include_bytes!("../../data/jlis-cv-keys/6000033.modulus").to_vec())
}

/// The virtual card's CV CA: the modulus of its (public, test) key file.
fn virtual_ca() -> Option<Vec<u8>> {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let k =
        rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("../../fixtures/keys/cv-ca.pem")).ok()?;
    Some(k.n().to_bytes_be())
}

pub const KEYS: &[CaKey] = &[
    CaKey {
        id: id(b"5000020", 0xA8),
        hierarchy: Hierarchy::Jlis,
        modulus: m5000020,
    },
    CaKey {
        id: id(b"5000023", 0),
        hierarchy: Hierarchy::Jlis,
        modulus: m5000023,
    },
    CaKey {
        id: id(b"5000033", 0),
        hierarchy: Hierarchy::Jlis,
        modulus: m5000033,
    },
    CaKey {
        id: id(b"6000020", 0xA8),
        hierarchy: Hierarchy::JlisTest,
        modulus: m6000020,
    },
    CaKey {
        id: id(b"6000023", 0),
        hierarchy: Hierarchy::JlisTest,
        modulus: m6000023,
    },
    CaKey {
        id: id(b"6000033", 0),
        hierarchy: Hierarchy::JlisTest,
        modulus: m6000033,
    },
    CaKey {
        id: id(b"6000001", 0),
        hierarchy: Hierarchy::VirtualTest,
        modulus: virtual_ca,
    },
];

/// The public key of `k` (n, 65537).
pub fn rsa_key(k: &RsaKey) -> Option<rsa::RsaPublicKey> {
    rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&k.modulus),
        rsa::BigUint::from_bytes_be(&k.exponent),
    )
    .ok()
}

/// Whether `sig` is `key`'s PKCS#1 v1.5 signature of the DigestInfo
/// `digest_info` (the card pads what it is given, §9.2).
pub fn verifies_digest_info(key: &RsaKey, digest_info: &[u8], sig: &[u8]) -> bool {
    let Some(k) = rsa_key(key) else { return false };
    k.verify(rsa::Pkcs1v15Sign::new_unprefixed(), digest_info, sig)
        .is_ok()
}

/// Whether `sig` is `key`'s RSA PKCS#1 v1.5 SHA-256 signature of `msg`.
pub fn verifies_sha256(key: &RsaKey, msg: &[u8], sig: &[u8]) -> bool {
    let Some(k) = rsa_key(key) else { return false };
    k.verify(
        rsa::Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(msg),
        sig,
    )
    .is_ok()
}

/// Level 1: who issued a CV certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuer {
    /// Its signature verifies with the built-in key its 証明者鍵ID names.
    Verified(Hierarchy),
    /// It names a built-in key, and that key does not verify it.
    BadSignature(Hierarchy),
    /// It names no key mynacard holds: not issued by J-LIS as far as
    /// mynacard can tell.
    Unknown,
}

/// Check a CV certificate against the built-in CA keys.
pub fn issuer(c: &CvCert) -> Issuer {
    let Some(ca) = KEYS.iter().find(|k| k.id[..] == c.issuer_key_id[..]) else {
        return Issuer::Unknown;
    };
    let Some(modulus) = (ca.modulus)() else {
        return Issuer::Unknown;
    };
    let key = RsaKey {
        exponent: vec![0x01, 0x00, 0x01],
        modulus,
    };
    if verifies_sha256(&key, &c.signed, &c.signature) {
        Issuer::Verified(ca.hierarchy)
    } else {
        Issuer::BadSignature(ca.hierarchy)
    }
}

/// Level 1 as the commands report it (`face-check`, `age-check`, `info`'s
/// integrity check).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CertLevel {
    pub ok: bool,
    /// `verified`, `bad_signature` or `unknown_issuer`.
    pub outcome: &'static str,
    /// Whose CV CA key verified it (when one did or was named).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<Hierarchy>,
    /// 証明者鍵ID as printed (`5000023/001`).
    pub issuer_key_id: String,
    pub subject_key_id: String,
}

/// Level 1 of a CV certificate, in the words the reports use.
pub fn level(c: &CvCert) -> CertLevel {
    let (ok, outcome, hierarchy) = match issuer(c) {
        Issuer::Verified(h) => (true, "verified", Some(h)),
        Issuer::BadSignature(h) => (false, "bad_signature", Some(h)),
        Issuer::Unknown => (false, "unknown_issuer", None),
    };
    CertLevel {
        ok,
        outcome,
        hierarchy,
        issuer_key_id: crate::protocol::face::key_id_text(&c.issuer_key_id),
        subject_key_id: crate::protocol::face::key_id_text(&c.subject_key_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_key_reads_and_the_files_match_their_recorded_sha256() {
        let sums = include_str!("../../data/jlis-cv-keys/SHA256SUMS");
        for k in KEYS {
            let m = (k.modulus)().unwrap();
            assert_eq!(m.len(), 256);
            if k.hierarchy != Hierarchy::VirtualTest {
                let name = std::str::from_utf8(&k.id[..7]).unwrap();
                let line = format!("{}  {name}.modulus", hex::encode(Sha256::digest(&m)));
                assert!(sums.lines().any(|l| l == line), "{name}");
            }
        }
    }

    #[test]
    fn the_jpki_test_cards_three_cv_certificates_verify_with_the_test_keys() {
        // Read off a physical JPKI test card (fixtures/jpki-test-card/,
        // myna-card 3.3.4): each names one of the test keys, and verifies
        // with it — the first-hand check of 6000020, 6000023 and 6000033.
        for (file, want) in [
            (
                &include_bytes!("../../fixtures/jpki-test-card/surface-0004.bin")[..],
                "6000023/001",
            ),
            (
                include_bytes!("../../fixtures/jpki-test-card/text-0004.bin"),
                "6000033/001",
            ),
            (
                include_bytes!("../../fixtures/jpki-test-card/mf-do-F8.bin"),
                "6000020/001",
            ),
        ] {
            let c = CvCert::parse(file).unwrap();
            let l = level(&c);
            assert_eq!(l.issuer_key_id, want);
            assert_eq!(issuer(&c), Issuer::Verified(Hierarchy::JlisTest), "{want}");
        }
    }

    #[test]
    fn a_certificate_naming_a_production_key_it_was_not_signed_by_is_not_jlis() {
        let mut c = CvCert::parse(include_bytes!(
            "../../fixtures/jpki-test-card/text-0004.bin"
        ))
        .unwrap();
        c.issuer_key_id[0] = b'5';
        assert_eq!(issuer(&c), Issuer::BadSignature(Hierarchy::Jlis));
        let l = level(&c);
        assert!(!l.ok);
        assert_eq!(
            (l.outcome, l.issuer_key_id.as_str()),
            ("bad_signature", "5000033/001")
        );
        c.issuer_key_id[1] = b'9';
        assert_eq!(issuer(&c), Issuer::Unknown);
    }
}
