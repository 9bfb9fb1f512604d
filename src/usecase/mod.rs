//! Use cases: what a command does with the card, above the card layer and
//! below the command line (which only parses, asks and presents).

pub mod age;
pub mod cache;
pub mod certs;
pub mod connect;
pub mod doctor;
pub mod doctor_card;
pub mod doctor_model;
pub mod doctor_usb;
pub mod face;
pub mod follow;
mod holder;
pub mod info;
pub mod pdf;
pub mod pins;
pub mod prove;
pub mod readers;
pub mod sign;
pub mod status;
pub mod tsa;
pub mod verify;

pub use connect::{with_card, CardMeta, CardOptions};
