//! Test certificates made with rcgen from the public test keys in
//! `fixtures/keys/` (test-only, never secret), and a DER builder for
//! hand-written extensions.

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, SerialNumber, PKCS_RSA_SHA256,
};
use std::sync::OnceLock;
use time::macros::datetime;
use time::OffsetDateTime;

pub(crate) fn key(name: &str) -> KeyPair {
    let pem = match name {
        "sign-ca" => include_str!("../../fixtures/keys/sign-ca.pem"),
        "auth-ca" => include_str!("../../fixtures/keys/auth-ca.pem"),
        "sign-ee" => include_str!("../../fixtures/keys/sign-ee.pem"),
        "auth-ee" => include_str!("../../fixtures/keys/auth-ee.pem"),
        _ => include_str!("../../fixtures/keys/other-ca.pem"),
    };
    KeyPair::from_pkcs8_pem_and_sign_algo(pem, &PKCS_RSA_SHA256).expect("test key")
}

// --- DER builder (X.690) for hand-written extension values ---

pub(crate) use crate::protocol::tlv::{oid, seq, utf8};

/// A TLV with a one-byte tag.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    crate::protocol::tlv::tlv(&[tag], content)
}

/// otherName `[0] IMPLICIT SEQUENCE { OID, [0] EXPLICIT value }`.
pub(crate) fn other_name(attr: u64, value: Vec<u8>) -> Vec<u8> {
    let id = oid(&crate::protocol::oids::attribute(attr));
    tlv(0xA0, &[id, tlv(0xA0, &value)].concat())
}

pub(crate) const NAME: &str = "吉田\u{3000}一郎";
pub(crate) const NAME_FLAGS: &str = "10000";
pub(crate) const ADDRESS: &str = "東京都千代田区霞が関２丁目１番２号";
pub(crate) const DOB: &str = "319800217";

/// The six JPKI holder attributes, as a JPKI signature certificate would
/// carry them, plus a DNS name to be skipped.
pub(crate) fn holder_san() -> Vec<u8> {
    seq(&[
        tlv(0x82, b"example.invalid"),
        other_name(1, utf8(NAME)),
        other_name(2, utf8(NAME_FLAGS)),
        other_name(3, utf8("1")),
        other_name(4, utf8(DOB)),
        other_name(5, utf8(ADDRESS)),
        other_name(6, utf8(&"0".repeat(ADDRESS.chars().count()))),
    ])
}

fn policies(arcs: &[u64]) -> CustomExtension {
    CustomExtension::from_oid_content(&[2, 5, 29, 32], seq(&[seq(&[oid(arcs)])]))
}

pub(crate) fn san(der: Vec<u8>) -> CustomExtension {
    CustomExtension::from_oid_content(&[2, 5, 29, 17], der)
}

/// `C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for
/// Local Authority Information Systems` (card-protocol.md §10.1). rcgen
/// keeps one value per type, so the second OU goes in by its OID.
pub(crate) fn jpki_dn(ou: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "JP");
    dn.push(DnType::OrganizationName, "JPKI");
    dn.push(DnType::OrganizationalUnitName, ou);
    dn.push(
        DnType::CustomDnType(vec![2, 5, 4, 11]),
        "Japan Agency for Local Authority Information Systems",
    );
    dn
}

pub(crate) const AUTH_OU: &str = "JPKI for user authentication";

pub(crate) fn ca_params(dn: DistinguishedName, is_ca: IsCa) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.is_ca = is_ca;
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = datetime!(2023-07-16 01:01:04 UTC);
    p.not_after = datetime!(2033-07-15 14:59:59 UTC);
    p.serial_number = Some(SerialNumber::from_slice(&[0x06, 0xD1, 0x80, 0x06]));
    p
}

pub(crate) fn ee_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "JP");
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.use_authority_key_identifier_extension = true;
    p.not_before = datetime!(2025-10-27 00:00:00 UTC);
    p.not_after = datetime!(2030-02-17 14:59:59 UTC);
    // High bit set: DER adds a 00 sign octet that the report drops.
    p.serial_number = Some(SerialNumber::from_slice(&[0x9A, 0xBC, 0x01]));
    p
}

/// Signs `params` (public key of `ee_key`) with `issuer_params` + `issuer_key`.
pub(crate) fn sign(
    params: &CertificateParams,
    ee_key: &KeyPair,
    issuer_params: &CertificateParams,
    issuer_key: &KeyPair,
) -> Vec<u8> {
    let issuer = Issuer::from_params(issuer_params, issuer_key);
    params
        .signed_by(ee_key, &issuer)
        .expect("sign")
        .der()
        .to_vec()
}

pub(crate) struct Fixtures {
    pub ca: Vec<u8>,
    /// Same DN as `ca`, other key.
    pub other_ca: Vec<u8>,
    pub auth_ee: Vec<u8>,
    pub sign_ee: Vec<u8>,
    /// Signed by other-ca.pem under `ca`'s DN.
    pub bad_sig_ee: Vec<u8>,
    /// Issued by a CA with another DN.
    pub unknown_issuer_ee: Vec<u8>,
    pub expired_ee: Vec<u8>,
    pub not_yet_ee: Vec<u8>,
    /// CA:FALSE certificate and an EE it signed.
    pub not_ca: Vec<u8>,
    pub under_not_ca_ee: Vec<u8>,
    /// CA:TRUE without keyCertSign, and an EE it signed.
    pub no_certsign_ca: Vec<u8>,
    pub under_no_certsign_ee: Vec<u8>,
}

pub(crate) fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(build)
}

pub(crate) fn ca_key_and_params() -> (KeyPair, CertificateParams) {
    (
        key("auth-ca"),
        ca_params(jpki_dn(AUTH_OU), IsCa::Ca(BasicConstraints::Constrained(0))),
    )
}

/// An EE with the given SAN value, signed by the test CA.
pub(crate) fn ee_with_san(san_der: Vec<u8>) -> Vec<u8> {
    let (ca_key, ca_p) = ca_key_and_params();
    let mut p = ee_params("san test");
    p.custom_extensions.push(san(san_der));
    sign(&p, &key("sign-ee"), &ca_p, &ca_key)
}

fn build() -> Fixtures {
    let (ca_key, ca_p) = ca_key_and_params();
    let ca = ca_p.self_signed(&ca_key).expect("ca").der().to_vec();
    let other_key = key("other-ca");
    let other_ca = ca_p.self_signed(&other_key).expect("other").der().to_vec();

    let auth_key = key("auth-ee");
    let mut auth_p = ee_params("997794E9AGCIEG13221003A");
    auth_p
        .custom_extensions
        .push(policies(&crate::protocol::oids::arcs(
            crate::protocol::oids::AUTH_CLASS30_POLICY,
        )));
    let auth_ee = sign(&auth_p, &auth_key, &ca_p, &ca_key);

    let sign_key = key("sign-ee");
    let mut sign_p = ee_params("Test sign User");
    sign_p
        .distinguished_name
        .push(DnType::LocalityName, "Kiyose-shi");
    sign_p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    sign_p.custom_extensions.push(san(holder_san()));
    let sign_ee = sign(&sign_p, &sign_key, &ca_p, &ca_key);

    let bad_sig_ee = sign(&auth_p, &auth_key, &ca_p, &other_key);

    let mut stranger = ca_params(
        jpki_dn("JPKI for digital signature"),
        IsCa::Ca(BasicConstraints::Unconstrained),
    );
    stranger.serial_number = Some(SerialNumber::from_slice(&[1]));
    let unknown_issuer_ee = sign(&auth_p, &auth_key, &stranger, &key("sign-ca"));

    let with_dates = |nb: OffsetDateTime, na: OffsetDateTime| {
        let mut p = ee_params("dated");
        p.not_before = nb;
        p.not_after = na;
        sign(&p, &auth_key, &ca_p, &ca_key)
    };
    let expired_ee = with_dates(
        datetime!(2015-10-20 00:00:00 UTC),
        datetime!(2020-02-17 14:59:59 UTC),
    );
    let not_yet_ee = with_dates(
        datetime!(2031-01-01 00:00:00 UTC),
        datetime!(2032-02-17 14:59:59 UTC),
    );

    let mut nc_dn = DistinguishedName::new();
    nc_dn.push(DnType::CommonName, "not a CA");
    let nc_p = ca_params(nc_dn, IsCa::ExplicitNoCa);
    let nc_key = key("sign-ca");
    let not_ca = nc_p.self_signed(&nc_key).expect("nc").der().to_vec();
    let under_not_ca_ee = sign(&ee_params("under"), &auth_key, &nc_p, &nc_key);

    let mut ku_dn = DistinguishedName::new();
    ku_dn.push(DnType::CommonName, "CA without keyCertSign");
    let mut ku_p = ca_params(ku_dn, IsCa::Ca(BasicConstraints::Unconstrained));
    ku_p.key_usages = vec![KeyUsagePurpose::CrlSign];
    let no_certsign_ca = ku_p.self_signed(&nc_key).expect("ku").der().to_vec();
    let under_no_certsign_ee = sign(&ee_params("under ku"), &auth_key, &ku_p, &nc_key);

    Fixtures {
        ca,
        other_ca,
        auth_ee,
        sign_ee,
        bad_sig_ee,
        unknown_issuer_ee,
        expired_ee,
        not_yet_ee,
        not_ca,
        under_not_ca_ee,
        no_certsign_ca,
        under_no_certsign_ee,
    }
}

pub(crate) fn to_pem(der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}
