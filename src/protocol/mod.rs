//! What the card is, as data: the applications and their AIDs, the EFs and
//! which of them hold personal data, the key references with their counters
//! and PIN formats, the token labels, each record's layout (encoded and
//! decoded side by side) and the tags inside the records. The bottom of the
//! crate: the card layer reads the card with it and the virtual card is
//! built from it, so the two cannot drift apart. The commands themselves
//! (instructions, builders, status words) are `apdu`'s. Facts cite
//! `card-protocol.md` (sections in brackets).

pub mod app;
pub mod certgen;
pub mod face;
pub mod files;
pub mod keys;
pub mod oids;
pub mod records;
pub mod tags;
pub mod text;
pub mod tlv;
pub mod token;

pub use app::{App, ISD_AID};
pub use files::CertSlot;
pub use keys::{
    ChangeForm, FormatProblem, KeyRef, PinFormat, PinKind, SignKey, SHA256_DIGEST_INFO,
};
pub use token::{TokenKind, TokenType};
