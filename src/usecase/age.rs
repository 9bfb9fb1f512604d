//! `age-check`: "N years or older on DATE: yes/no", and nothing else about
//! the holder. The 券面AP's 生年月日 key (`0011`, the birth date as 和暦
//! `YYMMDD`) opens the age record (EF `0001`) alone, under the same policy
//! as every PIN (`usecase::pins`: counter first, a locked key refused
//! before any VERIFY, the last try guarded). The record is judged in the
//! same levels as the card face (docs/genuine.md):
//! 1. the CV certificate in EF `0004` verifies with a built-in CV CA key;
//! 2. the record's signature (`DF13`, SHA-256 over `DF11‖DF12` as stored)
//!    verifies with that certificate's key: the birth date is J-LIS's;
//! 3. the chip signs a fresh challenge with the key inside the record
//!    (`DF12`): this chip is the one the record was issued to;
//! 4. the typed birth date is the signed one.
//!
//! The answer is given only when levels 1–3 hold; the birth date itself
//! never leaves this module (no field of `AgeCheck` holds it).

use super::connect::CardOptions;
use super::face::{fresh_challenge, CertLevel, Verdict};
use super::pins::{with_pins, Asker, Need, Which};
use crate::card::{policy, surface};
use crate::cert::cv_keys::{self, Hierarchy};
use crate::error::{Error, Result};
use crate::protocol::face::{AgeRecord, CvCert};
use crate::protocol::{KeyRef, PinKind};
use serde::Serialize;
use zeroize::Zeroizing;

/// What `age-check` found: the question, the answer and the levels. No
/// personal data: not the birth date, not the age.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AgeCheck {
    /// The age asked about (`--at-least`).
    pub at_least: u16,
    /// The day asked about, `YYYY-MM-DD` (`--on`, or today in JST).
    pub on: String,
    /// Whether the holder is `at_least` years or older on `on`; `null`
    /// when the record is not proven (levels 1–3): no answer is given
    /// from data that may be forged or another card's.
    pub answer: Option<bool>,
    /// The genuineness verdict, as `face-check`'s (for the age record).
    pub verdict: Verdict,
    /// The 生年月日 key's tries left as read before the VERIFY (a right
    /// entry spends none).
    pub key_tries_left_before: Option<u8>,
    /// Level 1: the CV certificate in EF `0004`.
    pub certificate: CertLevel,
    /// Level 2: the age record's signature verifies with the certificate's
    /// key.
    pub record_signature_ok: bool,
    /// Level 3: the chip's answer to the challenge verifies with the key in
    /// the signed record.
    pub chip_key_ok: bool,
    /// Level 4: the typed birth date is the signed one.
    pub birth_date_matches_signed: bool,
    /// The fresh random challenge (hex) the chip signed.
    pub challenge: String,
}

/// What the card gave.
struct Read {
    record: Vec<u8>,
    cv: Vec<u8>,
    /// `None`: the chip has no key to sign with.
    sig: Option<Vec<u8>>,
    typed: Zeroizing<String>,
    left: Option<u8>,
}

/// The question: `at_least` years or older on `on`.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub at_least: u16,
    pub on: time::Date,
}

pub fn age_check(
    o: &CardOptions,
    q: Question,
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<AgeCheck> {
    let (challenge, digest_info) = fresh_challenge()?;
    let kind = PinKind::BirthKey;
    let r = with_pins(
        o,
        force_last_try,
        &[Need::verify(kind)],
        asker,
        |_| Ok(()),
        |s, _, pins, counters| {
            let key = pins.get(kind, Which::Current)?;
            policy::verify(s, KeyRef::SurfaceBirth, key)?;
            let record = surface::read_age_record(s)?;
            let cv = surface::read_cv_cert(s)?;
            let sig = surface::sign_challenge(s, &digest_info)?;
            Ok(Read {
                record,
                cv,
                sig,
                typed: Zeroizing::new(key.pin().expose().to_string()),
                left: counters.left(kind),
            })
        },
    )?;
    judge(&r, q, &digest_info, hex::encode(challenge))
}

fn judge(r: &Read, q: Question, digest_info: &[u8], challenge: String) -> Result<AgeCheck> {
    let cert = CvCert::parse(&r.cv).map_err(|e| Error::Data(format!("券面AP EF 0004: {}", e.0)))?;
    let rec =
        AgeRecord::parse(&r.record).map_err(|e| Error::Data(format!("券面AP EF 0001: {}", e.0)))?;
    let certificate = cv_keys::level(&cert);
    let record_signature_ok = cv_keys::verifies_sha256(&cert.key, &rec.signed, &rec.signature);
    let chip_key_ok = r
        .sig
        .as_deref()
        .is_some_and(|sig| cv_keys::verifies_digest_info(&rec.card_key, digest_info, sig));
    let birth = crate::rules::parse_yyyymmdd(&rec.birth_date);
    let birth_date_matches_signed =
        birth.is_some_and(|d| crate::rules::wareki_yymmdd(d) == *r.typed);
    let verdict = if !certificate.ok {
        Verdict::NotJlis
    } else if !record_signature_ok {
        Verdict::Altered
    } else if !chip_key_ok {
        Verdict::Copied
    } else if !birth_date_matches_signed {
        Verdict::Mismatch
    } else if certificate.hierarchy == Some(Hierarchy::Jlis) {
        Verdict::Genuine
    } else {
        Verdict::TestCard
    };
    let proven = matches!(verdict, Verdict::Genuine | Verdict::TestCard);
    let answer = match birth.and_then(|b| crate::rules::age_reached_on(b, q.at_least)) {
        Some(from) if proven => Some(q.on >= from),
        _ => None,
    };
    Ok(AgeCheck {
        at_least: q.at_least,
        on: q.on.to_string(),
        answer,
        verdict,
        key_tries_left_before: r.left,
        certificate,
        record_signature_ok,
        chip_key_ok,
        birth_date_matches_signed,
        challenge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const AGE: &[u8] = include_bytes!("../../fixtures/surface-test-card/surface-0001.bin");
    const CV: &[u8] = include_bytes!("../../fixtures/surface-test-card/surface-0004.bin");

    fn read(typed: &str) -> Read {
        Read {
            record: AGE.to_vec(),
            cv: CV.to_vec(),
            sig: Some(vec![0; 256]),
            typed: Zeroizing::new(typed.into()),
            left: Some(3),
        }
    }

    fn q(at_least: u16, on: time::Date) -> Question {
        Question { at_least, on }
    }

    #[test]
    fn the_test_cards_record_is_genuine_data_and_a_replay_gets_no_answer() {
        // The JPKI test card's record verifies to J-LIS's test hierarchy;
        // a card replaying it cannot sign with its key: copied, no answer.
        let c = judge(
            &read("550217"),
            q(20, date!(2026 - 12 - 06)),
            &[0; 51],
            "00".into(),
        )
        .unwrap();
        assert!(c.certificate.ok && c.record_signature_ok && !c.chip_key_ok);
        assert_eq!(c.certificate.hierarchy, Some(Hierarchy::JlisTest));
        assert_eq!(c.verdict, Verdict::Copied);
        assert_eq!(c.answer, None);
        let json = serde_json::to_string(&c).unwrap();
        for s in ["1980", "550217", "0217", "46"] {
            assert!(!json.contains(s), "{s} in {json}");
        }
    }

    #[test]
    fn a_changed_birth_date_is_altered() {
        let mut r = read("550217");
        // 1980 → 1970 inside DF11: the signature no longer covers it.
        let at = r.record.windows(4).position(|w| w == b"1980").unwrap();
        r.record[at + 2] = b'7';
        let c = judge(&r, q(20, date!(2026 - 12 - 06)), &[0; 51], "00".into()).unwrap();
        assert!(c.certificate.ok && !c.record_signature_ok);
        assert_eq!(c.verdict, Verdict::Altered);
        assert_eq!(c.answer, None);
    }

    #[test]
    fn a_typed_date_other_than_the_signed_one_is_a_mismatch() {
        let c = judge(
            &read("550218"),
            q(20, date!(2026 - 12 - 06)),
            &[0; 51],
            "00".into(),
        )
        .unwrap();
        assert!(!c.birth_date_matches_signed);
    }
}
