//! A cache of JPKI CA certificates. Every card of a generation carries the
//! same CA certificate, so a counter checking many cards reads it once.
//! Entries are keyed by the CA's subject key identifier and are used only
//! when they verify the end-entity certificate's signature; anything else
//! is ignored and the card is read as usual.

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
        && ee.verify_signature(Some(ca.public_key())).is_ok()
}

/// `$XDG_CACHE_HOME/mynacard/<sub>` (or `~/.cache/…`); `None` with
/// `--no-cache` or when no home is known.
fn cache_dir(disabled: bool, sub: &str) -> Option<PathBuf> {
    if disabled {
        return None;
    }
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .map(|b| b.join("mynacard").join(sub))
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
            dir: cache_dir(disabled, "extended-length"),
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
        self.path(reader, atr).is_some_and(|p| p.exists())
    }

    /// Remember what a run showed; failures are ignored (it only saves APDUs).
    pub fn record(&self, reader: &str, atr: &[u8], works: bool) {
        let (Some(dir), Some(p)) = (&self.dir, self.path(reader, atr)) else {
            return;
        };
        if works {
            if std::fs::create_dir_all(dir).is_ok() {
                let _ = crate::atomic::write_private(&p, reader.as_bytes());
            }
        } else {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl CaCache {
    /// The cache under `$XDG_CACHE_HOME/mynacard/ca` (or `~/.cache/…`);
    /// disabled with `--no-cache` or when no home is known.
    pub fn open(disabled: bool) -> CaCache {
        CaCache {
            dir: cache_dir(disabled, "ca"),
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
        let ca = crate::platform::files::read_limited(&path, crate::platform::files::limit::CERT)
            .ok()?;
        signs(&ca, ee).then_some(ca)
    }

    /// Keep `ca` when it verifiably signed `ee`. Failures are ignored: the
    /// cache only saves APDUs.
    pub fn store(&self, ca: &[u8], ee: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let Some((Some(ski), _)) = key_ids(ca) else {
            return;
        };
        if !signs(ca, ee) {
            return;
        }
        let path = dir.join(format!("{}.der", hex::encode(ski)));
        if path.exists() {
            return;
        }
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = crate::atomic::write_private(&path, ca);
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
}
