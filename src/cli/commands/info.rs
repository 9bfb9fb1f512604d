//! `mynacard info`: the four basic attributes from the 券面事項入力補助AP
//! (after the card-info PIN), the individual number only on request, the
//! integrity record, and optionally a comparison with the signature
//! certificate.

use super::Ctx;
use crate::card::jpki::{self, CertSlot};
use crate::card::pin::PinKind;
use crate::card::policy;
use crate::card::text::{self, Attributes, Integrity, MyNumber};
use crate::cli::input::{PinInput, PinSource, Source};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{Error, Result};
use crate::protocol::KeyRef;
use crate::report::{FindingCode, HolderField};
use crate::usecase::pins::{with_pins, Need, Which};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Also read the individual number (個人番号); otherwise it is not read at all
    #[arg(long)]
    pub show_number: bool,
    /// With --show-number: show all 12 digits, in text and JSON (default: only the last 4)
    #[arg(long, requires = "show_number")]
    pub unmask: bool,
    /// Compare with the signature certificate (needs the signature password)
    #[arg(long)]
    pub with_sign: bool,
    #[command(flatten)]
    pub last: super::pin::LastTry,
    #[command(flatten)]
    pub pin: PinSource,
    #[command(flatten)]
    pub sign_pin: SignPinSource,
}

/// Where the signature password of `--with-sign` comes from.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "sign_pin_source", multiple = false)]
pub struct SignPinSource {
    /// Read the signature password from the first line of FILE (--with-sign)
    #[arg(long, value_name = "FILE", requires = "with_sign")]
    pub sign_pin_file: Option<PathBuf>,
    /// Read the signature password from the environment variable NAME (--with-sign)
    #[arg(long, value_name = "NAME", requires = "with_sign")]
    pub sign_pin_env: Option<String>,
}

/// The signature certificate differs from the card (`--with-sign`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct Mismatch {
    code: FindingCode,
    fields: Vec<HolderField>,
    message: String,
    message_ja: String,
    next_step: String,
    next_step_ja: String,
}

/// `info --json`. Personal data: printed only because it was asked for.
#[derive(Serialize, schemars::JsonSchema)]
pub struct InfoDoc<'a> {
    attributes: &'a Attributes,
    sex: crate::protocol::records::Sex,
    /// With --show-number: the last 4 digits (all 12 with --unmask).
    #[serde(skip_serializing_if = "Option::is_none")]
    individual_number: Option<String>,
    integrity: &'a Integrity,
    sign_certificate_matches: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Mismatch>,
}

impl Document for InfoDoc<'_> {
    const COMMAND: &'static str = "info";
}

pub fn run(ctx: &Ctx, a: InfoArgs) -> Result<i32> {
    let lang = ctx.lang;
    let sign_src = Source::file_or_env(&a.sign_pin.sign_pin_file, &a.sign_pin.sign_pin_env);
    let mut input = PinInput::new(lang)
        .with(PinKind::CardInfo, Which::Current, a.pin.source())
        .with(PinKind::Sign, Which::Current, sign_src);
    let mut needs = Vec::new();
    if a.with_sign {
        needs.push(Need::verify(PinKind::Sign));
    }
    needs.push(Need::verify(PinKind::CardInfo));
    let with_sign = a.with_sign;
    let show_number = a.show_number;
    let (files, sign_der) = with_pins(
        &ctx.card,
        a.last.force_last_try,
        &needs,
        &mut input,
        |s| match with_sign {
            true => crate::usecase::certs::require_sign_cert(s),
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
    let text::Files {
        attributes: ef2,
        integrity: ef3,
        cv_cert: ef4,
        number: ef1,
    } = files;
    let attrs = text::parse_attributes(&ef2)?;
    let number: Option<MyNumber> = ef1.as_deref().map(text::parse_my_number).transpose()?;
    let integrity = text::check_integrity(&ef3, &ef2, &attrs, ef1.as_deref(), ef4.as_deref())?;

    let mut findings = Vec::new();
    let mut matches = None;
    if let Some(der) = &sign_der {
        let holder = crate::cert::jpki_attrs::holder_from_der(der)
            .map_err(|e| Error::Data(e.to_string()))?;
        if let Some(h) = holder {
            let fields = crate::report::holder_differences(&h, &attrs.name, &attrs.address);
            matches = Some(fields.is_empty());
            if !fields.is_empty() {
                let (message, next_step) = crate::report::holder_mismatch();
                findings.push(Mismatch {
                    code: FindingCode::SignCertMismatch,
                    fields,
                    message: message.en,
                    message_ja: message.ja,
                    next_step: next_step.en,
                    next_step_ja: next_step.ja,
                });
            }
        }
    }

    let sex = crate::i18n::sex_label(&attrs.sex_code, lang);
    // One masking rule for text and JSON: all 12 digits only with --unmask.
    let shown_number = number.as_ref().map(|n| {
        if a.unmask {
            n.expose().to_string()
        } else {
            n.masked()
        }
    });
    if ctx.g.json {
        print_json(&InfoDoc {
            attributes: &attrs,
            sex: crate::protocol::records::sex_of(&attrs.sex_code),
            individual_number: shown_number.clone(),
            integrity: &integrity,
            sign_certificate_matches: matches,
            findings,
        });
        return Ok(0);
    }
    let row = |k: &str, v: &str| println!("  {} {v}", super::pin::pad(k, 14));
    println!("{}", lang.pick("券面事項 (入力補助)", "Card information"));
    row(lang.pick("氏名", "name"), &attrs.name);
    row(lang.pick("住所", "address"), &attrs.address);
    row(
        lang.pick("生年月日", "date of birth"),
        attrs.birth_date.as_deref().unwrap_or(&attrs.birth_date_raw),
    );
    row(
        lang.pick("性別", "sex"),
        &format!("{sex} ({})", attrs.sex_code),
    );
    if let Some(shown) = &shown_number {
        row(lang.pick("個人番号", "number"), shown);
    }
    let ok = |b: bool| {
        if b {
            paint(ctx, Tone::Ok, lang.pick("一致", "match"))
        } else {
            paint(ctx, Tone::Bad, lang.pick("不一致", "MISMATCH"))
        }
    };
    let num = match integrity.number_hash_ok {
        Some(b) => ok(b),
        None => paint(
            ctx,
            Tone::Dim,
            lang.pick(
                "未確認 (番号を読んでいません)",
                "not checked (number not read)",
            ),
        ),
    };
    let sig = match integrity.signature_ok {
        Some(true) => paint(ctx, Tone::Ok, lang.pick("有効", "valid")),
        Some(false) => paint(ctx, Tone::Bad, lang.pick("無効", "INVALID")),
        None => paint(ctx, Tone::Dim, lang.pick("未確認", "not checked")),
    };
    row(
        lang.pick("改ざん検査", "integrity"),
        &format!(
            "{} {}, {} {num}, {} {sig}",
            lang.pick("4情報", "attributes"),
            ok(integrity.attributes_hash_ok),
            lang.pick("番号", "number"),
            lang.pick("署名", "signature"),
        ),
    );
    for f in &findings {
        println!(
            "{} {}",
            paint(ctx, Tone::Bad, lang.pick("警告", "WARN")),
            if lang == crate::i18n::Lang::Ja {
                &f.message_ja
            } else {
                &f.message
            }
        );
        println!(
            "     → {}",
            if lang == crate::i18n::Lang::Ja {
                &f.next_step_ja
            } else {
                &f.next_step
            }
        );
    }
    if matches == Some(true) {
        println!(
            "  {}",
            paint(
                ctx,
                Tone::Ok,
                lang.pick(
                    "署名用電子証明書の記載と一致しています",
                    "the signature certificate matches the card"
                )
            )
        );
    }
    Ok(0)
}
