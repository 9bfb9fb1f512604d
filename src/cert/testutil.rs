//! Test certificates made with `protocol::certgen` from the public test
//! keys in `fixtures/keys/` (test-only, never secret), and a DER builder for
//! hand-written extensions.

use crate::protocol::certgen::{self, Basic, Ext, Key, KeyUsages, Name, Params, Text};
use std::sync::OnceLock;
use time::macros::datetime;
use time::OffsetDateTime;

pub(crate) fn key(name: &str) -> Key {
    let pem = match name {
        "sign-ca" => include_str!("../../fixtures/keys/sign-ca.pem"),
        "auth-ca" => include_str!("../../fixtures/keys/auth-ca.pem"),
        "sign-ee" => include_str!("../../fixtures/keys/sign-ee.pem"),
        "auth-ee" => include_str!("../../fixtures/keys/auth-ee.pem"),
        _ => include_str!("../../fixtures/keys/other-ca.pem"),
    };
    Key::from_pkcs8_pem(pem).expect("test key")
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

/// A name of UTF8Strings (what these fixtures have always carried).
pub(crate) fn dn(attrs: &[(&str, &str)]) -> Name {
    certgen::name(attrs, Text::Utf8).expect("name")
}

/// `C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for
/// Local Authority Information Systems` (card-protocol.md §10.1).
pub(crate) fn jpki_dn(ou: &str) -> Name {
    dn(&[
        ("C", "JP"),
        ("O", "JPKI"),
        ("OU", ou),
        ("OU", "Japan Agency for Local Authority Information Systems"),
    ])
}

pub(crate) const AUTH_OU: &str = "JPKI for user authentication";

pub(crate) fn ca_params(dn: Name, basic: Basic) -> Params {
    let mut p = Params::new(
        &[0x06, 0xD1, 0x80, 0x06],
        dn,
        datetime!(2023-07-16 01:01:04 UTC),
        datetime!(2033-07-15 14:59:59 UTC),
    );
    p.basic = basic;
    p.key_usage = KeyUsages::KeyCertSign | KeyUsages::CRLSign;
    p
}

pub(crate) fn ee_params(cn: &str) -> Params {
    // High bit set: DER adds a 00 sign octet that the report drops.
    let mut p = Params::new(
        &[0x9A, 0xBC, 0x01],
        dn(&[("C", "JP"), ("CN", cn)]),
        datetime!(2025-10-27 00:00:00 UTC),
        datetime!(2030-02-17 14:59:59 UTC),
    );
    p.basic = Basic::NotCa;
    p.key_usage = KeyUsages::DigitalSignature.into();
    p.authority_key_id = true;
    p
}

/// Signs `params` (public key of `ee_key`) with `issuer_params` + `issuer_key`.
pub(crate) fn sign(
    params: &Params,
    ee_key: &Key,
    issuer_params: &Params,
    issuer_key: &Key,
) -> Vec<u8> {
    params
        .signed_by(ee_key, issuer_params, issuer_key)
        .expect("sign")
}

fn self_signed(params: &Params, key: &Key) -> Vec<u8> {
    params.self_signed(key).expect("self-signed")
}

pub(crate) fn san(der: Vec<u8>) -> Ext {
    certgen::san(der)
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

pub(crate) fn ca_key_and_params() -> (Key, Params) {
    (
        key("auth-ca"),
        ca_params(jpki_dn(AUTH_OU), Basic::Ca(Some(0))),
    )
}

/// An EE with the given SAN value, signed by the test CA.
pub(crate) fn ee_with_san(san_der: Vec<u8>) -> Vec<u8> {
    let (ca_key, ca_p) = ca_key_and_params();
    let mut p = ee_params("san test");
    p.extensions.push(san(san_der));
    sign(&p, &key("sign-ee"), &ca_p, &ca_key)
}

fn build() -> Fixtures {
    let (ca_key, ca_p) = ca_key_and_params();
    let ca = self_signed(&ca_p, &ca_key);
    let other_key = key("other-ca");
    let other_ca = self_signed(&ca_p, &other_key);

    let auth_key = key("auth-ee");
    let mut auth_p = ee_params("997794E9AGCIEG13221003A");
    auth_p.extensions.push(certgen::policies(
        crate::protocol::oids::AUTH_CLASS30_POLICY,
    ));
    let auth_ee = sign(&auth_p, &auth_key, &ca_p, &ca_key);

    let sign_key = key("sign-ee");
    let mut sign_p = ee_params("Test sign User");
    sign_p.subject = dn(&[("C", "JP"), ("CN", "Test sign User"), ("L", "Kiyose-shi")]);
    sign_p.key_usage = KeyUsages::DigitalSignature | KeyUsages::NonRepudiation;
    sign_p.extensions.push(san(holder_san()));
    let sign_ee = sign(&sign_p, &sign_key, &ca_p, &ca_key);

    let bad_sig_ee = sign(&auth_p, &auth_key, &ca_p, &other_key);

    let mut stranger = ca_params(jpki_dn("JPKI for digital signature"), Basic::Ca(None));
    stranger.serial = vec![1];
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

    let nc_p = ca_params(dn(&[("CN", "not a CA")]), Basic::NotCa);
    let nc_key = key("sign-ca");
    let not_ca = self_signed(&nc_p, &nc_key);
    let under_not_ca_ee = sign(&ee_params("under"), &auth_key, &nc_p, &nc_key);

    let mut ku_p = ca_params(dn(&[("CN", "CA without keyCertSign")]), Basic::Ca(None));
    ku_p.key_usage = KeyUsages::CRLSign.into();
    let no_certsign_ca = self_signed(&ku_p, &nc_key);
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
