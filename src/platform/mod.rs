//! The one room with operating-system specifics: bounded reads of the files
//! the tool is given, atomic writes that never follow a link, where the
//! caches live, and (under `cli`) signals and the terminal. Unix
//! only for now; the pcsc crate's WinSCard and PCSC.framework back ends
//! would need the `cfg(windows)`/macOS halves of these functions.

pub mod atomic;
pub mod cache;
pub mod files;

pub use cache::cache_dir;

/// Something that changes whenever this program's file does (its size,
/// time and inode), without reading it; empty if it cannot be known.
pub fn build_id() -> Vec<u8> {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) else {
        return Vec::new();
    };
    [
        m.len(),
        m.mtime() as u64,
        m.mtime_nsec() as u64,
        m.ino(),
        m.dev(),
    ]
    .iter()
    .flat_map(|v| v.to_be_bytes())
    .collect()
}

/// No core dump, and no other program of the same user attaching, while
/// this process may hold a PIN in memory (every command: cheap, and set
/// before anything is read).
pub fn protect_memory() {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    #[cfg(target_os = "linux")]
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}
