//! One module per command, and the shared connection set-up.

pub mod age;
pub mod cert;
pub mod doctor;
mod doctor_words;
pub mod face;
pub mod face_show;
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
