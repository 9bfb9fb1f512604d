//! The findings, each following from the one `Advice`: what to do about
//! the card, each certificate and each PIN is decided there, and every
//! line here only words it.

mod card;
mod certs;
mod pins;

use super::advice::{Advice, CardState, Route};
use super::{Finding, FindingCode, Input, Severity, Subject, Words};
use time::Date;

type Text = Words;

pub(super) fn t(ja: impl Into<String>, en: impl Into<String>) -> Text {
    Words::new(ja, en)
}

/// Show an upcoming renewal this many days ahead.
pub(super) const RENEWAL_NOTICE_DAYS: i64 = 183;

/// What to do at the municipal office about the card, with what it brings.
pub(super) fn renew_card_step(card: CardState) -> Text {
    match card {
        CardState::Expired { .. } => t(
            "市区町村の窓口でカードの更新を申請してください (新しいカードには新しい電子証明書が入ります)",
            "apply to renew the card at your municipal office (the new card comes with new certificates)",
        ),
        _ => t(
            "市区町村の窓口でカードの更新を申請してください。申請は受付中です (新しいカードには新しい電子証明書が入ります)",
            "apply to renew the card at your municipal office; renewal is open now (the new card comes with new certificates)",
        ),
    }
}

/// What to do about a certificate due for renewal, by its route.
pub(super) fn renew_cert_step(route: Route, advice: &Advice) -> Text {
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

/// The findings being gathered.
pub(super) struct Out {
    list: Vec<Finding>,
}

impl Out {
    pub(super) fn add(
        &mut self,
        code: FindingCode,
        severity: Severity,
        subject: Subject,
        message: Text,
        next_step: Text,
        date: Option<Date>,
    ) {
        self.list.push(Finding {
            code,
            severity,
            subject,
            message,
            next_step,
            date,
        })
    }
}

/// What a signature certificate that no longer matches the card means, and
/// what to do (`status --with-card-info`, `info --with-sign`).
pub fn holder_mismatch() -> (Words, Words) {
    holder_mismatch_text()
}

fn holder_mismatch_text() -> (Text, Text) {
    (
        t(
            "署名用電子証明書の氏名・住所がカードの記載と一致しません。転居や氏名の変更で署名用電子証明書は失効しています",
            "the signature certificate's name or address differs from the card's: a move or a name change has invalidated it",
        ),
        t(
            "市区町村の窓口で署名用電子証明書の発行を申請してください",
            "apply for a new signature certificate at your municipal office",
        ),
    )
}

pub fn findings(inp: &Input) -> Vec<Finding> {
    let advice = Advice::decide(inp);
    let mut o = Out { list: Vec::new() };
    card::unreadable(&mut o, inp);
    card::kind_and_expiry(&mut o, inp, &advice);
    certs::validity(&mut o, inp, &advice);
    certs::issuer(&mut o, inp);
    certs::signature_certificate(&mut o, inp, &advice);
    certs::holder(&mut o, inp);
    pins::counters(&mut o, inp, &advice);
    let mut out = o.list;
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}
