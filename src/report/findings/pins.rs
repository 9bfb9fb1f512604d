//! Findings about each PIN's counter.

use super::{t, Out};
use crate::card::pin::CounterState;
use crate::i18n::{Lang, PinText};
use crate::report::advice::{Advice, Renewal, ResetAt};
use crate::report::{FindingCode, Input, Severity, Subject};

/// A PIN whose card or certificate is renewed anyway needs no reset.
fn renewal_sets_pin(r: Renewal) -> super::Text {
    match r {
        Renewal::Card => t(
            "カードの更新で新しい暗証番号を設定します。ロックの解除 (再設定) は不要です",
            "renewing the card sets new PINs: no reset is needed",
        ),
        Renewal::Certificate => t(
            "電子証明書を新しく発行するときに新しい暗証番号を設定します。ロックの解除 (再設定) は不要です (電子証明書の項目を参照)",
            "a new certificate comes with a new PIN: no reset is needed (see the certificate above)",
        ),
    }
}

pub(super) fn counters(o: &mut Out, inp: &Input, advice: &Advice) {
    for p in &inp.pins {
        let subject = Subject::Pin(p.kind);
        let (ja, en) = (p.kind.name(Lang::Ja), p.kind.name(Lang::En));
        match p.state {
            CounterState::Locked => o.add(
                FindingCode::PinLocked,
                Severity::Error,
                subject,
                t(
                    format!("{ja}がロックされています"),
                    format!("the {en} is locked"),
                ),
                match advice.reset_at(p.kind, inp) {
                    ResetAt::ByRenewal(r) => renewal_sets_pin(r),
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
            CounterState::LastTry => o.add(
                FindingCode::PinLastTry,
                Severity::Warning,
                subject,
                t(
                    format!("{ja}はあと1回間違えるとロックされます"),
                    format!("the {en} has one try left: one more wrong entry locks it"),
                ),
                match advice.reset_at(p.kind, inp) {
                    ResetAt::ByRenewal(r) => renewal_sets_pin(r),
                    _ => t(
                        "確かでない場合は入力せず、窓口で再設定してください",
                        "if unsure of it, do not try: have it reset at your municipal office",
                    ),
                },
                None,
            ),
            CounterState::Low => o.add(
                FindingCode::PinTriesUsed,
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
            CounterState::Unreadable => o.add(
                FindingCode::PinUnreadable,
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
            CounterState::NotReported => o.add(
                FindingCode::PinNotReported,
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
}
