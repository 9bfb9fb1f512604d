//! The names of the card's things in both languages: one home for each.

use super::Lang;
use crate::protocol::{CertSlot, FormatProblem, PinKind, TokenType};

/// Names and advice for the four user PINs.
pub trait PinText {
    fn name(self, lang: Lang) -> &'static str;
    /// What a well-formed PIN of this kind looks like.
    fn format_hint(self, lang: Lang) -> String;
    /// What to do when it is locked (from the public guidance).
    fn unlock_advice(self, lang: Lang) -> String;
}

impl PinText for PinKind {
    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (PinKind::Sign, Lang::Ja) => "署名用電子証明書のパスワード",
            (PinKind::Sign, Lang::En) => "signature password",
            (PinKind::Auth, Lang::Ja) => "利用者証明用電子証明書の暗証番号",
            (PinKind::Auth, Lang::En) => "user-authentication PIN",
            (PinKind::CardInfo, Lang::Ja) => "券面事項入力補助用の暗証番号",
            (PinKind::CardInfo, Lang::En) => "card-info PIN",
            (PinKind::Resident, Lang::Ja) => "住民基本台帳用の暗証番号",
            (PinKind::Resident, Lang::En) => "resident-registry PIN",
            (PinKind::FaceCode, Lang::Ja) => "照合番号B",
            (PinKind::FaceCode, Lang::En) => "card-face check code (照合番号B)",
            (PinKind::FaceNumberA, Lang::Ja) => "照合番号A (個人番号)",
            (PinKind::FaceNumberA, Lang::En) => {
                "card-face check number (照合番号A, the individual number)"
            }
            (PinKind::BirthKey, Lang::Ja) => "生年月日 (年齢確認用)",
            (PinKind::BirthKey, Lang::En) => "birth-date key (age check)",
        }
    }

    fn format_hint(self, lang: Lang) -> String {
        if self == PinKind::FaceCode {
            return lang
                .pick(
                    "券面に印字された生年月日 (1980-02-17、昭和55年2月17日、S55.2.17 など)、有効期限の年 (西暦 4 桁)、セキュリティコード (数字 4 桁) を入力してください",
                    "type what is printed on the card: the birth date (1980-02-17, 昭和55年2月17日, S55.2.17…), the expiry year (4 digits) and the 4-digit security code",
                )
                .into();
        }
        if self == PinKind::FaceNumberA {
            return lang
                .pick(
                    "照合番号A はカード裏面の個人番号 (数字 12 桁) です",
                    "照合番号A is the 12-digit individual number printed on the back of the card",
                )
                .into();
        }
        if self == PinKind::BirthKey {
            return lang
                .pick(
                    "券面に印字された生年月日を入力してください (1980-02-17、昭和55年2月17日、S55.2.17 など)",
                    "type the birth date as printed on the card (1980-02-17, 昭和55年2月17日, S55.2.17…)",
                )
                .into();
        }
        match self.format() {
            crate::protocol::PinFormat::SignPassword => lang
                .pick(
                    "署名用電子証明書のパスワードは英大文字 (A-Z) と数字 (0-9) の 6〜16 文字です",
                    "the signature password is 6 to 16 characters of A-Z and 0-9",
                )
                .into(),
            crate::protocol::PinFormat::Digits(n) => match lang {
                Lang::Ja => format!("{}は数字 {n} 桁です", PinText::name(self, lang)),
                Lang::En => format!("the {} is {n} digits", PinText::name(self, lang)),
            },
        }
    }

    fn unlock_advice(self, lang: Lang) -> String {
        if self == PinKind::FaceCode {
            return lang
                .pick(
                    "照合番号Bはロックされています。カードの持ち主が市区町村の窓口で解除を受ける必要があります。それまでは別の方法で本人確認をしてください",
                    "照合番号B is locked: the card's holder must have it unlocked at the municipal office; until then, check identity another way",
                )
                .into();
        }
        if matches!(self, PinKind::BirthKey | PinKind::FaceNumberA) {
            return match lang {
                Lang::Ja => format!(
                    "{}の照合はロックされています。カードの持ち主が市区町村の窓口で解除を受ける必要があります。それまでは別の方法で確認してください",
                    self.name(lang)
                ),
                Lang::En => format!(
                    "the {} is locked: the card's holder must have it unlocked at the municipal office; until then, check another way",
                    self.name(lang)
                ),
            };
        }
        match (self.kiosk_resettable(), lang) {
            (true, Lang::Ja) => {
                "お住まいの市区町村の窓口で初期化 (再設定) してください。一部のコンビニのキオスク端末でも、スマートフォンで本人確認のうえ初期化できます".into()
            }
            (true, Lang::En) => {
                "reset it at your municipal office; some convenience-store kiosks can also reset it after identity confirmation with the smartphone app".into()
            }
            (false, Lang::Ja) => "お住まいの市区町村の窓口で初期化 (再設定) してください".into(),
            (false, Lang::En) => "reset it at your municipal office".into(),
        }
    }
}

/// What a token is, in words.
pub fn describe_token(t: &TokenType, lang: Lang) -> String {
    use Lang::*;
    match (t, lang) {
        (TokenType::Card, Ja) => "マイナンバーカード".into(),
        (TokenType::Card, En) => "My Number Card".into(),
        (TokenType::SmartphoneAndroid, Ja) => "スマホ用電子証明書 (Android)".into(),
        (TokenType::SmartphoneAndroid, En) => "smartphone certificate (Android)".into(),
        (TokenType::SmartphoneIos, Ja) => "スマホ用電子証明書 (iPhone)".into(),
        (TokenType::SmartphoneIos, En) => "smartphone certificate (iPhone)".into(),
        (TokenType::JukiCard, Ja) => "住基カード".into(),
        (TokenType::JukiCard, En) => "住基カード (Basic Resident Register card)".into(),
        (TokenType::Unknown(l), Ja) => format!("不明な JPKI トークン ({l})"),
        (TokenType::Unknown(l), En) => format!("unknown JPKI token ({l})"),
    }
}

/// The name of one of the card's four certificates.
pub fn cert_name(slot: CertSlot, lang: Lang) -> &'static str {
    use Lang::*;
    match (slot, lang) {
        (CertSlot::Auth, Ja) => "利用者証明用電子証明書",
        (CertSlot::Auth, En) => "user-authentication certificate",
        (CertSlot::Sign, Ja) => "署名用電子証明書",
        (CertSlot::Sign, En) => "signature certificate",
        (CertSlot::AuthCa, Ja) => "利用者証明用CA証明書",
        (CertSlot::AuthCa, En) => "user-authentication CA certificate",
        (CertSlot::SignCa, Ja) => "署名用CA証明書",
        (CertSlot::SignCa, En) => "signature CA certificate",
    }
}

/// A private key's name: whose key it is.
pub fn key_name(key: crate::protocol::SignKey, lang: Lang) -> &'static str {
    use crate::protocol::SignKey::*;
    use Lang::*;
    match (key, lang) {
        (JpkiAuth, Ja) => "利用者証明用電子証明書の秘密鍵",
        (JpkiAuth, En) => "private key of its user-authentication certificate",
        (JpkiSign, Ja) => "署名用電子証明書の秘密鍵",
        (JpkiSign, En) => "private key of its signature certificate",
        (TextAp, Ja) => "券面入力補助APのカード鍵",
        (TextAp, En) => "private key of its text application (入力補助AP)",
        (SurfaceAp, Ja) => "券面APのカード鍵",
        (SurfaceAp, En) => "private key of its card-face application (券面AP)",
    }
}

/// What is wrong with a PIN's format, in words.
pub fn format_problem(p: FormatProblem, lang: Lang) -> String {
    use Lang::*;
    match (p, lang) {
        (FormatProblem::PasswordLength { got }, Ja) => {
            format!("6〜16 文字が必要ですが {got} 文字です")
        }
        (FormatProblem::PasswordLength { got }, En) => {
            format!("must be 6 to 16 characters, got {got}")
        }
        (FormatProblem::PasswordChar { at }, Ja) => {
            format!("{at} 文字目が英大文字・数字ではありません (記号、空白、全角文字は使えません)")
        }
        (FormatProblem::PasswordChar { at }, En) => format!(
            "character {at} is not A-Z or 0-9 (no symbols, spaces or full-width characters)"
        ),
        (FormatProblem::FullWidth, Ja) => {
            "全角の数字 (０-９) は使えません。半角の数字 0-9 で入力してください".into()
        }
        (FormatProblem::FullWidth, En) => {
            "full-width digits (０-９) are not accepted: type half-width digits 0-9".into()
        }
        (FormatProblem::Digits { want, got }, Ja) => {
            format!("数字 {want} 桁が必要ですが {got} 文字です")
        }
        (FormatProblem::Digits { want, got }, En) => format!(
            "must be exactly {want} digits 0-9, got {got} character{}",
            if got == 1 { "" } else { "s" }
        ),
        (FormatProblem::Empty, Ja) => "空です".into(),
        (FormatProblem::Empty, En) => "empty".into(),
        (FormatProblem::CheckDigit, Ja) => {
            "最後の桁がチェックデジットと合いません (入力の誤り)。カードを送る前に止めました".into()
        }
        (FormatProblem::CheckDigit, En) => {
            "the last digit is not the check digit of the first 11 (a typing error); nothing was sent"
                .into()
        }
    }
}

/// A sex code (ISO/IEC 5218) in words.
pub fn sex_label(code: &str, lang: Lang) -> String {
    use Lang::*;
    match (crate::protocol::records::sex_id(code), lang) {
        ("male", Ja) => "男性".into(),
        ("male", En) => "male".into(),
        ("female", Ja) => "女性".into(),
        ("female", En) => "female".into(),
        ("not_applicable", Ja) => "適用不能".into(),
        ("not_applicable", En) => "not applicable".into(),
        ("unknown", Ja) => "不明".into(),
        ("unknown", En) => "unknown".into(),
        (_, Ja) => format!("未定義のコード {code}"),
        (_, En) => format!("undefined code {code}"),
    }
}
