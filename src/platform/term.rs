//! The terminal: its settings saved before a no-echo prompt (which
//! `rpassword` makes on Unix and Windows alike) so that a process ending
//! during the prompt can give the echo back, and standard input read
//! without a buffer.

use std::io;

/// The terminal's settings at one moment.
pub struct TermState {
    #[cfg(unix)]
    attrs: rustix::termios::Termios,
    #[cfg(windows)]
    mode: u32,
}

/// Unix: the controlling terminal (`/dev/tty`). Windows: the console's
/// input (`CONIN$`), whose mode holds the echo.
fn terminal() -> io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        std::fs::File::open("/dev/tty")
    }
    #[cfg(windows)]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("CONIN$")
    }
}

/// The terminal's settings now; `None` without a terminal.
pub fn save() -> Option<TermState> {
    let t = terminal().ok()?;
    #[cfg(unix)]
    {
        rustix::termios::tcgetattr(&t)
            .ok()
            .map(|attrs| TermState { attrs })
    }
    #[cfg(windows)]
    {
        winapi_util::console::mode(&t)
            .ok()
            .map(|mode| TermState { mode })
    }
}

/// Put the terminal's settings back as `s` saved them.
pub fn restore(s: &TermState) -> io::Result<()> {
    let t = terminal()?;
    #[cfg(unix)]
    {
        rustix::termios::tcsetattr(&t, rustix::termios::OptionalActions::Now, &s.attrs)?;
        Ok(())
    }
    #[cfg(windows)]
    {
        winapi_util::console::set_mode(&t, s.mode)
    }
}

/// Standard input without a buffer (a second handle to it): each `read`
/// goes to the system, so no copy of what was read stays in a buffer, and
/// what is not read stays unread for the process.
pub fn stdin_unbuffered() -> io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        Ok(io::stdin().as_fd().try_clone_to_owned()?.into())
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle;
        Ok(io::stdin().as_handle().try_clone_to_owned()?.into())
    }
}
