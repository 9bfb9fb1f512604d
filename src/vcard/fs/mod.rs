//! The virtual card's file system: every EF of the five applications with
//! the layouts of card-protocol.md §2 and §8, built from the profile and the
//! test PKI.

use super::pki::{self, Pki, TestKey, CV_CA, SURFACE_AP, TEXT_AP};
use super::profile::Profile;
use super::{App, KeyRef, SignKey};
use crate::protocol::files::{common, jpki, mf, surface, text};
use crate::protocol::tags::{self, cv, Tag2};
use crate::protocol::tlv::{len, tlv};
use crate::rules;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

mod images;

mod face_ap;
#[cfg(test)]
use face_ap::card_face;
use face_ap::surface_files;
pub use images::blank_png;
use images::photo_jp2;

/// Who may read an EF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    Free,
    /// After a VERIFY of any of these keys in the current power cycle.
    AnyOf(Vec<KeyRef>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Content {
    Binary(#[serde(with = "serde_bytes")] Vec<u8>),
    Records(Vec<Vec<u8>>),
    /// An IEF holding a PIN.
    Pin(KeyRef),
    /// A private-key EF (signs with `80 2A`).
    Key(SignKey),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ef {
    pub content: Content,
    pub read: Access,
}

pub type Files = BTreeMap<(App, u16), Ef>;

fn bin(data: Vec<u8>) -> Ef {
    Ef {
        content: Content::Binary(data),
        read: Access::Free,
    }
}

fn guarded(data: Vec<u8>, keys: &[KeyRef]) -> Ef {
    Ef {
        content: Content::Binary(data),
        read: Access::AnyOf(keys.to_vec()),
    }
}

fn pin_ef(k: KeyRef) -> Ef {
    Ef {
        content: Content::Pin(k),
        read: Access::Free,
    }
}

fn key_ef(k: SignKey) -> Ef {
    Ef {
        content: Content::Key(k),
        read: Access::Free,
    }
}

/// `90 03 <e> 91 82 01 00 <n>`: an RSA public key as the APs store it.
/// Empty if the test key does not parse (a build defect the tests catch).
pub fn rsa_pub(k: &TestKey) -> Vec<u8> {
    let Ok(k) = k.rsa() else {
        return Vec::new();
    };
    [
        tlv(&[cv::RSA_EXPONENT], &k.e().to_bytes_be()),
        tlv(&[cv::RSA_MODULUS], &k.n().to_bytes_be()),
    ]
    .concat()
}

/// A 16-byte CV key ID: 7 ASCII digits, `08 05`, 3 ASCII digits, 4 bytes of
/// padding (card-protocol.md §8.10). The test hierarchy's IDs start with 6.
fn key_id(id: &str, gen: &str) -> Vec<u8> {
    let mut v = id.as_bytes().to_vec();
    v.extend_from_slice(&[0x08, 0x05]);
    v.extend_from_slice(gen.as_bytes());
    v.extend_from_slice(&[0; 4]);
    v
}

/// A card-verifiable certificate `7F 21 { 5F 4E body, 5F 37 signature }`
/// certifying `subject_key`, signed by the CV CA key.
fn cv_cert(issuer: &[u8], subject: &[u8], subject_key: &TestKey) -> Vec<u8> {
    // The signature covers the body's value: the two IDs and the key
    // (myna-card `CardVerifiableCertificate::verify_with`).
    let signed = [issuer, subject, &rsa_pub(subject_key)].concat();
    let sig = pki::sign_sha256(&CV_CA, &signed).unwrap_or_default();
    let body = tlv(&cv::BODY, &signed);
    tlv(&cv::CERT, &[body, tlv(&cv::SIGNATURE, &sig)].concat())
}

/// An `FF xx` record whose first child is a `DF yy` table of u16 offsets
/// (from the file start) of the remaining children.
fn with_offsets(outer: Tag2, table: Tag2, children: &[Vec<u8>]) -> Vec<u8> {
    let table_len = 3 + 2 * children.len();
    let content_len = table_len + children.iter().map(Vec::len).sum::<usize>();
    let header = 2 + len(content_len).len();
    let mut offsets = Vec::new();
    let mut pos = header + table_len;
    for c in children {
        offsets.extend_from_slice(&(pos as u16).to_be_bytes());
        pos += c.len();
    }
    let table = tlv(&table, &offsets);
    tlv(&outer, &[table, children.concat()].concat())
}

use crate::rules::yyyymmdd as ymd;

/// 入力補助AP EF 0002 (§8.2).
pub fn attributes_ef(p: &Profile) -> Vec<u8> {
    use tags::text as t;
    with_offsets(
        t::ATTRIBUTES,
        t::OFFSETS,
        &[
            tlv(&t::NAME, p.holder.name.as_bytes()),
            tlv(&t::ADDRESS, p.holder.address.as_bytes()),
            tlv(&t::BIRTH_DATE, ymd(p.holder.birth_date).as_bytes()),
            tlv(&t::SEX, p.holder.sex.as_bytes()),
        ],
    )
}

/// 入力補助AP EF 0001 (§8.1): `FF 10 0C` + 12 digits + two `FF` fillers.
pub fn number_ef(p: &Profile) -> Vec<u8> {
    let mut v = tlv(&tags::text::NUMBER, p.holder.number.as_bytes());
    v.resize(text::MY_NUMBER_LEN, text::FILLER);
    v
}

/// 入力補助AP EF 0003 (§8.3): hashes of EF 0001 (as stored) and of EF 0002
/// from its first attribute, signed by the AP's key.
fn integrity_ef(ef1: &[u8], ef2: &[u8]) -> Vec<u8> {
    // The first entry of the DF21 offset table, after `FF 20 <len> DF 21 <n>`.
    let header = 2 + len(ef2.len().saturating_sub(3)).len();
    let first = ef2
        .get(header + 3..header + 5)
        .map(|o| u16::from_be_bytes([o[0], o[1]]) as usize)
        .unwrap_or(0);
    use tags::text as t;
    let signed = [
        tlv(&t::NUMBER_HASH, &Sha256::digest(ef1)),
        tlv(
            &t::ATTRIBUTES_HASH,
            &Sha256::digest(ef2.get(first..).unwrap_or_default()),
        ),
    ]
    .concat();
    let sig = pki::sign_sha256(&TEXT_AP, &signed).unwrap_or_default();
    tlv(
        &t::INTEGRITY,
        &[signed, tlv(&t::INTEGRITY_SIGNATURE, &sig)].concat(),
    )
}

/// JPKI EF 0006: a 160-byte PKCS#11 CK_TOKEN_INFO, big-endian CK_ULONGs (§8.8).
fn token_info(label: &str) -> Vec<u8> {
    let pad = |s: &str, n: usize| {
        let mut v = s.as_bytes().to_vec();
        v.resize(n, b' ');
        v
    };
    let mut v = pad(label, 32);
    v.extend(pad("J-LIS (mynacard test)", 32));
    v.extend(pad("VIRTUAL", 16));
    v.extend(pad("0000000000000000", 16));
    // flags, 4 session counts, max/min PIN length, 4 memory fields.
    for x in [0x0Du32, 0, 0, 0, 0, 16, 4, 0, 0, 0, 0] {
        v.extend_from_slice(&x.to_be_bytes());
    }
    v.extend_from_slice(b"0301");
    v.extend(pad("", 16));
    v
}

pub fn build(p: &Profile, pki: &Pki) -> Files {
    let mut f = Files::new();
    let token = p.card.token;
    if token.has_app(App::Jpki) {
        jpki_files(&mut f, p, pki);
    }
    if token.has_app(App::Text) {
        text_files(&mut f, p);
    }
    if token.has_app(App::Surface) {
        surface_files(&mut f, p);
    }
    if token.has_app(App::Common) {
        let rec = crate::protocol::records::CardInfo {
            serial: p.card.serial.clone(),
            municipality: p.card.municipality.clone(),
            expiry: p.card.expiry,
        };
        f.insert(
            (App::Common, common::CARD_INFO),
            Ef {
                content: Content::Records(vec![rec.encode()]),
                read: Access::Free,
            },
        );
    }
    if token.has_app(App::Juki) {
        let k = Sha256::digest(format!("juki:{}", p.card.serial));
        f.insert(
            (App::Juki, common::JUKI_KEY_ID),
            Ef {
                content: Content::Records(vec![k[..16].to_vec()]),
                read: Access::Free,
            },
        );
    }
    // Every key reference and signing key of an application the card has,
    // in its IEF.
    for k in KeyRef::ALL.into_iter().filter(|k| token.has_app(k.app())) {
        f.insert((k.app(), k.fid()), pin_ef(k));
    }
    // A recorded card's private keys are not here (card-protocol.md: a key
    // that is absent answers 6A88).
    let keys = SIGN_KEYS.into_iter().filter(|_| !p.card.recorded);
    for k in keys.filter(|k| token.has_app(k.app())) {
        f.insert((k.app(), k.fid()), key_ef(k));
    }
    for (app, fid, data) in &p.overrides {
        let ef = f.entry((*app, *fid)).or_insert_with(|| bin(Vec::new()));
        ef.content = Content::Binary(data.clone());
    }
    f
}

/// Every private key that signs with `80 2A`.
const SIGN_KEYS: [SignKey; 4] = [
    SignKey::JpkiAuth,
    SignKey::JpkiSign,
    SignKey::TextAp,
    SignKey::SurfaceAp,
];

/// The CV key IDs of the test hierarchy (§8.10).
fn cv_issuer_id() -> Vec<u8> {
    key_id("6000001", "001")
}

/// JPKI AP (§2.1): certificates, token label, availability.
fn jpki_files(f: &mut Files, p: &Profile, pki: &Pki) {
    let j = App::Jpki;
    let token = p.card.token;
    if let Some(c) = &pki.sign_cert {
        f.insert((j, jpki::SIGN_CERT), guarded(c.clone(), &[KeyRef::Sign]));
    }
    f.insert((j, jpki::SIGN_CA_CERT), bin(pki.sign_ca.clone()));
    let label = token.token_type().map(|t| t.label().to_string());
    f.insert(
        (j, jpki::TOKEN_INFO),
        bin(token_info(label.as_deref().unwrap_or(""))),
    );
    let avail = |present: bool| if present { jpki::CERT_PRESENT } else { 0x00 };
    f.insert(
        (j, jpki::CERT_AVAILABILITY),
        bin(vec![
            avail(pki.sign_cert.is_some()),
            avail(pki.auth_cert.is_some()),
            0x00,
        ]),
    );
    if let Some(c) = &pki.auth_cert {
        // The Android smartphone token wants the auth PIN first.
        let ef = if token.token_type().is_some_and(|t| t.auth_cert_needs_pin()) {
            guarded(c.clone(), &[KeyRef::Auth])
        } else {
            bin(c.clone())
        };
        f.insert((j, jpki::AUTH_CERT), ef);
    }
    f.insert((j, jpki::AUTH_CA_CERT), bin(pki.auth_ca.clone()));
}

/// 券面事項入力補助AP (§2.2).
fn text_files(f: &mut Files, p: &Profile) {
    use tags::text as tag;
    let t = App::Text;
    let ef1 = number_ef(p);
    let ef2 = attributes_ef(p);
    let ef3 = integrity_ef(&ef1, &ef2);
    let pin = [KeyRef::CardInfo, KeyRef::TextCodeA, KeyRef::TextCodeB];
    let text_id = key_id("6000033", "001");
    f.insert(
        (t, text::MY_NUMBER),
        guarded(ef1, &[KeyRef::CardInfo, KeyRef::TextCodeA]),
    );
    f.insert(
        (t, text::ATTRIBUTES),
        guarded(ef2, &[KeyRef::CardInfo, KeyRef::TextCodeB]),
    );
    f.insert((t, text::INTEGRITY), guarded(ef3, &pin));
    f.insert(
        (t, text::CV_CERT),
        bin(cv_cert(&cv_issuer_id(), &text_id, &TEXT_AP)),
    );
    let basic = tlv(
        &tag::BASIC_INFO,
        &[
            tlv(&tag::BASIC_AP_ID, &[0x01, 0x03, 0x0E, 0x01]),
            tlv(&tag::BASIC_KEY_ID, &text_id),
            tlv(&tag::BASIC_OPAQUE, &[0u8; 128]),
        ]
        .concat(),
    );
    f.insert((t, text::BASIC_INFO), bin(basic));
    f.insert(
        (t, text::SESSION_KEY),
        guarded(tlv(&[tag::SESSION_KEY], &rsa_pub(&TEXT_AP)), &pin),
    );
    let own = tlv(&tag::SIGNED_KEY_VALUE, &rsa_pub(&TEXT_AP));
    let own_sig = pki::sign_sha256(&CV_CA, &own).unwrap_or_default();
    f.insert(
        (t, text::SIGNED_PUBLIC_KEY),
        guarded(
            tlv(
                &tag::SIGNED_KEY,
                &[own, tlv(&tag::SIGNED_KEY_SIGNATURE, &own_sig)].concat(),
            ),
            &pin,
        ),
    );
    f.insert((t, text::UNKNOWN_0008), bin(vec![0xFF; 16]));
}

/// Data objects that GET DATA answers at the MF level (§2.5).
pub fn mf_data(p: &Profile) -> BTreeMap<u16, Vec<u8>> {
    let mut m = BTreeMap::new();
    m.insert(mf::ISSUER_ID, b"JPKI-TEST-ISSUER".to_vec());
    m.insert(mf::CARD_ID, p.card.serial.as_bytes().to_vec());
    // GlobalPlatform card recognition data: the GP OID (1.2.840.114283.1).
    m.insert(
        mf::CARD_RECOGNITION,
        tlv(
            &[0x73],
            &tlv(&[0x06], &[0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x01]),
        ),
    );
    m.insert(mf::MUNICIPALITY, p.card.municipality.as_bytes().to_vec());
    m.insert(mf::CARD_EXPIRY, ymd(p.card.expiry).as_bytes().to_vec());
    let inter = cv_issuer_id();
    m.insert(mf::INTERMEDIATE_KEY_ID, inter.clone());
    let root = key_id("6000000", "001");
    let chain = cv_cert(&root, &inter, &CV_CA);
    m.insert(mf::CV_CHAIN, chain.clone());
    m.insert(mf::CV_CERT, chain);
    m.insert(
        mf::CONTACT_ATR,
        p.card.atr.get(1..).unwrap_or_default().to_vec(),
    );
    for (tag, v) in &p.mf_overrides {
        m.insert(*tag, v.clone());
    }
    m
}

/// The value a key holds, by the profile.
pub fn key_value(p: &Profile, k: KeyRef) -> Vec<u8> {
    let h = &p.holder;
    let code_b = format!(
        "{}{:04}{}",
        rules::wareki_yymmdd(h.birth_date),
        p.card.expiry.year(),
        h.security_code
    );
    match k {
        KeyRef::Sign => p.pins.sign.value.clone().into_bytes(),
        KeyRef::Auth => p.pins.auth.value.clone().into_bytes(),
        KeyRef::CardInfo => p.pins.card_info.value.clone().into_bytes(),
        KeyRef::Juki => p.pins.resident.value.clone().into_bytes(),
        KeyRef::Common => p.pins.resident_common.value.clone().into_bytes(),
        KeyRef::TextCodeA | KeyRef::SurfaceCodeA => h.number.clone().into_bytes(),
        KeyRef::TextCodeB | KeyRef::SurfaceCodeB => code_b.into_bytes(),
        KeyRef::SurfaceBirth => rules::wareki_yymmdd(h.birth_date).into_bytes(),
        // Blocked from issuance: no value opens it.
        KeyRef::TextBlocked => Vec::new(),
    }
}

/// Tries left at start, by the profile.
pub fn key_tries(p: &Profile, k: KeyRef) -> u8 {
    match k {
        KeyRef::Sign => p.pins.sign.tries,
        KeyRef::Auth => p.pins.auth.tries,
        KeyRef::CardInfo => p.pins.card_info.tries,
        KeyRef::Juki => p.pins.resident.tries,
        KeyRef::Common => p.pins.resident_common.tries,
        KeyRef::TextBlocked => 0,
        KeyRef::SurfaceCodeB if p.faults.face_code_locked => 0,
        other => other.max_tries(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_have_the_documented_layouts() {
        let p = Profile::builtin();
        // The built-in holder is myna-card's test-card holder: EF 0002 is
        // byte-identical to that card's dump (card-protocol.md §8.2).
        let ef2 = attributes_ef(&p);
        assert_eq!(
            hex::encode(&ef2),
            "ff2065df2108000e002000590064df220fe9bb92e6a190e38080e5b9b9e4b99fdf2336e69db1e4baace983bde6b885e780ace5b882e8a6b3e5b883e5ad90e58d97efbc91efbc92efbc8defbc97efbc8defbc92efbc90efbc92df24083139383030323137df250131"
        );
        assert_eq!(
            hex::encode(number_ef(&p)),
            "ff100c353337363836363737313838ffff"
        );
        let ef3 = integrity_ef(&number_ef(&p), &ef2);
        assert_eq!(&ef3[..5], [0xFF, 0x30, 0x82, 0x01, 0x4B]);
        assert_eq!(ef3.len(), 336);
        let cv = cv_cert(
            &key_id("6000001", "001"),
            &key_id("6000033", "001"),
            &TEXT_AP,
        );
        assert_eq!(&cv[..5], [0x7F, 0x21, 0x82, 0x02, 0x33]);
        assert_eq!(cv.len(), 568);
        assert_eq!(token_info("JPKIAPICCTOKEN2").len(), 160);
        let face = card_face(&p);
        assert_eq!(&face[..2], [0xFF, 0x20]);
        // The offset table points at DF22..DF2A.
        assert_eq!(&face[5..7], [0xDF, 0x21]);
        let n = face[7] as usize / 2;
        assert_eq!(n, 9);
        for i in 0..n {
            let o = u16::from_be_bytes([face[8 + 2 * i], face[9 + 2 * i]]) as usize;
            assert_eq!(face[o], 0xDF, "child {i}");
            assert_eq!(face[o + 1], 0x22 + i as u8);
        }
    }

    #[test]
    fn png_is_well_formed() {
        let png = blank_png(72, 12);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND CRC");
    }

    #[test]
    fn code_b_is_wareki_birth_expiry_year_and_security_code() {
        let p = Profile::builtin();
        assert_eq!(key_value(&p, KeyRef::TextCodeB), b"55021720352285");
        assert_eq!(key_value(&p, KeyRef::SurfaceBirth), b"550217");
    }
}
