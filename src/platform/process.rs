//! Child processes: the PC/SC helper kept apart from the terminal's
//! signals, and how a child ended.

use std::process::{Command, ExitStatus};

/// Start `cmd` (the PC/SC helper) where the terminal's interrupts do not
/// reach it, so that the tool, which gets them, stops it in order (the
/// helper powers the card down first).
///
/// - Unix: its own process group, so a Ctrl-C at the terminal (SIGINT to
///   the foreground group) reaches the tool only.
/// - Windows: no console (`DETACHED_PROCESS`) in a process group of its own
///   (`CREATE_NEW_PROCESS_GROUP`): Ctrl-C, Ctrl-Break and the closing of
///   the console window never reach it; it ends when its input does.
pub fn apart_from_terminal(cmd: &mut Command) -> &mut Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0)
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const DETACHED_PROCESS: u32 = 0x0000_0008;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP)
    }
}

/// The signal that ended a process, when one did (Unix). Windows has no
/// signals: a process ended from outside (`TerminateProcess`, Task
/// Manager) only leaves an exit code, so this is `None` there.
pub fn ended_by_signal(st: &ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        std::os::unix::process::ExitStatusExt::signal(st)
    }
    #[cfg(not(unix))]
    {
        let _ = st;
        None
    }
}
