//! `mynacard info`: the four basic attributes from the 券面事項入力補助AP
//! (after the card-info PIN), the individual number only on request, the
//! integrity record, and optionally a comparison with the signature
//! certificate.

use super::Ctx;
use crate::cert::cv_keys::CertLevel;
use crate::cli::input::{PinInput, PinSource, Source};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::Result;
use crate::protocol::PinKind;
use crate::report::{FindingCode, HolderField};
use crate::usecase::info::{Attributes, Integrity};
use crate::usecase::pins::Which;
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
    integrity: IntegrityDoc<'a>,
    sign_certificate_matches: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Mismatch>,
}

/// The integrity record's checks, and the CV certificate's chain.
#[derive(Serialize, schemars::JsonSchema)]
pub struct IntegrityDoc<'a> {
    #[serde(flatten)]
    record: &'a Integrity,
    /// The application's CV certificate (EF 0004) checked with the built-in
    /// J-LIS CV CA keys, as `face-check`'s level 1: `ok` only when its
    /// signature verifies with the key its 証明者鍵ID names (`5000033/001`
    /// for a resident's card). Null when EF 0004 was not read.
    certificate: Option<&'a CertLevel>,
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
    let info = crate::usecase::info::info(
        &ctx.card,
        a.show_number,
        a.with_sign,
        a.last.force_last_try,
        &mut input,
    )?;
    let (attrs, number, integrity) = (&info.attributes, &info.number, &info.integrity);
    let matches = info.holder_differs.as_ref().map(|f| f.is_empty());
    let findings = mismatch(info.holder_differs.clone());

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
            attributes: attrs,
            sex: crate::protocol::records::sex_of(&attrs.sex_code),
            individual_number: shown_number.clone(),
            integrity: IntegrityDoc {
                record: integrity,
                certificate: info.cv_certificate.as_ref(),
            },
            sign_certificate_matches: matches,
            findings,
        });
        return Ok(0);
    }
    print_text(ctx, attrs, shown_number.as_deref(), integrity);
    if let Some(c) = &info.cv_certificate {
        print_cv(ctx, c);
    }
    print_findings(ctx, &findings, matches);
    Ok(0)
}

/// `--with-sign`: a finding when the signature certificate differs.
fn mismatch(differs: Option<Vec<HolderField>>) -> Vec<Mismatch> {
    let Some(fields) = differs.filter(|f| !f.is_empty()) else {
        return Vec::new();
    };
    let (message, next_step) = crate::report::holder_mismatch();
    vec![Mismatch {
        code: FindingCode::SignCertMismatch,
        fields,
        message: message.en,
        message_ja: message.ja,
        next_step: next_step.en,
        next_step_ja: next_step.ja,
    }]
}

/// The attributes and the integrity record, as text.
fn print_text(ctx: &Ctx, attrs: &Attributes, shown_number: Option<&str>, integrity: &Integrity) {
    let lang = ctx.lang;
    let sex = crate::i18n::sex_label(&attrs.sex_code, lang);
    let row = |k: &str, v: &str| println!("  {} {v}", super::pin::pad(k, 14));
    println!("{}", lang.pick("券面事項 (入力補助)", "Card information"));
    row(lang.pick("氏名", "name"), &attrs.name);
    row(lang.pick("住所", "address"), &attrs.address);
    let birth = attrs.birth_date.as_deref().unwrap_or(&attrs.birth_date_raw);
    row(
        lang.pick("生年月日", "date of birth"),
        &format!("{birth}{}", crate::i18n::era_note(birth, lang)),
    );
    row(
        lang.pick("性別", "sex"),
        &format!("{sex} ({})", attrs.sex_code),
    );
    if let Some(shown) = shown_number {
        row(lang.pick("個人番号", "number"), shown);
    }
    row(
        lang.pick("改ざん検査", "integrity"),
        &integrity_text(ctx, integrity),
    );
}

/// The CV certificate's issuer, in one line (face-check's level-1 words).
fn print_cv(ctx: &Ctx, c: &CertLevel) {
    let lang = ctx.lang;
    let tone = if c.ok { Tone::Ok } else { Tone::Bad };
    println!(
        "  {} {}",
        super::pin::pad(lang.pick("CV 証明書", "CV certificate"), 14),
        paint(ctx, tone, &super::face_text::LevelText.cert(c, lang))
    );
}

/// The integrity record in one line: each hash and the signature.
fn integrity_text(ctx: &Ctx, integrity: &Integrity) -> String {
    let lang = ctx.lang;
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
    format!(
        "{} {}, {} {num}, {} {sig}",
        lang.pick("4情報", "attributes"),
        ok(integrity.attributes_hash_ok),
        lang.pick("番号", "number"),
        lang.pick("署名", "signature"),
    )
}

/// The findings, or that the signature certificate matches.
fn print_findings(ctx: &Ctx, findings: &[Mismatch], matches: Option<bool>) {
    let lang = ctx.lang;
    for f in findings {
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
}
