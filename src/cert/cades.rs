//! Building detached CMS SignedData (RFC 5652) in the styles mynacard
//! signs with: the plain one of `sign` (content type, message digest and
//! signing time signed), and CAdES/PAdES baseline B-B (ETSI EN 319 122-1,
//! 319 142-1: ESS signing-certificate-v2 signed, no signing time, for the
//! time is the PDF's `/M`). The certificates given are included (the
//! signer's, then its CA's). `cms::build` is the plain style.

use cms::signed_data::SignerIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};

/// id-aa-signingCertificateV2 (RFC 5035).
pub const OID_SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";

/// Which signed attributes, besides content type and message digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// The CMS signing-time attribute (RFC 5652 §11.3).
    pub signing_time: bool,
    /// ESS signing-certificate-v2 (RFC 5035), SHA-256 of the signer's certificate.
    pub signing_certificate_v2: bool,
}

impl Style {
    /// `sign`'s detached CMS, and the 登記 profile of `pdf sign`.
    pub const PLAIN: Style = Style {
        signing_time: true,
        signing_certificate_v2: false,
    };
    /// `sign`'s detached CMS as CAdES-BES: the signing time, and ESS
    /// signing-certificate-v2 binding the signer's certificate.
    pub const CADES: Style = Style {
        signing_time: true,
        signing_certificate_v2: true,
    };
    /// CAdES / PAdES baseline B-B.
    pub const BASELINE_B: Style = Style {
        signing_time: false,
        signing_certificate_v2: true,
    };
}

/// A DER TLV with a short or long length.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(body);
    out
}

/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, one
/// ESSCertIDv2 { certHash (SHA-256, the default algorithm), issuerSerial }.
fn signing_certificate_v2(
    cert: &x509_cert::Certificate,
    cert_der: &[u8],
) -> Result<Vec<u8>, String> {
    let e = |x: der::Error| x.to_string();
    let hash = tlv(0x04, &Sha256::digest(cert_der));
    let issuer = cert.tbs_certificate.issuer.to_der().map_err(e)?;
    let serial = cert.tbs_certificate.serial_number.to_der().map_err(e)?;
    // GeneralNames { directoryName [4] EXPLICIT Name }, serialNumber.
    let general_names = tlv(0x30, &tlv(0xA4, &issuer));
    let issuer_serial = tlv(0x30, &[general_names, serial].concat());
    let id = tlv(0x30, &[hash, issuer_serial].concat());
    Ok(tlv(0x30, &tlv(0x30, &id)))
}

/// A detached SignedData over the content whose SHA-256 is `digest`,
/// signed by `signer` as the holder of `cert_der`, in `style`; `more`
/// certificates (the CA's) are included after the signer's. `at` fixes the
/// signing time (tests); otherwise now.
pub fn build<S>(
    signer: &S,
    cert_der: &[u8],
    more: &[Vec<u8>],
    digest: &[u8; 32],
    at: Option<std::time::SystemTime>,
    style: Style,
) -> Result<Vec<u8>, String>
where
    S: signature::Keypair + spki::DynSignatureAlgorithmIdentifier,
    S: signature::Signer<rsa::pkcs1v15::Signature>,
    S::VerifyingKey: spki::EncodePublicKey,
{
    use cms::builder::{create_signing_time_attribute, SignedDataBuilder, SignerInfoBuilder};
    use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
    use cms::signed_data::EncapsulatedContentInfo;
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let cert = x509_cert::Certificate::from_der(cert_der)
        .map_err(|x| format!("the signer's certificate does not parse: {x}"))?;
    let content = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sha256 = spki::AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    let mut si = SignerInfoBuilder::new(signer, sid, sha256.clone(), &content, Some(digest))
        .map_err(|x| e(&x))?;
    if style.signing_time {
        let time = match at {
            None => create_signing_time_attribute().map_err(|x| e(&x))?,
            Some(t) => {
                let t = x509_cert::time::Time::try_from(t).map_err(|x| e(&x))?;
                x509_cert::attr::Attribute {
                    oid: const_oid::db::rfc5911::ID_SIGNING_TIME,
                    values: der::asn1::SetOfVec::try_from(vec![
                        der::Any::encode_from(&t).map_err(|x| e(&x))?
                    ])
                    .map_err(|x| e(&x))?,
                }
            }
        };
        si.add_signed_attribute(time).map_err(|x| e(&x))?;
    }
    if style.signing_certificate_v2 {
        let value = signing_certificate_v2(&cert, cert_der)?;
        let oid =
            const_oid::ObjectIdentifier::new(OID_SIGNING_CERTIFICATE_V2).map_err(|x| e(&x))?;
        si.add_signed_attribute(x509_cert::attr::Attribute {
            oid,
            values: der::asn1::SetOfVec::try_from(vec![
                der::Any::from_der(&value).map_err(|x| e(&x))?
            ])
            .map_err(|x| e(&x))?,
        })
        .map_err(|x| e(&x))?;
    }
    let mut sd = SignedDataBuilder::new(&content);
    sd.add_digest_algorithm(sha256)
        .map_err(|x| e(&x))?
        .add_certificate(CertificateChoices::Certificate(cert))
        .map_err(|x| e(&x))?;
    for der in more {
        let c = x509_cert::Certificate::from_der(der)
            .map_err(|x| format!("a CA certificate does not parse: {x}"))?;
        sd.add_certificate(CertificateChoices::Certificate(c))
            .map_err(|x| e(&x))?;
    }
    sd.add_signer_info::<_, rsa::pkcs1v15::Signature>(si)
        .map_err(|x| e(&x))?
        .build()
        .map_err(|x| e(&x))?
        .to_der()
        .map_err(|x| e(&x))
}
