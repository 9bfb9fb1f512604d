//! `verify`: a detached CMS signature checked over a file's SHA-256
//! (`cert::cms`), with its signature timestamp (CAdES-T) checked through
//! `cert::tsp::check`, the one token check `pdf verify` uses. The signer's
//! certificate is judged at a valid token's time; without one, at the
//! claimed signing time (the signer's own clock: a claim, not proof), or now.

use crate::cert::cms::{Outcome, Verification};
use crate::cert::tsp::{self, Anchors, TimestampCheck, TimestampOutcome};
use crate::pdf::verify::{verdict_of, Verdict};
use ::cms::signed_data::SignedData;
use serde::Serialize;

/// Which time the signer's certificate was judged at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JudgedAt {
    /// The signature timestamp's time: a trusted TSA proves the signature existed then.
    Timestamp,
    /// The signing-time attribute: the signer's own clock, a claim, not proof.
    ClaimedSigningTime,
    /// The time of the check (no valid timestamp, no signing time).
    Now,
}

/// A detached signature, checked.
#[derive(Debug, Clone)]
pub struct DetachedVerification {
    /// The CMS check's outcome, or `timestamp_not_valid` when the signature
    /// is valid but its timestamp is not (as `pdf verify` says it).
    pub verdict: Verdict,
    pub cms: Verification,
    /// The signature timestamp token, checked, when there is one.
    pub timestamp: Option<TimestampCheck>,
    pub judged_at: JudgedAt,
}

/// Check `sd` over the file whose SHA-256 is `digest`, under `anchors`.
/// A container that cannot be read is an `Err` (as `cms::verify`).
pub fn verify(
    sd: &SignedData,
    digest: &[u8; 32],
    anchors: &Anchors<'_>,
) -> Result<DetachedVerification, String> {
    let timestamp = tsp::signature_timestamp(sd).map(|tok| {
        let value = sd
            .signer_infos
            .0
            .as_slice()
            .first()
            .map(|si| si.signature.as_bytes().to_vec())
            .unwrap_or_default();
        tsp::check(&tok, &tsp::imprint(&value), anchors)
    });
    let at = timestamp.as_ref().and_then(|c| c.at);
    let cms = anchors.verify(sd, digest, at)?;
    let judged_at = match (at, &cms.signing_time) {
        (Some(_), _) => JudgedAt::Timestamp,
        (None, Some(_)) => JudgedAt::ClaimedSigningTime,
        (None, None) => JudgedAt::Now,
    };
    let mut verdict = verdict_of(&cms.outcome);
    let ts_bad = timestamp
        .as_ref()
        .is_some_and(|t| t.outcome != TimestampOutcome::Valid);
    if cms.outcome == Outcome::Valid && ts_bad {
        verdict = Verdict::TimestampNotValid;
    }
    Ok(DetachedVerification {
        verdict,
        cms,
        timestamp,
        judged_at,
    })
}
