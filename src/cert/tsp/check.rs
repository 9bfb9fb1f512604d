//! A timestamp token checked (RFC 3161 §2.4.2, as a verifier must): its
//! imprint against the value it should be for, the TSA's CMS signature over
//! the TSTInfo (through `cms::verify_at`, the one CMS check), the TSA's
//! certificate to a trusted anchor and valid at the token's own time, and
//! its extendedKeyUsage id-kp-timeStamping.

use super::{read_token, Token};
use crate::cert::cms::{self, Outcome, Trust, Verification};
use ::cms::signed_data::SignedData;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Which issuers are trusted: the built-in J-LIS roots, the test PKIs when
/// asked, and more anchors (`--ca`): each adds, none skips a check.
#[derive(Debug, Clone, Copy)]
pub struct Anchors<'a> {
    pub test: bool,
    pub extra: Option<&'a [Vec<u8>]>,
}

impl Anchors<'_> {
    /// `cms::verify_at` under the built-in trust, then, for a signer they
    /// do not know, under the extra anchors.
    pub fn verify(
        &self,
        sd: &SignedData,
        digest: &[u8; 32],
        at: Option<OffsetDateTime>,
    ) -> Result<Verification, String> {
        let base = if self.test {
            Trust::JlisAndTest
        } else {
            Trust::Jlis
        };
        let v = cms::verify_at(sd, digest, base, at)?;
        match self.extra {
            Some(a) if v.outcome == Outcome::UnknownSigner => {
                cms::verify_at(sd, digest, Trust::Anchors(a), at)
            }
            _ => Ok(v),
        }
    }
}

/// The verdict on a timestamp token, in the order the checks are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimestampOutcome {
    Valid,
    /// The token is for another value than the one it stamps.
    ImprintMismatch,
    /// The TSA's signature on the token does not verify.
    BadSignature,
    /// The TSA's certificate is not from a trusted issuer (see `--ca`).
    UntrustedTsa,
    /// The TSA's certificate was not valid at the token's time.
    NotValidAtTime,
    /// The TSA's certificate is not for timestamping (extendedKeyUsage).
    NotForTimestamping,
    /// The token cannot be read (see the detail).
    Unreadable,
}

/// A timestamp token, checked.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TimestampCheck {
    pub outcome: TimestampOutcome,
    /// Why, in English (technical).
    pub detail: String,
    /// The token's genTime, as the TSA wrote it (GeneralizedTime, UTC).
    pub time: Option<String>,
    /// The same time in JST (RFC 3339).
    pub time_jst: Option<String>,
    /// The token is for the value it stamps (SHA-256).
    pub imprint_matches: bool,
    /// The TSA's certificate subject.
    pub tsa_subject: Option<String>,
    /// The time, for judging the stamped signature at it (only when valid).
    #[serde(skip)]
    pub at: Option<OffsetDateTime>,
}

/// A GeneralizedTime `YYYYMMDDHHMMSS[.f]Z`.
fn gen_time(s: &str) -> Option<OffsetDateTime> {
    let d = s.as_bytes();
    if d.len() < 15 || !d[..14].iter().all(u8::is_ascii_digit) || !s.ends_with('Z') {
        return None;
    }
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        n(0, 4)? as i32,
        time::Month::try_from(n(4, 6)? as u8).ok()?,
        n(6, 8)? as u8,
    )
    .ok()?;
    let t = time::Time::from_hms(n(8, 10)? as u8, n(10, 12)? as u8, n(12, 14)? as u8).ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc())
}

fn jst(t: OffsetDateTime) -> Option<String> {
    t.to_offset(crate::rules::JST)
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Check `token` (DER) as a timestamp of the value whose SHA-256 is `imprint`.
pub fn check(token: &[u8], imprint: &[u8; 32], anchors: &Anchors<'_>) -> TimestampCheck {
    let mut c = TimestampCheck {
        outcome: TimestampOutcome::Unreadable,
        detail: String::new(),
        time: None,
        time_jst: None,
        imprint_matches: false,
        tsa_subject: None,
        at: None,
    };
    let t: Token = match read_token(token) {
        Ok(t) => t,
        Err(e) => {
            c.detail = format!("the timestamp token {e}");
            return c;
        }
    };
    let at = gen_time(&t.gen_time);
    c.time = Some(t.gen_time.clone());
    c.time_jst = at.and_then(jst);
    let Some(at) = at else {
        c.detail = format!("the token's time {:?} is not a GeneralizedTime", t.gen_time);
        return c;
    };
    // 1. For this value.
    c.imprint_matches = t.sha256 && t.imprint == imprint;
    if !c.imprint_matches {
        c.outcome = TimestampOutcome::ImprintMismatch;
        c.detail = if t.sha256 {
            "the token is for another value than the one it stamps".into()
        } else {
            "the token's imprint is not SHA-256, the one mynacard checks".into()
        };
        return c;
    }
    // 2–4. The TSA's signature over the TSTInfo, its issuer, its validity
    // at genTime, its keyUsage: the CMS check, on the content taken out.
    let mut detached = t.sd.clone();
    detached.encap_content_info.econtent = None;
    let digest: [u8; 32] = Sha256::digest(&t.info_der).into();
    let v = match anchors.verify(&detached, &digest, Some(at)) {
        Ok(v) => v,
        Err(e) => {
            c.detail = format!("the TSA's signature cannot be read: {e}");
            return c;
        }
    };
    c.tsa_subject = v.signer_subject.clone();
    c.outcome = match v.outcome {
        Outcome::Valid => TimestampOutcome::Valid,
        Outcome::FileChanged | Outcome::BadSignature => TimestampOutcome::BadSignature,
        Outcome::UnknownSigner => TimestampOutcome::UntrustedTsa,
        Outcome::NotValidAtSigningTime => TimestampOutcome::NotValidAtTime,
        Outcome::WrongKeyUsage => TimestampOutcome::NotForTimestamping,
    };
    if c.outcome != TimestampOutcome::Valid {
        c.detail = match c.outcome {
            TimestampOutcome::UntrustedTsa => {
                "the TSA's certificate is not from a trusted issuer (add it with --ca)".into()
            }
            _ => format!("the TSA's signature: {}", v.detail),
        };
        return c;
    }
    // 5. A timestamping key (RFC 3161 §2.3).
    let for_ts = v
        .signer_der
        .as_deref()
        .and_then(|d| x509_parser::parse_x509_certificate(d).ok())
        .is_some_and(
            |(_, x)| matches!(x.extended_key_usage(), Ok(Some(e)) if e.value.time_stamping),
        );
    if !for_ts {
        c.outcome = TimestampOutcome::NotForTimestamping;
        c.detail = "the TSA's certificate lacks extendedKeyUsage id-kp-timeStamping".into();
        return c;
    }
    c.at = Some(at);
    c.detail = "the token is the TSA's, for this value, at this time".into();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generalized_time_is_read_with_or_without_fractions() {
        let t = gen_time("20261206051500Z").unwrap();
        assert_eq!(t.unix_timestamp(), 1_796_534_100);
        assert_eq!(gen_time("20261206051500.25Z"), Some(t));
        assert_eq!(gen_time("20261206051500"), None);
        assert_eq!(gen_time("2026120605150Z"), None);
        assert_eq!(jst(t).as_deref(), Some("2026-12-06T14:15:00+09:00"));
    }

    #[test]
    fn a_token_that_is_not_one_is_unreadable() {
        let a = Anchors {
            test: false,
            extra: None,
        };
        let c = check(&[0x30, 0x00], &[0; 32], &a);
        assert_eq!(c.outcome, TimestampOutcome::Unreadable);
        assert!(c.detail.starts_with("the timestamp token"), "{}", c.detail);
    }
}
