//! `mynacard vcard serve|profile`: the virtual My Number Card.

use super::Ctx;
use crate::error::{Error, Result};
use crate::vcard::{vpcd, VirtualCard};
use clap::Subcommand;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

#[derive(Subcommand, Debug)]
pub enum VcardCmd {
    /// Serve the virtual card to pcscd through vsmartcard's vpcd driver
    Serve {
        /// Card profile (TOML); default: the built-in profile
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// vpcd host
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// vpcd port (35963 = reader "Virtual PCD 00 00", 35964 = "… 00 01")
        #[arg(long, default_value_t = 35963)]
        port: u16,
        /// Old spelling of the global --state (a notice says so)
        #[arg(long = "card-state", value_name = "FILE", hide = true)]
        card_state: Option<PathBuf>,
        /// Old spelling of the global --trace: every APDU on stderr (a notice says so)
        #[arg(short, long, hide = true)]
        verbose: bool,
        /// Append one line per APDU to FILE (sizes, status word, PINs masked)
        #[arg(long, value_name = "FILE")]
        apdu_log: Option<PathBuf>,
    },
    /// Print the built-in profile (a starting point for your own)
    Profile,
    /// Run COMMAND against the virtual card served through a private pcscd
    /// (own mount namespace; needs root), then stop everything
    #[cfg(feature = "pcsc")]
    Sandbox {
        /// Card profile (TOML); default: the built-in profile
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// Old spelling of the global --state (a notice says so)
        #[arg(long = "card-state", value_name = "FILE", hide = true)]
        card_state: Option<PathBuf>,
        /// Append one line per APDU the served card answers to FILE
        #[arg(long, value_name = "FILE")]
        apdu_log: Option<PathBuf>,
        /// The command to run, with PCSCLITE_CSOCK_NAME pointing at the private pcscd
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
}

fn load_card(
    ctx: &Ctx,
    profile: Option<&std::path::Path>,
    state: Option<PathBuf>,
) -> Result<VirtualCard> {
    let state = state.or_else(|| ctx.g.state.clone());
    crate::usecase::connect::load_virtual_card(profile, state.as_deref(), ctx.g.no_cache)
}

#[cfg(all(feature = "pcsc", target_os = "linux"))]
fn sandbox(
    ctx: &Ctx,
    profile: Option<&std::path::Path>,
    state: Option<PathBuf>,
    apdu_log: Option<PathBuf>,
    command: &[String],
) -> Result<i32> {
    use crate::sandbox::Sandbox;
    let card = load_card(ctx, profile, state)?;
    let mut sb = Sandbox::start(card).map_err(|e| Error::Sandbox(e.to_string()))?;
    sb.apdu_log = apdu_log;
    sb.insert();
    // This process talks to the private pcscd only (the variable is read
    // once per process, at the first PC/SC call).
    std::env::set_var("PCSCLITE_CSOCK_NAME", sb.socket());
    crate::usecase::connect::wait_for_card(&sb.reader(), std::time::Duration::from_secs(10))?;
    let status = std::process::Command::new(&command[0])
        .args(&command[1..])
        .env("PCSCLITE_CSOCK_NAME", sb.socket())
        .status();
    drop(sb);
    match status {
        // As a shell does: 127 for a command that is not there, 126 for
        // one that cannot run; the child's own code otherwise.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("mynacard: {}: command not found", command[0]);
            Ok(127)
        }
        Err(e) => {
            eprintln!("mynacard: {}: {e}", command[0]);
            Ok(126)
        }
        Ok(st) => {
            use std::os::unix::process::ExitStatusExt;
            Ok(st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0)))
        }
    }
}

/// The sandbox is a mount namespace with pcscd and vpcd: Linux only.
#[cfg(all(feature = "pcsc", not(target_os = "linux")))]
fn sandbox(
    _: &Ctx,
    _: Option<&std::path::Path>,
    _: Option<PathBuf>,
    _: Option<PathBuf>,
    _: &[String],
) -> Result<i32> {
    Err(Error::Sandbox(
        "`vcard sandbox` runs only on Linux (a private pcscd in a mount namespace); \
         here, use --virtual, or `vcard serve` to a vpcd reader"
            .into(),
    ))
}

pub fn run(ctx: &Ctx, cmd: VcardCmd) -> Result<i32> {
    match cmd {
        #[cfg(feature = "pcsc")]
        VcardCmd::Sandbox {
            profile,
            card_state,
            apdu_log,
            command,
        } => sandbox(ctx, profile.as_deref(), card_state, apdu_log, &command),
        VcardCmd::Profile => {
            print!("{}", crate::vcard::BUILTIN_PROFILE_TOML);
            Ok(0)
        }
        VcardCmd::Serve {
            profile,
            host,
            port,
            card_state,
            verbose,
            apdu_log,
        } => {
            let card = load_card(ctx, profile.as_deref(), card_state)?;
            // The served card's APDUs on stderr: what --trace means everywhere.
            let verbose = verbose || ctx.g.trace;
            let stop = Arc::new(AtomicBool::new(false));
            crate::platform::signals::set_flag_on_stop(&stop)
                .map_err(|e| Error::io("signal handler", e))?;
            let opts = vpcd::ServeOptions {
                host: host.clone(),
                port,
                verbose,
                apdu_log,
            };
            eprintln!(
                "mynacard: serving the virtual card to vpcd at {host}:{port} (stop with Ctrl-C)"
            );
            vpcd::serve(Arc::new(Mutex::new(card)), &opts, &stop)
                .map_err(|e| Error::io(format!("{host}:{port}"), e))?;
            Ok(0)
        }
    }
}
