fn main() {
    // The PC/SC helper process (see transport::agent): not a user command.
    #[cfg(feature = "pcsc")]
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(mynacard::transport::agent::AGENT_ARG))
    {
        std::process::exit(mynacard::transport::agent::worker::main());
    }
    let cli = mynacard::cli::parse_args();
    std::process::exit(mynacard::cli::run(cli));
}
