//! Where the caches live, and that nobody else can steer them: each folder
//! from `mynacard/` down is a real folder (never a link), the user's own,
//! mode 0700 (a 0755 one is repaired); an entry is read only when it is a
//! regular file of the user's, opened without following a link. A cache
//! that cannot be used safely is skipped with a note: the command goes on
//! without it (a cache only saves work).
//!
//! On Windows, owner and mode are not checked or set (mynacard reads and
//! writes no ACL): the folders take the ACL of `%LOCALAPPDATA%`, which in
//! a user's profile admits the user, SYSTEM and the administrators. A link
//! or junction in place of a folder or an entry is still refused.

use std::env::var_os;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The folder the `mynacard/` cache goes in: Linux and other Unix systems
/// `$XDG_CACHE_HOME`, else `~/.cache`; macOS `$XDG_CACHE_HOME` when set,
/// else `~/Library/Caches`; Windows `%LOCALAPPDATA%`.
fn cache_base() -> Option<PathBuf> {
    let set = |name: &str| var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if cfg!(windows) {
        return set("LOCALAPPDATA");
    }
    let home_sub = if cfg!(target_os = "macos") {
        "Library/Caches"
    } else {
        ".cache"
    };
    set("XDG_CACHE_HOME").or_else(|| set("HOME").map(|h| h.join(home_sub)))
}

/// `<cache base>/mynacard/<sub>` (see [`cache_base`]), made private;
/// `None` with `--no-cache`, when no home is known, or when a folder on the
/// way cannot be used safely (a note on stderr says which and why, once).
pub fn cache_dir(disabled: bool, sub: &str) -> Option<PathBuf> {
    if disabled {
        return None;
    }
    private_cache_in(&cache_base()?, sub)
}

/// Create the folder `d` (and, with `all`, the folders above it), owner-only
/// on Unix.
fn make_dir(d: &Path, all: bool) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(all);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(d)
}

/// Whether `meta` is of a file or folder of this process's user (Unix; on
/// Windows not checked: `true`).
fn mine(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.uid() == rustix::process::geteuid().as_raw()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

/// Make a folder of the user's owner-only when others may enter it (Unix).
fn make_private(d: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("is open to others and cannot be made private ({e})"))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (d, meta);
    Ok(())
}

/// `<base>/mynacard/<sub>`, made private, or `None` (with a note).
fn private_cache_in(base: &Path, sub: &str) -> Option<PathBuf> {
    let top = base.join("mynacard");
    let dir = top.join(sub);
    if !base.is_dir() && make_dir(base, true).is_err() {
        return None;
    }
    for d in [&top, &dir] {
        if let Err(why) = private_dir(d) {
            note_once(d, &why);
            return None;
        }
    }
    Some(dir)
}

/// Make `d` a private folder of this user's, or say why it cannot be one.
fn private_dir(d: &Path) -> Result<(), String> {
    let meta = match std::fs::symlink_metadata(d) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => match make_dir(d, false) {
            Ok(()) => std::fs::symlink_metadata(d).map_err(|e| e.to_string())?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                std::fs::symlink_metadata(d).map_err(|e| e.to_string())?
            }
            Err(e) => return Err(format!("cannot be created ({e})")),
        },
        Err(e) => return Err(e.to_string()),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link".into());
    }
    if !meta.is_dir() {
        return Err("is not a folder".into());
    }
    if !mine(&meta) {
        return Err("belongs to another user".into());
    }
    make_private(d, &meta)
}

/// One note per folder and process.
fn note_once(d: &Path, why: &str) {
    static SAID: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    if let Ok(mut said) = SAID.lock() {
        if said.iter().any(|p| p == d) {
            return;
        }
        said.push(d.to_path_buf());
    }
    // Debug form: a hostile name's control characters come out escaped.
    eprintln!(
        "mynacard: note: the cache folder {:?} {why}: the cache is not used (remove it, and mynacard makes a private one)",
        d.display().to_string()
    );
}

/// Whether `path` is a regular file of this user's (a link is not).
pub fn is_entry(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file() && mine(&m))
}

/// Read a cache entry: a regular file of this user's of at most `limit`
/// bytes, opened without following a link and without blocking.
pub fn read_entry(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, why.to_string());
    let f = super::files::open_read(path, false)?;
    let meta = f.metadata()?;
    if super::files::opened_not_regular(&f, &meta).is_some() || !mine(&meta) {
        return Err(bad("not a regular file of this user's"));
    }
    super::files::read_opened(f, &meta, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn new_folders_are_private_and_open_ones_are_repaired() {
        let home = tempfile::tempdir().unwrap();
        let d = private_cache_in(home.path(), "ca").unwrap();
        for p in [d.parent().unwrap(), &d] {
            let m = std::fs::symlink_metadata(p).unwrap();
            assert_eq!(m.mode() & 0o777, 0o700, "{p:?}");
        }
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(private_cache_in(home.path(), "ca").is_some());
        assert_eq!(std::fs::metadata(&d).unwrap().mode() & 0o777, 0o700);
        assert!(cache_dir(true, "ca").is_none());
    }

    #[test]
    fn a_linked_folder_is_not_used() {
        let home = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join("mynacard")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), home.path().join("mynacard/auth-certs"))
            .unwrap();
        assert!(private_cache_in(home.path(), "auth-certs").is_none());
        // The top folder itself as a link.
        let home2 = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), home2.path().join("mynacard")).unwrap();
        assert!(private_cache_in(home2.path(), "ca").is_none());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_entry_is_a_regular_file_never_a_link() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("f");
        std::fs::write(&f, b"kept").unwrap();
        let l = d.path().join("l");
        std::os::unix::fs::symlink(&f, &l).unwrap();
        assert_eq!(read_entry(&f, 10).unwrap(), b"kept");
        assert!(read_entry(&l, 10).is_err());
        assert!(read_entry(&f, 2).is_err());
        assert!(is_entry(&f) && !is_entry(&l) && !is_entry(d.path()));
    }
}
