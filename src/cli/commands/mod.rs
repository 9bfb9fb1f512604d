//! One module per command, and the shared connection set-up.

pub mod cert;
pub mod info;
pub mod pdf;
pub mod pdf_verify;
pub mod pin;
pub mod prove;
pub mod readers;
pub mod sign;
pub mod status;
pub mod vcard;
pub mod watch;

use super::Ctx;
use crate::card::Session;
use crate::error::Result;
pub use crate::usecase::connect::{
    read_with_ca, require_jpki, require_my_number_card, transact, CardMeta,
};

/// Run `f` on the card the global options name (see `usecase::connect`).
pub fn with_card<T>(
    ctx: &Ctx,
    exclusive: bool,
    f: impl FnOnce(&mut Session, &CardMeta) -> Result<T>,
) -> Result<T> {
    crate::usecase::with_card(&ctx.card, exclusive, f)
}
