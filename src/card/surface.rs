//! 券面事項確認AP (card-protocol.md §2.3): the card face, its CV
//! certificate, and the card key's answer to a challenge. VERIFY of
//! 照合番号B goes through `card::policy` like every PIN.

use super::Session;
use crate::apdu::StatusWord;
use crate::error::{Error, Result};
use crate::protocol::files::surface;
use crate::protocol::App;

/// EF `0004`, the AP's CV certificate (free to read).
pub fn read_cv_cert(s: &mut Session) -> Result<Vec<u8>> {
    read(s, surface::CV_CERT)
}

/// EF `0002`, the card face (after 照合番号A or B).
pub fn read_face(s: &mut Session) -> Result<Vec<u8>> {
    read(s, surface::CARD_FACE)
}

fn read(s: &mut Session, fid: u16) -> Result<Vec<u8>> {
    s.select_ap(App::Surface)?;
    s.read_tlv_file(fid)?
        .ok_or_else(|| Error::Data(format!("券面AP EF {fid:04X} is missing")))
}

/// The card key (`001A`, no credential) signs `digest_info`:
/// `80 2A 00 00` (myna-card `SurfaceAp::sign`). `None`: the chip holds no
/// key to sign with (`6A88`, a recorded card) — for the face and age
/// checks that is the copy case (the chip is not proven), not an error.
pub fn sign_challenge(s: &mut Session, digest_info: &[u8]) -> Result<Option<Vec<u8>>> {
    s.select_ap(App::Surface)?;
    let r = s.send(&crate::apdu::cmd::sign_with_ap_key(digest_info))?;
    match r.sw {
        StatusWord::Ok if !r.data.is_empty() => Ok(Some(r.data)),
        StatusWord::ReferencedDataNotFound => Ok(None),
        sw => Err(Error::UnexpectedStatus {
            command: "COMPUTE DIGITAL SIGNATURE (券面AP)",
            sw,
        }),
    }
}

/// EF `0001`, the age record (after the 生年月日 key).
pub fn read_age_record(s: &mut Session) -> Result<Vec<u8>> {
    read(s, surface::AGE_RECORD)
}
