//! `mynacard age-check --at-least N [--on DATE]`: "N years or older on
//! DATE: yes/no", with the genuineness levels, from the 券面AP's 生年月日
//! key alone (`usecase::age`). Nothing else about the holder is printed:
//! no name, address, photo, birth date or age.

use super::Ctx;
use crate::cli::input::{self, PinInput, Source};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{exit, Error, Result};
use crate::i18n::{pad, Lang, PinText};
use crate::protocol::PinKind;
use crate::usecase::age::{AgeCheck, Question};
use crate::usecase::face::{printed, Verdict};
use crate::usecase::pins::{Asker, Pin, Which};
use clap::Args;
use zeroize::Zeroize;

/// `age-check --json`: the question, the answer and the levels. No
/// personal data.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AgeCheckDoc<'a>(pub &'a AgeCheck);

impl Document for AgeCheckDoc<'_> {
    const COMMAND: &'static str = "age-check";
}

#[derive(Args, Debug)]
pub struct AgeCheckArgs {
    /// The age to check: is the holder N years or older?
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=150))]
    pub at_least: u16,
    /// The day the age is checked for, YYYY-MM-DD (default: today in Japan)
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub on: Option<time::Date>,
    #[command(flatten)]
    pub last: super::pin::LastTry,
    #[command(flatten)]
    pub birth: BirthSource,
}

/// `YYYY-MM-DD` or `YYYYMMDD`.
fn parse_day(s: &str) -> std::result::Result<time::Date, String> {
    crate::rules::parse_yyyymmdd(&s.replace('-', ""))
        .filter(|_| s.len() == 8 || s.len() == 10)
        .ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// Where the birth date comes from (never an argument value): as printed
/// on the card, in any usual spelling.
#[derive(Args, Debug, Clone, Default)]
#[group(id = "birth_source", multiple = false)]
pub struct BirthSource {
    /// Read the birth date (as printed on the card) from the first line of FILE (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub birth_date_file: Option<std::path::PathBuf>,
    /// Read the birth date from the first line of standard input
    #[arg(long)]
    pub birth_date_stdin: bool,
    /// Read the birth date from the environment variable NAME (removed once read)
    #[arg(long, value_name = "NAME")]
    pub birth_date_env: Option<String>,
}

impl BirthSource {
    fn source(&self) -> Source {
        Source::file_or_env(&self.birth_date_file, &self.birth_date_env)
            .or_stdin(self.birth_date_stdin)
    }
}

/// The policy's asker for the 生年月日 key: any usual spelling of the
/// printed birth date, turned into the 和暦 `YYMMDD` the card takes.
struct BirthInput {
    lang: Lang,
    src: Source,
    pins: PinInput,
}

/// The typed date as the key; the typed text is wiped.
fn key_of(typed: Pin) -> Result<Pin> {
    let mut s = typed.expose().to_string();
    let r = printed::wareki_of(&s);
    s.zeroize();
    r.map(Pin::new).ok_or_else(|| {
        Error::PinInput(
            "the birth date is not one mynacard can read (1980-02-17, 1980/2/17, 昭和55年2月17日, S55.2.17 or 和暦 YYMMDD are)"
                .into(),
        )
    })
}

impl Asker for BirthInput {
    fn given(&mut self, _: PinKind, _: Which) -> Result<Option<Pin>> {
        input::read_given(&self.src, self.lang)?
            .map(key_of)
            .transpose()
    }

    fn prompt(&mut self, kind: PinKind, _: Which, left: Option<u8>) -> Result<Pin> {
        let l = self.lang;
        if let Some(n) = left {
            eprintln!(
                "{}",
                match l {
                    Lang::Ja => format!("{} (残り {n} 回)", kind.name(l)),
                    Lang::En => format!("{} ({n} tries left)", kind.name(l)),
                }
            );
        }
        key_of(input::prompt_tty(
            kind,
            l.pick(
                "生年月日 (券面の表記のまま。例 昭和55年2月17日、1980-02-17): ",
                "birth date as printed (e.g. 1980-02-17, S55.2.17): ",
            ),
        )?)
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

/// The exit code: 0 only for a genuine J-LIS card whose holder is old
/// enough; 45 for a genuine card whose holder is not; 40–44 as
/// `face-check` (the record not proven, or a test card).
pub fn exit_code(c: &AgeCheck) -> i32 {
    match (c.verdict, c.answer) {
        (Verdict::Genuine, Some(true)) => exit::OK,
        (Verdict::Genuine, _) => exit::AGE_NOT_REACHED,
        (v, _) => super::face::exit_code(v),
    }
}

pub fn run(ctx: &Ctx, a: AgeCheckArgs) -> Result<i32> {
    let mut asker = BirthInput {
        lang: ctx.lang,
        src: a.birth.source(),
        pins: PinInput::new(ctx.lang),
    };
    let q = Question {
        at_least: a.at_least,
        on: a.on.unwrap_or_else(crate::rules::today_jst),
    };
    let c = crate::usecase::age::age_check(&ctx.card, q, a.last.force_last_try, &mut asker)?;
    let code = exit_code(&c);
    if ctx.g.json {
        print_json(&AgeCheckDoc(&c));
        return Ok(code);
    }
    print(ctx, &c, q.on);
    Ok(code)
}

fn line(ctx: &Ctx, label: &str, ok: bool, text: String) {
    let tone = if ok { Tone::Ok } else { Tone::Bad };
    println!("  {} {}", pad(label, 24), paint(ctx, tone, &text));
}

fn print(ctx: &Ctx, c: &AgeCheck, on: time::Date) {
    let l = ctx.lang;
    println!(
        "{}",
        l.pick(
            "年齢確認 (生年月日キーのみ。氏名・住所・写真は読み取らず、生年月日も表示しません):",
            "Age check (birth-date key only: no name, address or photo is read, and the birth date is not shown):",
        )
    );
    let ft = &super::face_text::LevelText;
    line(
        ctx,
        l.pick("1. CV 証明書", "1. CV certificate"),
        c.certificate.ok,
        ft.cert(&c.certificate, l),
    );
    line(
        ctx,
        l.pick("2. 年齢レコードの署名", "2. age record signature"),
        c.record_signature_ok,
        match (c.record_signature_ok, l) {
            (true, Lang::Ja) => "証明書の鍵で検証できました: 生年月日は改ざんされていません".into(),
            (true, Lang::En) => {
                "verifies with the certificate's key: the birth date is unaltered".into()
            }
            (false, Lang::Ja) => {
                "証明書の鍵で検証できません: 年齢レコードが改ざんされています".into()
            }
            (false, Lang::En) => {
                "does not verify with the certificate's key: the record was altered".into()
            }
        },
    );
    line(
        ctx,
        l.pick("3. チップの鍵", "3. chip's key"),
        c.chip_key_ok,
        ft.chip(c.chip_key_ok, l),
    );
    line(
        ctx,
        l.pick("4. 入力との一致", "4. matches the entry"),
        c.birth_date_matches_signed,
        match (c.birth_date_matches_signed, l) {
            (true, Lang::Ja) => "入力した生年月日は署名付きの生年月日と一致".into(),
            (true, Lang::En) => "the birth date typed is the signed one".into(),
            (false, Lang::Ja) => "入力した生年月日が署名付きの生年月日と一致しません".into(),
            (false, Lang::En) => "the birth date typed DISAGREES with the signed one".into(),
        },
    );
    if let Some(n) = c.key_tries_left_before {
        let t = match l {
            Lang::Ja => format!("生年月日キーの残り回数: {n} 回 (正しい入力では減りません)"),
            Lang::En => format!("birth-date key tries left: {n} (a right entry spends none)"),
        };
        println!("  {}", paint(ctx, Tone::Dim, &t));
    }
    let ok = c.verdict == Verdict::Genuine && c.answer == Some(true);
    let tone = if ok { Tone::Ok } else { Tone::Bad };
    println!("{}", paint(ctx, tone, &answer_text(c, on, l)));
}

/// "N years or older on DATE: yes/no", or why there is no answer.
pub fn answer_text(c: &AgeCheck, on: time::Date, l: Lang) -> String {
    let n = c.at_least;
    let question = match l {
        Lang::Ja => format!("{}に {n} 歳以上", crate::i18n::jp_date(on)),
        Lang::En => format!("{n} years or older on {on}"),
    };
    let test = c.verdict == Verdict::TestCard;
    match (c.answer, l) {
        (Some(a), Lang::Ja) => format!(
            "→ {question}: {}{}",
            if a { "はい" } else { "いいえ" },
            if test {
                " (試験用カード。住民のカードではありません)"
            } else {
                ""
            }
        ),
        (Some(a), Lang::En) => format!(
            "→ {question}: {}{}",
            if a { "yes" } else { "no" },
            if test {
                " (a TEST card, not a resident's)"
            } else {
                ""
            }
        ),
        (None, _) => format!(
            "→ {question}: {}{}",
            l.pick("回答できません。", "no answer: "),
            reason(c.verdict, l)
        ),
    }
}

/// Why there is no answer, and what to do.
fn reason(v: Verdict, l: Lang) -> &'static str {
    match v {
        Verdict::NotJlis => l.pick(
            "J-LIS が発行したチップではありません (偽造の疑い)。このカードで年齢を確認しないでください",
            "not a chip issued by J-LIS (possible forgery): do not rely on this card for the age",
        ),
        Verdict::Altered => l.pick(
            "年齢レコードが J-LIS の署名後に書き換えられています (改ざん)。このカードで年齢を確認しないでください",
            "the age record was changed after J-LIS signed it (altered): do not rely on this card",
        ),
        Verdict::Copied => l.pick(
            "署名されたデータは本物ですが、このチップはその鍵を持っていません (他のカードのデータの複製)。受け付けないでください",
            "the signed data are genuine, but this chip does not hold their key (copied from another card): do not accept it",
        ),
        Verdict::Mismatch => l.pick(
            "入力した生年月日がチップの署名付きの生年月日と一致しません。券面を見直し、一致しなければ受け付けないでください",
            "the birth date typed disagrees with the chip's signed one: check the card; if it still disagrees, do not accept it",
        ),
        Verdict::Genuine | Verdict::TestCard => "",
    }
}
