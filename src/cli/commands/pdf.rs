//! `mynacard pdf sign` and `mynacard pdf verify`: PDF signatures with the
//! card (`usecase::pdf`), and their check (`pdf::verify`).

use super::cert::check_output;
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
    /// Add a visible stamp (the signer's name and the time, in Japanese and English) on PAGE at X,Y points from the lower left (default 1,36,36)
    #[arg(long, value_name = "PAGE,X,Y", num_args = 0..=1, default_missing_value = "1,36,36")]
    pub stamp: Option<crate::pdf::stamp::Place>,
    /// The stamp's font, subset into the PDF (default: IPAex Gothic from fonts-ipaexfont-gothic)
    #[arg(long, value_name = "FILE", requires = "stamp")]
    pub stamp_font: Option<PathBuf>,
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
    /// The PAdES baseline level claimed (ETSI EN 319 142-1): `B-B`, or `B-T`
    /// with a signature timestamp; none for the 登記 profile.
    pub pades_level: Option<String>,
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
    let input = crate::pdf::source::read(&a.file, crate::platform::files::limit::PDF)
        .map_err(|e| Error::io(&a.file, e))?;
    let kind = match a.key {
        KeyChoice::Sign => PinKind::Sign,
        KeyChoice::Auth => PinKind::Auth,
    };
    let stamp = match a.stamp {
        Some(place) => {
            let path = a
                .stamp_font
                .clone()
                .unwrap_or_else(|| crate::pdf::stamp::DEFAULT_FONT.into());
            let font = crate::cli::input::read_file(&path, crate::pdf::stamp::FONT_LIMIT)?;
            Some(crate::pdf::stamp::Request { place, font })
        }
        None => None,
    };
    let mut asker = PinInput::new(ctx.lang).with(kind, Which::Current, a.pin.source());
    let signed = crate::usecase::pdf::sign(
        &ctx.card,
        &input,
        &crate::usecase::pdf::Options {
            key: a.key,
            profile: a.profile,
            tsa: a.tsa.as_deref(),
            stamp: stamp.as_ref(),
            force_last_try: a.last.force_last_try,
        },
        &mut asker,
    )?;
    // The input copied from its file (checked unchanged) and the update:
    // never held whole. The signature certificate names its holder: the
    // signed PDF is private.
    check_output(Some(&out), a.force)?;
    let mode = if a.key == KeyChoice::Sign {
        0o600
    } else {
        0o644
    };
    let whole = input.digest();
    crate::platform::atomic::write_atomic_with(&out, mode, |w| {
        crate::pdf::source::copy_checked(&a.file, &whole, w)?;
        w.write_all(&signed.update)
    })
    .map_err(|e| Error::io(&out, e))?;
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
        pades_level: match a.profile {
            PdfProfile::Pades if signed.timestamp.is_some() => Some("B-T".into()),
            PdfProfile::Pades => Some("B-B".into()),
            PdfProfile::Touki => None,
        },
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
