//! Signing with the card: a detached CMS SignedData (RFC 5652) over a
//! file's SHA-256, or a raw PKCS#1 v1.5 signature of a given digest. The
//! card computes the signature (`80 2A` with the DigestInfo, the key chosen
//! by its reference); the container is built with the RustCrypto `cms`
//! crate, whose builder hands the DER of the signed attributes to the card
//! through `CardSigner`.

use super::connect::CardOptions;
use super::pins::{with_pins, Asker, Need, Which};
use crate::card::jpki::{self, CertSlot};
use crate::card::{policy, Session};
use crate::error::{Error, Result};
use crate::protocol::{KeyRef, PinKind, SignKey, SHA256_DIGEST_INFO};
use sha2::{Digest, Sha256};
use std::cell::RefCell;

/// Which key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyChoice {
    /// The signature key (署名用, JPKI 001A; the signature password).
    Sign,
    /// The user-authentication key (利用者証明用, JPKI 0017; its PIN).
    Auth,
}

impl KeyChoice {
    pub(super) fn parts(self) -> (PinKind, KeyRef, SignKey, CertSlot) {
        match self {
            KeyChoice::Sign => (
                PinKind::Sign,
                KeyRef::Sign,
                SignKey::JpkiSign,
                CertSlot::Sign,
            ),
            KeyChoice::Auth => (
                PinKind::Auth,
                KeyRef::Auth,
                SignKey::JpkiAuth,
                CertSlot::Auth,
            ),
        }
    }
}

/// The card as a `signature::Signer` for the `cms` builder. The card
/// session is borrowed for the one signature; a card error is kept for the
/// caller (the builder only sees "signing failed").
pub(super) struct CardSigner<'s, 't> {
    pub(super) session: RefCell<&'s mut Session<'t>>,
    pub(super) key: SignKey,
    pub(super) verifying: rsa::pkcs1v15::VerifyingKey<Sha256>,
    pub(super) error: RefCell<Option<Error>>,
}

impl signature::Keypair for CardSigner<'_, '_> {
    type VerifyingKey = rsa::pkcs1v15::VerifyingKey<Sha256>;
    fn verifying_key(&self) -> Self::VerifyingKey {
        self.verifying.clone()
    }
}

impl spki::DynSignatureAlgorithmIdentifier for CardSigner<'_, '_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<spki::AlgorithmIdentifierOwned> {
        // sha256WithRSAEncryption, parameters NULL (RFC 4055).
        Ok(spki::AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        })
    }
}

impl signature::Signer<rsa::pkcs1v15::Signature> for CardSigner<'_, '_> {
    fn try_sign(
        &self,
        msg: &[u8],
    ) -> std::result::Result<rsa::pkcs1v15::Signature, signature::Error> {
        let di = [SHA256_DIGEST_INFO, &Sha256::digest(msg)].concat();
        let mut s = self.session.borrow_mut();
        let signed = jpki::sign(&mut s, self.key, &di)
            .and_then(|sig| check_signature(self.verifying.as_ref(), &di, &sig).map(|_| sig));
        match signed {
            Ok(sig) => rsa::pkcs1v15::Signature::try_from(sig.as_slice()),
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                Err(signature::Error::new())
            }
        }
    }
}

pub(super) fn rsa_key(cert: &[u8]) -> Result<rsa::RsaPublicKey> {
    use rsa::pkcs8::DecodePublicKey;
    let (_, x) = x509_parser::parse_x509_certificate(cert)
        .map_err(|e| Error::Data(format!("the card's certificate does not parse: {e}")))?;
    rsa::RsaPublicKey::from_public_key_der(x.public_key().raw)
        .map_err(|e| Error::Data(format!("the certificate's key is not RSA: {e}")))
}

/// Verify the key's PIN, read its certificate: the order the card needs
/// (the signature certificate is readable only after its password).
fn unlock_and_read(
    s: &mut Session,
    key: KeyChoice,
    pin: &crate::card::pin::CheckedPin,
) -> Result<Vec<u8>> {
    let (_, r, _, slot) = key.parts();
    policy::verify(s, r, pin)?;
    let cert = jpki::read_cert(s, slot)?.ok_or(Error::Absent { slot })?;
    if let Err(key) = crate::cert::rsa_or_key(&cert) {
        return Err(Error::UnsupportedKey { key });
    }
    usable_now(&cert, slot)?;
    Ok(cert)
}

/// A signature from a key whose certificate is out of its validity would
/// be rejected by every verifier: refuse before the card signs.
fn usable_now(cert: &[u8], slot: CertSlot) -> Result<()> {
    let (_, x) = x509_parser::parse_x509_certificate(cert)
        .map_err(|e| Error::Data(format!("the card's certificate does not parse: {e}")))?;
    let v = x.validity();
    let now = time::OffsetDateTime::now_utc();
    let jst = |t: time::OffsetDateTime| t.to_offset(crate::rules::JST).date();
    if now > v.not_after.to_datetime() {
        return Err(Error::CertNotValid {
            slot,
            expired: true,
            date: jst(v.not_after.to_datetime()),
        });
    }
    if now < v.not_before.to_datetime() {
        return Err(Error::CertNotValid {
            slot,
            expired: false,
            date: jst(v.not_before.to_datetime()),
        });
    }
    Ok(())
}

/// The card's signature must verify with its certificate's key before it
/// is handed out (a card that signs with another key is caught here).
fn check_signature(key: &rsa::RsaPublicKey, digest_info: &[u8], sig: &[u8]) -> Result<()> {
    let em_ok = key
        .verify(rsa::Pkcs1v15Sign::new_unprefixed(), digest_info, sig)
        .is_ok();
    if em_ok {
        Ok(())
    } else {
        Err(Error::Data(
            "the card's signature does not verify with its own certificate's key; nothing was written".into(),
        ))
    }
}

/// Before any counter or PIN: the card holds the key (a recorded card does
/// not). No read of EF 0008 for the signature certificate: the read after
/// the password says the same (`Absent`), and a right password costs no
/// try; the counter is still read first and the last try guarded.
fn check(s: &mut Session, key: KeyChoice) -> Result<()> {
    let (_, _, sign_key, _) = key.parts();
    jpki::probe_key(s, sign_key)
}

/// The key's PIN through the one policy, then its certificate read and
/// checked usable; `f` signs with the card in the same session.
pub(super) fn with_key<T>(
    o: &CardOptions,
    key: KeyChoice,
    force_last_try: bool,
    asker: &mut dyn Asker,
    f: impl FnOnce(&mut Session, Vec<u8>) -> Result<T>,
) -> Result<T> {
    let (kind, _, _, _) = key.parts();
    with_pins(
        o,
        force_last_try,
        &[Need::verify(kind)],
        asker,
        |s| check(s, key),
        |s, _, pins, _| {
            let cert = unlock_and_read(s, key, pins.get(kind, Which::Current)?)?;
            f(s, cert)
        },
    )
}

/// A detached CMS SignedData over the file whose SHA-256 is `digest`
/// (CAdES-BES): content type, message digest, signing time and ESS
/// signing-certificate-v2 signed; the signer's certificate included.
/// Returns its DER.
pub fn sign_cms(
    o: &CardOptions,
    key: KeyChoice,
    digest: &[u8; 32],
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<Vec<u8>> {
    let (_, _, sign_key, _) = key.parts();
    with_key(o, key, force_last_try, asker, |s, cert_der| {
        let verifying = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(rsa_key(&cert_der)?);
        let signer = CardSigner {
            session: RefCell::new(s),
            key: sign_key,
            verifying,
            error: RefCell::new(None),
        };
        let out = crate::cert::cades::build(
            &signer,
            &cert_der,
            &[],
            digest,
            None,
            crate::cert::cades::Style::CADES,
        );
        if let Some(e) = signer.error.take() {
            return Err(e);
        }
        out.map_err(|e| Error::Data(format!("cannot build the CMS signature: {e}")))
    })
}

/// The raw PKCS#1 v1.5 signature of a SHA-256 `digest` (for tools that
/// build their own containers), with the signer's certificate.
pub fn sign_digest(
    o: &CardOptions,
    key: KeyChoice,
    digest: &[u8; 32],
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let (_, _, sign_key, _) = key.parts();
    with_key(o, key, force_last_try, asker, |s, cert| {
        let di = [SHA256_DIGEST_INFO, &digest[..]].concat();
        let sig = jpki::sign(s, sign_key, &di)?;
        check_signature(&rsa_key(&cert)?, &di, &sig)?;
        Ok((sig, cert))
    })
}
