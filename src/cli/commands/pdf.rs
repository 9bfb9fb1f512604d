//! `mynacard pdf sign` and `mynacard pdf verify`: PDF signatures with the
//! card (`usecase::pdf`), and their check (`pdf::verify`).

use super::cert::{check_output, write_out};
use super::Ctx;
use crate::cli::input::{PinInput, PinSource};
use crate::cli::output::{print_json, Document};
use crate::error::{Error, Result};
use crate::protocol::PinKind;
use crate::usecase::pdf::PdfProfile;
use crate::usecase::pins::Which;
use crate::usecase::sign::KeyChoice;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum PdfCmd {
    /// Sign a PDF with the card: an incremental update (earlier signatures stay valid)
    Sign(PdfSignArgs),
    /// Check every signature in a PDF, and what changed after each
    Verify(super::pdf_verify::PdfVerifyArgs),
}

#[derive(Args, Debug)]
pub struct PdfSignArgs {
    /// The PDF to sign (it is not changed)
    pub file: PathBuf,
    /// Write the signed PDF to FILE (default: NAME-signed.pdf beside the input)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it is a regular file (with -o naming the input: sign it in place)
    #[arg(long)]
    pub force: bool,
    /// touki (登記, the default: adbe.pkcs7.detached, as the 法務局 takes it) or pades (PAdES B-B)
    #[arg(long, value_enum, default_value_t = PdfProfile::Touki)]
    pub profile: PdfProfile,
    /// Add a signature timestamp from the RFC 3161 TSA at URL (http://; with pades: PAdES B-T)
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// Which key signs: the signature key (default, signature password) or the user-authentication key
    #[arg(long, value_enum, default_value_t = KeyChoice::Sign)]
    pub key: KeyChoice,
    #[command(flatten)]
    pub last: super::pin::LastTry,
    #[command(flatten)]
    pub pin: PinSource,
}

/// `pdf sign --json`: the signed PDF.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct PdfSignDoc {
    pub file: String,
    pub output: String,
    pub profile: PdfProfile,
    /// The PDF SubFilter.
    pub sub_filter: String,
    /// The new signature field's name.
    pub field: String,
    /// `/Name`: the signer's name from the certificate.
    pub signer: String,
    /// `/M`, a PDF date in JST.
    pub time: String,
    /// `/ByteRange`: offset and length of the two signed ranges.
    pub byte_range: [u64; 4],
    /// The CMS signature's size in bytes (of the 16384 reserved).
    pub cms_bytes: u64,
    /// The update ends with a cross-reference stream (the input uses them) rather than a table.
    pub xref_stream: bool,
    /// The signature timestamp's time as the TSA wrote it (GeneralizedTime), with --tsa.
    pub timestamp: Option<String>,
}

impl Document for PdfSignDoc {
    const COMMAND: &'static str = "pdf sign";
}

pub fn run(ctx: &Ctx, c: PdfCmd) -> Result<i32> {
    match c {
        PdfCmd::Sign(a) => sign(ctx, a),
        PdfCmd::Verify(a) => super::pdf_verify::run(ctx, a),
    }
}

/// NAME-signed.pdf beside NAME.pdf.
fn default_output(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    input.with_file_name(format!("{stem}-signed.pdf"))
}

/// Read the input PDF whole (bounded).
fn sign(ctx: &Ctx, a: PdfSignArgs) -> Result<i32> {
    let out = a.output.clone().unwrap_or_else(|| default_output(&a.file));
    if out.as_os_str() == "-" {
        return Err(Error::Usage(crate::error::Misuse::BinaryToTerminal(
            crate::error::Binary::Pdf,
        )));
    }
    // Refused before the card is touched (an existing file needs --force).
    check_output(Some(&out), a.force)?;
    let input = crate::cli::input::read_file(&a.file, crate::platform::files::limit::PDF)?;
    let kind = match a.key {
        KeyChoice::Sign => PinKind::Sign,
        KeyChoice::Auth => PinKind::Auth,
    };
    let mut asker = PinInput::new(ctx.lang).with(kind, Which::Current, a.pin.source());
    let signed = crate::usecase::pdf::sign(
        &ctx.card,
        &input,
        a.key,
        a.profile,
        a.tsa.as_deref(),
        a.last.force_last_try,
        &mut asker,
    )?;
    let mut whole = input;
    whole.extend_from_slice(&signed.update);
    // The signature certificate names its holder: the signed PDF is private.
    write_out(Some(&out), &whole, a.force, a.key == KeyChoice::Sign)?;
    let doc = PdfSignDoc {
        file: a.file.display().to_string(),
        output: out.display().to_string(),
        profile: a.profile,
        sub_filter: a.profile.sub_filter().into(),
        field: signed.field,
        signer: signed.signer,
        time: signed.time,
        byte_range: signed.byte_range.map(|x| x as u64),
        cms_bytes: signed.cms_len as u64,
        xref_stream: signed.xref_stream,
        timestamp: signed.timestamp,
    };
    if ctx.g.json {
        print_json(&doc);
        return Ok(0);
    }
    let l = ctx.lang;
    println!(
        "{}: {} ({}, {} {})",
        l.pick("署名しました", "signed"),
        doc.output,
        doc.sub_filter,
        l.pick("署名者", "signer"),
        doc.signer
    );
    Ok(0)
}
