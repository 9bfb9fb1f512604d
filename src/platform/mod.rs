//! The one room with operating-system specifics: bounded reads of the files
//! the tool is given, and (under `cli`) signals and the terminal. Unix
//! only for now; the pcsc crate's WinSCard and PCSC.framework back ends
//! would need the `cfg(windows)`/macOS halves of these functions.

pub mod files;

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
