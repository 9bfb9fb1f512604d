//! Reading a file the user named: it must be a regular file (a FIFO would
//! block forever, `/dev/zero` never ends) of at most `limit` bytes. The open
//! itself never blocks (`O_NONBLOCK` on Unix; on Windows opening a pipe or a
//! device does not wait, and what was opened is checked on its handle before
//! a byte is read), and what is read is capped even if the file grows
//! meanwhile. Also here: the exclusive lock of a state file.

use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, Instant};

/// Size limits for the files the tool reads.
pub mod limit {
    /// A PIN file (its first line is used).
    pub const PIN: u64 = 4 * 1024;
    /// A certificate or a bundle of them (PEM or DER).
    pub const CERT: u64 = 1024 * 1024;
    /// A virtual-card profile or state file.
    pub const PROFILE: u64 = 1024 * 1024;
    /// A kept virtual-card image (about 60 KB).
    pub const IMAGE: u64 = 8 * 1024 * 1024;
    /// A PDF to sign or verify.
    pub const PDF: u64 = 2 * 1024 * 1024 * 1024;
}

/// What is at a path that is not a regular file (for reads, which follow
/// links, and for output targets, which never do).
#[cfg(unix)]
pub(super) fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_symlink() {
        Some("a symbolic link")
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

/// What is at a path that is not a regular file. Windows's file types are
/// only a file, a folder or a link here: a device or a pipe shows as a
/// file until it is opened ([`opened_not_regular`] tells them apart).
#[cfg(not(unix))]
pub(super) fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_symlink() {
        Some("a symbolic link")
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_file() {
        None
    } else {
        Some("not a regular file")
    }
}

/// What an opened file is, when it is not a regular file (`meta` its own).
#[cfg(not(windows))]
pub(super) fn opened_not_regular(
    _f: &std::fs::File,
    meta: &std::fs::Metadata,
) -> Option<&'static str> {
    not_regular(meta)
}

/// What an opened file is, when it is not a regular file on a disk: a
/// console, `NUL`, a serial port or a named pipe is refused here, before
/// anything is read from it.
#[cfg(windows)]
pub(super) fn opened_not_regular(
    f: &std::fs::File,
    meta: &std::fs::Metadata,
) -> Option<&'static str> {
    not_regular(meta).or(match winapi_util::file::typ(f) {
        Ok(t) if t.is_disk() => None,
        Ok(t) if t.is_pipe() => Some("a pipe"),
        Ok(t) if t.is_char() => Some("a device"),
        _ => Some("not a regular file"),
    })
}

/// Open `path` for reading without waiting on a FIFO; `follow`: whether a
/// symbolic link (on Windows also a junction) is followed or opened as
/// itself (then refused by the caller's check of what was opened).
pub(super) fn open_read(path: &Path, follow: bool) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        let flags = if follow {
            OFlags::NONBLOCK
        } else {
            OFlags::NONBLOCK | OFlags::NOFOLLOW
        };
        o.custom_flags(flags.bits() as i32);
    }
    #[cfg(windows)]
    if !follow {
        use std::os::windows::fs::OpenOptionsExt;
        o.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
    }
    o.open(path)
}

/// `FILE_FLAG_OPEN_REPARSE_POINT`: open a link or junction as itself.
#[cfg(windows)]
const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;

/// Whether a file with metadata `meta` may be read by other users. Unix:
/// any group or other permission bit. Windows: not known (mynacard reads
/// no ACL), so `false`.
pub fn open_to_others(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o077 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Why an exclusive lock was not had.
#[derive(Debug)]
pub enum LockError {
    /// The lock file could not be opened or created.
    Open(io::Error),
    /// Another process held it for the whole wait.
    Busy,
    /// Locking failed for another reason.
    Lock(io::Error),
}

/// Open (creating it, owner-only on Unix, never through a link) the lock
/// file `path` and hold it exclusively, waiting up to `wait` for another
/// process to let go. The lock lasts as long as the returned file is open.
/// Unix: `flock`. Windows: the file opened with no sharing at all, so no
/// other process can open it until it is closed.
pub fn lock_exclusive(path: &Path, wait: Duration) -> Result<std::fs::File, LockError> {
    let deadline = Instant::now() + wait;
    let pause = || std::thread::sleep(Duration::from_millis(20));
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation, OFlags};
        use std::os::unix::fs::OpenOptionsExt;
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(OFlags::NOFOLLOW.bits() as i32)
            .open(path)
            .map_err(LockError::Open)?;
        loop {
            match flock(&f, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(f),
                Err(rustix::io::Errno::WOULDBLOCK) if Instant::now() < deadline => pause(),
                Err(rustix::io::Errno::WOULDBLOCK) => return Err(LockError::Busy),
                Err(e) => return Err(LockError::Lock(e.into())),
            }
        }
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        /// `ERROR_SHARING_VIOLATION`: another process has it open.
        const SHARING_VIOLATION: i32 = 32;
        loop {
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .share_mode(0)
                .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
                .open(path)
            {
                Ok(f) => return Ok(f),
                Err(e) if e.raw_os_error() == Some(SHARING_VIOLATION) => {
                    if Instant::now() >= deadline {
                        return Err(LockError::Busy);
                    }
                    pause()
                }
                Err(e) => return Err(LockError::Open(e)),
            }
        }
    }
}

/// Read all of `path` (a regular file, following links) if it is at most
/// `limit` bytes; otherwise an error that says what it is.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let bad = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    let meta = std::fs::metadata(path)?;
    if let Some(what) = not_regular(&meta) {
        return Err(bad(format!("is {what}, not a regular file")));
    }
    let f = open_read(path, true)?;
    // Checked again on what was opened (the path may have changed).
    let meta = f.metadata()?;
    if let Some(what) = opened_not_regular(&f, &meta) {
        return Err(bad(format!("is {what}, not a regular file")));
    }
    read_opened(f, &meta, limit)
}

/// Read all of an opened regular file (`meta` its own) of at most `limit`
/// bytes; what is read is capped even if it grows meanwhile.
pub(super) fn read_opened(
    f: std::fs::File,
    meta: &std::fs::Metadata,
    limit: u64,
) -> io::Result<Vec<u8>> {
    let bad = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    if meta.len() > limit {
        return Err(bad(format!(
            "is {} bytes; at most {limit} are read",
            meta.len()
        )));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(bad(format!("is larger than {limit} bytes")));
    }
    Ok(out)
}

/// Stream all of `path`, a regular file of any size, to `each` in chunks
/// (with the bytes done and the total). Exactly the length the open file
/// reports is read: a file that is not regular once opened (a FIFO swapped
/// in), ends early, or holds more (an endless `/proc` file, one that grows)
/// is an error, never a wait without end.
pub fn stream_regular(path: &Path, mut each: impl FnMut(&[u8], u64, u64)) -> io::Result<u64> {
    let bad = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    let f = open_read(path, true)?;
    let meta = f.metadata()?;
    if let Some(what) = opened_not_regular(&f, &meta) {
        return Err(bad(format!("is {what}, not a regular file")));
    }
    let total = meta.len();
    let mut f = f.take(total);
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        done += n as u64;
        each(&buf[..n], done, total);
    }
    if done < total {
        return Err(bad(format!(
            "ended after {done} of the {total} bytes it reported (it changed while being read)"
        )));
    }
    // Eight bytes: some /proc files refuse smaller reads.
    let mut more = [0u8; 8];
    if f.into_inner().read(&mut more)? > 0 {
        return Err(bad(format!(
            "holds more than the {total} bytes it reports (it is growing, or not a plain file)"
        )));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_busy_until_it_is_closed() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("state.lock");
        let held = lock_exclusive(&p, Duration::ZERO).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
        assert!(matches!(
            lock_exclusive(&p, Duration::from_millis(60)),
            Err(LockError::Busy)
        ));
        drop(held);
        assert!(lock_exclusive(&p, Duration::ZERO).is_ok());
        // Never through a link.
        let l = d.path().join("linked.lock");
        std::os::unix::fs::symlink(&p, &l).unwrap();
        assert!(matches!(
            lock_exclusive(&l, Duration::ZERO),
            Err(LockError::Open(_))
        ));
    }

    #[test]
    fn group_or_other_bits_make_a_file_open_to_others() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("pin");
        std::fs::write(&f, b"1234\n").unwrap();
        for (mode, open) in [(0o600, false), (0o640, true), (0o604, true)] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(
                open_to_others(&std::fs::metadata(&f).unwrap()),
                open,
                "{mode:o}"
            );
        }
    }

    #[test]
    fn only_bounded_regular_files() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("f");
        std::fs::write(&f, b"1234\n").unwrap();
        assert_eq!(read_limited(&f, 10).unwrap(), b"1234\n");
        let e = read_limited(&f, 3).unwrap_err().to_string();
        assert!(e.contains("5 bytes"), "{e}");
        let e = read_limited(d.path(), 10).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
        let fifo = d.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        // Returns at once: a FIFO is refused before anything blocks.
        let e = read_limited(&fifo, 10).unwrap_err().to_string();
        assert!(e.contains("a FIFO"), "{e}");
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        assert_eq!(read_limited(&link, 10).unwrap(), b"1234\n");
        assert!(read_limited(&d.path().join("none"), 10).is_err());
    }
}
