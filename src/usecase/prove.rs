//! `prove`: does this card hold the private key of its user-authentication
//! certificate, and is that certificate J-LIS's? The card signs a fresh
//! random challenge with the authentication key (`80 2A`, key 0017, after
//! the user-authentication PIN under the usual policy); the signature is
//! checked with the certificate's public key, and the certificate with the
//! built-in J-LIS roots (`cert::roots::provenance`: the root its key
//! identifier names, decided by the signature; a name alone is only a
//! claim). Only both together say "this card is genuine": a certificate
//! alone is public and can be copied onto a forged card.

use super::connect::CardOptions;
use super::pins::{with_pins, Asker, Need, Which};
use crate::card::jpki::{self, CertSlot};
use crate::card::{policy, Session};
use crate::cert::roots::{self, Provenance};
use crate::error::{Error, Result};
use crate::protocol::{KeyRef, PinKind, SignKey, SHA256_DIGEST_INFO};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What `prove` found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Proof {
    /// The card's signature over the challenge verifies with the
    /// certificate's public key.
    pub holds_key: bool,
    /// Who issued the certificate (level 1), by signature.
    pub issued_by: Provenance,
    /// Whether the card's CA file is that root (level 2).
    pub card_ca_is_root: Option<bool>,
    /// Level 3: the card holds the key of a J-LIS certificate.
    pub genuine: bool,
    /// The fresh random challenge (hex) the card signed (its SHA-256 in a
    /// DigestInfo).
    pub challenge: String,
    pub certificate_sha256: String,
    pub subject: String,
    /// Why the signature did not verify, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// Whether `sig` is the RSA PKCS#1 v1.5 SHA-256 signature of `msg` by the
/// key of the certificate `der`.
fn signature_verifies(der: &[u8], msg: &[u8], sig: &[u8]) -> std::result::Result<(), String> {
    use rsa::pkcs8::DecodePublicKey;
    let (_, x) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
    let key = rsa::RsaPublicKey::from_public_key_der(x.public_key().raw)
        .map_err(|e| format!("the certificate's key is not an RSA key mynacard can use: {e}"))?;
    key.verify(
        rsa::Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(msg),
        sig,
    )
    .map_err(|_| "the signature does not verify with the certificate's key".to_string())
}

pub fn prove(o: &CardOptions, force_last_try: bool, asker: &mut dyn Asker) -> Result<Proof> {
    let mut challenge = [0u8; 32];
    getrandom::getrandom(&mut challenge)
        .map_err(|e| Error::Helper(format!("no random numbers from the system: {e}")))?;
    let digest_info = [SHA256_DIGEST_INFO, &Sha256::digest(challenge)].concat();
    let (cert, ca, sig) = with_pins(
        o,
        force_last_try,
        &[Need::verify(PinKind::Auth)],
        asker,
        // A card without the key (a recorded one) is refused before any
        // counter is read or PIN asked.
        |s| jpki::probe_key(s, SignKey::JpkiAuth),
        |s, _, pins, _| {
            let pin = pins.get(PinKind::Auth, Which::Current)?;
            // A card shows its certificate before the PIN, so that a key it
            // cannot sign with is refused before the PIN is sent; the
            // Android smartphone token only after it (usecase::certs).
            let missing = || Error::Absent {
                slot: CertSlot::Auth,
            };
            let read = |s: &mut Session| jpki::read_cert(s, CertSlot::Auth);
            let (cert, pin_first) =
                match super::certs::read_unless_guarded(s, CertSlot::Auth, read)? {
                    Ok(cert) => (cert.ok_or_else(missing)?, false),
                    Err(_) => {
                        policy::verify(s, KeyRef::Auth, pin)?;
                        (read(s)?.ok_or_else(missing)?, true)
                    }
                };
            let ca = jpki::read_cert(s, CertSlot::AuthCa)?;
            if let Err(key) = crate::cert::rsa_or_key(&cert) {
                return Err(Error::UnsupportedKey { key });
            }
            if !pin_first {
                policy::verify(s, KeyRef::Auth, pin)?;
            }
            let sig = jpki::sign(s, SignKey::JpkiAuth, &digest_info)?;
            Ok((cert, ca, sig))
        },
    )?;
    let verified = signature_verifies(&cert, &challenge, &sig);
    let issued_by = roots::provenance(&cert, time::OffsetDateTime::now_utc());
    let card_ca_is_root = roots::card_ca_is_root(&cert, ca.as_deref(), &issued_by);
    let subject = crate::cert::parse_der(&cert, crate::rules::today_jst())
        .map(|r| r.subject)
        .unwrap_or_default();
    Ok(Proof {
        holds_key: verified.is_ok(),
        genuine: verified.is_ok() && issued_by.is_jlis(),
        issued_by,
        card_ca_is_root,
        challenge: hex::encode(challenge),
        certificate_sha256: hex::encode(Sha256::digest(&cert)),
        subject,
        failure: verified.err(),
    })
}
