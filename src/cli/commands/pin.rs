//! `mynacard pin status|verify|change`.

use super::Ctx;
use crate::cli::input::{PinInput, PinSource, Source};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::PinText;
use crate::protocol::KeyRef;
use crate::protocol::PinKind;
use crate::usecase::pins::{CounterState, PinStatus, RefStatus, Which};
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum PinCmd {
    /// Remaining tries of all four PINs, read without spending any
    Status {
        /// Exit 10 when a PIN is locked (`locked`), or also when one has a
        /// single try left (`last-try`)
        #[arg(long, value_enum, value_name = "STATE")]
        fail_on: Option<PinFailOn>,
    },
    /// Check a PIN (reads the counter first; refuses the last try without --force-last-try)
    Verify {
        #[arg(value_enum)]
        kind: PinKind,
        #[command(flatten)]
        last: LastTry,
        #[command(flatten)]
        pin: PinSource,
    },
    /// Change a PIN: the current PIN, then the new one twice (on every key reference that holds it)
    Change {
        #[arg(value_enum)]
        kind: PinKind,
        #[command(flatten)]
        last: LastTry,
        #[command(flatten)]
        pin: PinSource,
        #[command(flatten)]
        new_pin: NewPinSource,
        /// Only this key reference (to finish a change that reached one of
        /// the resident-registry PIN's two references)
        #[arg(long, value_enum, value_name = "REF")]
        reference: Option<ResidentRef>,
    },
}

/// What `pin status --fail-on` fails on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PinFailOn {
    Locked,
    LastTry,
}

/// The one flag that allows the last try, on every command that sends a PIN.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct LastTry {
    /// Allow using the last remaining try (on a terminal you then also type the PIN's name)
    #[arg(long)]
    pub force_last_try: bool,
}

/// Where the new PIN of a change comes from (with --pin-stdin: the next line).
#[derive(clap::Args, Debug, Clone, Default)]
#[group(id = "new_pin_source", multiple = false)]
pub struct NewPinSource {
    /// Read the new PIN from the first line of FILE
    #[arg(long, value_name = "FILE")]
    pub new_pin_file: Option<PathBuf>,
    /// Read the new PIN from the environment variable NAME
    #[arg(long, value_name = "NAME")]
    pub new_pin_env: Option<String>,
}

/// The two key references of the resident-registry PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResidentRef {
    /// 住基AP 001C
    Juki,
    /// 共通AP 001C
    Common,
}

pub fn run(ctx: &Ctx, cmd: PinCmd) -> Result<i32> {
    match cmd {
        PinCmd::Status { fail_on } => status(ctx, fail_on),
        PinCmd::Verify { kind, last, pin } => verify(ctx, kind, last, &pin),
        PinCmd::Change {
            kind,
            last,
            pin,
            new_pin,
            reference,
        } => change(ctx, kind, last, &pin, &new_pin, reference),
    }
}

pub fn state_label(s: CounterState, lang: Lang) -> &'static str {
    match (s, lang) {
        (CounterState::Ok, Lang::Ja) => "正常",
        (CounterState::Ok, Lang::En) => "ok",
        (CounterState::Low, Lang::Ja) => "残り僅か",
        (CounterState::Low, Lang::En) => "low",
        (CounterState::LastTry, Lang::Ja) => "あと1回",
        (CounterState::LastTry, Lang::En) => "last try",
        (CounterState::Locked, Lang::Ja) => "ロック中",
        (CounterState::Locked, Lang::En) => "locked",
        (CounterState::NotReported, Lang::Ja) => "回数不明 (照合済み)",
        (CounterState::NotReported, Lang::En) => "not reported (already verified)",
        (CounterState::Unlimited, Lang::Ja) => "回数制限なし",
        (CounterState::Unlimited, Lang::En) => "no limit",
        (CounterState::Absent, Lang::Ja) => "なし",
        (CounterState::Absent, Lang::En) => "absent",
        (CounterState::Unreadable, Lang::Ja) => "読めません",
        (CounterState::Unreadable, Lang::En) => "unreadable",
    }
}

pub fn tone(s: CounterState) -> Tone {
    match s {
        CounterState::Ok | CounterState::Unlimited => Tone::Ok,
        CounterState::Low | CounterState::NotReported | CounterState::Unreadable => Tone::Warn,
        CounterState::LastTry | CounterState::Locked => Tone::Bad,
        CounterState::Absent => Tone::Dim,
    }
}

/// One PIN as JSON (`advice` English, `advice_ja` the same in Japanese).
#[derive(Serialize, schemars::JsonSchema)]
pub struct PinJson<'a> {
    pub kind: PinKind,
    pub name: &'static str,
    pub name_ja: &'static str,
    pub max: u8,
    pub remaining: Option<u8>,
    pub state: CounterState,
    pub references: &'a [RefStatus],
    pub references_agree: bool,
    pub advice: Option<String>,
    pub advice_ja: Option<String>,
}

/// What to do about a PIN in this state, if anything.
fn pin_advice(p: &PinStatus, lang: Lang) -> Option<String> {
    match p.state {
        CounterState::Locked => Some(p.kind.unlock_advice(lang)),
        CounterState::LastTry => Some(
            lang.pick(
                "あと1回間違えるとロックされます",
                "one more wrong entry locks it",
            )
            .to_string(),
        ),
        _ => None,
    }
}

pub fn to_json(p: &PinStatus) -> PinJson<'_> {
    PinJson {
        kind: p.kind,
        name: p.kind.name(Lang::En),
        name_ja: p.kind.name(Lang::Ja),
        max: p.max,
        remaining: p.remaining,
        state: p.state,
        references: &p.references,
        references_agree: p.references_agree,
        advice: pin_advice(p, Lang::En),
        advice_ja: pin_advice(p, Lang::Ja),
    }
}

/// `pin status --json`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PinStatusDoc<'a> {
    pub pins: Vec<PinJson<'a>>,
}

impl Document for PinStatusDoc<'_> {
    const COMMAND: &'static str = "pin status";
}

/// `pin verify --json` (printed only when the PIN was right).
#[derive(Serialize, schemars::JsonSchema)]
pub struct PinVerifyDoc {
    pub kind: PinKind,
    pub verified: bool,
}

impl Document for PinVerifyDoc {
    const COMMAND: &'static str = "pin verify";
}

/// `pin change --json`: the key references whose PIN was changed.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PinChangeDoc {
    pub kind: PinKind,
    pub changed: bool,
    pub references: Vec<crate::protocol::keys::RefId>,
}

impl Document for PinChangeDoc {
    const COMMAND: &'static str = "pin change";
}

/// The PIN rows as text lines (shared with the status report).
pub fn render_rows(ctx: &Ctx, pins: &[PinStatus]) -> Vec<String> {
    let mut lines = Vec::new();
    for p in pins {
        let count = match p.remaining {
            Some(n) => format!("{n}/{}", p.max),
            None => format!("-/{}", p.max),
        };
        let mut line = format!(
            "{}  {:>5}  {}",
            pad(p.kind.name(ctx.lang), 32),
            count,
            paint(ctx, tone(p.state), state_label(p.state, ctx.lang))
        );
        if !p.references_agree {
            let parts: Vec<String> = p
                .references
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r.reference.0,
                        r.remaining
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| state_label(r.state, ctx.lang).into())
                    )
                })
                .collect();
            line.push_str(&format!("  ({})", parts.join(", ")));
        }
        lines.push(line);
        if p.state == CounterState::Locked {
            lines.push(format!("    → {}", p.kind.unlock_advice(ctx.lang)));
        }
    }
    lines
}

pub use crate::i18n::pad;

fn status(ctx: &Ctx, fail_on: Option<PinFailOn>) -> Result<i32> {
    let pins = crate::usecase::pins::status(&ctx.card)?;
    if ctx.g.json {
        print_json(&PinStatusDoc {
            pins: pins.iter().map(to_json).collect(),
        });
    } else {
        for l in render_rows(ctx, &pins) {
            println!("{l}");
        }
    }
    let hit = |p: &PinStatus| match fail_on {
        Some(PinFailOn::Locked) => p.state == CounterState::Locked,
        Some(PinFailOn::LastTry) => {
            matches!(p.state, CounterState::Locked | CounterState::LastTry)
        }
        None => false,
    };
    Ok(if pins.iter().any(hit) {
        crate::error::exit::PIN_LOCKED
    } else {
        0
    })
}

fn verify(ctx: &Ctx, kind: PinKind, last: LastTry, src: &PinSource) -> Result<i32> {
    let mut input = PinInput::new(ctx.lang).with(kind, Which::Current, src.source());
    crate::usecase::pins::verify(&ctx.card, kind, last.force_last_try, &mut input)?;
    if ctx.g.json {
        print_json(&PinVerifyDoc {
            kind,
            verified: true,
        });
    } else {
        println!(
            "{}",
            paint(
                ctx,
                Tone::Ok,
                &match ctx.lang {
                    Lang::Ja => format!("{}は正しく照合されました", kind.name(ctx.lang)),
                    Lang::En => format!("the {} is correct", kind.name(ctx.lang)),
                }
            )
        );
    }
    Ok(0)
}

fn change(
    ctx: &Ctx,
    kind: PinKind,
    last: LastTry,
    src: &PinSource,
    new_src: &NewPinSource,
    reference: Option<ResidentRef>,
) -> Result<i32> {
    let refs: Vec<KeyRef> = match (kind, reference) {
        (_, None) => kind.refs().to_vec(),
        (PinKind::Resident, Some(ResidentRef::Juki)) => vec![KeyRef::Juki],
        (PinKind::Resident, Some(ResidentRef::Common)) => vec![KeyRef::Common],
        (_, Some(_)) => return Err(Error::Usage(crate::error::Misuse::ReferenceNotResident)),
    };
    let new = if let Some(f) = &new_src.new_pin_file {
        Source::File(f.clone())
    } else if let Some(n) = &new_src.new_pin_env {
        Source::Env(n.clone())
    } else if src.pin_stdin {
        Source::Stdin
    } else {
        Source::Prompt
    };
    let mut input = PinInput::new(ctx.lang)
        .with(kind, Which::Current, src.source())
        .with(kind, Which::New, new);
    crate::usecase::pins::change(&ctx.card, kind, &refs, last.force_last_try, &mut input)?;
    if ctx.g.json {
        print_json(&PinChangeDoc {
            kind,
            changed: true,
            references: refs
                .iter()
                .map(|r| crate::protocol::keys::RefId(*r))
                .collect(),
        });
    } else {
        println!(
            "{}",
            match ctx.lang {
                Lang::Ja => format!("{}を変更しました", kind.name(ctx.lang)),
                Lang::En => format!("the {} was changed", kind.name(ctx.lang)),
            }
        );
    }
    Ok(0)
}
