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
    pub number_a: NumberASource,
    #[command(flatten)]
    pub face: super::face_show::ShowArgs,
}

/// 照合番号A (the 12-digit number on the back), only when asked for; its
/// source never an argument value.
#[derive(Args, Debug, Clone, Default)]
pub struct NumberASource {
    /// Also check 照合番号A, the 12-digit individual number printed on the back (asked without echo; a wrong one costs a try)
    #[arg(long)]
    pub with_number_a: bool,
    /// Read 照合番号A from the first line of FILE (mode 0600)
    #[arg(long, value_name = "FILE", requires = "with_number_a", conflicts_with_all = ["number_a_stdin", "number_a_env"])]
    pub number_a_file: Option<std::path::PathBuf>,
    /// Read 照合番号A from the next line of standard input (after the printed parts)
    #[arg(long, requires = "with_number_a", conflicts_with = "number_a_env")]
    pub number_a_stdin: bool,
    /// Read 照合番号A from the environment variable NAME (removed once read)
    #[arg(long, value_name = "NAME", requires = "with_number_a")]
    pub number_a_env: Option<String>,
}

impl NumberASource {
    fn source(&self) -> Source {
        Source::file_or_env(&self.number_a_file, &self.number_a_env).or_stdin(self.number_a_stdin)
    }
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
        Source::file_or_env(&self.code_file, &self.code_env).or_stdin(self.code_stdin)
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

/// 照合番号A as typed: spaces and hyphens (as the card prints it, in
/// groups of four) dropped.
fn number_a(typed: Pin) -> Pin {
    Pin::new(
        typed
            .expose()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect(),
    )
}

impl Asker for CodeInput {
    fn given(&mut self, kind: PinKind, which: Which) -> Result<Option<Pin>> {
        if kind == PinKind::FaceNumberA {
            return Ok(self.pins.given(kind, which)?.map(number_a));
        }
        input::read_given_parts(&self.src, self.lang)?
            .map(built)
            .transpose()
    }

    fn prompt(&mut self, kind: PinKind, which: Which, left: Option<u8>) -> Result<Pin> {
        if kind == PinKind::FaceNumberA {
            return self.pins.prompt(kind, which, left).map(number_a);
        }
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
        self.pins.given_done();
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
        pins: PinInput::new(ctx.lang).with(
            PinKind::FaceNumberA,
            Which::Current,
            a.number_a.source(),
        ),
    };
    super::face_show::check(&a.face)?;
    let c = crate::usecase::face::face_check_with(
        &ctx.card,
        a.last.force_last_try,
        a.number_a.with_number_a,
        &mut asker,
    )?;
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
