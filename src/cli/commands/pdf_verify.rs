//! `mynacard pdf verify`: every signature in a PDF (`pdf::verify`), shown
//! as text or as a typed JSON document; the exit code is `verify`'s where
//! the meaning is the same.

use super::Ctx;
use crate::cert::tsp::TimestampOutcome;
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{exit, Error, Result};
use crate::pdf::verify::{Covers, PdfSignature, PdfVerification, Verdict};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PdfVerifyArgs {
    /// The signed PDF
    pub file: PathBuf,
    /// Also trust the issuers in FILE or DIR (PEM or DER), besides the built-in J-LIS roots
    #[arg(long, value_name = "FILE|DIR")]
    pub ca: Option<PathBuf>,
    /// Also trust the test PKIs (the virtual card's, J-LIS's O=JPKI-TEST): for tests only
    #[arg(long)]
    pub test_pki: bool,
}

/// `pdf verify --json`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct PdfVerifyDoc<'a> {
    pub file: String,
    /// Every signature is valid and nothing but allowed changes follow it.
    pub valid: bool,
    #[serde(flatten)]
    pub verification: &'a PdfVerification,
    /// Revocation was not checked, and no long-term validation data is
    /// embedded: JPKI's CRL is on J-LIS's network, its OCSP needs a contract.
    pub revocation_checked: bool,
}

impl Document for PdfVerifyDoc<'_> {
    const COMMAND: &'static str = "pdf verify";
}

/// The exit code of one verdict (`verify`'s where the meaning is the same;
/// a timestamp's failure by what failed in it): `verify` uses it too.
pub(super) fn verdict_code(v: Verdict, ts: Option<TimestampOutcome>) -> i32 {
    match v {
        Verdict::Valid => exit::OK,
        Verdict::TimestampNotValid => match ts {
            Some(TimestampOutcome::UntrustedTsa) => exit::VERIFY_UNKNOWN_SIGNER,
            Some(TimestampOutcome::NotValidAtTime) => exit::VERIFY_NOT_VALID_AT_SIGNING,
            Some(TimestampOutcome::NotForTimestamping) => exit::VERIFY_KEY_USAGE,
            Some(TimestampOutcome::Unreadable) | None => exit::DATA,
            _ => exit::VERIFY_BAD_SIGNATURE,
        },
        Verdict::FileChanged => exit::VERIFY_FILE_CHANGED,
        Verdict::BadSignature => exit::VERIFY_BAD_SIGNATURE,
        Verdict::UnknownSigner => exit::VERIFY_UNKNOWN_SIGNER,
        Verdict::NotValidAtSigningTime => exit::VERIFY_NOT_VALID_AT_SIGNING,
        Verdict::WrongKeyUsage => exit::VERIFY_KEY_USAGE,
        Verdict::ChangedAfterSigning => exit::VERIFY_CHANGED_AFTER_SIGNING,
        Verdict::Unreadable => exit::DATA,
    }
}

fn code(s: &PdfSignature) -> i32 {
    verdict_code(s.verdict, s.timestamp.as_ref().map(|t| t.outcome))
}

pub(super) fn verdict_text(v: Verdict, l: crate::i18n::Lang) -> &'static str {
    match v {
        Verdict::Valid => l.pick("有効な署名", "valid signature"),
        Verdict::ChangedAfterSigning => l.pick(
            "署名は有効ですが、署名の後に文書が変更されています",
            "the signature is valid, but the document was changed after signing",
        ),
        Verdict::FileChanged => l.pick(
            "署名された内容が変更されています",
            "the signed content was changed",
        ),
        Verdict::BadSignature => l.pick("署名が検証できません", "the signature does not verify"),
        Verdict::UnknownSigner => l.pick(
            "信頼できない発行元の証明書です",
            "the signer's certificate is not from a trusted issuer",
        ),
        Verdict::NotValidAtSigningTime => l.pick(
            "署名時に証明書が有効期間外でした",
            "the certificate was not valid at the signing time",
        ),
        Verdict::WrongKeyUsage => l.pick(
            "署名に使えない鍵の証明書です",
            "the certificate's key may not sign",
        ),
        Verdict::TimestampNotValid => l.pick(
            "タイムスタンプが有効ではありません",
            "the timestamp is not valid",
        ),
        Verdict::Unreadable => l.pick("署名を読めません", "the signature cannot be read"),
    }
}

pub(super) fn timestamp_text(o: TimestampOutcome, l: crate::i18n::Lang) -> &'static str {
    match o {
        TimestampOutcome::Valid => l.pick("有効、この時刻で判定", "valid: judged at this time"),
        TimestampOutcome::ImprintMismatch => {
            l.pick("この署名のものではありません", "not for this signature")
        }
        TimestampOutcome::BadSignature => l.pick(
            "TSA の署名が検証できません",
            "the TSA's signature does not verify",
        ),
        TimestampOutcome::UntrustedTsa => l.pick(
            "信頼できない TSA です (--ca で追加)",
            "the TSA is not trusted (add it with --ca)",
        ),
        TimestampOutcome::NotValidAtTime => l.pick(
            "TSA の証明書がこの時刻に有効期間外",
            "the TSA's certificate was not valid at this time",
        ),
        TimestampOutcome::NotForTimestamping => l.pick(
            "タイムスタンプ用の証明書ではありません",
            "the TSA's certificate is not for timestamping",
        ),
        TimestampOutcome::Unreadable => l.pick("読めません", "cannot be read"),
    }
}

/// A change's kind as JSON names it.
fn kind_name(k: crate::pdf::diff::ChangeKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn show(ctx: &Ctx, i: usize, s: &PdfSignature, length: u64) {
    let l = ctx.lang;
    let tone = match s.verdict {
        Verdict::Valid => Tone::Ok,
        _ => Tone::Bad,
    };
    let head = format!(
        "#{} {}: {}",
        i + 1,
        s.field.as_deref().unwrap_or("-"),
        verdict_text(s.verdict, l)
    );
    println!("{}", paint(ctx, tone, &head));
    let row = |k: &str, v: &str| println!("  {} {v}", crate::i18n::pad(k, 18));
    if let Some(n) = &s.name {
        row(l.pick("署名者 (/Name)", "signer (/Name)"), n);
    }
    if let Some(c) = s.cms.as_ref().and_then(|c| c.signer_subject.as_ref()) {
        row(l.pick("証明書", "certificate"), c);
    }
    if let Some(t) = &s.time {
        let shown = pdf_date_text(t);
        row(
            l.pick("署名日時 (/M)", "time (/M)"),
            &format!("{shown}{}", crate::i18n::era_note(&shown, l)),
        );
    }
    if let Some(t) = s.cms.as_ref().and_then(|c| c.signing_time.as_ref()) {
        row(l.pick("署名時刻 (CMS)", "signing time (CMS)"), t);
    }
    if let Some(t) = &s.timestamp {
        let when = t.time_jst.as_deref().or(t.time.as_deref()).unwrap_or("-");
        row(
            l.pick("タイムスタンプ", "timestamp"),
            &format!(
                "{when}{} ({})",
                crate::i18n::era_note(when, l),
                timestamp_text(t.outcome, l)
            ),
        );
        if let Some(who) = &t.tsa_subject {
            row("TSA", who);
        }
    }
    if let Some(f) = &s.sub_filter {
        row("SubFilter", f);
    }
    let covers = match s.covers {
        Covers::WholeFile => l.pick("ファイル全体", "the whole file").to_string(),
        Covers::EarlierRevision => format!(
            "{} ({} / {} bytes)",
            l.pick("以前の版まで", "an earlier revision"),
            s.signed_until,
            length
        ),
        Covers::Bad => l.pick("不正", "not sane").to_string(),
    };
    row(l.pick("署名範囲", "covers"), &covers);
    for c in &s.later_changes {
        let mark = if c.allowed { "" } else { " ✗" };
        row(
            l.pick("後の変更", "later change"),
            &format!("{} (object {}){mark}", kind_name(c.kind), c.object),
        );
    }
    if s.verdict != Verdict::Valid {
        row(l.pick("詳細 (技術情報)", "detail"), &s.detail);
    }
}

pub fn run(ctx: &Ctx, a: PdfVerifyArgs) -> Result<i32> {
    // Its structure, without the data of large streams; the signed bytes are hashed from the file.
    let src = crate::pdf::source::read(&a.file, crate::platform::files::limit::PDF)
        .map_err(|e| Error::io(&a.file, e))?;
    let anchors = match &a.ca {
        Some(p) => Some(
            crate::cert::chain::load_trust_anchors(p).map_err(|e| Error::Cert(e.to_string()))?,
        ),
        None => None,
    };
    let v = crate::pdf::verify::verify(
        &src,
        crate::pdf::verify::Hashing::File(&a.file),
        a.test_pki,
        anchors.as_deref(),
    )?;
    // The lowest failing code: the first check that failed, as `verify` orders them.
    let code = v
        .signatures
        .iter()
        .map(code)
        .filter(|c| *c != exit::OK)
        .min()
        .unwrap_or(exit::OK);
    if ctx.g.json {
        print_json(&PdfVerifyDoc {
            file: a.file.display().to_string(),
            valid: code == exit::OK,
            verification: &v,
            revocation_checked: false,
        });
        return Ok(code);
    }
    for (i, s) in v.signatures.iter().enumerate() {
        show(ctx, i, s, v.length);
    }
    let l = ctx.lang;
    println!(
        "  {}",
        paint(
            ctx,
            Tone::Dim,
            l.pick(
                "失効は確認していません。長期検証 (LTV) の情報は含みません (JPKI の CRL は J-LIS の網内、OCSP は署名検証者の契約が必要)",
                "revocation not checked, no long-term validation data (JPKI's CRL is on J-LIS's network; its OCSP needs a 署名検証者 contract)"
            )
        )
    );
    Ok(code)
}

/// A PDF date (`D:20261206144114+09'00'`) as the other commands show a
/// time (`2026-12-06 14:41:14 +09:00`); anything else as it is.
fn pdf_date_text(d: &str) -> String {
    let s = d.strip_prefix("D:").unwrap_or(d);
    let digits = s
        .get(..14)
        .filter(|x| x.bytes().all(|b| b.is_ascii_digit()));
    let Some(x) = digits else {
        return d.to_string();
    };
    let zone = s[14..].replace('\'', "");
    let zone = match zone.as_str() {
        "+0900" => " JST".to_string(),
        "Z" | "+0000" => " UTC".to_string(),
        "" => String::new(),
        z if z.len() == 5 => format!(" {}:{}", &z[..3], &z[3..]),
        z => format!(" {z}"),
    };
    format!(
        "{}-{}-{} {}:{}:{}{zone}",
        &x[..4],
        &x[4..6],
        &x[6..8],
        &x[8..10],
        &x[10..12],
        &x[12..14]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn pdf_dates_shown_as_times() {
        assert_eq!(
            super::pdf_date_text("D:20261206144114+09'00'"),
            "2026-12-06 14:41:14 JST"
        );
        assert_eq!(
            super::pdf_date_text("D:20261206054114Z"),
            "2026-12-06 05:41:14 UTC"
        );
        assert_eq!(super::pdf_date_text("garbage"), "garbage");
    }
}
