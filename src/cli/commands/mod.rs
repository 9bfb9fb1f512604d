//! One module per command, and the shared connection set-up.

pub mod cert;
pub mod doctor;
mod doctor_words;
pub mod face;
mod face_text;
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
