//! `face-check`: is this chip genuine, and does it match the card's face?
//! — without the resident's PIN. 照合番号B, built from what is printed on
//! the card (`printed`), opens the 券面AP's card face under the same policy
//! as every PIN (`usecase::pins`: the counter of `0012` read first, a
//! locked one refused before any VERIFY, the last try guarded, never
//! resent). Then four levels (docs/genuine.md):
//! 1. the CV certificate in EF `0004` verifies with a built-in CV CA key
//!    (`cert::cv_keys`);
//! 2. the face signature (`DF28`, three SHA-256 segments, card-protocol.md
//!    §8.4) verifies with that certificate's key: the face data are
//!    unaltered;
//! 3. the chip signs a fresh challenge with its card key (`001A`, no PIN)
//!    and the signature verifies with the key inside the signed face data
//!    (`DF24`): this chip is the one the data were issued to;
//! 4. what was typed agrees with the card: the expiry year with the 共通AP
//!    card expiry and with the face record's `DF29` (outside the
//!    signature: never presented as signed), the birth date with the signed
//!    `DF22`.

pub mod printed;

use super::connect::CardOptions;
use super::pins::{with_pins, Asker, Need, Which};
use crate::card::{common, policy, surface};
use crate::cert::cv_keys::{self, Hierarchy};
use crate::error::{Error, Result};
use crate::protocol::face::{CvCert, Face};
use crate::protocol::{KeyRef, PinKind, SHA256_DIGEST_INFO};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The one-word answer of `face-check` and `age-check` (JSON `verdict`;
/// each has its exit code). "The data" are the card face for the one, the
/// age record for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// All four levels, under J-LIS's production CV CA: a genuine chip whose
    /// data match what was typed.
    Genuine,
    /// All four levels, but under a TEST CV CA (J-LIS's test hierarchy or
    /// mynacard's virtual card): never a resident's card.
    TestCard,
    /// Level 1 failed: the certificate is not from a CV CA mynacard holds,
    /// or its signature does not verify.
    NotJlis,
    /// Level 2 failed: the data were changed after J-LIS signed them.
    Altered,
    /// Level 3 failed: the data are signed, but this chip does not hold the
    /// key inside them: a copy of another card's data.
    Copied,
    /// Level 4 failed: what was typed (printed on the card) does not agree
    /// with the chip.
    Mismatch,
}

pub use crate::cert::cv_keys::CertLevel;

/// Level 4. `None`: not compared (the card has no 共通AP, or no `DF29`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Consistency {
    pub ok: bool,
    /// The typed expiry year is the 共通AP card expiry's year.
    pub expiry_year_matches_card: Option<bool>,
    /// The typed expiry year is the face record's `DF29` year — a field
    /// **outside** the signature.
    pub expiry_year_matches_face_unsigned: Option<bool>,
    /// The typed birth date is the signed `DF22`.
    pub birth_date_matches_signed: bool,
    /// With `--with-number-a`: 照合番号A (the 12-digit number printed on
    /// the back) was accepted by the chip (`0013`); `null` when not asked.
    /// A wrong one ends the command as a wrong code (it costs a try).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_a_matches_chip: Option<bool>,
}

/// What `face-check` found. No personal data here: `personal` is never
/// serialized.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FaceCheck {
    pub verdict: Verdict,
    /// 照合番号B's tries left as read before the VERIFY (a right code
    /// spends none).
    pub code_tries_left_before: Option<u8>,
    /// With `--with-number-a`: 照合番号A's tries left as read before its
    /// VERIFY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_a_tries_left_before: Option<u8>,
    pub certificate: CertLevel,
    /// Level 2: the face signature verifies with the certificate's key.
    pub face_signature_ok: bool,
    /// Level 3: the chip's answer to the challenge verifies with the key in
    /// the signed face data.
    pub chip_key_ok: bool,
    pub consistency: Consistency,
    /// The fresh random challenge (hex) the chip signed (its SHA-256 in a
    /// DigestInfo).
    pub challenge: String,
    #[serde(skip)]
    #[schemars(skip)]
    pub personal: Personal,
}

/// The face, for the person at the counter: shown or written only when
/// asked (`face-check --show`, `--images DIR`, the counter screen), never
/// in a trace, a log or a cache; wiped when dropped.
#[derive(Default)]
pub struct Personal {
    /// 生年月日 as signed, `YYYY-MM-DD`.
    pub birth_date: String,
    pub sex_code: String,
    /// `DF27`, the photo as the chip holds it (JPEG 2000).
    pub photo: Vec<u8>,
    /// `DF25`, `DF26`: the name and address as printed (PNG).
    pub name_image: Vec<u8>,
    pub address_image: Vec<u8>,
}

impl Drop for Personal {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.birth_date.zeroize();
        self.sex_code.zeroize();
        self.photo.zeroize();
        self.name_image.zeroize();
        self.address_image.zeroize();
    }
}

impl FaceCheck {
    /// The face data are J-LIS's and unaltered (levels 1 and 2): only then
    /// is the face shown for comparison.
    pub fn face_signed(&self) -> bool {
        self.certificate.ok && self.face_signature_ok
    }
}

impl std::fmt::Debug for Personal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Personal(REDACTED)")
    }
}

/// What the card gave.
struct Read {
    face: Vec<u8>,
    cv: Vec<u8>,
    /// `None`: the chip has no key to sign with.
    sig: Option<Vec<u8>>,
    card_expiry: Option<time::Date>,
    // Parts of 照合番号B: wiped when the judgement is made.
    typed_yymmdd: zeroize::Zeroizing<String>,
    typed_year: zeroize::Zeroizing<String>,
    left: Option<u8>,
    left_a: Option<u8>,
}

pub fn face_check(
    o: &CardOptions,
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<FaceCheck> {
    face_check_with(o, force_last_try, false, asker)
}

/// `face_check`, and with `number_a` also 照合番号A (`0013`, the
/// individual number) under the same guard: both counters are read before
/// either is sent.
pub fn face_check_with(
    o: &CardOptions,
    force_last_try: bool,
    number_a: bool,
    asker: &mut dyn Asker,
) -> Result<FaceCheck> {
    let (challenge, digest_info) = fresh_challenge()?;
    let kind = PinKind::FaceCode;
    let mut needs = vec![Need::verify(kind)];
    if number_a {
        needs.push(Need::verify(PinKind::FaceNumberA));
    }
    let r = with_pins(
        o,
        force_last_try,
        &needs,
        asker,
        |_| Ok(()),
        |s, _, pins, counters| {
            let code = pins.get(kind, Which::Current)?;
            policy::verify(s, KeyRef::SurfaceCodeB, code)?;
            if number_a {
                let a = pins.get(PinKind::FaceNumberA, Which::Current)?;
                policy::verify(s, KeyRef::SurfaceCodeA, a)?;
            }
            let face = surface::read_face(s)?;
            let cv = surface::read_cv_cert(s)?;
            let sig = surface::sign_challenge(s, &digest_info)?;
            let card_expiry = common::read_card_info(s)?.map(|c| c.expiry);
            let digits = code.pin().expose();
            Ok(Read {
                face,
                cv,
                sig,
                card_expiry,
                typed_yymmdd: zeroize::Zeroizing::new(
                    digits.get(..6).unwrap_or_default().to_string(),
                ),
                typed_year: zeroize::Zeroizing::new(
                    digits.get(6..10).unwrap_or_default().to_string(),
                ),
                left: counters.left(kind),
                left_a: counters.left(PinKind::FaceNumberA),
            })
        },
    )?;
    let mut c = judge(&r, &digest_info, hex::encode(challenge))?;
    c.number_a_tries_left_before = r.left_a;
    // Reached only when the chip accepted it.
    c.consistency.number_a_matches_chip = number_a.then_some(true);
    Ok(c)
}

fn judge(r: &Read, digest_info: &[u8], challenge: String) -> Result<FaceCheck> {
    let cert = CvCert::parse(&r.cv).map_err(|e| Error::Data(format!("券面AP EF 0004: {}", e.0)))?;
    let face = Face::parse(&r.face).map_err(|e| Error::Data(format!("券面AP EF 0002: {}", e.0)))?;
    let certificate = cv_keys::level(&cert);
    let (cert_ok, hierarchy) = (certificate.ok, certificate.hierarchy);
    let face_signature_ok = face_signature_verifies(&face, &cert);
    let chip_key_ok = r
        .sig
        .as_deref()
        .is_some_and(|sig| cv_keys::verifies_digest_info(&face.card_key, digest_info, sig));
    let signed_birth = birth_date(&face.birth_date);
    let birth_date_matches_signed =
        signed_birth.is_some_and(|d| crate::rules::wareki_yymmdd(d) == *r.typed_yymmdd);
    let expiry_year_matches_card = r.card_expiry.map(|d| d.year().to_string() == *r.typed_year);
    let expiry_year_matches_face_unsigned = face
        .expiry
        .as_ref()
        .map(|e| e.get(..4) == Some(r.typed_year.as_str()));
    let consistency_ok = birth_date_matches_signed
        && expiry_year_matches_card != Some(false)
        && expiry_year_matches_face_unsigned != Some(false);
    let verdict = if !cert_ok {
        Verdict::NotJlis
    } else if !face_signature_ok {
        Verdict::Altered
    } else if !chip_key_ok {
        Verdict::Copied
    } else if !consistency_ok {
        Verdict::Mismatch
    } else if hierarchy == Some(Hierarchy::Jlis) {
        Verdict::Genuine
    } else {
        Verdict::TestCard
    };
    Ok(FaceCheck {
        verdict,
        code_tries_left_before: r.left,
        number_a_tries_left_before: None,
        certificate,
        face_signature_ok,
        chip_key_ok,
        consistency: Consistency {
            ok: consistency_ok,
            expiry_year_matches_card,
            expiry_year_matches_face_unsigned,
            birth_date_matches_signed,
            number_a_matches_chip: None,
        },
        challenge,
        personal: Personal {
            birth_date: signed_birth.map(|d| d.to_string()).unwrap_or_default(),
            sex_code: face.sex.clone(),
            photo: face.photo.clone(),
            name_image: face.name_image.clone(),
            address_image: face.address_image.clone(),
        },
    })
}

/// 32 fresh random bytes and the DigestInfo of their SHA-256, which the
/// chip's key signs (level 3).
pub(super) fn fresh_challenge() -> Result<([u8; 32], Vec<u8>)> {
    let mut challenge = [0u8; 32];
    getrandom::getrandom(&mut challenge)
        .map_err(|e| Error::Helper(format!("no random numbers from the system: {e}")))?;
    let digest_info = [SHA256_DIGEST_INFO, &Sha256::digest(challenge)].concat();
    Ok((challenge, digest_info))
}

/// Level 2: `DF28` is the certified key's PKCS#1 v1.5 signature of
/// DigestInfo(SHA-256, H(seg1) ‖ H(seg2) ‖ H(seg3)) (card-protocol.md §8.4).
pub fn face_signature_verifies(face: &Face, cert: &CvCert) -> bool {
    let mut hashes = Vec::with_capacity(96);
    for seg in &face.segments {
        hashes.extend_from_slice(&Sha256::digest(seg));
    }
    // SHA-256's DigestInfo header, with the length of 96 bytes of digests.
    let mut di = vec![0x30, 0x71, 0x30, 0x0D];
    di.extend_from_slice(&SHA256_DIGEST_INFO[4..17]);
    di.extend_from_slice(&[0x04, 0x60]);
    di.extend_from_slice(&hashes);
    cv_keys::verifies_digest_info(&cert.key, &di, &face.signature)
}

/// `YYYYMMDD` as a date.
fn birth_date(s: &str) -> Option<time::Date> {
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u16>().ok());
    let m = time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(n(0..4)?), m, u8::try_from(n(6..8)?).ok()?).ok()
}

#[cfg(test)]
mod tests;
