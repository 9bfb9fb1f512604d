//! Detached CMS signatures (RFC 5652 SignedData): checking one against a
//! file's SHA-256, on the RustCrypto `cms`/`der`/`x509-cert` types. What is
//! checked, in order, each with its own outcome: the container (its
//! algorithm fields must name what is checked, or it is refused), the
//! file's digest, the signature over the signed attributes, who issued the
//! signer's certificate (by key identifier and signature, never by name),
//! its validity at the signing time, its key usage.

use super::roots::{self, Provenance};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::Decode;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod container;

/// id-sha256 (NIST).
pub const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// The outcome of a check, in the order they are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Valid,
    /// The file's SHA-256 is not the one that was signed.
    FileChanged,
    /// The signature does not verify with the signer's certificate.
    BadSignature,
    /// The signer's certificate is not from a trusted issuer.
    UnknownSigner,
    /// The certificate was not valid at the signing time.
    NotValidAtSigningTime,
    /// The certificate's key may not sign (keyUsage).
    WrongKeyUsage,
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Verification {
    pub outcome: Outcome,
    /// Why, in English (technical).
    pub detail: String,
    pub signer_subject: Option<String>,
    pub signer_serial: Option<String>,
    pub signer_sha256: Option<String>,
    /// Who issued the signer's certificate (J-LIS roots).
    pub issued_by: Option<Provenance>,
    /// The signing-time attribute (RFC 3339, in JST), when present.
    pub signing_time: Option<String>,
    /// The signer's certificate (DER), for the holder attributes.
    #[serde(skip)]
    pub signer_der: Option<Vec<u8>>,
}

/// Which issuers are trusted.
pub enum Trust<'a> {
    /// The built-in J-LIS roots.
    Jlis,
    /// The built-in roots, and the test PKIs' CAs (J-LIS's `O=JPKI-TEST`
    /// certificates and the virtual card's keys) as more anchors: the
    /// signer's certificate must still verify with one of them.
    JlisAndTest,
    /// These anchors (`--ca`): the signer's certificate must verify with one.
    Anchors(&'a [Vec<u8>]),
}

/// A detached SignedData over the content whose SHA-256 is `digest`,
/// signed by `signer` (the card, or a key in tests) as the holder of
/// `cert_der`: content type, message digest and signing time (`at`, or
/// now) are signed; the certificate is included. Returns the DER.
pub fn build<S>(
    signer: &S,
    cert_der: &[u8],
    digest: &[u8; 32],
    at: Option<std::time::SystemTime>,
) -> Result<Vec<u8>, String>
where
    S: signature::Keypair + spki::DynSignatureAlgorithmIdentifier,
    S: signature::Signer<rsa::pkcs1v15::Signature>,
    S::VerifyingKey: spki::EncodePublicKey,
{
    super::cades::build(
        signer,
        cert_der,
        &[],
        digest,
        at,
        super::cades::Style::PLAIN,
    )
}

/// A CMS file: DER, or PEM (`CMS` or `PKCS7` blocks).
pub fn decode_container(bytes: &[u8]) -> Result<SignedData, String> {
    let der = match pem::parse(bytes) {
        Ok(p) if ["CMS", "PKCS7"].contains(&p.tag()) => p.into_contents(),
        Ok(p) => return Err(format!("a PEM block of type {:?}, not CMS", p.tag())),
        Err(_) => bytes.to_vec(),
    };
    let ci = ContentInfo::from_der(&der).map_err(|e| format!("not a CMS ContentInfo ({e})"))?;
    if ci.content_type.to_string() != OID_SIGNED_DATA {
        return Err(format!("a CMS {} object, not SignedData", ci.content_type));
    }
    ci.content
        .decode_as::<SignedData>()
        .map_err(|e| format!("its SignedData does not parse ({e})"))
}

fn fail(outcome: Outcome, detail: impl Into<String>) -> Verification {
    Verification {
        outcome,
        detail: detail.into(),
        signer_subject: None,
        signer_serial: None,
        signer_sha256: None,
        issued_by: None,
        signing_time: None,
        signer_der: None,
    }
}

/// Check a detached signature over the file whose SHA-256 is `file_sha256`.
/// A container that cannot be read at all, or whose algorithm fields
/// disagree with what is checked, is an `Err`; every check that fails is
/// an `Outcome`.
pub fn verify(
    sd: &SignedData,
    file_sha256: &[u8],
    trust: Trust<'_>,
) -> Result<Verification, String> {
    verify_at(sd, file_sha256, trust, None)
}

/// `verify`, judging the certificate at `at` (a checked timestamp's time)
/// rather than at the signing-time attribute or now.
pub fn verify_at(
    sd: &SignedData,
    file_sha256: &[u8],
    trust: Trust<'_>,
    at: Option<time::OffsetDateTime>,
) -> Result<Verification, String> {
    let container::Signed {
        digest: signed_digest,
        signing_time,
        cert_der,
        signature: sig_result,
    } = container::read(sd)?;
    let (_, x) = x509_parser::parse_x509_certificate(&cert_der)
        .map_err(|e| format!("the signer's certificate does not parse ({e})"))?;
    let mut v = fail(Outcome::Valid, "");
    v.signer_subject = Some(crate::protocol::text::printable(&x.subject().to_string()));
    v.signer_serial = Some(x.raw_serial_as_string().replace(':', "").to_uppercase());
    v.signer_sha256 = Some(hex::encode(Sha256::digest(&cert_der)));
    v.signer_der = Some(cert_der.clone());
    v.signing_time = signing_time.and_then(|d| {
        time::OffsetDateTime::from_unix_timestamp(d.as_secs() as i64)
            .ok()
            .and_then(|t| {
                t.to_offset(crate::rules::JST)
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
    });
    let at = at
        .or_else(|| {
            signing_time
                .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.as_secs() as i64).ok())
        })
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    // 1. The file.
    if signed_digest.as_slice() != file_sha256 {
        v.outcome = Outcome::FileChanged;
        v.detail =
            "the file's SHA-256 differs from the one that was signed: the file changed".into();
        return Ok(v);
    }
    // 2. The signature.
    if let Err(why) = sig_result {
        v.outcome = Outcome::BadSignature;
        v.detail = why;
        return Ok(v);
    }
    // 3. Who issued the certificate.
    let p = roots::provenance(&cert_der, time::OffsetDateTime::now_utc());
    v.issued_by = Some(p.clone());
    let trusted = match trust {
        Trust::Jlis => p.is_jlis(),
        Trust::JlisAndTest => {
            p.is_jlis() || matches!(p, Provenance::TestPki { .. } | Provenance::JlisTest)
        }
        Trust::Anchors(a) => super::chain::check_chain(&cert_der, a, at).is_ok_and(|r| {
            !matches!(
                r.status,
                super::chain::ChainStatus::BadSignature
                    | super::chain::ChainStatus::UnknownIssuer
                    | super::chain::ChainStatus::IssuerNotCa
            )
        }),
    };
    if !trusted {
        v.outcome = Outcome::UnknownSigner;
        v.detail = "the signer's certificate is not from a trusted issuer".into();
        return Ok(v);
    }
    // 4. Valid when it signed.
    let t = x509_parser::time::ASN1Time::from_timestamp(at.unix_timestamp())
        .map_err(|e| e.to_string())?;
    if !x.validity().is_valid_at(t) {
        v.outcome = Outcome::NotValidAtSigningTime;
        v.detail = format!(
            "the certificate was valid from {} to {}, not at {}",
            x.validity().not_before,
            x.validity().not_after,
            at
        );
        return Ok(v);
    }
    // 5. A key that may sign.
    let may_sign = match x.key_usage() {
        Ok(Some(ku)) => ku.value.digital_signature() || ku.value.non_repudiation(),
        Ok(None) => true,
        Err(_) => false,
    };
    if !may_sign {
        v.outcome = Outcome::WrongKeyUsage;
        v.detail =
            "the certificate's keyUsage allows neither digitalSignature nor nonRepudiation".into();
        return Ok(v);
    }
    v.detail = "the file is as it was signed, by this certificate".into();
    Ok(v)
}
