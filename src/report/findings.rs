//! The findings, each following from the one `Advice`: what to do about
//! the card, each certificate and each PIN is decided there, and every
//! line here only words it.

use super::advice::{Advice, CardState, ResetAt, Route};
use super::{expiry, Finding, Input, Severity};
use crate::card::pin::CounterState;
use crate::cert::chain::ChainStatus;
use crate::i18n::{days_left as days, jp_date, Lang, PinText};
use crate::rules;
use time::Date;

/// A finding's text in both languages.
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

/// Show an upcoming renewal this many days ahead.
const RENEWAL_NOTICE_DAYS: i64 = 183;

/// What to do at the municipal office about the card, with what it brings.
fn renew_card_step(card: CardState) -> Text {
    match card {
        CardState::Expired { .. } => t(
            "市区町村の窓口でカードの更新を申請してください (新しいカードには新しい電子証明書が入ります)",
            "apply to renew the card at your municipal office (the new card comes with new certificates)",
        ),
        _ => t(
            "市区町村の窓口でカードの更新を申請してください。受付中です (新しいカードには新しい電子証明書が入ります)",
            "apply to renew the card at your municipal office; renewal is open now (the new card comes with new certificates)",
        ),
    }
}

/// What to do about a certificate due for renewal, by its route.
fn renew_cert_step(route: Route, advice: &Advice) -> Text {
    match (route, advice.renew_card()) {
        (Route::WithCard, true) => t(
            "カードの更新で電子証明書も新しくなります (カードの項目を参照)",
            "renewing the card renews the certificate too (see the card above)",
        ),
        (Route::WithCard, false) => t(
            "この電子証明書の期限はカードの期限に合わせられています。カードを更新すると電子証明書も新しくなります",
            "this certificate ends with the card: renewing the card renews it too",
        ),
        (Route::CertOnly, _) => t(
            "市区町村の窓口で電子証明書を更新してください (カードの更新は不要です)",
            "renew the certificate at your municipal office (the card itself need not be renewed)",
        ),
    }
}

pub fn findings(inp: &Input, lang: Lang) -> Vec<Finding> {
    let advice = Advice::decide(inp);
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
            "auth_ca_cert" => (
                "利用者証明用CA証明書 (カード上の発行者の証明書)",
                "the user-authentication CA certificate (the issuer's certificate on the card)",
            ),
            "sign_cert" => ("署名用電子証明書", "the signature certificate"),
            "sign_ca_cert" => (
                "署名用CA証明書 (カード上の発行者の証明書)",
                "the signature CA certificate (the issuer's certificate on the card)",
            ),
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
        match advice.card {
            CardState::Expired { .. } => add(
                "CARD_EXPIRED",
                Severity::Error,
                "card",
                t(
                    format!("カードの有効期限 ({}) が切れています", jp_date(card)),
                    format!("the card expired on {card}"),
                ),
                renew_card_step(advice.card),
                Some(card),
            ),
            CardState::RenewalOpen { .. } => add(
                "CARD_EXPIRES_SOON",
                Severity::Warning,
                "card",
                t(
                    format!(
                        "カードは{} ({}) 有効期限です。更新の申請を受付中です",
                        days(e.days_left, Lang::Ja),
                        jp_date(card)
                    ),
                    format!(
                        "the card expires {} ({card}); renewal is open now",
                        days(e.days_left, Lang::En)
                    ),
                ),
                renew_card_step(advice.card),
                Some(card),
            ),
            _ if e.days_left <= RENEWAL_NOTICE_DAYS => {
                let opens = rules::renewal_opens(card);
                add(
                    "CARD_RENEWAL_OPENS",
                    Severity::Info,
                    "card",
                    t(
                        format!(
                            "カードの有効期限は {} です。更新の申請は {} から受け付けます",
                            jp_date(card),
                            jp_date(opens)
                        ),
                        format!("the card expires on {card}; renewal opens on {opens}"),
                    ),
                    t(
                        format!("{} 以降に窓口で更新してください", jp_date(opens)),
                        format!("renew it at your municipal office from {opens}"),
                    ),
                    Some(opens),
                );
            }
            _ => {}
        }
    }

    let certs = [
        ("auth_cert", &inp.auth, advice.auth),
        ("sign_cert", &inp.sign, advice.sign),
    ];
    for (subject, cert, route) in certs {
        let (Some(c), Some(route)) = (cert, route) else {
            continue;
        };
        let (name_ja, name_en) = if subject == "auth_cert" {
            ("利用者証明用電子証明書", "user-authentication certificate")
        } else {
            ("署名用電子証明書", "signature certificate")
        };
        let e = expiry(today, c.not_after);
        let end = c.not_after;
        let not_yet = today < c.not_before;
        if not_yet {
            // Far more often the computer's clock than the card.
            add(
                "CERT_NOT_YET_VALID",
                Severity::Warning,
                subject,
                t(
                    format!(
                        "{name_ja}はまだ有効期間前です ({} から)",
                        jp_date(c.not_before)
                    ),
                    format!("the {name_en} is not valid before {}", c.not_before),
                ),
                t(
                    "このコンピューターの日付と時刻を確認してください (有効期間前と出るのは、ほとんどの場合時計の誤りです。カードの異常ではありません)",
                    "check this computer's date and time: a certificate that is not yet valid almost always means the clock is wrong, not that the card is",
                ),
                Some(c.not_before),
            );
        } else if e.expired {
            add(
                "CERT_EXPIRED",
                Severity::Error,
                subject,
                t(
                    format!("{name_ja}の有効期限 ({}) が切れています", jp_date(end)),
                    format!("the {name_en} expired on {end}"),
                ),
                match route {
                    Route::CertOnly => t(
                        "市区町村の窓口で電子証明書の発行 (更新) を申請してください (カードの更新は不要です)",
                        "apply for a new certificate at your municipal office (the card itself need not be renewed)",
                    ),
                    Route::WithCard => renew_cert_step(route, &advice),
                },
                Some(end),
            );
        } else if e.renewal_open {
            add(
                "CERT_EXPIRES_SOON",
                Severity::Warning,
                subject,
                t(
                    format!(
                        "{name_ja}は{} ({}) 有効期限です。更新を受付中です",
                        days(e.days_left, Lang::Ja),
                        jp_date(end)
                    ),
                    format!(
                        "the {name_en} expires {} ({end}); renewal is open now",
                        days(e.days_left, Lang::En)
                    ),
                ),
                renew_cert_step(route, &advice),
                Some(end),
            );
        } else if e.days_left <= RENEWAL_NOTICE_DAYS && route == Route::CertOnly {
            let opens = rules::renewal_opens(end);
            add(
                "CERT_RENEWAL_OPENS",
                Severity::Info,
                subject,
                t(
                    format!(
                        "{name_ja}の有効期限は {} です。更新は {} から受け付けます",
                        jp_date(end),
                        jp_date(opens)
                    ),
                    format!("the {name_en} expires on {end}; renewal opens on {opens}"),
                ),
                t(
                    format!("{} 以降に窓口で更新してください", jp_date(opens)),
                    format!("renew it at your municipal office from {opens}"),
                ),
                Some(opens),
            );
        }
        if let Some(card) = inp.card_expiry {
            if route == Route::CertOnly && end < card && !e.expired && !not_yet {
                add(
                    "CERT_ENDS_BEFORE_CARD",
                    Severity::Info,
                    subject,
                    t(
                        format!(
                            "{name_ja} ({}) はカード ({}) より先に期限が来ます",
                            jp_date(end),
                            jp_date(card)
                        ),
                        format!("the {name_en} ({end}) expires before the card ({card})"),
                    ),
                    t(
                        "期限が来たら電子証明書だけを更新してください (カードの更新は不要)",
                        "when it expires, renew the certificate, not the card",
                    ),
                    Some(end),
                );
            } else if end == card && !advice.renew_card() {
                add(
                    "CERT_CAPPED_BY_CARD",
                    Severity::Info,
                    subject,
                    t(
                        format!("{name_ja}の期限はカードの有効期限 ({}) に合わせられています", jp_date(card)),
                        format!("the {name_en} ends with the card ({card}): its term is capped by the card's expiry"),
                    ),
                    t("カードを更新すると電子証明書も新しくなります", "renewing the card renews the certificate too"),
                    Some(end),
                );
            }
            if let Some(birth) = inp.birth {
                let rule = rules::cert_expiry(birth, c.not_before, card);
                let renewed_early = rules::cert_expiry_renewed(birth, c.not_before, card);
                if rule != end && renewed_early != end {
                    add(
                        "CERT_END_NOT_BY_RULE",
                        Severity::Warning,
                        subject,
                        t(
                            format!("{name_ja}の期限 {} は規則 (発行後5回目の誕生日、期限前3か月以内の更新なら6回目、カードの期限まで) による {} と一致しません", jp_date(end), jp_date(rule)),
                            format!("the {name_en} ends on {end}, not on {rule} as the rule gives (5th birthday after issuance, 6th when renewed within three months before expiry, capped by the card)"),
                        ),
                        t("在留期間などで期限が短くなる場合があります。不明な点は窓口に確認してください", "a period of stay can shorten it; ask your municipal office if unsure"),
                        Some(rule),
                    );
                }
            }
        }
        // A chain that fails only on the validity dates is covered above;
        // the signature or the issuer failing is another matter.
        if let Some(ch) = c.chain {
            if matches!(
                ch,
                ChainStatus::BadSignature | ChainStatus::UnknownIssuer | ChainStatus::IssuerNotCa
            ) {
                let label_ja = crate::cert::view::chain_label(ch, Lang::Ja);
                let label_en = crate::cert::view::chain_label(ch, Lang::En);
                add(
                    "CERT_CHAIN_INVALID",
                    Severity::Error,
                    subject,
                    t(format!("{name_ja}がカードのCA証明書で検証できません ({label_ja})"), format!("the {name_en} does not verify against the card's CA certificate ({label_en})")),
                    t("カードが破損しているか、正規のものでない可能性があります。窓口に相談してください", "the card may be damaged or not genuine; ask your municipal office"),
                    None,
                );
            }
        }
    }

    // Who issued each certificate (level 1), and the card's CA file (level 2).
    for (subject, cert) in [("auth_cert", &inp.auth), ("sign_cert", &inp.sign)] {
        let Some(c) = cert else { continue };
        use crate::cert::roots::Provenance as P;
        let (head_ja, _) = crate::cert::view::provenance_text(&c.provenance, Lang::Ja);
        let (head_en, _) = crate::cert::view::provenance_text(&c.provenance, Lang::En);
        match &c.provenance {
            P::NotJlis { .. } => add(
                "CERT_NOT_JLIS",
                Severity::Error,
                subject,
                t(head_ja, head_en),
                t(
                    "このカードを本人確認に使わないでください。発行した市区町村の窓口に相談してください",
                    "do not rely on this card for identification; ask the municipal office that issued it",
                ),
                None,
            ),
            P::TestPki { .. } | P::JlisTest => add(
                "CERT_TEST_PKI",
                Severity::Info,
                subject,
                t(head_ja, head_en),
                t(
                    "試験用です。住民のカードとして扱わないでください",
                    "for tests only; never treat it as a resident's card",
                ),
                None,
            ),
            P::JlisUnverifiable { .. } => add(
                "CERT_JLIS_UNVERIFIABLE",
                Severity::Info,
                subject,
                t(head_ja, head_en),
                t(
                    "カードが本物かどうかは mynacard prove では確かめられません (この世代のルートがないため)。必要なら窓口で確認してください",
                    "mynacard cannot verify this generation; ask the municipal office if genuineness matters",
                ),
                None,
            ),
            P::Jlis { .. } => {}
        }
        if c.card_ca_is_root == Some(false) {
            add(
                "CARD_CA_NOT_ROOT",
                Severity::Warning,
                subject,
                t(
                    crate::cert::view::card_ca_text(false, Lang::Ja),
                    crate::cert::view::card_ca_text(false, Lang::En),
                ),
                t(
                    "証明書は J-LIS のルートで検証済みです。カード上の CA ファイルが違う理由は窓口に確認してください",
                    "the certificate itself verified with J-LIS's root; ask the municipal office why the card's CA file differs",
                ),
                None,
            );
        }
    }
    // The signature certificate never outlives the user-authentication one.
    if let (Some(a), Some(sg)) = (&inp.auth, &inp.sign) {
        if sg.not_after > a.not_after {
            add(
                "SIGN_OUTLIVES_AUTH",
                Severity::Warning,
                "sign_cert",
                t(
                    format!(
                        "署名用電子証明書 ({}) が利用者証明用電子証明書 ({}) より後に期限を迎えます。通常はありえません",
                        jp_date(sg.not_after),
                        jp_date(a.not_after)
                    ),
                    format!(
                        "the signature certificate ({}) outlives the user-authentication certificate ({}), which the rules do not allow",
                        sg.not_after, a.not_after
                    ),
                ),
                t(
                    "窓口に確認してください",
                    "ask your municipal office",
                ),
                Some(sg.not_after),
            );
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
    if let Some(why) = &inp.sign_refused {
        add(
            "SIGN_CERT_NOT_READ",
            Severity::Warning,
            "sign_cert",
            t(
                format!("署名用電子証明書は読みませんでした: {why}"),
                format!("the signature certificate was not read: {why}"),
            ),
            t(
                "残りの報告はそのまま有効です。署名用電子証明書パスワードを確認してから --with-sign を付けて再実行してください",
                "the rest of the report stands; check the signature password, then run again with --with-sign",
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
                match advice.reset_at(p.kind, inp) {
                    ResetAt::Office => t(
                        "お住まいの市区町村の窓口で初期化 (再設定) してください",
                        "have it reset at your municipal office",
                    ),
                    ResetAt::OfficeOrKiosk => t(
                        p.kind.unlock_advice(Lang::Ja),
                        p.kind.unlock_advice(Lang::En),
                    ),
                },
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
