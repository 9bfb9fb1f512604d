//! The one room with operating-system specifics: bounded reads of the files
//! the tool is given, atomic writes that never follow a link, where the
//! caches live, the PC/SC helper's place apart from the terminal, signals
//! (Ctrl-C and Ctrl-Break on Windows), the terminal's echo, and memory
//! protection. Linux, macOS and Windows; each function says what holds
//! where (`docs/security.md` has the table). Other modules call these and
//! hold no `cfg` of their own for the system, except the Linux-only pcscd
//! sandbox (`sandbox`, compiled on Linux only).

pub mod atomic;
pub mod cache;
pub mod devices;
pub mod files;
pub mod process;
pub mod signals;
pub mod term;

pub use cache::cache_dir;

/// Something that changes whenever this program's file does (its size,
/// time and inode; on Windows its size and its write and creation times),
/// without reading it; empty if it cannot be known.
pub fn build_id() -> Vec<u8> {
    let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) else {
        return Vec::new();
    };
    #[cfg(unix)]
    let parts = {
        use std::os::unix::fs::MetadataExt;
        [
            m.len(),
            m.mtime() as u64,
            m.mtime_nsec() as u64,
            m.ino(),
            m.dev(),
        ]
    };
    #[cfg(not(unix))]
    let parts = {
        let nanos = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64)
        };
        [m.len(), nanos(m.modified()), nanos(m.created())]
    };
    parts.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// No core dump, and no other program of the same user attaching, while
/// this process may hold a PIN in memory (every command: cheap, and set
/// before anything is read).
///
/// - Linux: the core-size limit 0 and not dumpable (`PR_SET_DUMPABLE` 0),
///   so no core file and no `ptrace` or `/proc/PID/mem` by other programs
///   of the user.
/// - macOS: the core-size limit 0. Attaching is left to the system (it
///   needs root or a debugging entitlement); mynacard does not call
///   `PT_DENY_ATTACH`.
/// - Windows: nothing. A program of the same user can read this process's
///   memory, and Windows Error Reporting may keep a dump of a crash where
///   it is set up to.
pub fn protect_memory() {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
    }
    #[cfg(target_os = "linux")]
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

/// Whether a message (a panic's, from `print!`) is about writing to a pipe
/// whose reader went away (`| head`): EPIPE on Unix; on Windows
/// `ERROR_BROKEN_PIPE` (109), `ERROR_NO_DATA` (232, "the pipe is being
/// closed") or `ERROR_PIPE_NOT_CONNECTED` (233, what wine says).
pub fn is_closed_pipe_message(msg: &str) -> bool {
    let codes: &[&str] = if cfg!(windows) {
        &["(os error 109)", "(os error 232)", "(os error 233)"]
    } else {
        &["Broken pipe", "os error 32"]
    };
    codes.iter().any(|c| msg.contains(c))
}

/// Ask for the next TCP acknowledgement at once (Linux's `TCP_QUICKACK`,
/// which vpcd's one-frame-at-a-time exchange needs to avoid 40 ms delayed
/// acknowledgements); nothing elsewhere.
pub fn tcp_quickack(s: &std::net::TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = socket2::SockRef::from(s).set_quickack(true);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = s;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_told_from_other_errors() {
        assert!(is_closed_pipe_message(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!is_closed_pipe_message(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
    }

    #[test]
    fn the_build_id_is_known_and_stable() {
        let id = build_id();
        assert!(!id.is_empty());
        assert_eq!(id, build_id());
    }

    #[test]
    fn a_child_ended_by_a_signal_is_told_from_one_that_exited() {
        let sh = |script: &str| {
            std::process::Command::new("sh")
                .args(["-c", script])
                .status()
                .unwrap()
        };
        assert_eq!(process::ended_by_signal(&sh("kill -9 $$")), Some(9));
        assert_eq!(process::ended_by_signal(&sh("exit 3")), None);
    }
}
