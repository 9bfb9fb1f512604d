//! The certificate report as aligned text, in Japanese or English. Terms
//! follow J-LIS usage (署名用電子証明書, 利用者証明用電子証明書, 有効期限,
//! 発行者, 主体者, 鍵用途).

use super::chain::{ChainResult, ChainStatus};
use super::jpki_attrs::{BirthDate, SubstituteFlags};
use super::{CertReport, Holder};
use crate::i18n::Lang;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

enum Row {
    Heading(String),
    Field(String, Vec<String>),
}

/// Display columns: East Asian wide and full-width characters count two.
use crate::i18n::width;

fn kind_label(kind: &str, lang: Lang) -> String {
    match kind {
        "jpki_sign" => lang.pick("署名用電子証明書 (JPKI)", "JPKI signature certificate"),
        "jpki_auth" => lang.pick(
            "利用者証明用電子証明書 (JPKI)",
            "JPKI user-authentication certificate",
        ),
        "ca" => lang.pick("認証局 (CA) の証明書", "CA certificate"),
        _ => lang.pick("電子証明書", "certificate"),
    }
    .to_string()
}

/// `2030-02-17T23:59:59+09:00` → `2030-02-17 23:59:59 JST`; the zone
/// is named from the text's own offset.
use crate::i18n::era_note;

fn when(rfc: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let Ok(t) = OffsetDateTime::parse(rfc, &Rfc3339) else {
        return rfc.to_string();
    };
    let zone = match t.offset().whole_seconds() {
        0 => "UTC".to_string(),
        32400 => "JST".to_string(),
        _ => t.offset().to_string(),
    };
    t.format(&fmt)
        .map(|s| format!("{s} {zone}"))
        .unwrap_or_else(|_| rfc.to_string())
}

fn days_text(r: &CertReport, lang: Lang) -> String {
    let n = r.days_left;
    if r.not_yet_valid {
        return lang.pick("有効期間の開始前です", "not yet valid").into();
    }
    match (lang, r.expired, n) {
        (Lang::Ja, true, _) => format!("期限切れ ({} 日前に失効)", n.unsigned_abs()),
        (Lang::En, true, -1) => "expired 1 day ago".into(),
        (Lang::En, true, _) => format!("expired {} days ago", n.unsigned_abs()),
        (Lang::Ja, false, 0) => "本日が有効期限です".into(),
        (Lang::En, false, 0) => "expires today".into(),
        (Lang::Ja, false, _) => format!("残り {n} 日"),
        (Lang::En, false, 1) => "1 day left".into(),
        (Lang::En, false, _) => format!("{n} days left"),
    }
}

/// Colon-separated byte pairs, 16 to a line.
fn fingerprint_lines(hex: &str) -> Vec<String> {
    let pairs: Vec<&str> = hex
        .as_bytes()
        .chunks(2)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    pairs.chunks(16).map(|c| c.join(":")).collect()
}

fn sex_text(code: &str, lang: Lang) -> String {
    // The certificate's coding is unconfirmed (card-protocol.md §16 item 6);
    // these are the 入力補助AP's codes, as in ISO/IEC 5218.
    let label = crate::i18n::sex_label(code, lang);
    if label.contains(code) {
        label
    } else {
        format!("{label} ({code})")
    }
}

fn romaji(era: &str) -> &'static str {
    match era {
        "明治" => "Meiji",
        "大正" => "Taishō",
        "昭和" => "Shōwa",
        "平成" => "Heisei",
        "令和" => "Reiwa",
        _ => "",
    }
}

fn birth_text(b: &BirthDate, lang: Lang) -> String {
    let parsed = time::Date::parse(
        &b.date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok();
    let mut s = b.date.clone();
    if let Some(e) = parsed
        .filter(|_| b.era_consistent)
        .and_then(|d| crate::rules::era_of(d).map(|e| (d, e)))
    {
        let (d, name, year) = (e.0, e.1.name, e.1.year);
        {
            let y = if year == 1 {
                lang.pick("元", "1").to_string()
            } else {
                year.to_string()
            };
            s.push_str(&match lang {
                Lang::Ja => format!(" ({name}{y}年{}月{}日)", u8::from(d.month()), d.day()),
                Lang::En => format!(" ({} {y}, {name})", romaji(name)),
            });
        }
    }
    if !b.era_consistent {
        let code = b.era_code.map(String::from).unwrap_or_default();
        let era = b.era.as_deref().unwrap_or("?");
        s.push_str(&match lang {
            Lang::Ja => format!(" ※元号コード {code} ({era}) が日付と一致しません"),
            Lang::En => format!(" (era code {code} ({era}) does not match the date)"),
        });
    }
    s
}

fn substitutes_text(f: &SubstituteFlags, lang: Lang) -> Option<String> {
    if f.positions.is_empty() {
        return None;
    }
    let list: Vec<String> = f.positions.iter().map(usize::to_string).collect();
    Some(match lang {
        Lang::Ja => format!(
            "※ {} 文字目は代替文字 (JIS 第1・第2水準と補助漢字の外の文字を置き換えたもの)",
            list.join(", ")
        ),
        Lang::En => format!(
            "substitute character at position{} {} (the original is outside JIS level 1/2 and 補助漢字)",
            if list.len() == 1 { "" } else { "s" },
            list.join(", ")
        ),
    })
}

/// A chain status in words (the one home of these labels).
pub fn chain_label(s: ChainStatus, lang: Lang) -> &'static str {
    match s {
        ChainStatus::Valid => lang.pick("有効", "valid"),
        ChainStatus::Expired => lang.pick("期限切れ", "expired"),
        ChainStatus::NotYetValid => lang.pick("有効期間前", "not yet valid"),
        ChainStatus::BadSignature => lang.pick("署名が検証できません", "bad signature"),
        ChainStatus::UnknownIssuer => lang.pick("発行者の証明書が見つかりません", "unknown issuer"),
        ChainStatus::IssuerNotCa => {
            lang.pick("発行者が認証局 (CA) ではありません", "issuer is not a CA")
        }
    }
}

/// The rows of the certificate's own fields, up to its fingerprint.
fn certificate_rows(report: &CertReport, lang: Lang) -> Vec<Row> {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let field = |label: String, value: String| Row::Field(label, vec![value]);
    let mut rows = vec![
        field(t("種別", "Type"), kind_label(&report.kind, lang)),
        field(t("主体者", "Subject"), report.subject.clone()),
        field(t("発行者", "Issuer"), report.issuer.clone()),
        field(t("シリアル番号", "Serial number"), report.serial.clone()),
        Row::Field(
            t("有効期間の開始", "Valid from"),
            vec![
                when(&report.not_before_jst) + &era_note(&report.not_before_jst, lang),
                format!("({})", when(&report.not_before_utc)),
            ],
        ),
        Row::Field(
            t("有効期限", "Valid until"),
            vec![
                when(&report.not_after_jst) + &era_note(&report.not_after_jst, lang),
                format!("({})", when(&report.not_after_utc)),
                days_text(report, lang),
            ],
        ),
    ];
    let key = match report.key_bits {
        // The NIST curve by its size (RFC 5480): "EC P-384 (384 bits)".
        Some(bits) if report.key_algorithm == "EC" => {
            format!("EC P-{bits} ({bits} {})", lang.pick("ビット", "bits"))
        }
        Some(bits) => format!(
            "{} {bits} {}",
            report.key_algorithm,
            lang.pick("ビット", "bits")
        ),
        None => report.key_algorithm.clone(),
    };
    rows.push(field(t("公開鍵", "Public key"), key));
    rows.push(field(
        t("署名アルゴリズム", "Signature algorithm"),
        report.signature_algorithm.clone(),
    ));
    if !report.key_usage.is_empty() {
        let mut v = report.key_usage.join(", ");
        if report.key_usage_critical {
            v.push_str(lang.pick(" (クリティカル)", " (critical)"));
        }
        rows.push(field(t("鍵用途", "Key usage"), v));
    }
    if !report.extended_key_usage.is_empty() {
        rows.push(field(
            t("拡張鍵用途", "Extended key usage"),
            report.extended_key_usage.join(", "),
        ));
    }
    if let Some(ca) = report.is_ca {
        let mut v = format!("CA:{}", if ca { "TRUE" } else { "FALSE" });
        if let Some(n) = report.path_len {
            v.push_str(&format!(", pathlen {n}"));
        }
        rows.push(field(t("基本制約", "Basic constraints"), v));
    }
    if !report.certificate_policies.is_empty() {
        let v = report
            .certificate_policies
            .iter()
            .map(|p| match &p.name {
                Some(n) => format!("{} ({n})", p.oid),
                None => p.oid.clone(),
            })
            .collect();
        rows.push(Row::Field(t("証明書ポリシー", "Certificate policies"), v));
    }
    rows.push(Row::Field(
        t("SHA-256 フィンガープリント", "SHA-256 fingerprint"),
        fingerprint_lines(&report.sha256_fingerprint),
    ));
    rows
}

/// The holder's attributes recorded in a signature certificate.
fn holder_rows(h: &Holder, lang: Lang, rows: &mut Vec<Row>) {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let field = |label: String, value: String| Row::Field(label, vec![value]);
    rows.push(Row::Heading(t(
        "記録されている本人の情報 (基本4情報)",
        "Holder attributes recorded in the certificate",
    )));
    let mut name = vec![h.name.clone()];
    name.extend(
        h.name_substitutes
            .as_ref()
            .and_then(|f| substitutes_text(f, lang)),
    );
    rows.push(Row::Field(t("  氏名", "  Name"), name));
    if let Some(sex) = &h.sex {
        rows.push(field(t("  性別", "  Sex"), sex_text(sex, lang)));
    }
    if let Some(b) = &h.date_of_birth {
        rows.push(field(
            t("  生年月日", "  Date of birth"),
            birth_text(b, lang),
        ));
    }
    let mut addr = vec![h.address.clone()];
    addr.extend(
        h.address_substitutes
            .as_ref()
            .and_then(|f| substitutes_text(f, lang)),
    );
    rows.push(Row::Field(t("  住所", "  Address"), addr));
}

/// The rows laid out: labels in one column, as wide as the widest.
fn lay_out(rows: Vec<Row>) -> String {
    let col = rows
        .iter()
        .map(|r| match r {
            Row::Field(l, _) => width(l),
            Row::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = String::new();
    for r in rows {
        match r {
            Row::Heading(h) => {
                out.push_str(&h);
                out.push('\n');
            }
            Row::Field(label, values) => {
                for (i, v) in values.iter().enumerate() {
                    let lead = if i == 0 { label.as_str() } else { "" };
                    out.push_str(lead);
                    out.push_str(&" ".repeat(col.saturating_sub(width(lead))));
                    // Values from the certificate may hold control characters.
                    out.extend(
                        v.chars()
                            .map(|c| if c.is_control() { '\u{FFFD}' } else { c }),
                    );
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// The report as text; every line ends with '\n'.
pub fn render_text(report: &CertReport, chain: Option<&ChainResult>, lang: Lang) -> String {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let field = |label: String, value: String| Row::Field(label, vec![value]);
    let mut rows = certificate_rows(report, lang);
    if let Some(h) = &report.holder {
        holder_rows(h, lang, &mut rows);
    }
    if let Some(c) = chain {
        rows.push(Row::Field(
            t("証明書チェーン", "Chain"),
            vec![
                chain_label(c.status, lang).to_string(),
                chain_detail(c, lang),
            ],
        ));
        rows.push(field(
            t("失効確認", "Revocation"),
            t(
                "未確認 (JPKI の OCSP は署名検証者の契約が必要)",
                "not checked (JPKI OCSP needs a 署名検証者 contract)",
            ),
        ));
    }
    if !report.notes.is_empty() {
        rows.push(Row::Field(
            t("備考", "Notes"),
            report.notes.iter().map(|n| format!("- {n}")).collect(),
        ));
    }

    lay_out(rows)
}

mod provenance;
mod verification;
pub use provenance::{card_ca_text, provenance_text};
pub use verification::{time_jst_utc, verification_heading, verification_remedy};

/// The report with where the certificate comes from (`cert show`,
/// `cert inspect`).
pub fn render_text_with(
    report: &CertReport,
    chain: Option<&ChainResult>,
    provenance: &super::roots::Provenance,
    card_ca_is_root: Option<bool>,
    lang: Lang,
) -> String {
    let mut out = render_text(report, chain, lang);
    let (head, note) = provenance_text(provenance, lang);
    let label = lang.pick("発行元の確認", "Provenance");
    let col = out
        .lines()
        .find_map(|l| l.find("  ").map(|_| l))
        .map(|l| {
            let key: String = l.chars().take_while(|c| *c != ' ').collect();
            width(&key) + l[key.len()..].chars().take_while(|c| *c == ' ').count()
        })
        .unwrap_or(21);
    let mut row = |k: &str, v: &str| {
        out.push_str(k);
        out.push_str(&" ".repeat(col.saturating_sub(width(k))));
        out.push_str(v);
        out.push('\n');
    };
    row(label, &head);
    if let Some(same) = card_ca_is_root {
        row(
            lang.pick("カードの CA ファイル", "Card's CA file"),
            &card_ca_text(same, provenance, lang),
        );
    }
    if !note.is_empty() {
        row("", &note);
    }
    out
}

/// The chain result in words. The checks' own details are English; in
/// Japanese the valid case is said in full and the others lead with what
/// failed, then the detail.
fn chain_detail(c: &ChainResult, lang: Lang) -> String {
    match (lang, c.status) {
        (Lang::En, _) => c.message.clone(),
        (Lang::Ja, ChainStatus::Valid) => format!(
            "発行者 \"{}\" の署名を確認しました (SHA-256 {})。両方の証明書が有効期間内です",
            c.issuer.as_deref().unwrap_or("?"),
            c.issuer_sha256_fingerprint.as_deref().unwrap_or("?")
        ),
        (Lang::Ja, ChainStatus::Expired) => format!("期限切れ: {}", c.message),
        (Lang::Ja, ChainStatus::NotYetValid) => format!("有効期間前: {}", c.message),
        (Lang::Ja, ChainStatus::BadSignature) => format!("署名を検証できません: {}", c.message),
        (Lang::Ja, ChainStatus::UnknownIssuer) => {
            format!("発行者の証明書がありません: {}", c.message)
        }
        (Lang::Ja, ChainStatus::IssuerNotCa) => {
            format!(
                "発行者は証明書を発行できる CA ではありません: {}",
                c.message
            )
        }
    }
}

#[cfg(test)]
mod tests;
