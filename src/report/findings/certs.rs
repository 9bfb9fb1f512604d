//! Findings about each certificate: expiry, issuer, the signature certificate's presence.

use super::{renew_cert_step, t, Out, RENEWAL_NOTICE_DAYS};
use crate::cert::chain::ChainStatus;
use crate::i18n::{days_left as days, jp_date, Lang};
use crate::report::advice::{Advice, AgeClass, Route};
use crate::report::{expiry, CertFacts, FindingCode, Input, Severity, Subject};
use crate::rules;

/// One certificate under review: whose it is, its facts, its renewal
/// route, and its name in each language.
struct Reviewed<'a> {
    subject: Subject,
    c: &'a CertFacts,
    route: Route,
    name_ja: &'static str,
    name_en: &'static str,
}

pub(super) fn validity(o: &mut Out, inp: &Input, advice: &Advice) {
    let certs = [
        (Subject::AuthCert, &inp.auth, advice.auth),
        (Subject::SignCert, &inp.sign, advice.sign),
    ];
    for (subject, cert, route) in certs {
        let (Some(c), Some(route)) = (cert, route) else {
            continue;
        };
        // An invalidated signature certificate is replaced, not renewed:
        // SIGN_CERT_MISMATCH says so, and no line speaks of its expiry.
        if subject == Subject::SignCert && advice.sign_invalidated {
            continue;
        }
        let (name_ja, name_en) = if subject == Subject::AuthCert {
            ("利用者証明用電子証明書", "user-authentication certificate")
        } else {
            ("署名用電子証明書", "signature certificate")
        };
        let r = Reviewed {
            subject,
            c,
            route,
            name_ja,
            name_en,
        };
        expiry_finding(o, inp, advice, &r);
        term_findings(o, inp, advice, &r);
        chain_finding(o, &r);
    }
}

/// Where the certificate stands against its dates: not yet valid,
/// expired, renewal open, or renewal opening soon.
fn expiry_finding(o: &mut Out, inp: &Input, advice: &Advice, r: &Reviewed<'_>) {
    let Reviewed {
        subject,
        c,
        route,
        name_ja,
        name_en,
    } = *r;
    let today = inp.today;
    let e = expiry(today, c.not_after);
    let end = c.not_after;
    let not_yet = today < c.not_before;
    if not_yet {
        // Far more often the computer's clock than the card.
        o.add(
            FindingCode::CertNotYetValid,
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
        o.add(
            FindingCode::CertExpired,
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
                Route::WithCard => renew_cert_step(route, advice),
            },
            Some(end),
        );
    } else if e.renewal_open {
        o.add(
            FindingCode::CertExpiresSoon,
            Severity::Warning,
            subject,
            t(
                format!(
                    "{name_ja}は{}有効期限です ({})。更新を受け付けています",
                    days(e.days_left, Lang::Ja),
                    jp_date(end)
                ),
                format!(
                    "the {name_en} expires {} ({end}); renewal is open now",
                    days(e.days_left, Lang::En)
                ),
            ),
            renew_cert_step(route, advice),
            Some(end),
        );
    } else if e.days_left <= RENEWAL_NOTICE_DAYS && route == Route::CertOnly {
        let opens = rules::renewal_opens(end);
        o.add(
            FindingCode::CertRenewalOpens,
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
}

/// Its term against the card's: ending first, capped by the card, or not
/// by the rule.
fn term_findings(o: &mut Out, inp: &Input, advice: &Advice, r: &Reviewed<'_>) {
    let Reviewed {
        subject,
        c,
        route,
        name_ja,
        name_en,
    } = *r;
    let e = expiry(inp.today, c.not_after);
    let end = c.not_after;
    let not_yet = inp.today < c.not_before;
    if let Some(card) = inp.card_expiry {
        if route == Route::CertOnly && end < card && !e.expired && !not_yet {
            o.add(
                FindingCode::CertEndsBeforeCard,
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
            o.add(
                FindingCode::CertCappedByCard,
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
            let g = rules::CURRENT;
            if rule != end && renewed_early != end {
                o.add(
                    FindingCode::CertEndNotByRule,
                    Severity::Warning,
                    subject,
                    t(
                        format!("{name_ja}の期限 {} は規則 (発行後{}回目の誕生日、期限前{}か月以内の更新なら{}回目、カードの期限まで) による {} と一致しません", jp_date(end), g.cert_years, g.renewal_months, g.cert_years_renewed_early, jp_date(rule)),
                        format!("the {name_en} ends on {end}, not on {rule} as the rule gives ({} birthday after issuance, {} when renewed within {} months before expiry, capped by the card)", ordinal(g.cert_years), ordinal(g.cert_years_renewed_early), g.renewal_months),
                    ),
                    t("在留期間などで期限が短くなる場合があります。不明な点は窓口に確認してください", "a period of stay can shorten it; ask your municipal office if unsure"),
                    Some(rule),
                );
            }
        }
    }
}

/// Its chain failing on the signature or the issuer.
fn chain_finding(o: &mut Out, r: &Reviewed<'_>) {
    let Reviewed {
        subject,
        c,
        name_ja,
        name_en,
        ..
    } = *r;
    // A chain that fails only on the validity dates is covered above;
    // the signature or the issuer failing is another matter.
    if let Some(ch) = c.chain {
        if matches!(
            ch,
            ChainStatus::BadSignature | ChainStatus::UnknownIssuer | ChainStatus::IssuerNotCa
        ) {
            let label_ja = crate::cert::view::chain_label(ch, Lang::Ja);
            let label_en = crate::cert::view::chain_label(ch, Lang::En);
            o.add(
                FindingCode::CertChainInvalid,
                Severity::Error,
                subject,
                t(format!("{name_ja}がカードのCA証明書で検証できません ({label_ja})"), format!("the {name_en} does not verify against the card's CA certificate ({label_en})")),
                t("カードが破損しているか、正規のものでない可能性があります。窓口に相談してください", "the card may be damaged or not genuine; ask your municipal office"),
                None,
            );
        }
    }
}

/// Who issued each certificate (level 1), and the card's CA file (level 2).
pub(super) fn issuer(o: &mut Out, inp: &Input) {
    for (subject, cert) in [
        (Subject::AuthCert, &inp.auth),
        (Subject::SignCert, &inp.sign),
    ] {
        let Some(c) = cert else { continue };
        use crate::cert::roots::Provenance as P;
        let (head_ja, _) = crate::cert::view::provenance_text(&c.provenance, Lang::Ja);
        let (head_en, _) = crate::cert::view::provenance_text(&c.provenance, Lang::En);
        match &c.provenance {
            P::NotJlis { .. } => o.add(
                FindingCode::CertNotJlis,
                Severity::Error,
                subject,
                t(head_ja, head_en),
                t(
                    "このカードを本人確認に使わないでください。発行した市区町村の窓口に相談してください",
                    "do not rely on this card for identification; ask the municipal office that issued it",
                ),
                None,
            ),
            P::TestPki { .. } | P::JlisTest => o.add(
                FindingCode::CertTestPki,
                Severity::Info,
                subject,
                t(head_ja, head_en),
                t(
                    "試験用です。住民のカードとして扱わないでください",
                    "for tests only; never treat it as a resident's card",
                ),
                None,
            ),
            P::JlisUnverifiable { .. } => o.add(
                FindingCode::CertJlisUnverifiable,
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
            o.add(
                FindingCode::CardCaNotRoot,
                Severity::Warning,
                subject,
                t(
                    crate::cert::view::card_ca_text(false, &c.provenance, Lang::Ja),
                    crate::cert::view::card_ca_text(false, &c.provenance, Lang::En),
                ),
                if matches!(c.provenance, P::JlisTest) {
                    t(
                        "試験用カードです。CA ファイルを証明書の発行者のものに直してください (同じ名前の別の試験用 CA ではなく)",
                        "a test card: serve the CA that issued its certificate, not another test CA of the same name",
                    )
                } else {
                    t(
                        "証明書は J-LIS のルートで検証済みです。カード上の CA ファイルが違う理由は窓口に確認してください",
                        "the certificate itself verified with J-LIS's root; ask the municipal office why the card's CA file differs",
                    )
                },
                None,
            );
        }
    }
    // The signature certificate never outlives the user-authentication one.
    if let (Some(a), Some(sg)) = (&inp.auth, &inp.sign) {
        if sg.not_after > a.not_after {
            o.add(
                FindingCode::SignOutlivesAuth,
                Severity::Warning,
                Subject::SignCert,
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
}

pub(super) fn signature_certificate(o: &mut Out, inp: &Input, advice: &Advice) {
    if !inp.auth_present && !inp.token.is_smartphone() {
        o.add(
            FindingCode::AuthCertAbsent,
            Severity::Warning,
            Subject::AuthCert,
            t(
                "利用者証明用電子証明書が搭載されていません (発行を希望しなかったか、失効しています)",
                "no user-authentication certificate on the card (declined at issuance, or revoked)",
            ),
            t(
                "マイナポータルへのログインなどに使うなら、市区町村の窓口で発行を申請してください",
                "to log in to services such as マイナポータル, apply for one at your municipal office",
            ),
            None,
        );
    }
    if !inp.sign_present && !inp.token.is_smartphone() {
        let why = match advice.age {
            AgeClass::Adult => t(
                "署名用電子証明書は搭載されていません (発行を希望しなかったか、転居・氏名の変更などで失効しています)",
                "no signature certificate on the card (declined at issuance, or revoked: a move or a name change revokes it)",
            ),
            AgeClass::Unknown => t(
                "署名用電子証明書は搭載されていません (15歳未満の方には発行されません。それ以外では、発行を希望しなかったか失効しています)",
                "no signature certificate on the card (it is not issued to holders under 15; otherwise it was declined or revoked)",
            ),
        };
        o.add(
            FindingCode::SignCertAbsent,
            Severity::Info,
            Subject::SignCert,
            why,
            t(
                "必要なら市区町村の窓口で発行を申請してください",
                "apply at your municipal office if you need one",
            ),
            None,
        );
    }
    if let Some(why) = &inp.sign_refused {
        o.add(
            FindingCode::SignCertNotRead,
            Severity::Warning,
            Subject::SignCert,
            t(
                format!("署名用電子証明書は読みませんでした: {}", why.ja),
                format!("the signature certificate was not read: {}", why.en),
            ),
            t(
                "残りの報告はそのまま有効です。署名用電子証明書のパスワードを確認してから --with-sign を付けて再実行してください",
                "the rest of the report stands; check the signature password, then run again with --with-sign",
            ),
            None,
        );
    }
}

/// The signature certificate against the card's record, when compared.
pub(super) fn holder(o: &mut Out, inp: &Input) {
    if inp.holder_differs.as_ref().is_some_and(|f| !f.is_empty()) {
        let (msg, next) = super::holder_mismatch_text();
        o.add(
            FindingCode::SignCertMismatch,
            Severity::Warning,
            Subject::SignCert,
            msg,
            next,
            None,
        );
    }
    if let Some(why) = &inp.holder_refused {
        o.add(
            FindingCode::SignCertNotCompared,
            Severity::Info,
            Subject::SignCert,
            t(
                format!("署名用電子証明書をカードの記載と照合しませんでした: {}", why.ja),
                format!("the signature certificate was not compared with the card: {}", why.en),
            ),
            t(
                "残りの報告はそのまま有効です。券面事項入力補助用の暗証番号を確認してから --with-card-info を付けて再実行してください",
                "the rest of the report stands; check the card-info PIN, then run again with --with-card-info",
            ),
            None,
        );
    }
}

/// 1st, 2nd, 3rd, 4th … (for the rule's birthdays).
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
