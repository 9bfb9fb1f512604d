//! 券面事項入力補助AP (card-info): the four basic attributes and the
//! individual number (card-protocol.md §2.2, §8.1–8.3).

/// EF identifiers in the 入力補助AP.
pub mod ef {
    pub const MY_NUMBER: u16 = 0x0001;
    pub const ATTRIBUTES: u16 = 0x0002;
    pub const INTEGRITY: u16 = 0x0003;
}
