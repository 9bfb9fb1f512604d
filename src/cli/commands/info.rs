//! `mynacard info`: the four basic attributes from the 券面事項入力補助AP
//! (after the card-info PIN), the individual number only on request, the
//! integrity record, and optionally a comparison with the signature
//! certificate.

use super::{require_jpki, with_card, Ctx};
use crate::card::jpki::{self, CertSlot};
use crate::card::pin::{self, PinKind};
use crate::card::text::{self, Attributes, Integrity, MyNumber};
use crate::cli::input::{read_checked, PinSource};
use crate::cli::output::{paint, print_json, Tone};
use crate::error::{Error, Result};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Also read the individual number (個人番号); otherwise it is not read at all
    #[arg(long)]
    pub show_number: bool,
    /// With --show-number: print all 12 digits in text output (default: only the last 4)
    #[arg(long, requires = "show_number")]
    pub unmask: bool,
    /// Compare with the signature certificate (needs the signature password)
    #[arg(long)]
    pub with_sign: bool,
    /// Allow using the last remaining try of a PIN
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pin: PinSource,
    /// Read the signature password from the first line of FILE (--with-sign)
    #[arg(long, value_name = "FILE")]
    pub sign_pin_file: Option<PathBuf>,
    /// Read the signature password from the environment variable NAME (--with-sign)
    #[arg(long, value_name = "NAME")]
    pub sign_pin_env: Option<String>,
}

#[derive(Serialize)]
struct Mismatch {
    code: &'static str,
    fields: Vec<&'static str>,
    message: String,
    next_step: String,
}

#[derive(Serialize)]
struct InfoJson<'a> {
    attributes: &'a Attributes,
    sex: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    individual_number: Option<&'a str>,
    integrity: &'a Integrity,
    sign_certificate_matches: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Mismatch>,
}

/// Compare ignoring the white-space differences certificates may carry.
fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn run(ctx: &Ctx, a: InfoArgs) -> Result<i32> {
    let lang = ctx.lang;
    let pin = read_checked(&a.pin, PinKind::CardInfo, lang)?;
    let sign_pw = match a.with_sign {
        true => {
            let src = PinSource {
                pin_file: a.sign_pin_file.clone(),
                pin_stdin: false,
                pin_env: a.sign_pin_env.clone(),
            };
            Some(read_checked(&src, PinKind::Sign, lang)?)
        }
        false => None,
    };
    let force = a.force;
    let show_number = a.show_number;
    type Got = (
        Vec<u8>,
        Vec<u8>,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
    );
    let (ef2, ef3, ef4, ef1, sign_der): Got = with_card(ctx, true, |s, meta| {
        require_jpki(s, meta)?;
        let mut yes = || true;
        // The signature certificate first: the JPKI AP is already selected.
        let sign_der = match &sign_pw {
            Some(p) => {
                if !jpki::availability(s)?.sign {
                    return Err(Error::Unsupported(
                        lang.pick(
                            "このカードには署名用電子証明書がありません",
                            "this card holds no signature certificate",
                        )
                        .into(),
                    ));
                }
                pin::guarded_verify(s, crate::protocol::KeyRef::Sign, p, force, &mut yes)?;
                jpki::read_cert(s, CertSlot::Sign)?
            }
            None => None,
        };
        text::select(s)?;
        pin::guarded_verify(s, crate::protocol::KeyRef::CardInfo, &pin, force, &mut yes)?;
        let ef2 = s
            .read_tlv_file(text::ef::ATTRIBUTES)?
            .ok_or_else(|| Error::Data("EF 0002 is missing".into()))?;
        let ef3 = s
            .read_tlv_file(text::ef::INTEGRITY)?
            .ok_or_else(|| Error::Data("EF 0003 is missing".into()))?;
        // The AP's CV certificate (no PIN): the key that signed EF 0003.
        let ef4 = s.read_tlv_file(text::ef::CV_CERT)?;
        // EF 0001 is read only when asked for; 17 bytes as stored.
        let ef1 = if show_number {
            s.read_binary(text::ef::MY_NUMBER, 17)?
        } else {
            None
        };
        Ok((ef2, ef3, ef4, ef1, sign_der))
    })?;
    let attrs = text::parse_attributes(&ef2)?;
    let number: Option<MyNumber> = ef1.as_deref().map(text::parse_my_number).transpose()?;
    let integrity = text::check_integrity(&ef3, &ef2, &attrs, ef1.as_deref(), ef4.as_deref())?;

    let mut findings = Vec::new();
    let mut matches = None;
    if let Some(der) = &sign_der {
        let holder = crate::cert::jpki_attrs::holder_from_der(der)
            .map_err(|e| Error::Data(e.to_string()))?;
        if let Some(h) = holder {
            let mut fields = Vec::new();
            if norm(&h.name) != norm(&attrs.name) {
                fields.push("name");
            }
            if norm(&h.address) != norm(&attrs.address) {
                fields.push("address");
            }
            matches = Some(fields.is_empty());
            if !fields.is_empty() {
                findings.push(Mismatch {
                    code: "SIGN_CERT_MISMATCH",
                    fields,
                    message: lang
                        .pick(
                            "署名用電子証明書の氏名・住所がカードの記載と一致しません。転居や氏名の変更で署名用電子証明書は失効しています",
                            "the signature certificate's name or address differs from the card's: a move or a name change has invalidated it",
                        )
                        .into(),
                    next_step: lang
                        .pick(
                            "市区町村の窓口で署名用電子証明書の発行を申請してください",
                            "apply for a new signature certificate at your municipal office",
                        )
                        .into(),
                });
            }
        }
    }

    let sex = text::sex_label(&attrs.sex_code, lang);
    if ctx.g.json {
        print_json(
            "info",
            &InfoJson {
                attributes: &attrs,
                sex,
                individual_number: number.as_ref().map(|n| n.expose()),
                integrity: &integrity,
                sign_certificate_matches: matches,
                findings,
            },
        );
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
    if let Some(n) = &number {
        let shown = if a.unmask {
            n.expose().to_string()
        } else {
            n.masked()
        };
        row(lang.pick("個人番号", "number"), &shown);
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
            f.message
        );
        println!("     → {}", f.next_step);
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
