//! A virtual card's contents, built once per profile and then kept: its
//! certificates, files and data objects with every signature in them.
//! Building one signs about a dozen times with 2048-bit RSA keys (≈10 ms);
//! reading a kept one back takes a small fraction of that, so the CLI keeps
//! them (`usecase::connect`). Nothing here is weakened: a kept image holds
//! the same bytes the builder makes.

use super::fs::{self, Files};
use super::pki::Pki;
use super::profile::{Profile, ProfileError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What a kept image starts with; the last byte is the format's version.
const MAGIC: &[u8; 16] = b"mynacard-image\x00\x01";

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardImage {
    pub pki: Pki,
    pub files: Files,
    pub mf_data: BTreeMap<u16, Vec<u8>>,
}

impl CardImage {
    /// Everything the card holds, made from the profile (deterministic:
    /// the same profile always gives the same bytes).
    pub fn build(p: &Profile) -> Result<CardImage, ProfileError> {
        let pki = Pki::generate(p)?;
        let files = fs::build(p, &pki);
        let mf_data = fs::mf_data(p);
        Ok(CardImage {
            pki,
            files,
            mf_data,
        })
    }

    /// `MAGIC ‖ SHA-256(body) ‖ body` (postcard).
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = postcard::to_stdvec(self).unwrap_or_default();
        [&MAGIC[..], &Sha256::digest(&body), &body].concat()
    }

    /// A kept image, or `None` for anything damaged, truncated or of
    /// another format (the caller builds it again).
    pub fn from_bytes(b: &[u8]) -> Option<CardImage> {
        let rest = b.strip_prefix(&MAGIC[..])?;
        let (sum, body) = rest.split_at_checked(32)?;
        if Sha256::digest(body).as_slice() != sum {
            return None;
        }
        postcard::from_bytes(body).ok()
    }
}

/// The name of the image a profile gives, built by this program: the
/// profile's resolved contents, the format, and `build_id` (something that
/// changes when the program does, e.g. its file's size and time).
pub fn image_key(p: &Profile, build_id: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(env!("CARGO_PKG_VERSION"));
    h.update((build_id.len() as u64).to_be_bytes());
    h.update(build_id);
    h.update(p.source_digest());
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_image_reads_back_the_same_and_damage_is_refused() {
        let p = Profile::builtin();
        let img = CardImage::build(&p).unwrap();
        let b = img.to_bytes();
        assert!(CardImage::from_bytes(&b) == Some(img.clone()));
        for cut in [0, 10, 47, b.len() - 1] {
            assert!(CardImage::from_bytes(&b[..cut]).is_none(), "cut at {cut}");
        }
        let mut bad = b.clone();
        let n = bad.len();
        bad[n - 100] ^= 1;
        assert!(CardImage::from_bytes(&bad).is_none());
        let mut other = b;
        other[15] = 0x02;
        assert!(CardImage::from_bytes(&other).is_none());
    }

    #[test]
    fn the_key_follows_the_profile_and_the_build() {
        let a = Profile::builtin();
        let b = Profile::from_toml(
            &super::super::BUILTIN_PROFILE_TOML.replace("400000012719843", "400000012719844"),
        )
        .unwrap();
        assert_eq!(image_key(&a, b"x"), image_key(&Profile::builtin(), b"x"));
        assert_ne!(image_key(&a, b"x"), image_key(&a, b"y"));
        assert_ne!(image_key(&a, b"x"), image_key(&b, b"x"));
    }
}
