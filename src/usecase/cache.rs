//! What the tool keeps between runs, each only to save work and never
//! trusted beyond what it is checked against: JPKI CA certificates (every
//! card of a generation carries the same one, so a counter checking many
//! cards reads it once; used only when it verifies the end-entity
//! certificate), user-authentication certificates (confirmed by their
//! first bytes on the card), extended-length support per reader and card,
//! and the virtual card's built images. Anything unreadable is ignored and
//! the work is done as if nothing was kept.

use std::path::PathBuf;
use x509_parser::prelude::*;

pub struct CaCache {
    dir: Option<PathBuf>,
}

/// Subject and authority key identifiers.
type KeyIds = (Option<Vec<u8>>, Option<Vec<u8>>);

fn key_ids(der: &[u8]) -> Option<KeyIds> {
    let (_, c) = X509Certificate::from_der(der).ok()?;
    let mut ski = None;
    let mut aki = None;
    for e in c.extensions() {
        match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => {}
        }
    }
    Some((ski, aki))
}

/// Whether `ca` signed `ee`.
fn signs(ca: &[u8], ee: &[u8]) -> bool {
    let (Ok((_, ca)), Ok((_, ee))) = (X509Certificate::from_der(ca), X509Certificate::from_der(ee))
    else {
        return false;
    };
    ca.subject().as_raw() == ee.issuer().as_raw()
        && crate::cert::verify_signed(&ee, ca.public_key()).is_ok()
}

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

/// The user-authentication certificates of the cards this user has read
/// (no personal data: its subject is a random identifier), each with its
/// token label, so that a later `status` confirms one with a single short
/// read of its first bytes (the lengths, the version and the serial number;
/// a renewed certificate has a new serial) instead of reading it whole.
/// Entries are used only when they are consistent (the DER starts with
/// those bytes, its serial number ends within them); the report then
/// checks the certificate with its CA as always. At most `CERT_ENTRIES`
/// are kept, the oldest removed first.
pub struct CertCache {
    dir: Option<PathBuf>,
}

/// How many leading bytes of a certificate name it.
pub const CERT_HEAD: usize = 48;
const CERT_ENTRIES: usize = 16;
/// The stored token label's size (EF 0006's label).
const LABEL: usize = 32;

/// Where the serial number ends in `der`, when it parses.
fn serial_end(der: &[u8]) -> Option<usize> {
    let (_, c) = X509Certificate::from_der(der).ok()?;
    let serial = c.tbs_certificate.raw_serial();
    let start = (serial.as_ptr() as usize).checked_sub(der.as_ptr() as usize)?;
    Some(start + serial.len())
}

impl CertCache {
    /// `$XDG_CACHE_HOME/mynacard/auth-certs`; disabled with `--no-cache`.
    pub fn open(disabled: bool) -> CertCache {
        CertCache {
            dir: crate::platform::cache_dir(disabled, "auth-certs"),
        }
    }

    pub fn at(dir: PathBuf) -> CertCache {
        CertCache { dir: Some(dir) }
    }

    pub fn enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// Whether any certificate is kept (else a lookup cannot succeed and
    /// the short read would be one APDU more for nothing).
    pub fn has_entries(&self) -> bool {
        self.dir
            .as_ref()
            .and_then(|d| std::fs::read_dir(d).ok())
            .is_some_and(|mut rd| rd.any(|e| e.is_ok_and(|e| e.file_name().len() == 32)))
    }

    fn path(&self, head: &[u8]) -> Option<PathBuf> {
        use sha2::Digest;
        let h = sha2::Sha256::digest(head);
        Some(self.dir.as_ref()?.join(hex::encode(&h[..16])))
    }

    /// The certificate (and its token's label) that begins with `head`.
    pub fn lookup(&self, head: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        if head.len() != CERT_HEAD {
            return None;
        }
        let b = crate::platform::cache::read_entry(
            &self.path(head)?,
            crate::platform::files::limit::CERT,
        )
        .ok()?;
        if b.len() <= LABEL {
            return None;
        }
        let (label, der) = b.split_at(LABEL);
        let whole = crate::protocol::tlv::total_len(der)? == der.len();
        (whole && der.starts_with(head) && serial_end(der)? <= CERT_HEAD)
            .then(|| (der.to_vec(), label.to_vec()))
    }

    /// Keep `der` (read whole from a token labelled `label`). Failures are
    /// ignored: the cache only saves APDUs.
    pub fn store(&self, der: &[u8], label: &str) {
        let (Some(dir), Some(end)) = (&self.dir, serial_end(der)) else {
            return;
        };
        if end > CERT_HEAD || der.len() < CERT_HEAD {
            return;
        }
        let Some(path) = self.path(&der[..CERT_HEAD]) else {
            return;
        };
        if path.exists() || std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut l = label.as_bytes().to_vec();
        l.resize(LABEL, b' ');
        l.truncate(LABEL);
        let _ = crate::platform::atomic::write_private(&path, &[l, der.to_vec()].concat());
        trim(dir, 32, CERT_ENTRIES);
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
    /// kept for the next run).
    pub fn load_or_build(
        &self,
        p: &crate::vcard::Profile,
    ) -> Result<crate::vcard::CardImage, crate::vcard::ProfileError> {
        use crate::platform::{cache::read_entry, files::limit};
        use crate::vcard::{image::image_key, CardImage};
        let Some(dir) = &self.dir else {
            return CardImage::build(p);
        };
        let path = dir.join(image_key(p, &crate::platform::build_id()));
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

impl CaCache {
    /// The cache under `$XDG_CACHE_HOME/mynacard/ca` (or `~/.cache/…`);
    /// disabled with `--no-cache` or when no home is known.
    pub fn open(disabled: bool) -> CaCache {
        CaCache {
            dir: crate::platform::cache_dir(disabled, "ca"),
        }
    }

    pub fn at(dir: PathBuf) -> CaCache {
        CaCache { dir: Some(dir) }
    }

    /// The cached CA certificate that signed `ee`, if any.
    pub fn lookup(&self, ee: &[u8]) -> Option<Vec<u8>> {
        let dir = self.dir.as_ref()?;
        let (_, aki) = key_ids(ee)?;
        let path = dir.join(format!("{}.der", hex::encode(aki?)));
        let ca =
            crate::platform::cache::read_entry(&path, crate::platform::files::limit::CERT).ok()?;
        signs(&ca, ee).then_some(ca)
    }

    /// Keep `ca` when it verifiably signed `ee`. Failures are ignored: the
    /// cache only saves APDUs.
    pub fn store(&self, ca: &[u8], ee: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let Some((Some(ski), _)) = key_ids(ca) else {
            return;
        };
        // Kept already (a warm run): no signature check for nothing.
        let path = dir.join(format!("{}.der", hex::encode(ski)));
        if path.exists() || !signs(ca, ee) {
            return;
        }
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = crate::platform::atomic::write_private(&path, ca);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcard::{Pki, Profile};

    #[test]
    fn caches_only_a_ca_that_signed_the_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CaCache::at(dir.path().join("ca"));
        let pki = Pki::generate(&Profile::builtin()).unwrap();
        let ee = pki.auth_cert_der();
        assert!(cache.lookup(ee).is_none());
        // The wrong CA is not stored.
        cache.store(&pki.sign_ca, ee);
        assert!(cache.lookup(ee).is_none());
        cache.store(&pki.auth_ca, ee);
        assert_eq!(cache.lookup(ee).as_deref(), Some(pki.auth_ca.as_slice()));
        // A replaced entry (another CA under this key ID) is not used.
        let f = std::fs::read_dir(dir.path().join("ca"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        std::fs::write(&f, &pki.sign_ca).unwrap();
        assert!(cache.lookup(ee).is_none());
        assert!(CaCache::open(true).lookup(ee).is_none());
    }

    #[test]
    fn a_certificate_is_known_by_its_head_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CertCache::at(dir.path().join("c"));
        let pki = Pki::generate(&Profile::builtin()).unwrap();
        let ee = pki.auth_cert_der();
        let head = &ee[..CERT_HEAD];
        assert!(cache.lookup(head).is_none());
        cache.store(ee, "JPKIAPICCTOKEN2");
        let (der, label) = cache.lookup(head).unwrap();
        assert_eq!(der, ee);
        assert_eq!(label.len(), LABEL);
        assert!(label.starts_with(b"JPKIAPICCTOKEN2 "));
        // Another serial: another head, not found.
        let mut other = head.to_vec();
        let end = serial_end(ee).unwrap();
        other[end - 1] ^= 1;
        assert!(cache.lookup(&other).is_none());
        // A short head is never a match.
        assert!(cache.lookup(&head[..20]).is_none());
        // An entry whose DER does not start with its head is ignored.
        let f = std::fs::read_dir(dir.path().join("c"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut b = std::fs::read(&f).unwrap();
        b[LABEL + 20] ^= 1;
        std::fs::write(&f, &b).unwrap();
        assert!(cache.lookup(head).is_none());
        // At most CERT_ENTRIES kept.
        for i in 0..(CERT_ENTRIES + 4) as u64 {
            let p = Profile::from_toml(&format!(
                "base = \"builtin\"\n[certificates.auth]\nserial = {}\n",
                1000 + i
            ))
            .unwrap();
            let pki = Pki::generate(&p).unwrap();
            cache.store(pki.auth_cert_der(), "JPKIAPICCTOKEN2");
        }
        let n = std::fs::read_dir(dir.path().join("c")).unwrap().count();
        assert_eq!(n, CERT_ENTRIES);
        assert!(!CertCache::open(true).enabled());
        assert!(cache.has_entries());
        assert!(!CertCache::at(dir.path().join("none")).has_entries());
    }
}
