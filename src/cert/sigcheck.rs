//! A certificate's signature checked with a public key, in pure Rust (rsa,
//! p256, p384). The algorithms and limits are those x509-parser's `verify`
//! (ring) accepted, so a certificate checks as it did: RSA PKCS#1 v1.5 with
//! SHA-256/384/512 (2048 to 8192 bits) or SHA-1 (from 1024 bits), RSA-PSS
//! with SHA-256/384/512 (MGF1 and salt length of the same hash), ECDSA on
//! P-256 or P-384 with SHA-256 or SHA-384. Ed25519 is not checked. A pair
//! that verified is remembered for the rest of the process.

use rsa::pkcs1::der::Decode;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::signature_algorithm::SignatureAlgorithm;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// `ee`'s signature checked with `key`. A pair that verified is not
/// checked again in this process: one `status` checks the same pair for
/// the CA cache, the chain and the roots, and each check is an RSA
/// operation.
pub fn verify_signed(
    ee: &X509Certificate<'_>,
    key: &x509_parser::x509::SubjectPublicKeyInfo<'_>,
) -> Result<(), x509_parser::error::X509Error> {
    use sha2::Digest;
    static VERIFIED: std::sync::Mutex<Vec<[u8; 32]>> = std::sync::Mutex::new(Vec::new());
    let mut h = sha2::Sha256::new();
    h.update(ee.tbs_certificate.as_ref());
    h.update(ee.signature_algorithm.algorithm.as_bytes());
    h.update(ee.signature_value.as_ref());
    h.update(key.raw);
    let id: [u8; 32] = h.finalize().into();
    if VERIFIED.lock().is_ok_and(|v| v.contains(&id)) {
        return Ok(());
    }
    check(
        key,
        &ee.signature_algorithm,
        &ee.signature_value.data,
        ee.tbs_certificate.as_ref(),
    )?;
    if let Ok(mut v) = VERIFIED.lock() {
        v.push(id);
    }
    Ok(())
}

const BAD: X509Error = X509Error::SignatureVerificationError;
const UNSUPPORTED: X509Error = X509Error::SignatureUnsupportedAlgorithm;

/// Whether `sig` (the signature value's bytes) is `key`'s signature over
/// `data` under `alg`.
pub(crate) fn check(
    key: &SubjectPublicKeyInfo<'_>,
    alg: &AlgorithmIdentifier<'_>,
    sig: &[u8],
    data: &[u8],
) -> Result<(), X509Error> {
    match alg.algorithm.to_id_string().as_str() {
        // sha1WithRSAEncryption and its OIW alias.
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => rsa_pkcs1::<sha1::Sha1>(key, 1024, sig, data),
        "1.2.840.113549.1.1.11" => rsa_pkcs1::<Sha256>(key, 2048, sig, data),
        "1.2.840.113549.1.1.12" => rsa_pkcs1::<Sha384>(key, 2048, sig, data),
        "1.2.840.113549.1.1.13" => rsa_pkcs1::<Sha512>(key, 2048, sig, data),
        "1.2.840.113549.1.1.10" => rsa_pss(key, alg, sig, data),
        "1.2.840.10045.4.3.2" => ecdsa(key, &Sha256::digest(data), sig),
        "1.2.840.10045.4.3.3" => ecdsa(key, &Sha384::digest(data), sig),
        _ => Err(UNSUPPORTED),
    }
}

/// The RSA key in the SPKI's bit string, `min_bits` to 8192 bits long
/// (ring's bounds; the rsa crate alone stops at 4096).
fn rsa_key(key: &SubjectPublicKeyInfo<'_>, min_bits: usize) -> Result<RsaPublicKey, X509Error> {
    let k = rsa::pkcs1::RsaPublicKey::from_der(&key.subject_public_key.data).map_err(|_| BAD)?;
    let n = BigUint::from_bytes_be(k.modulus.as_bytes());
    let e = BigUint::from_bytes_be(k.public_exponent.as_bytes());
    if !(min_bits..=8192).contains(&n.bits()) {
        return Err(BAD);
    }
    RsaPublicKey::new_with_max_size(n, e, 8192).map_err(|_| BAD)
}

/// A signature is a number below the modulus (the PSS path of the rsa
/// crate does not check it).
fn below_modulus(k: &RsaPublicKey, sig: &[u8]) -> Result<(), X509Error> {
    use rsa::traits::PublicKeyParts;
    if BigUint::from_bytes_be(sig) < *k.n() {
        Ok(())
    } else {
        Err(BAD)
    }
}

fn rsa_pkcs1<D>(
    key: &SubjectPublicKeyInfo<'_>,
    min_bits: usize,
    sig: &[u8],
    data: &[u8],
) -> Result<(), X509Error>
where
    D: Digest + rsa::pkcs8::AssociatedOid,
{
    let k = rsa_key(key, min_bits)?;
    below_modulus(&k, sig)?;
    k.verify(Pkcs1v15Sign::new::<D>(), &D::digest(data), sig)
        .map_err(|_| BAD)
}

fn rsa_pss(
    key: &SubjectPublicKeyInfo<'_>,
    alg: &AlgorithmIdentifier<'_>,
    sig: &[u8],
    data: &[u8],
) -> Result<(), X509Error> {
    let Ok(SignatureAlgorithm::RSASSA_PSS(params)) = SignatureAlgorithm::try_from(alg) else {
        return Err(UNSUPPORTED);
    };
    let (scheme, digest) = match params.hash_algorithm_oid().to_id_string().as_str() {
        "2.16.840.1.101.3.4.2.1" => (Pss::new::<Sha256>(), Sha256::digest(data).to_vec()),
        "2.16.840.1.101.3.4.2.2" => (Pss::new::<Sha384>(), Sha384::digest(data).to_vec()),
        "2.16.840.1.101.3.4.2.3" => (Pss::new::<Sha512>(), Sha512::digest(data).to_vec()),
        _ => return Err(UNSUPPORTED),
    };
    let k = rsa_key(key, 2048)?;
    below_modulus(&k, sig)?;
    k.verify(scheme, &digest, sig).map_err(|_| BAD)
}

/// ECDSA over a digest; the curve is the SPKI's named curve.
fn ecdsa(key: &SubjectPublicKeyInfo<'_>, digest: &[u8], sig: &[u8]) -> Result<(), X509Error> {
    let curve = key
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .ok_or(UNSUPPORTED)?;
    let point = &key.subject_public_key.data;
    match curve.to_id_string().as_str() {
        "1.2.840.10045.3.1.7" => {
            let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| BAD)?;
            let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| BAD)?;
            k.verify_prehash(digest, &s).map_err(|_| BAD)
        }
        "1.3.132.0.34" => {
            let k = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| BAD)?;
            let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| BAD)?;
            k.verify_prehash(digest, &s).map_err(|_| BAD)
        }
        _ => Err(UNSUPPORTED),
    }
}
