//! The real certificates' shape: which extensions the virtual card's
//! certificates carry, in which order, with which contents. Every fact is
//! read off the certificates of a physical JPKI test card (myna-card 3.3.4
//! `tests/fixtures/`, copied to `fixtures/jpki-test-card/`):
//! `openssl x509 -text -inform DER` and `openssl asn1parse` of
//! `jpki-auth-cert.der`, `jpki-sign-cert.der`, `jpki-auth-ca-cert.der` and
//! `jpki-sign-ca-cert.der`. Where the test card names its test hierarchy
//! (`O=JPKI-TEST`), ours writes the CA's own name (`O=JPKI`, the production
//! pattern, card-protocol.md §10.1); every URL points at a reserved
//! `.invalid` host (RFC 2606), so nothing that follows one leaves the machine.

use super::profile::ProfileError;
use crate::protocol::certgen::{self, ext_oid, name, Name, Piece, Text};

/// The CPS URI of the certificate policies (the test card's:
/// `http://www.jpki.go.jp/cps.html`).
pub const CPS_URI: &str = "http://www.jpki.invalid/cps.html";
/// The OCSP responder of the user-authentication certificate (the test
/// card's: `http://test-ocspauthnorm.jpki.go.jp`).
pub const OCSP_URI: &str = "http://ocspauthnorm.jpki.invalid";

/// The two purposes of the JPKI hierarchy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Purpose {
    Sign,
    Auth,
}

impl Purpose {
    /// The OU of the CA's name (card-protocol.md §10.1).
    pub fn ou(self) -> &'static str {
        match self {
            Purpose::Sign => "JPKI for digital signature",
            Purpose::Auth => "JPKI for user authentication",
        }
    }

    /// The OU of the Japanese alternative name (test card: issuerAltName of
    /// both end-entity certificates, subjectAltName of both CAs).
    fn ou_ja(self) -> &'static str {
        match self {
            Purpose::Sign => "公的個人認証サービス署名用",
            Purpose::Auth => "公的個人認証サービス利用者証明用",
        }
    }
}

fn gen_err(e: certgen::Error) -> ProfileError {
    ProfileError(e.to_string())
}

/// `C=JP, O=JPKI, OU=<purpose>, OU=Japan Agency for Local Authority
/// Information Systems` (card-protocol.md §10.1), C as PrintableString and
/// the rest as UTF8String, as on the test card and J-LIS's roots.
pub fn ca_dn(purpose: Purpose) -> Result<Name, ProfileError> {
    name(
        &[
            ("C", "JP"),
            ("O", "JPKI"),
            ("OU", purpose.ou()),
            ("OU", "Japan Agency for Local Authority Information Systems"),
        ],
        Text::Jpki,
    )
    .map_err(gen_err)
}

/// `C=JP, O=公的個人認証サービス, OU=公的個人認証サービス{署名用|利用者証明用},
/// OU=地方公共団体情報システム機構` (test card: issuerAltName, CA subjectAltName).
fn japanese_dn(purpose: Purpose) -> Result<Name, ProfileError> {
    name(
        &[
            ("C", "JP"),
            ("O", "公的個人認証サービス"),
            ("OU", purpose.ou_ja()),
            ("OU", "地方公共団体情報システム機構"),
        ],
        Text::Jpki,
    )
    .map_err(gen_err)
}

/// The CRL distribution point of an end-entity certificate, a directory
/// name per municipality (test card: `C=JP, O=JPKI-TEST, OU=JPKI for user
/// authentication, OU=CRL Distribution Points, OU=Tokyo-to, CN=Kiyose-shi
/// CRLDP`).
fn crl_dp_dn(purpose: Purpose, prefecture: &str, city: &str) -> Result<Name, ProfileError> {
    let cn = format!("{city} CRLDP");
    name(
        &[
            ("C", "JP"),
            ("O", "JPKI"),
            ("OU", purpose.ou()),
            ("OU", "CRL Distribution Points"),
            ("OU", prefecture),
            ("CN", &cn),
        ],
        Text::Jpki,
    )
    .map_err(gen_err)
}

fn other(oid: certgen::ObjectIdentifier, critical: bool, value: Vec<u8>) -> Piece {
    Piece::Other(oid, critical, value)
}

/// A CA certificate's extensions, in the test card's CAs' order:
/// keyUsage (critical), subjectAltName (the Japanese name), basicConstraints
/// (critical), cRLDistributionPoints (the CA's own name),
/// subjectKeyIdentifier.
pub fn ca_layout(purpose: Purpose) -> Result<Vec<Piece>, ProfileError> {
    let alt = certgen::directory_name(&japanese_dn(purpose)?).map_err(gen_err)?;
    let dp = certgen::crl_dp_directory(&ca_dn(purpose)?).map_err(gen_err)?;
    Ok(vec![
        Piece::KeyUsage,
        other(ext_oid::SUBJECT_ALT_NAME, false, alt),
        Piece::BasicConstraints,
        other(ext_oid::CRL_DP, false, dp),
        Piece::SubjectKeyId,
    ])
}

/// An end-entity certificate's extensions, in the test card's order.
/// User authentication (`jpki-auth-cert.der`): keyUsage (critical),
/// extKeyUsage clientAuth, certificatePolicies (critical, with the CPS),
/// issuerAltName, cRLDistributionPoints, authorityInfoAccess (OCSP),
/// authorityKeyIdentifier (key id, issuer name and serial),
/// subjectKeyIdentifier. Signature (`jpki-sign-cert.der`): keyUsage
/// (critical), subjectAltName (`holder`, the JPKI holder attributes),
/// certificatePolicies, issuerAltName, cRLDistributionPoints,
/// authorityKeyIdentifier, subjectKeyIdentifier — no extKeyUsage, no
/// authorityInfoAccess.
pub fn ee_layout(
    purpose: Purpose,
    policy: &str,
    holder: Option<Vec<u8>>,
    locality: (&str, &str),
) -> Result<Vec<Piece>, ProfileError> {
    let policies = certgen::policy_with_cps(policy, CPS_URI).map_err(gen_err)?;
    let ian = certgen::directory_name(&japanese_dn(purpose)?).map_err(gen_err)?;
    let dp = crl_dp_dn(purpose, locality.0, locality.1)?;
    let dp = certgen::crl_dp_directory(&dp).map_err(gen_err)?;
    let mut l = vec![Piece::KeyUsage];
    if purpose == Purpose::Auth {
        let eku = certgen::ext_key_usage(&[ext_oid::CLIENT_AUTH]).map_err(gen_err)?;
        l.push(other(ext_oid::EXT_KEY_USAGE, false, eku));
    }
    if let Some(san) = holder {
        l.push(other(ext_oid::SUBJECT_ALT_NAME, false, san));
    }
    l.push(other(ext_oid::CERT_POLICIES, true, policies));
    l.push(other(ext_oid::ISSUER_ALT_NAME, false, ian));
    l.push(other(ext_oid::CRL_DP, false, dp));
    if purpose == Purpose::Auth {
        let aia = certgen::ocsp_access(OCSP_URI).map_err(gen_err)?;
        l.push(other(ext_oid::AUTHORITY_INFO_ACCESS, false, aia));
    }
    l.push(Piece::AuthorityKeyId { full: true });
    l.push(Piece::SubjectKeyId);
    Ok(l)
}
