//! One X.509 certificate built and signed, in pure Rust (x509-cert, rsa,
//! p384): the virtual card's test PKI and the tests' certificates. The
//! fields, their order and encodings are those rcgen wrote before, so the
//! certificates kept their shape and size. Deterministic: RSA PKCS#1 v1.5,
//! and ECDSA with RFC 6979 nonces.

use super::tlv::{oid, seq};
use const_oid::AssociatedOid;
use der::asn1::{
    Any, BitString, Ia5StringRef, OctetString, PrintableStringRef, SetOfVec, Utf8StringRef,
};
use der::{DateTime, Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::time::Duration;
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, CertificatePolicies, CrlDistributionPoints,
    ExtendedKeyUsage,
};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

pub use spki::ObjectIdentifier;
pub use x509_cert::ext::pkix::KeyUsages;
pub use x509_cert::name::Name;
/// A non-critical extension: (OID, DER value).
pub type Ext = (ObjectIdentifier, Vec<u8>);
/// Key usages, e.g. `KeyUsages::KeyCertSign | KeyUsages::CRLSign`.
pub type Usages = der::flagset::FlagSet<KeyUsages>;

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
#[error("certificate generation: {0}")]
pub struct Error(String);

fn err(e: impl std::fmt::Display) -> Error {
    Error(e.to_string())
}

/// A signing key: RSA (signs sha256WithRSAEncryption) or ECDSA P-384
/// (signs ecdsa-with-SHA384).
pub enum Key {
    Rsa(RsaPrivateKey),
    P384(p384::ecdsa::SigningKey),
}

impl Key {
    /// A PKCS#8 PEM private key, RSA or P-384.
    pub fn from_pkcs8_pem(pem: &str) -> Option<Key> {
        if let Ok(k) = RsaPrivateKey::from_pkcs8_pem(pem) {
            return Some(Key::Rsa(k));
        }
        let k = p384::SecretKey::from_pkcs8_pem(pem).ok()?;
        Some(Key::P384(k.into()))
    }

    pub fn rsa(&self) -> Option<&RsaPrivateKey> {
        match self {
            Key::Rsa(k) => Some(k),
            Key::P384(_) => None,
        }
    }

    /// The public key as SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Result<Vec<u8>, Error> {
        let doc = match self {
            Key::Rsa(k) => RsaPublicKey::from(k).to_public_key_der(),
            Key::P384(k) => k.verifying_key().to_public_key_der(),
        };
        Ok(doc.map_err(err)?.as_bytes().to_vec())
    }

    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Key::Rsa(_) => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            Key::P384(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            },
        }
    }

    /// The signature over `data` as a certificate carries it (ECDSA in DER).
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Key::Rsa(k) => k
                .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
                .map_err(err),
            Key::P384(k) => {
                let sig: p384::ecdsa::DerSignature =
                    signature::Signer::try_sign(k, data).map_err(err)?;
                Ok(sig.as_bytes().to_vec())
            }
        }
    }
}

/// How a name's text is written: PrintableString when its characters
/// allow (else UTF8String), or always UTF8String.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Printable,
    Utf8,
    /// `C` as PrintableString, every other attribute as UTF8String: the
    /// JPKI certificates' encoding (the test card's and J-LIS's roots).
    Jpki,
}

/// A name, one attribute per RDN in the order given. Attribute labels:
/// `C`, `O`, `OU`, `L`, `CN`.
pub fn name(attrs: &[(&str, &str)], text: Text) -> Result<Name, Error> {
    let mut rdns = Vec::with_capacity(attrs.len());
    for (label, value) in attrs {
        let arc = match *label {
            "C" => "2.5.4.6",
            "L" => "2.5.4.7",
            "O" => "2.5.4.10",
            "OU" => "2.5.4.11",
            "CN" => "2.5.4.3",
            other => return Err(Error(format!("unknown name attribute {other}"))),
        };
        let printable = text == Text::Printable || (text == Text::Jpki && *label == "C");
        let value = match PrintableStringRef::new(value) {
            Ok(p) if printable => Any::encode_from(&p),
            _ => Any::encode_from(&Utf8StringRef::new(value).map_err(err)?),
        }
        .map_err(err)?;
        let atv = AttributeTypeAndValue {
            oid: ObjectIdentifier::new_unwrap(arc),
            value,
        };
        rdns.push(RelativeDistinguishedName(
            SetOfVec::try_from(vec![atv]).map_err(err)?,
        ));
    }
    Ok(RdnSequence(rdns))
}

/// basicConstraints: absent, `CA:FALSE`, or `CA:TRUE` with an optional
/// path length.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Basic {
    Absent,
    NotCa,
    Ca(Option<u8>),
}

/// One extension, in the place `Params::layout` gives it.
#[derive(Clone, Debug)]
pub enum Piece {
    /// keyUsage (critical), from `Params::key_usage`.
    KeyUsage,
    /// basicConstraints (critical), from `Params::basic`.
    BasicConstraints,
    /// subjectKeyIdentifier of the subject's key.
    SubjectKeyId,
    /// authorityKeyIdentifier: the issuer key's identifier, and with
    /// `full` also the issuer's issuer name and the issuer's serial number.
    AuthorityKeyId { full: bool },
    /// Any other extension: OID, critical, DER value.
    Other(ObjectIdentifier, bool, Vec<u8>),
}

/// What a certificate says. Without a `layout`, extensions are written in
/// one order: authorityKeyIdentifier (when asked), keyUsage (critical, when
/// any), subjectKeyIdentifier and basicConstraints (critical) unless `basic`
/// is absent, then `extensions` as given (non-critical).
#[derive(Clone)]
pub struct Params {
    /// Big-endian, positive; leading zeros are dropped.
    pub serial: Vec<u8>,
    pub subject: Name,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub basic: Basic,
    pub key_usage: Usages,
    pub authority_key_id: bool,
    pub extensions: Vec<Ext>,
    /// The extensions in this order instead (`authority_key_id` and
    /// `extensions` are then ignored).
    pub layout: Option<Vec<Piece>>,
}

impl Params {
    /// A certificate with no extensions, valid from `not_before` to
    /// `not_after`.
    pub fn new(
        serial: &[u8],
        subject: Name,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Params {
        Params {
            serial: serial.to_vec(),
            subject,
            not_before,
            not_after,
            basic: Basic::Absent,
            key_usage: Usages::default(),
            authority_key_id: false,
            extensions: Vec::new(),
            layout: None,
        }
    }

    /// The extensions' order when no `layout` is given.
    fn default_layout(&self) -> Vec<Piece> {
        let mut l = Vec::new();
        if self.authority_key_id {
            l.push(Piece::AuthorityKeyId { full: false });
        }
        if !self.key_usage.is_empty() {
            l.push(Piece::KeyUsage);
        }
        if self.basic != Basic::Absent {
            l.extend([Piece::SubjectKeyId, Piece::BasicConstraints]);
        }
        for (id, value) in &self.extensions {
            l.push(Piece::Other(*id, false, value.clone()));
        }
        l
    }

    fn extension(
        &self,
        piece: &Piece,
        spki: &[u8],
        issuer: &Params,
        issuer_key: &Key,
    ) -> Result<Extension, Error> {
        match piece {
            Piece::KeyUsage => extension(&KeyUsage(self.key_usage), true),
            Piece::BasicConstraints => {
                let bc = BasicConstraints {
                    ca: matches!(self.basic, Basic::Ca(_)),
                    path_len_constraint: match self.basic {
                        Basic::Ca(n) => n,
                        _ => None,
                    },
                };
                extension(&bc, true)
            }
            Piece::SubjectKeyId => extension(&SubjectKeyIdentifier(key_id(spki)?), false),
            Piece::AuthorityKeyId { full } => {
                // The issuer's own issuer: its name when self-signed.
                let dir = GeneralName::DirectoryName(issuer.subject.clone());
                let aki = AuthorityKeyIdentifier {
                    key_identifier: Some(key_id(&issuer_key.spki_der()?)?),
                    authority_cert_issuer: full.then(|| vec![dir]),
                    authority_cert_serial_number: match full {
                        true => Some(SerialNumber::new(&issuer.serial).map_err(err)?),
                        false => None,
                    },
                };
                extension(&aki, false)
            }
            Piece::Other(id, critical, value) => Ok(Extension {
                extn_id: *id,
                critical: *critical,
                extn_value: OctetString::new(value.clone()).map_err(err)?,
            }),
        }
    }

    pub fn self_signed(&self, key: &Key) -> Result<Vec<u8>, Error> {
        self.signed_by(key, self, key)
    }

    /// The certificate of `subject_key`, issued under `issuer`'s name and
    /// signed with `issuer_key`.
    pub fn signed_by(
        &self,
        subject_key: &Key,
        issuer: &Params,
        issuer_key: &Key,
    ) -> Result<Vec<u8>, Error> {
        let spki = subject_key.spki_der()?;
        let layout = self.layout.clone().unwrap_or_else(|| self.default_layout());
        let exts = layout
            .iter()
            .map(|piece| self.extension(piece, &spki, issuer, issuer_key))
            .collect::<Result<Vec<_>, _>>()?;
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::new(&self.serial).map_err(err)?,
            signature: issuer_key.algorithm(),
            issuer: issuer.subject.clone(),
            validity: Validity {
                not_before: time(self.not_before)?,
                not_after: time(self.not_after)?,
            },
            subject: self.subject.clone(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki).map_err(err)?,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: (!exts.is_empty()).then_some(exts),
        };
        let signature = issuer_key.sign(&tbs.to_der().map_err(err)?)?;
        let cert = Certificate {
            tbs_certificate: tbs,
            signature_algorithm: issuer_key.algorithm(),
            signature: BitString::from_bytes(&signature).map_err(err)?,
        };
        cert.to_der().map_err(err)
    }
}

fn extension<E: AssociatedOid + Encode>(e: &E, critical: bool) -> Result<Extension, Error> {
    Ok(Extension {
        extn_id: E::OID,
        critical,
        extn_value: OctetString::new(e.to_der().map_err(err)?).map_err(err)?,
    })
}

/// A key identifier: the first 20 bytes of the SPKI's SHA-256 (what rcgen
/// used, so the identifiers did not change).
fn key_id(spki: &[u8]) -> Result<OctetString, Error> {
    OctetString::new(&Sha256::digest(spki)[..20]).map_err(err)
}

/// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
fn time(t: OffsetDateTime) -> Result<Time, Error> {
    let secs = u64::try_from(t.unix_timestamp()).map_err(err)?;
    let dt = DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(err)?;
    if dt.year() < 2050 {
        Ok(Time::UtcTime(
            der::asn1::UtcTime::from_date_time(dt).map_err(err)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

/// certificatePolicies with one policy (dotted OID), as an extension.
pub fn policies(policy: &str) -> Ext {
    let arcs = super::oids::arcs(policy);
    (
        ObjectIdentifier::new_unwrap("2.5.29.32"),
        seq(&[seq(&[oid(&arcs)])]),
    )
}

/// subjectAltName with the GeneralNames DER given, as an extension.
pub fn san(general_names: Vec<u8>) -> Ext {
    (ObjectIdentifier::new_unwrap("2.5.29.17"), general_names)
}

/// Extension OIDs (RFC 5280 §4.2).
pub mod ext_oid {
    use super::ObjectIdentifier;
    pub const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
    pub const CERT_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
    pub const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
    pub const ISSUER_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.18");
    pub const CRL_DP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
    pub const AUTHORITY_INFO_ACCESS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
    /// id-kp-clientAuth.
    pub const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// id-qt-cps.
    pub const CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
    /// id-ad-ocsp.
    pub const OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
}

/// extKeyUsage's value: the purposes given.
pub fn ext_key_usage(purposes: &[ObjectIdentifier]) -> Result<Vec<u8>, Error> {
    ExtendedKeyUsage(purposes.to_vec()).to_der().map_err(err)
}

/// certificatePolicies' value: one policy (dotted OID) with a CPS URI.
pub fn policy_with_cps(policy: &str, cps_uri: &str) -> Result<Vec<u8>, Error> {
    let qualifier = PolicyQualifierInfo {
        policy_qualifier_id: ext_oid::CPS,
        qualifier: Some(Any::encode_from(&Ia5StringRef::new(cps_uri).map_err(err)?).map_err(err)?),
    };
    let info = PolicyInformation {
        policy_identifier: ObjectIdentifier::new(policy).map_err(err)?,
        policy_qualifiers: Some(vec![qualifier]),
    };
    CertificatePolicies(vec![info]).to_der().map_err(err)
}

/// GeneralNames with one directoryName: the value of a subject or issuer
/// alternative name.
pub fn directory_name(n: &Name) -> Result<Vec<u8>, Error> {
    vec![GeneralName::DirectoryName(n.clone())]
        .to_der()
        .map_err(err)
}

/// cRLDistributionPoints' value: one point whose full name is a directory
/// name.
pub fn crl_dp_directory(n: &Name) -> Result<Vec<u8>, Error> {
    let dp = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::DirectoryName(n.clone()),
        ])),
        reasons: None,
        crl_issuer: None,
    };
    CrlDistributionPoints(vec![dp]).to_der().map_err(err)
}

/// authorityInfoAccess' value: one OCSP responder URI.
pub fn ocsp_access(uri: &str) -> Result<Vec<u8>, Error> {
    let ad = AccessDescription {
        access_method: ext_oid::OCSP,
        access_location: GeneralName::UniformResourceIdentifier(
            der::asn1::Ia5String::new(uri).map_err(err)?,
        ),
    };
    AuthorityInfoAccessSyntax(vec![ad]).to_der().map_err(err)
}
