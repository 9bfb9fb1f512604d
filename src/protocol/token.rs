//! The token label in JPKI EF 0006 says what kind of JPKI token this is
//! (card-protocol.md §8.8): the physical card, a smartphone certificate, or
//! the older 住基カード. Only the physical card has all five applications.

use super::App;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenType {
    /// `JPKIAPICCTOKEN2`: a physical My Number Card.
    Card,
    /// `JPKIAPGPSETOKEN`: Android smartphone certificate; the
    /// user-authentication certificate needs the auth PIN.
    SmartphoneAndroid,
    /// `JPKIAPIOSTOKEN`: iPhone smartphone certificate.
    SmartphoneIos,
    /// `JPKIAPICCTOKEN`: the older 住基カード.
    JukiCard,
    /// Any other label.
    Unknown(String),
}

/// What a reader holds, as every JSON document names it (`status`'s
/// `token_type`, `readers`' `card_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A physical My Number Card.
    Card,
    SmartphoneAndroid,
    SmartphoneIos,
    /// The older 住基カード.
    JukiCard,
    /// A JPKI token with a label this version does not know.
    Unknown,
    /// No JPKI application: not a My Number Card.
    NotMyNumberCard,
}

impl TokenKind {
    pub fn id(self) -> &'static str {
        match self {
            TokenKind::Card => "card",
            TokenKind::SmartphoneAndroid => "smartphone_android",
            TokenKind::SmartphoneIos => "smartphone_ios",
            TokenKind::JukiCard => "juki_card",
            TokenKind::Unknown => "unknown",
            TokenKind::NotMyNumberCard => "not_my_number_card",
        }
    }
}

impl TokenType {
    /// The label as the token stores it (padded with spaces to 32 bytes).
    pub fn label(&self) -> &str {
        match self {
            TokenType::Card => "JPKIAPICCTOKEN2",
            TokenType::SmartphoneAndroid => "JPKIAPGPSETOKEN",
            TokenType::SmartphoneIos => "JPKIAPIOSTOKEN",
            TokenType::JukiCard => "JPKIAPICCTOKEN",
            TokenType::Unknown(l) => l,
        }
    }

    pub fn from_label(raw: &[u8]) -> TokenType {
        let label = String::from_utf8_lossy(raw);
        let label = label.trim_matches(|c: char| c == ' ' || c == '\0' || c.is_whitespace());
        [
            TokenType::Card,
            TokenType::SmartphoneAndroid,
            TokenType::SmartphoneIos,
            TokenType::JukiCard,
        ]
        .into_iter()
        .find(|t| t.label() == label)
        .unwrap_or_else(|| TokenType::Unknown(super::text::printable(label)))
    }

    /// The kind, as JSON names it.
    pub fn kind(&self) -> TokenKind {
        match self {
            TokenType::Card => TokenKind::Card,
            TokenType::SmartphoneAndroid => TokenKind::SmartphoneAndroid,
            TokenType::SmartphoneIos => TokenKind::SmartphoneIos,
            TokenType::JukiCard => TokenKind::JukiCard,
            TokenType::Unknown(_) => TokenKind::Unknown,
        }
    }

    /// Stable identifier in JSON.
    pub fn id(&self) -> &'static str {
        self.kind().id()
    }

    pub fn is_smartphone(&self) -> bool {
        matches!(
            self,
            TokenType::SmartphoneAndroid | TokenType::SmartphoneIos
        )
    }

    /// Whether this kind of token carries `app`.
    pub fn has_app(&self, app: App) -> bool {
        match self {
            TokenType::Card => true,
            _ => app == App::Jpki,
        }
    }

    /// Whether reading the user-authentication certificate needs its PIN.
    pub fn auth_cert_needs_pin(&self) -> bool {
        *self == TokenType::SmartphoneAndroid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_ids_are_serdes() {
        for k in [
            TokenKind::Card,
            TokenKind::SmartphoneAndroid,
            TokenKind::SmartphoneIos,
            TokenKind::JukiCard,
            TokenKind::Unknown,
            TokenKind::NotMyNumberCard,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.id());
        }
    }

    #[test]
    fn labels_round_trip() {
        for t in [
            TokenType::Card,
            TokenType::SmartphoneAndroid,
            TokenType::SmartphoneIos,
            TokenType::JukiCard,
        ] {
            let mut raw = t.label().as_bytes().to_vec();
            raw.resize(32, b' ');
            assert_eq!(TokenType::from_label(&raw), t);
        }
        assert_eq!(
            TokenType::from_label(b"OTHER\0\0"),
            TokenType::Unknown("OTHER".into())
        );
    }
}
