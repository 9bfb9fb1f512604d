//! What the tool keeps between runs: only what may make a run faster,
//! never different (design.md 7b). The card's kind, counters and
//! certificates are read from the card every time; CA certificates are
//! never kept (a J-LIS issuer comes from the built-in roots, any other from
//! the card's own file). Kept are: extended-length support per reader and
//! ATR (a refusal falls back to short reads in the same session, so the
//! bytes read are the same) and the virtual card's built images (keyed by
//! the whole profile and this build, checked whole). Anything unreadable
//! is ignored and the work is done as if nothing was kept.

use std::path::PathBuf;

/// Which reader + card pairs have been shown to take an extended-length
/// READ BINARY (card-protocol.md §7: reader-dependent), so that later runs
/// use it without being asked.
pub struct ExtendedMemory {
    dir: Option<PathBuf>,
}

impl ExtendedMemory {
    pub fn open(disabled: bool) -> ExtendedMemory {
        ExtendedMemory {
            dir: crate::platform::cache_dir(disabled, "extended-length"),
        }
    }

    fn path(&self, reader: &str, atr: &[u8]) -> Option<PathBuf> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(reader.as_bytes());
        h.update([0]);
        h.update(atr);
        Some(self.dir.as_ref()?.join(hex::encode(&h.finalize()[..16])))
    }

    pub fn supported(&self, reader: &str, atr: &[u8]) -> bool {
        self.path(reader, atr)
            .is_some_and(|p| crate::platform::cache::is_entry(&p))
    }

    /// Remember what a run showed; failures are ignored (it only saves APDUs).
    pub fn record(&self, reader: &str, atr: &[u8], works: bool) {
        let (Some(dir), Some(p)) = (&self.dir, self.path(reader, atr)) else {
            return;
        };
        if works {
            if std::fs::create_dir_all(dir).is_ok() {
                let _ = crate::platform::atomic::write_private(&p, reader.as_bytes());
            }
        } else {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Remove the oldest entries (files named by `name_len` characters)
/// beyond `keep`.
fn trim(dir: &std::path::Path, name_len: usize, keep: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = rd
        .flatten()
        .filter(|e| e.file_name().len() == name_len && e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort();
    for (_, p) in &files[..files.len() - keep] {
        let _ = std::fs::remove_file(p);
    }
}

/// The virtual card's images (`vcard::image`), one per profile and build
/// of this program, so that `--virtual` starts without a dozen RSA
/// signatures. At most `IMAGE_ENTRIES`, mode 0600.
pub struct ImageCache {
    dir: Option<PathBuf>,
}

const IMAGE_ENTRIES: usize = 8;

impl ImageCache {
    /// `$XDG_CACHE_HOME/mynacard/card-images`; disabled with `--no-cache`.
    pub fn open(disabled: bool) -> ImageCache {
        ImageCache {
            dir: crate::platform::cache_dir(disabled, "card-images"),
        }
    }

    pub fn at(dir: PathBuf) -> ImageCache {
        ImageCache { dir: Some(dir) }
    }

    /// The profile's image: the kept one if it is whole, else built (and
    /// kept for the next run). The key is the merged profile text and this
    /// build, so another profile or build is never served it.
    pub fn load_or_build(
        &self,
        p: &crate::vcard::Profile,
    ) -> Result<crate::vcard::CardImage, crate::vcard::ProfileError> {
        use crate::platform::{cache::read_entry, files::limit};
        use crate::vcard::{image::image_key, CardImage};
        let build = crate::platform::build_id();
        // Without a build id another build's image could be served.
        let (Some(dir), false) = (&self.dir, build.is_empty()) else {
            return CardImage::build(p);
        };
        let path = dir.join(image_key(p, &build));
        if let Some(img) = read_entry(&path, limit::IMAGE)
            .ok()
            .and_then(|b| CardImage::from_bytes(&b))
        {
            return Ok(img);
        }
        let img = CardImage::build(p)?;
        if std::fs::create_dir_all(dir).is_ok()
            && crate::platform::atomic::write_private(&path, &img.to_bytes()).is_ok()
        {
            trim(dir, 32, IMAGE_ENTRIES);
        }
        Ok(img)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcard::Profile;

    #[test]
    fn an_image_is_served_only_to_its_own_profile_and_build() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ImageCache::at(dir.path().join("img"));
        let a = Profile::builtin();
        let b =
            Profile::from_toml("base = \"builtin\"\n[faults]\ncorrupt_auth_cert = true\n").unwrap();
        let ia = cache.load_or_build(&a).unwrap();
        let ib = cache.load_or_build(&b).unwrap();
        assert!(ia != ib);
        assert!(cache.load_or_build(&a).unwrap() == ia);
        assert!(cache.load_or_build(&b).unwrap() == ib);
        assert!(cache.load_or_build(&b).unwrap() == crate::vcard::CardImage::build(&b).unwrap());
        // Another build: another key, so nothing kept is found.
        let id = crate::platform::build_id();
        let n = std::fs::read_dir(dir.path().join("img")).unwrap().count();
        assert_eq!(n, 2);
        let ka = crate::vcard::image::image_key(&a, &id);
        assert_ne!(ka, crate::vcard::image::image_key(&a, b"another build"));
        assert_ne!(ka, crate::vcard::image::image_key(&b, &id));
    }

    #[test]
    fn extended_length_is_remembered_per_reader_and_card() {
        let dir = tempfile::tempdir().unwrap();
        let m = ExtendedMemory {
            dir: Some(dir.path().join("x")),
        };
        assert!(!m.supported("r", b"atr"));
        m.record("r", b"atr", true);
        assert!(m.supported("r", b"atr"));
        assert!(!m.supported("r", b"other atr") && !m.supported("other", b"atr"));
        m.record("r", b"atr", false);
        assert!(!m.supported("r", b"atr"));
        assert!(!ExtendedMemory::open(true).supported("r", b"atr"));
    }
}
