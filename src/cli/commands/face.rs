//! `mynacard face-check` (alias `face`): is this chip genuine, and does it
//! match the card's face? From what is printed on the card (照合番号B),
//! never the resident's PIN (`usecase::face`).

use super::Ctx;
use crate::cli::input::{self, PinInput, Source};
use crate::cli::output::{print_json, Document};
use crate::error::{exit, Error, Result};
use crate::i18n::{Lang, PinText};
use crate::protocol::PinKind;
use crate::usecase::face::{printed, FaceCheck, Verdict};
use crate::usecase::pins::{Asker, Pin, Which};
use clap::Args;

/// `face-check --json`: the four levels and the verdict. No personal data
/// unless asked (`face`: `--show`, `--images`).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct FaceCheckDoc<'a> {
    #[serde(flatten)]
    pub check: &'a FaceCheck,
    /// Only with `--show` (the signed birth date and sex) or `--images`
    /// (the files written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face: Option<super::face_show::FaceShown>,
}

impl Document for FaceCheckDoc<'_> {
    const COMMAND: &'static str = "face-check";
}

#[derive(Args, Debug)]
pub struct FaceCheckArgs {
    #[command(flatten)]
    pub last: super::pin::LastTry,
    #[command(flatten)]
    pub code: CodeSource,
    #[command(flatten)]
    pub face: super::face_show::ShowArgs,
}

/// Where 照合番号B's printed parts come from (never an argument value):
/// one line `BIRTH EXPIRY-YEAR CODE`, or the three on three lines.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "code_source", multiple = false)]
pub struct CodeSource {
    /// Read the printed parts (birth date, expiry year, security code) from FILE (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub code_file: Option<std::path::PathBuf>,
    /// Read the printed parts from standard input (one line, or three lines)
    #[arg(long)]
    pub code_stdin: bool,
    /// Read the printed parts from the environment variable NAME (removed once read)
    #[arg(long, value_name = "NAME")]
    pub code_env: Option<String>,
}

impl CodeSource {
    fn source(&self) -> Source {
        if let Some(p) = &self.code_file {
            Source::File(p.clone())
        } else if self.code_stdin {
            Source::Stdin
        } else if let Some(n) = &self.code_env {
            Source::Env(n.clone())
        } else {
            Source::Prompt
        }
    }
}

/// The policy's asker for 照合番号B: reads the printed parts and builds the
/// 14 digits; confirmation of a last try as for every PIN.
struct CodeInput {
    lang: Lang,
    src: Source,
    pins: PinInput,
}

fn built(typed: Pin) -> Result<Pin> {
    printed::code_b(typed.expose().to_string()).map_err(|p| Error::PinInput(p.text()))
}

impl Asker for CodeInput {
    fn given(&mut self, _: PinKind, _: Which) -> Result<Option<Pin>> {
        input::read_given_parts(&self.src, self.lang)?
            .map(built)
            .transpose()
    }

    fn prompt(&mut self, kind: PinKind, _: Which, left: Option<u8>) -> Result<Pin> {
        let l = self.lang;
        if let Some(n) = left {
            eprintln!(
                "{}",
                match l {
                    Lang::Ja => format!(
                        "{} (残り {n} 回): 券面の表記のまま入力してください",
                        kind.name(l)
                    ),
                    Lang::En => format!(
                        "{} ({n} tries left): type what is printed on the card",
                        kind.name(l)
                    ),
                }
            );
        }
        let birth = input::prompt_tty(
            kind,
            l.pick(
                "生年月日 (例 昭和55年2月17日、1980-02-17): ",
                "birth date (e.g. 1980-02-17, S55.2.17): ",
            ),
        )?;
        let year = input::prompt_tty(
            kind,
            l.pick("有効期限の年 (西暦 4 桁): ", "expiry year (4 digits): "),
        )?;
        let code = input::prompt_tty(
            kind,
            l.pick(
                "セキュリティコード (数字 4 桁): ",
                "security code (4 digits): ",
            ),
        )?;
        built(Pin::new(format!(
            "{}\n{}\n{}",
            birth.expose(),
            year.expose(),
            code.expose()
        )))
    }

    fn confirm_last_try(&mut self, kind: PinKind, left: Option<u8>) -> Option<bool> {
        self.pins.confirm_last_try(kind, left)
    }

    fn folded(&mut self, _: PinKind) {}

    fn has_terminal(&self) -> bool {
        self.pins.has_terminal()
    }

    fn given_done(&mut self) {
        if let Source::Env(name) = &self.src {
            std::env::remove_var(name);
        }
    }
}

/// The exit code of a verdict.
pub fn exit_code(v: Verdict) -> i32 {
    match v {
        Verdict::Genuine => exit::OK,
        Verdict::TestCard => exit::FACE_TEST_CARD,
        Verdict::NotJlis => exit::FACE_NOT_JLIS,
        Verdict::Altered => exit::FACE_ALTERED,
        Verdict::Copied => exit::FACE_COPIED,
        Verdict::Mismatch => exit::FACE_MISMATCH,
    }
}

pub fn run(ctx: &Ctx, a: FaceCheckArgs) -> Result<i32> {
    let mut asker = CodeInput {
        lang: ctx.lang,
        src: a.code.source(),
        pins: PinInput::new(ctx.lang),
    };
    super::face_show::check(&a.face)?;
    let c = crate::usecase::face::face_check(&ctx.card, a.last.force_last_try, &mut asker)?;
    let code = exit_code(c.verdict);
    let files = super::face_show::write(&a.face, &c)?;
    if ctx.g.json {
        let face = super::face_show::json(&a.face, &c, files);
        print_json(&FaceCheckDoc { check: &c, face });
        return Ok(code);
    }
    super::face_text::print(ctx, &c);
    if a.face.show {
        super::face_show::print(ctx, &c);
    }
    super::face_show::print_written(ctx, &a.face, &files);
    Ok(code)
}
