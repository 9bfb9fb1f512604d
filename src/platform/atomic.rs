//! Files written whole or not at all, and never through a link: the body
//! goes to a temporary file with an unpredictable name, created exclusively
//! (`O_EXCL`, on Windows `CREATE_NEW`, so a pre-created file or symlink of
//! that name is never followed) with its mode set at creation (Unix; on
//! Windows it takes the ACL its folder passes on), in the target's
//! directory; it is synced and renamed over the target (on Windows
//! `MoveFileEx` replacing the target), and the directory is synced (Unix).
//! A failure removes the temporary file and leaves the target as it was.

use super::files::not_regular;
use std::io::{self, Write};
use std::path::Path;

/// Why an output path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A regular file is there and replacing it was not asked for.
    Exists,
    /// Something other than a regular file is there (what it is).
    NotRegular(&'static str),
    /// The folder it would go in cannot take it.
    Folder(FolderProblem),
}

/// Why the folder of an output file cannot take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderProblem {
    Missing,
    NotAFolder,
    NotWritable,
}

/// The folder an output `path` goes in (`.` for a bare name).
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Can a new file be created in `dir`? Checked before any card work, so
/// that a missing folder never costs a PIN try or a signature.
fn folder_takes_files(dir: &Path) -> Result<(), FolderProblem> {
    match std::fs::metadata(dir) {
        Err(_) => Err(FolderProblem::Missing),
        Ok(m) if !m.is_dir() => Err(FolderProblem::NotAFolder),
        Ok(_) => may_create_in(dir).map_err(|_| FolderProblem::NotWritable),
    }
}

/// Unix: the permission bits (and ACLs) say so (`access(W_OK|X_OK)`).
#[cfg(unix)]
fn may_create_in(dir: &Path) -> io::Result<()> {
    rustix::fs::access(
        dir,
        rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
    )
    .map_err(io::Error::from)
}

/// Elsewhere (a folder's ACL, not a read-only flag, decides on Windows):
/// an anonymous temporary file is made there and removed at once.
#[cfg(not(unix))]
fn may_create_in(dir: &Path) -> io::Result<()> {
    tempfile::tempfile_in(dir).map(drop)
}

/// May `path` receive an output file? Absent: yes. A regular file: only
/// with `replace`. Anything else (a device, directory, FIFO, socket, a
/// symbolic link — dangling or not): never, `replace` included.
pub fn check_target(path: &Path, replace: bool) -> Result<(), Refusal> {
    match std::fs::symlink_metadata(path) {
        Err(_) => folder_takes_files(folder_of(path)).map_err(Refusal::Folder),
        Ok(m) => match not_regular(&m) {
            Some(what) => Err(Refusal::NotRegular(what)),
            None if replace => Ok(()),
            None => Err(Refusal::Exists),
        },
    }
}

/// Write `body` to `path` with permission bits `mode` (e.g. 0o600; Unix
/// only). An existing regular file is replaced; anything else at `path` is
/// refused.
pub fn write_atomic(path: &Path, body: &[u8], mode: u32) -> io::Result<()> {
    write_atomic_with(path, mode, |w| w.write_all(body))
}

/// `write_atomic`, the body written by `fill` (one too large to hold):
/// nothing is at `path` unless `fill` succeeds.
pub fn write_atomic_with(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(dir)?;
    {
        let mut w = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    // Checked again just before the rename: the rename itself replaces a
    // directory entry and never writes through one.
    if let Err(Refusal::NotRegular(what)) = check_target(path, true) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is {what}; refusing to replace it", path.display()),
        ));
    }
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename itself made durable (Windows has no handle on a folder
    // to sync this way; NTFS journals the rename).
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Write `body` to `path` readable by its owner only (0600).
pub fn write_private(path: &Path, body: &[u8]) -> io::Result<()> {
    write_atomic(path, body, 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn entries(d: &Path) -> usize {
        std::fs::read_dir(d).unwrap().count()
    }

    #[test]
    fn whole_or_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        write_atomic(&p, b"one", 0o600).unwrap();
        write_atomic(&p, b"two", 0o600).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A directory that does not exist: an error, and nothing left over.
        assert!(write_atomic(&d.path().join("no/such/f"), b"x", 0o600).is_err());
        assert_eq!(entries(d.path()), 1);
    }

    #[test]
    fn a_pre_created_temp_name_or_link_is_never_written_through() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        // The old predictable names, planted as links to the victim.
        let pid = std::process::id();
        for n in [format!(".f.{pid}.tmp"), ".f.tmp".to_string()] {
            std::os::unix::fs::symlink(&victim, d.path().join(n)).unwrap();
        }
        write_atomic(&d.path().join("f"), b"new", 0o600).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        assert_eq!(std::fs::read(d.path().join("f")).unwrap(), b"new");
    }

    #[test]
    fn only_regular_files_are_replaced() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(check_target(&file, false), Err(Refusal::Exists));
        assert_eq!(check_target(&file, true), Ok(()));
        assert_eq!(check_target(&d.path().join("new"), false), Ok(()));
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let dangling = d.path().join("dangling");
        std::os::unix::fs::symlink(d.path().join("nowhere"), &dangling).unwrap();
        let sub = d.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        for (p, what) in [
            (&link, "a symbolic link"),
            (&dangling, "a symbolic link"),
            (&sub, "a directory"),
        ] {
            assert_eq!(check_target(p, true), Err(Refusal::NotRegular(what)));
            let e = write_atomic(p, b"y", 0o600).unwrap_err();
            assert!(e.to_string().contains("refusing"), "{e}");
        }
        let fifo = d.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        assert_eq!(
            check_target(&fifo, true),
            Err(Refusal::NotRegular("a FIFO"))
        );
        // Nothing was replaced; no temporary file is left.
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(entries(d.path()), 5);
    }

    #[test]
    fn the_mode_is_set_at_creation() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("shared");
        write_atomic(&p, b"x", 0o644).unwrap();
        let m = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(m & 0o600, 0o600);
        assert_eq!(m & 0o022, 0, "{m:o}");
    }
}
