//! Where a certificate comes from, in words (levels 1 and 2 of `docs/genuine.md`).

use crate::cert::roots;
use crate::i18n::Lang;

/// Where a certificate comes from, in words: the headline (level 1) and
/// what it does not prove.
pub fn provenance_text(p: &roots::Provenance, lang: Lang) -> (String, String) {
    use roots::{Ca, Provenance as P};
    let ca = |c: &Ca| match (c, lang) {
        (Ca::Sign, Lang::Ja) => "署名用認証局",
        (Ca::Sign, Lang::En) => "digital-signature CA",
        (Ca::Auth, Lang::Ja) => "利用者証明用認証局",
        (Ca::Auth, Lang::En) => "user-authentication CA",
    };
    let copy = lang
        .pick(
            "証明書は公開情報で、偽造カードに写すこともできます。カードが本物かどうかは mynacard prove (利用者証明用電子証明書暗証番号が必要) で確かめられます",
            "a certificate is public and can be copied onto a forged card: mynacard prove (needs the user-authentication PIN) checks the card itself",
        )
        .to_string();
    match p {
        P::Jlis {
            ca: c,
            generation,
            root_not_after,
            root_expired,
            ..
        } => {
            let expired = match (root_expired, lang) {
                (true, Lang::Ja) => format!(" (この世代のルートは {root_not_after} に期限切れ。その有効期間中に発行した証明書は引き続き検証できます)"),
                (true, Lang::En) => format!(" (that generation's root expired on {root_not_after}; it still vouches for what it issued while valid)"),
                _ => String::new(),
            };
            (
                match lang {
                    Lang::Ja => format!("J-LIS の{} (第{generation}世代) が発行: J-LIS の証明書です{expired}", ca(c)),
                    Lang::En => format!("issued by J-LIS ({}, generation {generation:02}): the certificate is J-LIS's{expired}", ca(c)),
                },
                copy,
            )
        }
        P::JlisUnverifiable { ca: c, generation } => (
            match lang {
                Lang::Ja => format!("J-LIS の{} (第{generation}世代、2019〜2023年) を発行者としていますが、その世代のルートを mynacard は持っていないため検証できません (本物とも偽物とも言えません)", ca(c)),
                Lang::En => format!("names J-LIS's {} of 2019–2023 (generation {generation:02}), whose root mynacard does not have: it cannot be verified here, neither genuine nor forged as far as mynacard can tell", ca(c)),
            },
            copy,
        ),
        P::JlisTest => (
            lang.pick(
                "J-LIS のテスト用 PKI (O=JPKI-TEST) が発行 (組み込みのテスト用 CA の鍵で署名を確認): 試験用カードです。住民のカードではありません",
                "issued by J-LIS's test PKI (O=JPKI-TEST; a built-in test CA's key verifies its signature): a test card, not a resident's card",
            )
            .into(),
            String::new(),
        ),
        P::TestPki { .. } => (
            lang.pick(
                "mynacard のテスト用 PKI が発行: 仮想カードです。J-LIS のカードではありません",
                "issued by mynacard's test PKI: this is the virtual card, not a J-LIS card",
            )
            .into(),
            String::new(),
        ),
        P::NotJlis {
            claims_jlis,
            claims_test_pki,
        } => (
            match (claims_jlis, claims_test_pki, lang) {
                (true, _, Lang::Ja) => "J-LIS の発行と称していますが、署名がどの J-LIS のルートでも検証できません: J-LIS の発行ではなく、カードまたはファイルが本物でない可能性があります".into(),
                (true, _, Lang::En) => "claims to be issued by J-LIS (its signature does not verify with any J-LIS root): not issued by J-LIS; the card or file may not be genuine".into(),
                (false, true, Lang::Ja) => "J-LIS のテスト用 PKI (O=JPKI-TEST) の発行と称していますが、署名がそのどの認証局でも検証できません: 試験用カードでもなく、カードまたはファイルが本物でない可能性があります".into(),
                (false, true, Lang::En) => "claims to be issued by J-LIS's test PKI (O=JPKI-TEST) (its signature does not verify with any of its CAs): not even a test card; the card or file may not be genuine".into(),
                (false, false, Lang::Ja) => "J-LIS の発行ではありません: カードまたはファイルが本物でない可能性があります".into(),
                (false, false, Lang::En) => "not issued by J-LIS: the card or file may not be genuine".into(),
            },
            String::new(),
        ),
    }
}

/// Level 2 in words: is the card's CA file that root?
pub fn card_ca_text(same: bool, p: &crate::cert::roots::Provenance, lang: Lang) -> String {
    let test = matches!(p, crate::cert::roots::Provenance::JlisTest);
    match (same, test, lang) {
        (true, true, Lang::Ja) => "このカードの証明書を発行した J-LIS のテスト用 CA と同一".into(),
        (true, true, Lang::En) => "the same as the J-LIS test CA that issued the certificate".into(),
        // Another test card's CA of the same name, with another key: the
        // same-name trap (fixtures/profiles/jpki-test-card-other-ca.toml).
        (false, true, Lang::Ja) => "証明書を発行したテスト用 CA ではありません (同じ名前で別の鍵の CA。証明書自体は組み込みの J-LIS テスト用 CA で検証済み。カード上の CA ファイルは使っていません)".into(),
        (false, true, Lang::En) => "not the test CA that issued the certificate (a CA of the same name with another key; the certificate itself was verified with the built-in J-LIS test CA, not with the card's CA file)".into(),
        (true, _, Lang::Ja) => "J-LIS が公開しているルート証明書と同一".into(),
        (true, _, Lang::En) => "the same as J-LIS's published root".into(),
        (false, _, Lang::Ja) => "J-LIS が公開しているルート証明書と異なります (証明書自体は J-LIS のルートで検証済み。カード上の CA ファイルは使っていません)".into(),
        (false, _, Lang::En) => "differs from J-LIS's published root (the certificate itself was verified with J-LIS's root; the card's CA file was not used for that)".into(),
    }
}
