//! mynacard: read Japan's My Number Card (個人番号カード) over PC/SC.
//!
//! Layers (see `docs/architecture.md`): `cli` → `report`/`cert` → `card` →
//! `apdu`/`transport`; `vcard` is the virtual card, which uses only `apdu`
//! and the calendar `rules`.
#![forbid(unsafe_code)]
// Outside tests an error is returned and explained, never a panic.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

/// `0.1.0`, or `0.1.0 (git 1a2b3c4d5e6f)` when built from a git checkout.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("MYNACARD_VERSION_SUFFIX"));

pub mod apdu;
pub mod card;
pub mod cert;
pub mod cli;
pub mod error;
pub mod i18n;
pub mod pdf;
pub mod platform;
pub mod protocol;
pub mod report;
pub mod rules;
/// The private pcscd + vpcd sandbox: Linux only (a mount namespace).
#[cfg(target_os = "linux")]
pub mod sandbox;
pub mod testhook;
pub mod transport;
pub mod usecase;
pub mod vcard;
