//! `mynacard pdf verify`: every signature in a PDF (`pdf::verify`), shown.

use super::Ctx;
use crate::error::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PdfVerifyArgs {
    /// The signed PDF
    pub file: PathBuf,
    /// Also trust the issuers in FILE or DIR (PEM or DER), besides the built-in J-LIS roots
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "test_pki")]
    pub ca: Option<PathBuf>,
    /// Also trust the test PKIs (the virtual card's, J-LIS's O=JPKI-TEST): for tests only
    #[arg(long)]
    pub test_pki: bool,
}

pub fn run(_ctx: &Ctx, _a: PdfVerifyArgs) -> Result<i32> {
    Err(crate::error::Error::Pdf("pdf verify: not yet".into()))
}
