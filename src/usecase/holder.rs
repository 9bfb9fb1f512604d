//! The signature certificate against the card's own record (入力補助AP,
//! after the card-info PIN): the moved-resident case of `status
//! --with-card-info`. Only which fields differ leaves this room.

use super::pins::password_not_used;
use crate::card::pin::CheckedPin;
use crate::card::{policy, Session};
use crate::error::{Error, Result};
use crate::protocol::KeyRef;
use crate::report;

/// The result of comparing the signature certificate with the card.
pub(super) enum Comparison {
    /// The fields that differ (none: it matches).
    Differs(Vec<report::HolderField>),
    /// The card-info PIN could not be used.
    PinNotUsed(Error),
    /// The signature certificate carries no holder attributes: there is
    /// nothing to compare (the card is not read for it).
    NoHolder,
}

/// The signature certificate's name and address against the card's own
/// record (入力補助AP, after the card-info PIN). Only which fields differ
/// leaves this function: the personal data itself is dropped here.
pub(super) fn compare_holder(
    s: &mut Session,
    sign_der: &[u8],
    pin: &CheckedPin,
) -> Result<Comparison> {
    let Some(holder) = crate::cert::jpki_attrs::holder_from_der(sign_der)
        .map_err(|e| Error::Data(e.to_string()))?
    else {
        return Ok(Comparison::NoHolder);
    };
    crate::card::text::select(s)?;
    match policy::verify(s, KeyRef::CardInfo, pin) {
        Err(e) if password_not_used(&e) => return Ok(Comparison::PinNotUsed(e)),
        r => r?,
    };
    let attrs = crate::card::text::read_attributes(s)?;
    Ok(Comparison::Differs(report::holder_differences(
        &holder,
        &attrs.name,
        &attrs.address,
    )))
}
