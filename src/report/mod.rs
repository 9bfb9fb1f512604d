//! The status report's rules: card validity against certificate expiry,
//! renewal windows, PIN diagnosis. Pure: takes "today" and what was read,
//! returns findings with stable codes. No I/O.

use crate::card::jpki::TokenType;
use crate::card::pin::{CounterState, PinStatus};
use crate::i18n::Lang;
use crate::i18n::PinText;
use crate::rules;
use serde::Serialize;
use time::Date;

/// Severity of a finding; ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code (docs/json.md).
    pub code: &'static str,
    pub severity: Severity,
    /// What it is about: `card`, `auth_cert`, `sign_cert`, or a PIN kind.
    pub subject: String,
    pub message: String,
    pub next_step: String,
    /// A relevant date (expiry, renewal opening), YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// What was read about one certificate.
#[derive(Debug, Clone)]
pub struct CertFacts {
    pub not_before: Date,
    /// Last valid day in JST.
    pub not_after: Date,
    /// Chain status string (`valid`, `expired`, …) when checked.
    pub chain: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub today: Date,
    pub token: TokenType,
    /// Card expiry from the 共通AP record (None: not readable / token).
    pub card_expiry: Option<Date>,
    pub auth: Option<CertFacts>,
    pub sign_present: bool,
    pub sign: Option<CertFacts>,
    pub pins: Vec<PinStatus>,
    /// Holder's birth date, when known (signature certificate).
    pub birth: Option<Date>,
    /// Parts the card would not give: (subject, what went wrong).
    pub unreadable: Vec<(String, String)>,
}

/// Days-left and renewal facts for one expiry.
#[derive(Debug, Clone, Serialize)]
pub struct Expiry {
    pub expires: String,
    pub days_left: i64,
    pub expired: bool,
    pub renewal_opens: String,
    pub renewal_open: bool,
}

pub fn expiry(today: Date, last_day: Date) -> Expiry {
    let opens = rules::renewal_opens(last_day);
    Expiry {
        expires: last_day.to_string(),
        days_left: rules::days_between(today, last_day),
        expired: today > last_day,
        renewal_opens: opens.to_string(),
        renewal_open: today >= opens && today <= last_day,
    }
}

/// A finding's text in the user's language.
struct Text {
    ja: String,
    en: String,
}

fn t(ja: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        ja: ja.into(),
        en: en.into(),
    }
}

fn pick(x: Text, lang: Lang) -> String {
    match lang {
        Lang::Ja => x.ja,
        Lang::En => x.en,
    }
}

/// Show a certificate's upcoming-renewal note this many days ahead.
const RENEWAL_NOTICE_DAYS: i64 = 183;

pub fn findings(inp: &Input, lang: Lang) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |code, severity, subject: &str, msg: Text, next: Text, date: Option<Date>| {
        out.push(Finding {
            code,
            severity,
            subject: subject.to_string(),
            message: pick(msg, lang),
            next_step: pick(next, lang),
            date: date.map(|d| d.to_string()),
        })
    };
    let today = inp.today;

    for (subject, why) in &inp.unreadable {
        let (ja, en) = match subject.as_str() {
            "card" => ("カードの情報 (共通AP)", "the card record (共通AP)"),
            "auth_cert" => (
                "利用者証明用電子証明書",
                "the user-authentication certificate",
            ),
            "sign_cert" => ("署名用電子証明書", "the signature certificate"),
            _ => ("暗証番号の残り回数", "the PIN counters"),
        };
        add(
            "CARD_DATA_UNREADABLE",
            Severity::Error,
            subject,
            t(
                format!("{ja}を読めませんでした ({why})"),
                format!("{en} could not be read ({why})"),
            ),
            t(
                "カードを置き直して再実行してください。続く場合は --trace の出力を添えて窓口または開発者に相談してください",
                "reseat the card and run again; if it persists, the card may be damaged: report it with the --trace output",
            ),
            None,
        );
    }

    if inp.token.is_smartphone() {
        add(
            "NOT_PHYSICAL_CARD",
            Severity::Info,
            "card",
            t(
                "これはスマホ用電子証明書で、カードではありません",
                "this is a smartphone certificate, not the physical card",
            ),
            t(
                "カード本体の有効期限と暗証番号はカードで確認してください",
                "check the card itself for its expiry and PINs",
            ),
            None,
        );
    }

    if let Some(card) = inp.card_expiry {
        let e = expiry(today, card);
        if e.expired {
            add(
                "CARD_EXPIRED",
                Severity::Error,
                "card",
                t(
                    format!("カードの有効期限 ({card}) が切れています"),
                    format!("the card expired on {card}"),
                ),
                t(
                    "市区町村の窓口でカードの更新 (再交付) を申請してください",
                    "apply for a new card at your municipal office",
                ),
                Some(card),
            );
        } else if e.renewal_open {
            add(
                "CARD_EXPIRES_SOON",
                Severity::Warning,
                "card",
                t(
                    format!(
                        "カードはあと {} 日 ({card}) で有効期限です。更新の申請を受け付け中です",
                        e.days_left
                    ),
                    format!(
                        "the card expires in {} days ({card}); renewal is open now",
                        e.days_left
                    ),
                ),
                t(
                    "市区町村の窓口でカードの更新を申請してください",
                    "apply for the card's renewal at your municipal office",
                ),
                Some(card),
            );
        } else if e.days_left <= RENEWAL_NOTICE_DAYS {
            let opens = rules::renewal_opens(card);
            add(
                "CARD_RENEWAL_OPENS",
                Severity::Info,
                "card",
                t(
                    format!(
                        "カードの有効期限は {card} です。更新の申請は {opens} から受け付けます"
                    ),
                    format!("the card expires on {card}; renewal opens on {opens}"),
                ),
                t(
                    format!("{opens} 以降に窓口で更新してください"),
                    format!("renew it at your municipal office from {opens}"),
                ),
                Some(opens),
            );
        }
    }

    let certs = [("auth_cert", &inp.auth), ("sign_cert", &inp.sign)];
    for (subject, cert) in certs {
        let Some(c) = cert else { continue };
        let (name_ja, name_en) = if subject == "auth_cert" {
            ("利用者証明用電子証明書", "user-authentication certificate")
        } else {
            ("署名用電子証明書", "signature certificate")
        };
        let e = expiry(today, c.not_after);
        let end = c.not_after;
        if e.expired {
            add(
                "CERT_EXPIRED",
                Severity::Error,
                subject,
                t(format!("{name_ja}の有効期限 ({end}) が切れています"), format!("the {name_en} expired on {end}")),
                t(
                    "市区町村の窓口で電子証明書の発行 (更新) を申請してください (カードの更新は不要です)",
                    "apply for a new certificate at your municipal office (the card itself need not be renewed)",
                ),
                Some(end),
            );
        } else if today < c.not_before {
            add(
                "CERT_NOT_YET_VALID",
                Severity::Warning,
                subject,
                t(
                    format!("{name_ja}はまだ有効期間前です ({})", c.not_before),
                    format!("the {name_en} is not valid before {}", c.not_before),
                ),
                t("端末の日付を確認してください", "check the computer's date"),
                Some(c.not_before),
            );
        } else if e.renewal_open {
            add(
                "CERT_EXPIRES_SOON",
                Severity::Warning,
                subject,
                t(
                    format!(
                        "{name_ja}はあと {} 日 ({end}) で有効期限です。更新を受け付け中です",
                        e.days_left
                    ),
                    format!(
                        "the {name_en} expires in {} days ({end}); renewal is open now",
                        e.days_left
                    ),
                ),
                t(
                    "市区町村の窓口で電子証明書を更新してください",
                    "renew the certificate at your municipal office",
                ),
                Some(end),
            );
        } else if e.days_left <= RENEWAL_NOTICE_DAYS {
            let opens = rules::renewal_opens(end);
            add(
                "CERT_RENEWAL_OPENS",
                Severity::Info,
                subject,
                t(
                    format!("{name_ja}の有効期限は {end} です。更新は {opens} から受け付けます"),
                    format!("the {name_en} expires on {end}; renewal opens on {opens}"),
                ),
                t(
                    format!("{opens} 以降に窓口で更新してください"),
                    format!("renew it at your municipal office from {opens}"),
                ),
                Some(opens),
            );
        }
        if let Some(card) = inp.card_expiry {
            if end < card && !e.expired {
                add(
                    "CERT_ENDS_BEFORE_CARD",
                    Severity::Info,
                    subject,
                    t(
                        format!("{name_ja} ({end}) はカード ({card}) より先に期限が来ます"),
                        format!("the {name_en} ({end}) expires before the card ({card})"),
                    ),
                    t(
                        "期限が来たら電子証明書だけを更新してください (カードの更新は不要)",
                        "when it expires, renew the certificate, not the card",
                    ),
                    Some(end),
                );
            } else if end == card {
                add(
                    "CERT_CAPPED_BY_CARD",
                    Severity::Info,
                    subject,
                    t(
                        format!("{name_ja}の期限はカードの有効期限 ({card}) に合わせられています"),
                        format!("the {name_en} ends with the card ({card}): its term is capped by the card's expiry"),
                    ),
                    t("カードを更新すると電子証明書も新しくなります", "renewing the card renews the certificate too"),
                    Some(end),
                );
            }
            if let Some(birth) = inp.birth {
                let rule = rules::cert_expiry(birth, c.not_before, card);
                if rule != end {
                    add(
                        "CERT_END_NOT_BY_RULE",
                        Severity::Warning,
                        subject,
                        t(
                            format!("{name_ja}の期限 {end} は規則 (発行後5回目の誕生日、カードの期限まで) による {rule} と一致しません"),
                            format!("the {name_en} ends on {end}, not on {rule} as the rule gives (5th birthday after issuance, capped by the card)"),
                        ),
                        t("在留期間などで期限が短くなる場合があります。不明な点は窓口に確認してください", "a period of stay can shorten it; ask your municipal office if unsure"),
                        Some(rule),
                    );
                }
            }
        }
        if let Some(ch) = &c.chain {
            if ch != "valid" && ch != "expired" {
                add(
                    "CERT_CHAIN_INVALID",
                    Severity::Error,
                    subject,
                    t(format!("{name_ja}の検証に失敗しました ({ch})"), format!("the {name_en} does not verify against the card's CA certificate ({ch})")),
                    t("カードが改ざん・破損している可能性があります。窓口に相談してください", "the card may be damaged or not genuine; ask your municipal office"),
                    None,
                );
            }
        }
    }

    if !inp.sign_present && !inp.token.is_smartphone() {
        add(
            "SIGN_CERT_ABSENT",
            Severity::Info,
            "sign_cert",
            t(
                "署名用電子証明書は搭載されていません (15歳未満の方には発行されません)",
                "no signature certificate on the card (it is not issued to holders under 15)",
            ),
            t(
                "必要なら市区町村の窓口で発行を申請してください",
                "apply at your municipal office if you need one",
            ),
            None,
        );
    }

    for p in &inp.pins {
        let subject = p.kind.id();
        let (ja, en) = (p.kind.name(Lang::Ja), p.kind.name(Lang::En));
        match p.state {
            CounterState::Locked => add(
                "PIN_LOCKED",
                Severity::Error,
                subject,
                t(
                    format!("{ja}がロックされています"),
                    format!("the {en} is locked"),
                ),
                t(
                    p.kind.unlock_advice(Lang::Ja),
                    p.kind.unlock_advice(Lang::En),
                ),
                None,
            ),
            CounterState::LastTry => add(
                "PIN_LAST_TRY",
                Severity::Warning,
                subject,
                t(
                    format!("{ja}はあと1回間違えるとロックされます"),
                    format!("the {en} has one try left: one more wrong entry locks it"),
                ),
                t(
                    "確実に分からない場合は入力せず、窓口で再設定してください",
                    "if unsure of it, do not try: have it reset at your municipal office",
                ),
                None,
            ),
            CounterState::Low => add(
                "PIN_TRIES_USED",
                Severity::Info,
                subject,
                t(
                    format!(
                        "{ja}の残り回数は {}/{} です",
                        p.remaining.unwrap_or(0),
                        p.max
                    ),
                    format!(
                        "the {en} has {} of {} tries left",
                        p.remaining.unwrap_or(0),
                        p.max
                    ),
                ),
                t(
                    "正しく入力すると回数は元に戻ります",
                    "a correct entry restores the count",
                ),
                None,
            ),
            CounterState::Unreadable => add(
                "PIN_UNREADABLE",
                Severity::Warning,
                subject,
                t(
                    format!("{ja}の残り回数をカードが正しく返しませんでした"),
                    format!("the card did not answer the {en}'s retry query as expected"),
                ),
                t(
                    "カードを置き直してもう一度確認してください (mynacard pin status --trace で詳細)",
                    "reseat the card and check again (details: mynacard pin status --trace)",
                ),
                None,
            ),
            CounterState::NotReported => add(
                "PIN_NOT_REPORTED",
                Severity::Info,
                subject,
                t(
                    format!("{ja}の残り回数をカードが返しませんでした (照合済み)"),
                    format!("the card did not report the {en}'s count (already verified)"),
                ),
                t(
                    "カードを置き直してもう一度確認してください",
                    "reseat the card and check again",
                ),
                None,
            ),
            _ => {}
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

/// The worst severity among findings.
pub fn worst(f: &[Finding]) -> Option<Severity> {
    f.iter().map(|f| f.severity).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn base() -> Input {
        Input {
            today: date!(2026 - 11 - 24),
            token: TokenType::Card,
            card_expiry: Some(date!(2035 - 02 - 17)),
            auth: Some(CertFacts {
                not_before: date!(2025 - 10 - 27),
                not_after: date!(2030 - 02 - 17),
                chain: Some("valid".into()),
            }),
            sign_present: true,
            sign: None,
            pins: vec![],
            birth: None,
            unreadable: vec![],
        }
    }

    fn codes(i: &Input) -> Vec<&'static str> {
        findings(i, Lang::En).iter().map(|f| f.code).collect()
    }

    #[test]
    fn all_valid_only_notes_the_earlier_certificate() {
        assert_eq!(codes(&base()), ["CERT_ENDS_BEFORE_CARD"]);
    }

    #[test]
    fn renewal_window() {
        let mut i = base();
        i.today = date!(2029 - 12 - 01);
        let f = findings(&i, Lang::En);
        assert_eq!(f[0].code, "CERT_EXPIRES_SOON");
        assert_eq!(f[0].severity, Severity::Warning);
        i.today = date!(2029 - 10 - 01);
        let f = findings(&i, Lang::En);
        let r = f.iter().find(|f| f.code == "CERT_RENEWAL_OPENS").unwrap();
        assert_eq!(r.date.as_deref(), Some("2029-11-17"));
        assert!(r.message.contains("renewal opens on 2029-11-17"));
    }

    #[test]
    fn expired_card_and_cert() {
        let mut i = base();
        i.today = date!(2035 - 03 - 01);
        let c = codes(&i);
        assert!(
            c.contains(&"CARD_EXPIRED") && c.contains(&"CERT_EXPIRED"),
            "{c:?}"
        );
        assert_eq!(worst(&findings(&i, Lang::En)), Some(Severity::Error));
    }

    #[test]
    fn rule_mismatch_and_cap() {
        let mut i = base();
        i.birth = Some(date!(1980 - 02 - 17));
        assert!(!codes(&i).contains(&"CERT_END_NOT_BY_RULE"));
        i.birth = Some(date!(1980 - 03 - 01));
        assert!(codes(&i).contains(&"CERT_END_NOT_BY_RULE"));
        let mut i = base();
        i.card_expiry = Some(date!(2030 - 02 - 17));
        assert!(codes(&i).contains(&"CERT_CAPPED_BY_CARD"));
    }
}
