//! The card's applications (card-protocol.md §1).

/// An application on the card, selected by its AID (`00 A4 04 0C 0A …`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum App {
    /// 公的個人認証AP (JPKI)
    Jpki,
    /// 券面事項入力補助AP
    Text,
    /// 券面AP (券面事項確認AP)
    Surface,
    /// 共通カードAP (card-info record, one 001C key)
    Common,
    /// 住基AP (the other 001C key)
    Juki,
}

/// The GlobalPlatform issuer security domain: selecting it returns the
/// card to its power-on (MF-level) state (§1).
pub const ISD_AID: &[u8] = &[0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];

impl App {
    pub const ALL: [App; 5] = [App::Jpki, App::Text, App::Surface, App::Common, App::Juki];

    pub fn aid(self) -> &'static [u8] {
        match self {
            App::Jpki => &[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01],
            App::Text => &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08],
            App::Surface => &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02],
            App::Common => &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00],
            App::Juki => &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01],
        }
    }

    /// The application whose AID is `aid` (exactly).
    pub fn from_aid(aid: &[u8]) -> Option<App> {
        App::ALL.into_iter().find(|a| a.aid() == aid)
    }

    /// Its name as the specifications write it (also in traces).
    pub fn name(self) -> &'static str {
        match self {
            App::Jpki => "JPKI AP",
            App::Text => "券面事項入力補助AP",
            App::Surface => "券面AP",
            App::Common => "共通AP",
            App::Juki => "住基AP",
        }
    }

    /// Short stable name (key reference ids, EF override keys).
    pub fn id(self) -> &'static str {
        match self {
            App::Jpki => "jpki",
            App::Text => "text",
            App::Surface => "surface",
            App::Common => "common",
            App::Juki => "juki",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aids_are_distinct_and_round_trip() {
        for a in App::ALL {
            assert_eq!(a.aid().len(), 10);
            assert_eq!(App::from_aid(a.aid()), Some(a));
        }
        assert_eq!(App::from_aid(ISD_AID), None);
    }
}
