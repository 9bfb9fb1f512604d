//! Reading a SignedData container before any outcome: one signer, the
//! algorithm fields agreeing on SHA-256, the signed attributes, and the
//! signer's certificate. Whatever is wrong here is an `Err`.

use super::{OID_MESSAGE_DIGEST, OID_SHA256, OID_SIGNING_TIME};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::{Decode, Encode};

/// What the container says was signed, once its fields agree.
pub(super) struct Signed {
    /// The signed message digest (SHA-256, 32 bytes).
    pub(super) digest: Vec<u8>,
    /// The signing-time attribute, when present.
    pub(super) signing_time: Option<std::time::Duration>,
    /// The signer's certificate (DER).
    pub(super) cert_der: Vec<u8>,
    /// Whether the signature verifies with its key.
    pub(super) signature: Result<(), String>,
}

/// Read the container: its single signer, its algorithm fields, its
/// signed attributes and its signer's certificate.
pub(super) fn read(sd: &SignedData) -> Result<Signed, String> {
    let si = the_signer(sd)?;
    let kind = signature_algorithm(&si.signature_algorithm.oid.to_string())?;
    let Some(attrs) = &si.signed_attrs else {
        return Err("the signature has no signed attributes".into());
    };
    let (digest, signing_time) = signed_attributes(sd, attrs)?;
    // The signature over the DER of the signed attributes (as a SET).
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    let (cert_der, signature) = signer_certificate(sd, si, kind, &signed)?;
    Ok(Signed {
        digest,
        signing_time,
        cert_der,
        signature,
    })
}

/// The one signer of a detached signature, whose digest algorithm is
/// SHA-256 and listed as such.
fn the_signer(sd: &SignedData) -> Result<&SignerInfo, String> {
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
    Ok(si)
}

/// The signed message digest (checked to be SHA-256 long) and signing
/// time; the signed content type must be the container's.
fn signed_attributes(
    sd: &SignedData,
    attrs: &x509_cert::attr::Attributes,
) -> Result<(Vec<u8>, Option<std::time::Duration>), String> {
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
    Ok((signed_digest.as_bytes().to_vec(), signing_time))
}

/// The signer's certificate (DER) and whether the signature over
/// `signed` verifies with its key.
fn signer_certificate(
    sd: &SignedData,
    si: &SignerInfo,
    kind: KeyKind,
    signed: &[u8],
) -> Result<(Vec<u8>, Result<(), String>), String> {
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
            signature_verifies(&x, kind, signed, si.signature.as_bytes())
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
    Ok((cert_der, sig_result))
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
    let named = crate::cert::signature_name(oid);
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
    crate::cert::sigcheck::check(x.public_key(), &alg, sig, msg).map_err(|e| match e {
        x509_parser::error::X509Error::SignatureUnsupportedAlgorithm => {
            "the certificate's key is not one mynacard can check this signature with".to_string()
        }
        _ => "the signature does not verify with the certificate's key".to_string(),
    })
}
