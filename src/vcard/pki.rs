//! The virtual card's test PKI: two CAs (signature, user authentication)
//! named like the JPKI CAs, and end-entity certificates shaped like the real
//! ones (card-protocol.md §10), generated from the profile so that any
//! validity can be tested. The keys are the public test keys in
//! `fixtures/keys/` — TEST ONLY. Generation is deterministic (RSA PKCS#1
//! v1.5 and RFC 6979 ECDSA signatures, fixed serials and dates): the same
//! profile always gives the same bytes.

use super::profile::{Algorithm, CertSpec, Profile, ProfileError};
use super::shape::{self, Purpose};
use crate::protocol::certgen::{self, name, Basic, Key, KeyUsages, Params, Text};
use crate::protocol::oids;
use crate::protocol::tlv as der;
use crate::rules;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use time::{Date, OffsetDateTime};

pub const SIGN_CA_KEY: &str = include_str!("../../fixtures/keys/sign-ca.pem");
pub const AUTH_CA_KEY: &str = include_str!("../../fixtures/keys/auth-ca.pem");
pub const SIGN_EE_KEY: &str = include_str!("../../fixtures/keys/sign-ee.pem");
pub const AUTH_EE_KEY: &str = include_str!("../../fixtures/keys/auth-ee.pem");
pub const TEXT_AP_KEY: &str = include_str!("../../fixtures/keys/text-ap.pem");
pub const SURFACE_AP_KEY: &str = include_str!("../../fixtures/keys/surface-ap.pem");
pub const SURFACE_CHIP_KEY: &str = include_str!("../../fixtures/keys/surface-chip.pem");
pub const CV_CA_KEY: &str = include_str!("../../fixtures/keys/cv-ca.pem");
pub const OTHER_CA_KEY: &str = include_str!("../../fixtures/keys/other-ca.pem");
pub const SIGN_CA_P384_KEY: &str = include_str!("../../fixtures/keys/sign-ca-p384.pem");
pub const AUTH_CA_P384_KEY: &str = include_str!("../../fixtures/keys/auth-ca-p384.pem");
pub const SIGN_EE_P384_KEY: &str = include_str!("../../fixtures/keys/sign-ee-p384.pem");
pub const AUTH_EE_P384_KEY: &str = include_str!("../../fixtures/keys/auth-ee-p384.pem");

pub use crate::protocol::SHA256_DIGEST_INFO;

/// The certificates of a virtual card's PKI. The keys are constants
/// ([`TestKey`]): parsed the first time they sign, so a card built from a
/// kept image (`image.rs`) never parses one just to answer reads.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pki {
    #[serde(with = "serde_bytes")]
    pub sign_ca: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub auth_ca: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub sign_cert: Option<Vec<u8>>,
    #[serde(with = "serde_bytes")]
    pub auth_cert: Option<Vec<u8>>,
}

/// One public test key (RSA or P-384), parsed once per process on first use.
pub struct TestKey {
    pem: &'static str,
    name: &'static str,
    key: OnceLock<Option<Key>>,
}

impl TestKey {
    const fn new(pem: &'static str, name: &'static str) -> TestKey {
        TestKey {
            pem,
            name,
            key: OnceLock::new(),
        }
    }

    pub fn key(&self) -> Result<&Key, ProfileError> {
        self.key
            .get_or_init(|| Key::from_pkcs8_pem(self.pem))
            .as_ref()
            .ok_or_else(|| ProfileError(format!("test key {} does not parse", self.name)))
    }

    pub fn rsa(&self) -> Result<&RsaPrivateKey, ProfileError> {
        self.key()?
            .rsa()
            .ok_or_else(|| ProfileError(format!("test key {} is not RSA", self.name)))
    }
}

pub static SIGN_CA: TestKey = TestKey::new(SIGN_CA_KEY, "sign-ca");
pub static AUTH_CA: TestKey = TestKey::new(AUTH_CA_KEY, "auth-ca");
pub static OTHER_CA: TestKey = TestKey::new(OTHER_CA_KEY, "other-ca");
pub static SIGN_EE: TestKey = TestKey::new(SIGN_EE_KEY, "sign-ee");
pub static AUTH_EE: TestKey = TestKey::new(AUTH_EE_KEY, "auth-ee");
pub static TEXT_AP: TestKey = TestKey::new(TEXT_AP_KEY, "text-ap");
pub static SURFACE_AP: TestKey = TestKey::new(SURFACE_AP_KEY, "surface-ap");
/// The 券面AP's card key (`001A`, in `DF24`): signs challenges.
pub static SURFACE_CHIP: TestKey = TestKey::new(SURFACE_CHIP_KEY, "surface-chip");
pub static CV_CA: TestKey = TestKey::new(CV_CA_KEY, "cv-ca");
pub static SIGN_CA_P384: TestKey = TestKey::new(SIGN_CA_P384_KEY, "sign-ca-p384");
pub static AUTH_CA_P384: TestKey = TestKey::new(AUTH_CA_P384_KEY, "auth-ca-p384");
pub static SIGN_EE_P384: TestKey = TestKey::new(SIGN_EE_P384_KEY, "sign-ee-p384");
pub static AUTH_EE_P384: TestKey = TestKey::new(AUTH_EE_P384_KEY, "auth-ee-p384");

fn gen_err(e: certgen::Error) -> ProfileError {
    ProfileError(e.to_string())
}

fn at(date: Date, h: u8) -> OffsetDateTime {
    date.with_hms(h, 0, 0)
        .map(|d| d.assume_offset(rules::JST))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn ca_params(
    purpose: Purpose,
    serial: u64,
    from: Date,
    until: Date,
) -> Result<Params, ProfileError> {
    let mut p = Params::new(
        &serial.to_be_bytes(),
        shape::ca_dn(purpose)?,
        at(from, 9),
        rules::end_of_day_jst(until),
    );
    p.basic = Basic::Ca(None);
    p.key_usage = KeyUsages::KeyCertSign | KeyUsages::CRLSign;
    p.layout = Some(shape::ca_layout(purpose)?);
    Ok(p)
}

/// One SAN otherName: `[0] IMPLICIT SEQUENCE { OID, [0] EXPLICIT UTF8String }`.
fn other_name(arc: u64, value: &str) -> Vec<u8> {
    let oid = der::oid(&oids::attribute(arc));
    let val = der::tlv(&[0xA0], &der::utf8(value));
    der::tlv(&[0xA0], &[oid, val].concat())
}

/// The era code of the J-LIS date-of-birth form `EYYYYMMDD` (1 明治,
/// 2 大正, 3 昭和, 4 平成, 5 令和).
pub fn era_code(d: Date) -> char {
    rules::era_of(d).map(|e| e.code).unwrap_or('0')
}

/// The holder attributes of the signature certificate (card-protocol.md
/// §10.2): name, name substitute flags, sex, date of birth, address,
/// address substitute flags — written in the test card's order (`.1`, `.4`,
/// `.3`, `.5`, `.2`, `.6`: `jpki-sign-cert.der`). The subjectAltName's value.
fn holder_san(p: &Profile, c: &CertSpec) -> Vec<u8> {
    let b = p.holder.birth_date;
    let dob = format!(
        "{}{:04}{:02}{:02}",
        era_code(b),
        b.year(),
        b.month() as u8,
        b.day()
    );
    let zeros = |s: &str| "0".repeat(s.chars().count());
    let names = [
        other_name(1, &c.name),
        other_name(4, &dob),
        other_name(3, &p.holder.sex),
        other_name(5, &c.address),
        other_name(
            2,
            &c.name_substitutes.clone().unwrap_or_else(|| zeros(&c.name)),
        ),
        other_name(
            6,
            &c.address_substitutes
                .clone()
                .unwrap_or_else(|| zeros(&c.address)),
        ),
    ];
    der::tlv(&[0x30], &names.concat())
}

/// A card-unique subject CN shaped like the test card's opaque identifiers:
/// `997794E9AGCIEG13221003A` (user authentication: 8 hex digits, `AGCIEG`,
/// the municipality, `003A`) and `202510161726000013413221003A`
/// (signature: 21 digits beginning with a date — on the test card eleven
/// days before issue, here the issue date — the municipality, `003A`). The meaning of the parts is not published; only
/// their form is copied.
fn subject_cn(p: &Profile, c: &CertSpec, purpose: &str) -> String {
    let h = Sha256::digest(format!("{purpose}:{}", p.card.serial));
    if purpose == "auth" {
        return format!(
            "{}AGCIEG{}003A",
            hex::encode_upper(&h[..4]),
            p.card.municipality
        );
    }
    let digits: String = h
        .iter()
        .take(11)
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    format!(
        "{:04}{:02}{:02}{digits}{}003A",
        c.issued.year(),
        c.issued.month() as u8,
        c.issued.day(),
        p.card.municipality
    )
}

impl Pki {
    pub fn generate(p: &Profile) -> Result<Pki, ProfileError> {
        let [sign_ca_key, auth_ca_key, sign_ee, auth_ee] = match p.card.algorithm {
            Algorithm::Rsa2048 => [&SIGN_CA, &AUTH_CA, &SIGN_EE, &AUTH_EE],
            Algorithm::EcdsaP384 => [&SIGN_CA_P384, &AUTH_CA_P384, &SIGN_EE_P384, &AUTH_EE_P384],
        }
        .map(TestKey::key);
        let (sign_ca_key, auth_ca_key, sign_ee, auth_ee) =
            (sign_ca_key?, auth_ca_key?, sign_ee?, auth_ee?);
        let other_key = OTHER_CA.key()?;
        // The CAs cover their certificates (the 2023 generation's dates
        // unless the profile's certificates reach further).
        let mut from = time::macros::date!(2023 - 07 - 16);
        let mut until = time::macros::date!(2033 - 07 - 15);
        for c in [&p.auth_cert, &p.sign_cert] {
            from = from.min(
                c.issued
                    .replace_year(c.issued.year() - 1)
                    .unwrap_or(c.issued),
            );
            until = until.max(
                c.expires
                    .replace_year(c.expires.year() + 1)
                    .unwrap_or(c.expires),
            );
        }
        let sign_ca_p = ca_params(Purpose::Sign, 0x7E57_0001, from, until)?;
        let auth_ca_p = ca_params(Purpose::Auth, 0x7E57_0002, from, until)?;
        let sign_ca = sign_ca_p.self_signed(sign_ca_key).map_err(gen_err)?;
        let auth_ca = auth_ca_p.self_signed(auth_ca_key).map_err(gen_err)?;

        let ee = |c: &CertSpec,
                  purpose: &str,
                  ca_p: &Params,
                  ca_key: &Key,
                  key: &Key|
         -> Result<Option<Vec<u8>>, ProfileError> {
            if !c.present {
                return Ok(None);
            }
            let cn = subject_cn(p, c, purpose);
            let locality = ("Tokyo-to", "Kiyose-shi");
            let mut dn = vec![("C", "JP")];
            if purpose == "sign" {
                // The signature certificate names the locality; the auth one does not.
                dn.extend([("L", locality.0), ("L", locality.1)]);
            }
            dn.push(("CN", &cn));
            let mut e = Params::new(
                &c.serial.to_be_bytes(),
                name(&dn, Text::Jpki).map_err(gen_err)?,
                at(c.issued, 10),
                rules::end_of_day_jst(c.expires),
            );
            e.layout = Some(if purpose == "sign" {
                e.key_usage = KeyUsages::DigitalSignature | KeyUsages::NonRepudiation;
                let san = Some(holder_san(p, c));
                shape::ee_layout(Purpose::Sign, oids::SIGN_CLASS20_POLICY, san, locality)?
            } else {
                e.key_usage = KeyUsages::DigitalSignature.into();
                shape::ee_layout(Purpose::Auth, oids::AUTH_CLASS30_POLICY, None, locality)?
            });
            // "wrong_issuer": same issuer name, signed by an unrelated key.
            let signer = if c.wrong_issuer { other_key } else { ca_key };
            e.signed_by(key, ca_p, signer).map(Some).map_err(gen_err)
        };
        let sign_cert = ee(&p.sign_cert, "sign", &sign_ca_p, sign_ca_key, sign_ee)?;
        let mut auth_cert = ee(&p.auth_cert, "auth", &auth_ca_p, auth_ca_key, auth_ee)?;
        if p.faults.corrupt_auth_cert {
            if let Some(c) = auth_cert.as_mut() {
                // Inside the signature value: parses, never verifies.
                let n = c.len();
                if n > 20 {
                    c[n - 10] ^= 0x5A;
                }
            }
        }
        Ok(Pki {
            sign_ca,
            auth_ca,
            sign_cert,
            auth_cert,
        })
    }

    /// The user-authentication certificate (empty when the profile has none).
    pub fn auth_cert_der(&self) -> &[u8] {
        self.auth_cert.as_deref().unwrap_or_default()
    }

    pub fn sign_cert_der(&self) -> &[u8] {
        self.sign_cert.as_deref().unwrap_or_default()
    }
}

/// RSA PKCS#1 v1.5 signature (type-1 padding) of `data` as given — the
/// card's `80 2A 00 80` takes a DigestInfo and pads it.
pub fn sign_raw(key: &TestKey, data: &[u8]) -> Option<Vec<u8>> {
    key.rsa()
        .ok()?
        .sign(Pkcs1v15Sign::new_unprefixed(), data)
        .ok()
}

/// RSA PKCS#1 v1.5 with SHA-256 over `data`.
pub fn sign_sha256(key: &TestKey, data: &[u8]) -> Option<Vec<u8>> {
    key.rsa()
        .ok()?
        .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    use rsa::RsaPublicKey;
    use x509_parser::prelude::*;

    /// Whether `ca`'s key signed `cert`: RSA PKCS#1 v1.5 SHA-256 or ECDSA
    /// P-384 SHA-384, the test PKI's two kinds.
    fn signed_by(cert: &[u8], ca: &[u8]) -> bool {
        let (_, x) = X509Certificate::from_der(cert).unwrap();
        let (_, ca) = X509Certificate::from_der(ca).unwrap();
        assert_eq!(x.issuer(), ca.subject());
        let (tbs, sig) = (x.tbs_certificate.as_ref(), &x.signature_value.data);
        let spki = ca.public_key().raw;
        if let Ok(k) = RsaPublicKey::from_public_key_der(spki) {
            let digest = Sha256::digest(tbs);
            return k
                .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, sig)
                .is_ok();
        }
        let k = p384::ecdsa::VerifyingKey::from_public_key_der(spki).unwrap();
        let Ok(s) = p384::ecdsa::Signature::from_der(sig) else {
            return false;
        };
        signature::Verifier::verify(&k, tbs, &s).is_ok()
    }

    #[test]
    fn certificates_follow_the_profile_and_verify() {
        let p = Profile::builtin();
        let pki = Pki::generate(&p).unwrap();
        let (_, auth) = X509Certificate::from_der(pki.auth_cert_der()).unwrap();
        let (_, ca) = X509Certificate::from_der(&pki.auth_ca).unwrap();
        assert!(signed_by(pki.auth_cert_der(), &pki.auth_ca));
        assert!(signed_by(pki.sign_cert_der(), &pki.sign_ca));
        assert!(signed_by(&pki.auth_ca, &pki.auth_ca));
        assert!(ca.is_ca());
        let na = rules::jst_date(auth.validity().not_after.to_datetime());
        assert_eq!(na, p.auth_cert.expires);
        assert_eq!(
            auth.validity()
                .not_after
                .to_datetime()
                .to_offset(::time::UtcOffset::UTC)
                .hour(),
            14
        );
        assert!(ca
            .subject()
            .to_string()
            .contains("JPKI for user authentication"));
        // Deterministic.
        let again = Pki::generate(&p).unwrap();
        assert_eq!(again.auth_cert, pki.auth_cert);
        assert_eq!(again.sign_cert, pki.sign_cert);
        // The card's key matches the certificate.
        let pk = RsaPublicKey::from(AUTH_EE.rsa().unwrap());
        match auth.public_key().parsed().unwrap() {
            x509_parser::public_key::PublicKey::RSA(k) => {
                let m: Vec<u8> = k.modulus.iter().copied().skip_while(|b| *b == 0).collect();
                assert_eq!(m, pk.n().to_bytes_be());
            }
            _ => panic!("not RSA"),
        }
        assert_eq!(pk.n().bits(), 2048);
    }

    #[test]
    fn signature_certificate_carries_the_holder_attributes() {
        let p = Profile::builtin();
        let pki = Pki::generate(&p).unwrap();
        let der = pki.sign_cert_der();
        // The name in UTF-8 (with U+3000) sits inside an otherName.
        let name = "黒桐\u{3000}幹也".as_bytes();
        assert!(der.windows(name.len()).any(|w| w == name));
        let dob = b"319800217";
        assert!(der.windows(dob.len()).any(|w| w == dob));
        let (_, c) = X509Certificate::from_der(der).unwrap();
        assert!(c.subject().to_string().contains("Kiyose-shi"));
    }

    #[test]
    fn wrong_issuer_does_not_verify() {
        let p = Profile::from_toml(&super::super::profile::BUILTIN_PROFILE_TOML.replace(
            "[certificates.auth]",
            "[certificates.auth]\nwrong_issuer = true",
        ))
        .unwrap();
        let pki = Pki::generate(&p).unwrap();
        assert!(!signed_by(pki.auth_cert_der(), &pki.auth_ca));
    }

    #[test]
    fn p384_certificates_verify_and_are_the_same_every_time() {
        let p =
            Profile::from_toml("base = \"builtin\"\n[card]\nalgorithm = \"ecdsa-p384\"").unwrap();
        let pki = Pki::generate(&p).unwrap();
        for (cert, ca) in [
            (pki.auth_cert_der(), &pki.auth_ca),
            (pki.sign_cert_der(), &pki.sign_ca),
            (&pki.auth_ca, &pki.auth_ca),
            (&pki.sign_ca, &pki.sign_ca),
        ] {
            assert!(signed_by(cert, ca));
        }
        let (_, auth) = X509Certificate::from_der(pki.auth_cert_der()).unwrap();
        assert_eq!(
            auth.signature_algorithm.algorithm.to_id_string(),
            "1.2.840.10045.4.3.3"
        );
        // RFC 6979: no random nonce.
        assert!(Pki::generate(&p).unwrap() == pki);
        // A changed byte of the signature does not verify.
        let mut bad = pki.auth_cert_der().to_vec();
        let n = bad.len();
        bad[n - 5] ^= 0x01;
        assert!(!signed_by(&bad, &pki.auth_ca));
    }
}
