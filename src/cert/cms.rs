//! Detached CMS signatures (RFC 5652 SignedData): checking one against a
//! file's SHA-256, on the RustCrypto `cms`/`der`/`x509-cert` types. What is
//! checked, in order, each with its own outcome: the container (its
//! algorithm fields must name what is checked, or it is refused), the
//! file's digest, the signature over the signed attributes, who issued the
//! signer's certificate (by key identifier and signature, never by name),
//! its validity at the signing time, its key usage.

use super::roots::{self, Provenance};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};

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

/// A digest algorithm's name, for messages.
fn digest_name(oid: &str) -> &str {
    match oid {
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        OID_SHA256 => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "1.2.840.113549.2.5" => "MD5",
        other => other,
    }
}

/// The key a signature algorithm is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    Ec,
}

impl KeyKind {
    fn name(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::Ec => "ECDSA",
        }
    }
}

/// What the SignerInfo's signatureAlgorithm says, as checked: it must
/// agree with SHA-256, the digest that was computed (RFC 5652 §5.4, RFC
/// 5754). Returns the key it needs.
fn signature_algorithm(oid: &str) -> Result<KeyKind, String> {
    let named = super::signature_name(oid);
    match oid {
        // rsaEncryption takes its hash from digestAlgorithm (RFC 3370 §3.2).
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.11" => Ok(KeyKind::Rsa),
        "1.2.840.10045.4.3.2" => Ok(KeyKind::Ec),
        "1.2.840.113549.1.1.4"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13"
        | "1.2.840.113549.1.1.14"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.10045.4.3.4" => Err(format!(
            "its signature algorithm is {named}, which disagrees with its digest algorithm \
             SHA-256: the container's algorithm fields contradict each other"
        )),
        _ => Err(format!(
            "its signature algorithm {named} is not supported (RSA PKCS#1 v1.5 or ECDSA, with SHA-256)"
        )),
    }
}

/// The key in a certificate, as a signature algorithm needs it.
fn key_kind(x: &x509_parser::certificate::X509Certificate<'_>) -> Option<KeyKind> {
    match x.public_key().algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => Some(KeyKind::Rsa),
        "1.2.840.10045.2.1" => Some(KeyKind::Ec),
        _ => None,
    }
}

/// Whether `cert` is the one `sid` names: by issuer and serial number, or
/// by subject key identifier.
fn names_cert(sid: &SignerIdentifier, cert: &x509_cert::Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            cert.tbs_certificate.issuer == ias.issuer
                && cert.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .tbs_certificate
            .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, k)| k.0.as_bytes() == ski.0.as_bytes()),
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
    if sd.encap_content_info.econtent.is_some() {
        return Err("the signature holds its content: not a detached signature".into());
    }
    let si = match sd.signer_infos.0.as_slice() {
        [one] => one,
        [] => return Err("the signature has no signer".into()),
        _ => return Err("the signature has more than one signer".into()),
    };
    // The algorithm fields must say what is checked: SHA-256 throughout.
    let digest_oid = si.digest_alg.oid.to_string();
    if digest_oid != OID_SHA256 {
        return Err(format!(
            "its signer's digest algorithm is {} ({digest_oid}); mynacard computed and checks SHA-256 only, \
             so the container does not say what would be verified",
            digest_name(&digest_oid)
        ));
    }
    if !sd
        .digest_algorithms
        .iter()
        .any(|a| a.oid.to_string() == OID_SHA256)
    {
        let listed: Vec<String> = sd
            .digest_algorithms
            .iter()
            .map(|a| digest_name(&a.oid.to_string()).to_string())
            .collect();
        return Err(format!(
            "its list of digest algorithms ({}) lacks SHA-256, the one its signer names: \
             the container's algorithm fields contradict each other",
            if listed.is_empty() {
                "empty".to_string()
            } else {
                listed.join(", ")
            }
        ));
    }
    let kind = signature_algorithm(&si.signature_algorithm.oid.to_string())?;
    let Some(attrs) = &si.signed_attrs else {
        return Err("the signature has no signed attributes".into());
    };
    // The message digest that was signed.
    let signed_digest = attrs
        .iter()
        .find(|a| a.oid.to_string() == OID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or("the signed attributes have no message digest")?;
    if signed_digest.as_bytes().len() != 32 {
        return Err(format!(
            "its signed message digest is {} bytes long, not the 32 of SHA-256, its digest algorithm",
            signed_digest.as_bytes().len()
        ));
    }
    // The signed content type must be the one the container carries (RFC 5652 §11.1).
    let content_type = attrs
        .iter()
        .find(|a| a.oid == const_oid::db::rfc5911::ID_CONTENT_TYPE)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<der::asn1::ObjectIdentifier>().ok());
    if content_type != Some(sd.encap_content_info.econtent_type) {
        return Err(format!(
            "its signed content type ({}) is not the container's ({})",
            content_type.map_or("absent".to_string(), |o| o.to_string()),
            sd.encap_content_info.econtent_type
        ));
    }
    let signing_time = attrs
        .iter()
        .find(|a| a.oid.to_string() == OID_SIGNING_TIME)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.to_der().ok())
        .and_then(|d| x509_cert::time::Time::from_der(&d).ok())
        .map(|t| t.to_unix_duration());
    // The signature over the DER of the signed attributes (as a SET).
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    // The signer's certificate: each one the SignerIdentifier names, and
    // the one whose key verifies the signature (a second certificate of
    // the same issuer and serial cannot stand in for it).
    let named: Vec<Vec<u8>> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) if names_cert(&si.sid, c) => {
                c.to_der().ok()
            }
            _ => None,
        })
        .collect();
    if named.is_empty() {
        return Err("the signer's certificate is not in the signature".into());
    }
    let mut chosen: Option<(Vec<u8>, Result<(), String>)> = None;
    for der in named {
        let (_, x) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| format!("the signer's certificate does not parse ({e})"))?;
        let result = if key_kind(&x) == Some(kind) {
            signature_verifies(&x, kind, &signed, si.signature.as_bytes())
        } else {
            Err(String::new())
        };
        let ok = result.is_ok();
        if chosen.is_none() || ok {
            chosen = Some((der, result));
        }
        if ok {
            break;
        }
    }
    let Some((cert_der, sig_result)) = chosen else {
        return Err("the signer's certificate is not in the signature".into());
    };
    let (_, x) = x509_parser::parse_x509_certificate(&cert_der)
        .map_err(|e| format!("the signer's certificate does not parse ({e})"))?;
    // No certificate verified and the first is for another kind of key.
    let found = key_kind(&x);
    if found != Some(kind) {
        return Err(format!(
            "its signature algorithm names {}, but the signer's key is {}: \
             the container's algorithm fields disagree with its certificate",
            kind.name(),
            found.map_or("of another kind", KeyKind::name)
        ));
    }
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
    let at = signing_time
        .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.as_secs() as i64).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    // 1. The file.
    if signed_digest.as_bytes() != file_sha256 {
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

/// `sig` over `msg` with the certificate's key, under the algorithm the
/// container names (RSA PKCS#1 v1.5 or ECDSA, SHA-256: `cert::sigcheck`).
fn signature_verifies(
    x: &x509_parser::certificate::X509Certificate<'_>,
    kind: KeyKind,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    use x509_parser::oid_registry::{OID_PKCS1_SHA256WITHRSA, OID_SIG_ECDSA_WITH_SHA256};
    let oid = match kind {
        KeyKind::Rsa => OID_PKCS1_SHA256WITHRSA,
        KeyKind::Ec => OID_SIG_ECDSA_WITH_SHA256,
    };
    let alg = x509_parser::x509::AlgorithmIdentifier::new(oid, None);
    super::sigcheck::check(x.public_key(), &alg, sig, msg).map_err(|e| match e {
        x509_parser::error::X509Error::SignatureUnsupportedAlgorithm => {
            "the certificate's key is not one mynacard can check this signature with".to_string()
        }
        _ => "the signature does not verify with the certificate's key".to_string(),
    })
}
