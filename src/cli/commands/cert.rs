//! `mynacard cert show|inspect`.

use super::Ctx;
use crate::cert::chain::ChainResult;
use crate::cert::roots::Provenance;
use crate::cert::{decode_input, CertReport};
use crate::cli::input::{PinInput, PinSource};
use crate::cli::output::{print_json, Document};
use crate::error::{Error, Result};
use crate::protocol::{CertSlot, PinKind};
use crate::usecase::certs::{self, CertView};
use crate::usecase::pins::Which;
use clap::Subcommand;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum CertCmd {
    /// Read a certificate from the card (sign needs the signature password; auth on an Android smartphone certificate, its PIN)
    Show {
        #[arg(value_enum)]
        slot: CertSlot,
        /// Output PEM instead of the report
        #[arg(long, conflicts_with = "der")]
        pem: bool,
        /// Output DER instead of the report
        #[arg(long)]
        der: bool,
        /// Write the output to FILE (whole or not at all; - for standard output)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace FILE if it is a regular file (never a device, directory or link)
        #[arg(long, requires = "output")]
        force: bool,
        /// Also check the chain against trust anchors in FILE or DIR (PEM or DER)
        #[arg(long, value_name = "FILE|DIR", conflicts_with_all = ["pem", "der"])]
        ca: Option<PathBuf>,
        /// Date used for "days left" (YYYY-MM-DD, JST; default today)
        #[arg(long, value_name = "YYYY-MM-DD", conflicts_with_all = ["pem", "der"])]
        today: Option<String>,
        #[command(flatten)]
        last: super::pin::LastTry,
        #[command(flatten)]
        pin: PinSource,
    },
    /// Report on a certificate file (PEM or DER), with no card
    Inspect {
        file: PathBuf,
        /// Check the chain against trust anchors in FILE or DIR (PEM or DER)
        #[arg(long, value_name = "FILE|DIR")]
        ca: Option<PathBuf>,
        /// Date used for "days left" (YYYY-MM-DD, JST; default today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
    },
}

pub fn parse_today(s: Option<&str>) -> Result<time::Date> {
    match s {
        None => Ok(crate::rules::today_jst()),
        Some(s) => crate::rules::parse_yyyymmdd(&s.replace('-', ""))
            .filter(|_| s.len() == 10)
            .ok_or_else(|| Error::Usage(crate::error::Misuse::BadToday(s.to_string()))),
    }
}

/// The instant used for validity checks: now, or noon JST of --today.
pub fn check_instant(today: Option<&str>, date: time::Date) -> time::OffsetDateTime {
    match today {
        None => time::OffsetDateTime::now_utc(),
        Some(_) => date
            .with_hms(12, 0, 0)
            .map(|d| d.assume_offset(crate::rules::JST))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    }
}

/// `cert show --json`, `cert inspect --json`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CertDoc<'a> {
    source: String,
    certificate: &'a CertReport,
    chain: Option<&'a ChainResult>,
    trust_anchor_chain: Option<&'a ChainResult>,
    /// Level 1: who issued it, by the built-in J-LIS roots.
    issued_by: &'a Provenance,
    /// Level 2: whether the card's CA file is that root (card only).
    card_ca_is_root: Option<bool>,
}

impl Document for CertDoc<'_> {
    const COMMAND: &'static str = "cert";
}

pub fn run(ctx: &Ctx, cmd: CertCmd) -> Result<i32> {
    match cmd {
        CertCmd::Inspect { file, ca, today } => {
            inspect(ctx, &file, ca.as_deref(), today.as_deref())
        }
        CertCmd::Show {
            slot,
            pem,
            der,
            output,
            force,
            ca,
            today,
            last,
            pin,
        } => {
            // Refused before anything is sent to the card.
            check_output(output.as_deref(), force)?;
            if der {
                refuse_binary_on_terminal(output.as_deref(), crate::error::Binary::Certificate)?;
            }
            let date = parse_today(today.as_deref())?;
            let kind = match slot {
                CertSlot::Sign => PinKind::Sign,
                _ => PinKind::Auth,
            };
            let mut input = PinInput::new(ctx.lang).with(kind, Which::Current, pin.source());
            // Only the report needs the CA certificate.
            let (ee, ca_der) = certs::read(
                &ctx.card,
                slot,
                !(pem || der),
                last.force_last_try,
                &mut input,
            )?;
            if pem || der {
                let bytes = if pem {
                    to_pem(&ee).into_bytes()
                } else {
                    ee.clone()
                };
                write_out(output.as_deref(), &bytes, force, slot == CertSlot::Sign)?;
                say_written(ctx, output.as_deref());
                return Ok(0);
            }
            let at = check_instant(today.as_deref(), date);
            let v = certs::view(&ee, ca_der.as_deref(), ca.as_deref(), date, at)?;
            emit(
                ctx,
                &format!("card:{}", slot.id()),
                &v,
                output.as_deref(),
                force,
            )
        }
    }
}

fn emit(ctx: &Ctx, source: &str, v: &CertView, output: Option<&Path>, force: bool) -> Result<i32> {
    let (report, chain, anchors) = (&v.report, v.chain.as_ref(), v.anchors.as_ref());
    if ctx.g.json {
        let body = CertDoc {
            source: source.to_string(),
            certificate: report,
            chain,
            trust_anchor_chain: anchors,
            issued_by: &v.provenance,
            card_ca_is_root: v.card_ca_is_root,
        };
        if let Some(o) = output {
            // The file is the same document stdout would get.
            let doc = crate::cli::output::json_document(&body);
            let mut v = serde_json::to_vec_pretty(&doc).unwrap_or_default();
            v.push(b'\n');
            write_out(Some(o), &v, force, report.holder.is_some())?;
            say_written(ctx, Some(o));
            return Ok(0);
        }
        print_json(&body);
        return Ok(0);
    }
    let mut text = crate::cert::view::render_text_with(
        report,
        chain.or(anchors),
        &v.provenance,
        v.card_ca_is_root,
        ctx.lang,
    );
    if let (Some(_), Some(a)) = (chain, anchors) {
        text.push_str(&format!(
            "{}: {}\n",
            ctx.lang.pick("トラストアンカー検証", "trust anchors"),
            crate::cert::view::chain_label(a.status, ctx.lang)
        ));
    }
    write_out(output, text.as_bytes(), force, report.holder.is_some())?;
    say_written(ctx, output);
    Ok(0)
}

fn inspect(ctx: &Ctx, file: &Path, ca: Option<&Path>, today: Option<&str>) -> Result<i32> {
    let bytes = crate::platform::files::read_limited(file, crate::platform::files::limit::CERT)
        .map_err(|e| Error::io(file, e))?;
    let ders = decode_input(&bytes).map_err(|e| Error::Cert(format!("{}: {e}", file.display())))?;
    let date = parse_today(today)?;
    let at = check_instant(today, date);
    let ee = &ders[0];
    let v = certs::view(ee, None, ca, date, at)
        .map_err(|e| Error::Cert(format!("{}: {e}", file.display())))?;
    emit(ctx, &format!("file:{}", file.display()), &v, None, false)
}

pub fn to_pem(der: &[u8]) -> String {
    let p = pem::Pem::new("CERTIFICATE", der.to_vec());
    pem::encode_config(
        &p,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// `-o -` (or no `-o`) is standard output.
fn file_target(path: Option<&Path>) -> Option<&Path> {
    path.filter(|p| p.as_os_str() != "-")
}

/// May `-o PATH` be written? A new file, or a regular file with `--force`;
/// never a device, directory, FIFO, socket or symbolic link.
pub fn check_output(path: Option<&Path>, force: bool) -> Result<()> {
    let Some(path) = file_target(path) else {
        return Ok(());
    };
    crate::platform::atomic::check_target(path, force).map_err(|r| match r {
        crate::platform::atomic::Refusal::Exists => Error::FileExists(path.to_path_buf()),
        crate::platform::atomic::Refusal::NotRegular(what) => Error::OutputRefused {
            path: path.to_path_buf(),
            what,
        },
        crate::platform::atomic::Refusal::Folder(problem) => Error::OutputFolder {
            folder: crate::platform::atomic::folder_of(path).to_path_buf(),
            problem,
        },
    })
}

/// Write to FILE atomically (an exclusively created temp file in the same
/// directory, then a rename) or to stdout. Nothing is left half-written.
/// Binary output never goes to a terminal (it would garble it): refused
/// before the card is touched, with `-o FILE` as the way out.
pub fn refuse_binary_on_terminal(output: Option<&Path>, what: crate::error::Binary) -> Result<()> {
    use std::io::IsTerminal;
    if file_target(output).is_none() && std::io::stdout().is_terminal() {
        return Err(Error::Usage(crate::error::Misuse::BinaryToTerminal(what)));
    }
    Ok(())
}

/// The one line after a file was written: where (stderr, so stdout stays
/// the command's output).
pub fn say_written(ctx: &Ctx, path: Option<&Path>) {
    if let Some(p) = file_target(path) {
        // Never fails the command (a closed stderr included).
        let _ = writeln!(
            std::io::stderr(),
            "{}: {}",
            ctx.lang.pick("書き込みました", "written to"),
            p.display()
        );
    }
}

pub fn write_out(path: Option<&Path>, bytes: &[u8], force: bool, private: bool) -> Result<()> {
    let Some(path) = file_target(path) else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("stdout", e));
    };
    check_output(Some(path), force)?;
    // The signature certificate names its holder: keep such files private.
    let mode = if private { 0o600 } else { 0o644 };
    crate::platform::atomic::write_atomic(path, bytes, mode).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pem_lines() {
        let p = super::to_pem(&[0x30, 0x03, 0x02, 0x01, 0x05]);
        assert_eq!(
            p,
            "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n"
        );
    }
}
