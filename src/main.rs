//! The binary's edge: the PC/SC helper or the command line, and anyhow for
//! what fails before either can report it in its own way (today: a command
//! line that cannot be read at all, a usage error).

fn main() {
    match try_main() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("mynacard: error: {e:#}");
            std::process::exit(mynacard::error::exit::USAGE);
        }
    }
}

fn try_main() -> anyhow::Result<i32> {
    // The PC/SC helper process (see transport::agent): not a user command.
    #[cfg(feature = "pcsc")]
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(mynacard::transport::agent::AGENT_ARG))
    {
        return Ok(mynacard::transport::agent::worker::main());
    }
    if std::env::args_os().any(|a| a.to_str().is_none()) {
        anyhow::bail!("an argument is not valid UTF-8");
    }
    let cli = mynacard::cli::parse_args();
    Ok(mynacard::cli::run(cli))
}
