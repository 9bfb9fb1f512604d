//! Findings about the card: what could not be read, its kind, its expiry.

use super::{renew_card_step, t, Out, RENEWAL_NOTICE_DAYS};
use crate::i18n::{days_left as days, jp_date, Lang};
use crate::report::advice::{Advice, CardState};
use crate::report::{expiry, FindingCode, Input, Severity, Subject};
use crate::rules;

pub(super) fn unreadable(o: &mut Out, inp: &Input) {
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
        o.add(
            FindingCode::CardDataUnreadable,
            Severity::Error,
            Subject::of_part(subject),
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
}

pub(super) fn kind_and_expiry(o: &mut Out, inp: &Input, advice: &Advice) {
    let today = inp.today;
    if inp.token.is_smartphone() {
        o.add(
            FindingCode::NotPhysicalCard,
            Severity::Info,
            Subject::Card,
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
            CardState::Expired { .. } => o.add(
                FindingCode::CardExpired,
                Severity::Error,
                Subject::Card,
                t(
                    format!("カードの有効期限 ({}) が切れています", jp_date(card)),
                    format!("the card expired on {card}"),
                ),
                renew_card_step(advice.card),
                Some(card),
            ),
            CardState::RenewalOpen { .. } => o.add(
                FindingCode::CardExpiresSoon,
                Severity::Warning,
                Subject::Card,
                t(
                    format!(
                        "カードは{}有効期限です ({})。更新の申請を受け付けています",
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
                o.add(
                    FindingCode::CardRenewalOpens,
                    Severity::Info,
                    Subject::Card,
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
}
