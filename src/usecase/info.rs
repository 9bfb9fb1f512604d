//! `info` as a use case: the 券面事項入力補助AP after the card-info PIN —
//! the four attributes, the integrity record checked, the number only when
//! asked — and, with the signature password, whether the signature
//! certificate still matches the card.

use super::connect::CardOptions;
use super::pins::{with_pins, Asker, Need, Which};
use crate::card::jpki;
use crate::card::policy;
use crate::card::text;
pub use crate::card::text::{Attributes, Integrity, MyNumber};
use crate::cert::cv_keys::{self, CertLevel};
use crate::error::{Error, Result};
use crate::protocol::face::CvCert;
use crate::protocol::{CertSlot, KeyRef, PinKind};
use crate::report::HolderField;

/// What `info` read. Personal data: shown only because it was asked for.
pub struct Info {
    pub attributes: Attributes,
    /// With `show_number`.
    pub number: Option<MyNumber>,
    pub integrity: Integrity,
    /// The AP's CV certificate (EF 0004) against the built-in CV CA keys
    /// (J-LIS `5000033`, the test hierarchy `6000033`, the virtual card's
    /// test CA), as `face-check`'s level 1; `None` when EF 0004 is absent.
    pub cv_certificate: Option<CertLevel>,
    /// With the signature certificate: the fields that differ from the
    /// card's record (empty: it matches); `None` when not compared (not
    /// asked, or the certificate carries no holder).
    pub holder_differs: Option<Vec<HolderField>>,
}

/// Read the card's record (and the signature certificate with `with_sign`).
pub fn info(
    o: &CardOptions,
    show_number: bool,
    with_sign: bool,
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<Info> {
    let mut needs = Vec::new();
    if with_sign {
        needs.push(Need::verify(PinKind::Sign));
    }
    needs.push(Need::verify(PinKind::CardInfo));
    let (files, sign_der) = with_pins(
        o,
        force_last_try,
        &needs,
        asker,
        |s| match with_sign {
            true => super::certs::require_sign_cert(s),
            false => Ok(()),
        },
        |s, _, pins, _| {
            // The signature certificate first: the JPKI AP is already selected.
            let sign_der = if with_sign {
                policy::verify(s, KeyRef::Sign, pins.get(PinKind::Sign, Which::Current)?)?;
                jpki::read_cert(s, CertSlot::Sign)?
            } else {
                None
            };
            text::select(s)?;
            policy::verify(
                s,
                KeyRef::CardInfo,
                pins.get(PinKind::CardInfo, Which::Current)?,
            )?;
            Ok((text::read_files(s, show_number)?, sign_der))
        },
    )?;
    let attributes = text::parse_attributes(&files.attributes)?;
    let number = files
        .number
        .as_deref()
        .map(text::parse_my_number)
        .transpose()?;
    let integrity = text::check_integrity(
        &files.integrity,
        &files.attributes,
        &attributes,
        files.number.as_deref(),
        files.cv_cert.as_deref(),
    )?;
    let cv_certificate = files
        .cv_cert
        .as_deref()
        .map(|b| {
            CvCert::parse(b)
                .map(|c| cv_keys::level(&c))
                .map_err(|e| Error::Data(format!("入力補助AP EF 0004: {}", e.0)))
        })
        .transpose()?;
    let holder_differs = match &sign_der {
        Some(der) => crate::cert::jpki_attrs::holder_from_der(der)
            .map_err(|e| Error::Data(e.to_string()))?
            .map(|h| crate::report::holder_differences(&h, &attributes.name, &attributes.address)),
        None => None,
    };
    Ok(Info {
        attributes,
        number,
        integrity,
        cv_certificate,
        holder_differs,
    })
}
