//! Signing a PDF with the card (`pdf sign`): the input's structure read
//! and refused when it may not be signed, then, under the one PIN policy
//! (`usecase::sign`'s: counter first, last try guarded, the certificate
//! refused when out of its validity), the incremental update built with
//! the signer's name, its byte ranges hashed, the CMS made by the card
//! (checked with the certificate's key) and put into `/Contents`. Nothing
//! is written here: the command writes the input and the update, whole or
//! not at all. The input is never held whole (`pdf::source`).

use super::connect::CardOptions;
use super::pins::Asker;
use super::sign::{rsa_key, with_key, CardSigner, KeyChoice};
use crate::card::jpki::{self, CertSlot};
use crate::cert::cades::{self, Style};
use crate::error::{Error, Result};
use crate::pdf::source::Skeleton;
use crate::pdf::{parse, stamp, write};
use sha2::{Digest, Sha256};
use std::cell::RefCell;

/// What kind of PDF signature.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PdfProfile {
    /// 登記・供託オンライン申請 (the 法務局): adbe.pkcs7.detached, signing time in the CMS, no timestamp.
    #[value(alias = "登記")]
    Touki,
    /// PAdES baseline B-B (ETSI EN 319 142-1): ETSI.CAdES.detached, ESS signing-certificate-v2, no CMS signing time.
    Pades,
}

impl PdfProfile {
    pub fn sub_filter(self) -> &'static str {
        match self {
            PdfProfile::Touki => "adbe.pkcs7.detached",
            PdfProfile::Pades => "ETSI.CAdES.detached",
        }
    }
    fn style(self) -> Style {
        match self {
            PdfProfile::Touki => Style::PLAIN,
            PdfProfile::Pades => Style::BASELINE_B,
        }
    }
}

/// The signed update, and what it holds.
pub struct SignedPdf {
    /// The bytes to append to the input.
    pub update: Vec<u8>,
    pub byte_range: [usize; 4],
    /// The new field's name.
    pub field: String,
    /// `/Name`: the signer's name from the certificate.
    pub signer: String,
    /// `/M`.
    pub time: String,
    /// The CMS's length in bytes.
    pub cms_len: usize,
    /// The update ends with a cross-reference stream (as the input's last one).
    pub xref_stream: bool,
    /// The signature timestamp's time (GeneralizedTime), with `--tsa`.
    pub timestamp: Option<String>,
}

/// The signer's name: the holder's from a signature certificate, else the subject's CN.
fn signer_name(cert: &[u8]) -> String {
    if let Ok(Some(h)) = crate::cert::jpki_attrs::holder_from_der(cert) {
        if !h.name.trim().is_empty() {
            return h.name;
        }
    }
    x509_parser::parse_x509_certificate(cert)
        .ok()
        .and_then(|(_, x)| {
            x.subject()
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok().map(str::to_string))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// SHA-256 of the output's byte ranges: the whole input (its hash carried
/// on, the input never held) and the update but its `/Contents`.
fn digest_ranges(input: &Skeleton, update: &[u8], range: [usize; 4]) -> Result<[u8; 32]> {
    let base = input.bytes.len();
    let cut = |i: usize| {
        i.checked_sub(base)
            .filter(|x| *x <= update.len())
            .ok_or_else(|| Error::Pdf("internal: a byte range outside the update".into()))
    };
    let mut h = input.sha256.clone();
    h.update(&update[..cut(range[1])?]);
    h.update(&update[cut(range[2])?..]);
    Ok(h.finalize().into())
}

/// How to sign: which key, which profile, a TSA, a stamp.
pub struct Options<'a> {
    pub key: KeyChoice,
    pub profile: PdfProfile,
    /// The TSA's URL, for a signature timestamp.
    pub tsa: Option<&'a str>,
    /// A visible stamp.
    pub stamp: Option<&'a stamp::Request>,
    /// Send the PIN even when one try is left.
    pub force_last_try: bool,
}

/// Sign `input` (a PDF's skeleton: `pdf::source`) with the card: the update to append.
pub fn sign(
    o: &CardOptions,
    input: &Skeleton,
    opts: &Options<'_>,
    asker: &mut dyn Asker,
) -> Result<SignedPdf> {
    let Options {
        key,
        profile,
        tsa,
        stamp,
        force_last_try,
    } = *opts;
    let plan = {
        let doc = input.load(input.bytes.len())?;
        parse::plan(&doc, &input.bytes, stamp.map_or(1, |s| s.place.page))?
    };
    if let Some(s) = stamp {
        s.check()?;
    }
    let (_, _, sign_key, slot) = key.parts();
    let ca_slot = match slot {
        CertSlot::Sign => CertSlot::SignCa,
        _ => CertSlot::AuthCa,
    };
    let (mut upd, cms, signer, time, range) =
        with_key(o, key, force_last_try, asker, |s, cert| {
            let ca = jpki::read_cert(s, ca_slot)?;
            let signer = signer_name(&cert);
            let time = crate::pdf::pdf_date(time::OffsetDateTime::now_utc());
            let dict = write::SigDict {
                sub_filter: profile.sub_filter(),
                name: &signer,
                time: &time,
            };
            let look = stamp
                .map(|r| stamp::build(&r.font, &stamp::lines(&signer, &time), r.place))
                .transpose()?;
            let upd = write::update(&input.bytes, &plan, &dict, look.as_ref())?;
            let range = upd.byte_range();
            let digest = digest_ranges(input, &upd.bytes, range)?;
            let card = CardSigner {
                session: RefCell::new(s),
                key: sign_key,
                verifying: rsa::pkcs1v15::VerifyingKey::<Sha256>::new(rsa_key(&cert)?),
                error: RefCell::new(None),
            };
            let more: Vec<Vec<u8>> = ca.into_iter().collect();
            let cms = cades::build(&card, &cert, &more, &digest, None, profile.style());
            if let Some(e) = card.error.take() {
                return Err(e);
            }
            let cms =
                cms.map_err(|e| Error::Data(format!("cannot build the CMS signature: {e}")))?;
            Ok((upd, cms, signer, time, range))
        })?;
    // The card is done (and powered down): the timestamp is asked for after.
    let (cms, timestamp) = match tsa {
        Some(url) => {
            let (c, t) = super::tsa::stamp(url, &cms)?;
            (c, Some(t))
        }
        None => (cms, None),
    };
    upd.put_contents(&cms)?;
    Ok(SignedPdf {
        update: upd.bytes,
        byte_range: range,
        field: plan.field_name.clone(),
        signer,
        time,
        cms_len: cms.len(),
        xref_stream: plan.xref_stream,
        timestamp,
    })
}
