//! Option combinations that make no sense, refused in one place before any
//! work (exit 2, one line naming both). The rules clap can state
//! (`conflicts_with`, `requires` between options of one command) are on
//! the options themselves; here are those that join a global option and
//! a subcommand's, or depend on the subcommand. Old spellings kept as
//! hidden aliases say once what they are now called.

use super::commands::vcard::VcardCmd;
use super::{Cli, Commands};
use crate::error::{Error, Misuse, Result};

fn refuse(m: Misuse) -> Result<()> {
    Err(Error::Usage(m))
}

/// A one-line notice for an old spelling (stderr; the command goes on).
fn renamed(old: &str, new: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "mynacard: note: {old} is now spelled {new} (the old spelling still works for now)"
    );
}

pub fn refuse_nonsense(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    let vcard = matches!(cli.command, Commands::Vcard(_));
    if g.state.is_some() && g.virtual_card.is_none() && !vcard {
        return refuse(Misuse::StateNeedsVirtual);
    }
    if !chooses_a_reader(&cli.command) {
        if g.reader.is_some() {
            return refuse(Misuse::NoReaderChoice("--reader"));
        }
        if g.wait.is_some() {
            return refuse(Misuse::NoReaderChoice("--wait"));
        }
    }
    match &cli.command {
        // The JSON document and the signature cannot share stdout.
        Commands::Sign(a)
            if g.json
                && a.digest_only.is_none()
                && a.output.as_ref().is_none_or(|o| o.as_os_str() == "-") =>
        {
            refuse(Misuse::JsonWithBinaryStdout)
        }
        Commands::Vcard(VcardCmd::Serve {
            card_state,
            verbose,
            ..
        }) => {
            if card_state.is_some() {
                renamed("--card-state", "--state");
            }
            if *verbose {
                renamed("-v/--verbose", "--trace");
            }
            Ok(())
        }
        #[cfg(feature = "pcsc")]
        Commands::Vcard(VcardCmd::Sandbox { card_state, .. }) => {
            if card_state.is_some() {
                renamed("--card-state", "--state");
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether the command reads a card from one reader (so `--reader` and
/// `--wait` mean something); `readers` lists them all.
fn chooses_a_reader(c: &Commands) -> bool {
    use super::commands::cert::CertCmd;
    use super::commands::pdf::PdfCmd;
    match c {
        Commands::Readers
        | Commands::Verify(_)
        | Commands::Completions { .. }
        | Commands::CompleteReaders
        | Commands::Man { .. }
        | Commands::Vcard(_)
        | Commands::Cert(CertCmd::Inspect { .. })
        | Commands::Pdf(PdfCmd::Verify(_)) => false,
        Commands::Status(_)
        | Commands::Watch
        | Commands::Info(_)
        | Commands::Prove(_)
        | Commands::FaceCheck(_)
        | Commands::AgeCheck(_)
        | Commands::Doctor(_)
        | Commands::Sign(_)
        | Commands::Pin(_)
        | Commands::Cert(CertCmd::Show { .. })
        | Commands::Pdf(PdfCmd::Sign(_)) => true,
    }
}
