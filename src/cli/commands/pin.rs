//! `mynacard pin status|verify|change`.

use super::{require_jpki, with_card, Ctx};
use crate::card::pin::{self, CounterState, PinKind, PinStatus};
use crate::cli::input::{confirm_word, prompt_tty, read_checked, read_pin, PinSource};
use crate::cli::output::{paint, print_json, Tone};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::PinText;
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum PinCmd {
    /// Remaining tries of all four PINs, read without spending any
    Status,
    /// Check a PIN (reads the counter first; refuses the last try without --force)
    Verify {
        #[arg(value_enum)]
        kind: PinKind,
        /// Allow using the last remaining try
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        pin: PinSource,
    },
    /// Change a PIN: current PIN, then the new one twice
    Change {
        #[arg(value_enum)]
        kind: PinKind,
        /// Allow using the last remaining try
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        pin: PinSource,
        /// Read the new PIN from the first line of FILE
        #[arg(long, value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
        /// Read the new PIN from the environment variable NAME
        #[arg(long, value_name = "NAME")]
        new_pin_env: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: PinCmd) -> Result<i32> {
    match cmd {
        PinCmd::Status => status(ctx),
        PinCmd::Verify { kind, force, pin } => verify(ctx, kind, force, &pin),
        PinCmd::Change {
            kind,
            force,
            pin,
            new_pin_file,
            new_pin_env,
        } => change(ctx, kind, force, &pin, new_pin_file, new_pin_env),
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

/// One PIN as JSON.
#[derive(Serialize)]
pub struct PinJson<'a> {
    pub kind: PinKind,
    pub name: &'static str,
    pub name_ja: &'static str,
    pub max: u8,
    pub remaining: Option<u8>,
    pub state: CounterState,
    pub references: &'a [pin::RefStatus],
    pub advice: Option<String>,
}

pub fn to_json(p: &PinStatus, lang: Lang) -> PinJson<'_> {
    PinJson {
        kind: p.kind,
        name: p.kind.name(Lang::En),
        name_ja: p.kind.name(Lang::Ja),
        max: p.max,
        remaining: p.remaining,
        state: p.state,
        references: &p.references,
        advice: match p.state {
            CounterState::Locked => Some(p.kind.unlock_advice(lang)),
            CounterState::LastTry => Some(
                lang.pick(
                    "あと1回間違えるとロックされます",
                    "one more wrong entry locks it",
                )
                .to_string(),
            ),
            _ => None,
        },
    }
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
        if p.references.len() > 1 {
            let differ = p
                .references
                .windows(2)
                .any(|w| w[0].remaining != w[1].remaining || w[0].state != w[1].state);
            if differ {
                let parts: Vec<String> = p
                    .references
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}",
                            r.reference,
                            r.remaining
                                .map(|n| n.to_string())
                                .unwrap_or_else(|| state_label(r.state, ctx.lang).into())
                        )
                    })
                    .collect();
                line.push_str(&format!("  ({})", parts.join(", ")));
            }
        }
        lines.push(line);
        if p.state == CounterState::Locked {
            lines.push(format!("    → {}", p.kind.unlock_advice(ctx.lang)));
        }
    }
    lines
}

/// Pad to a display width, counting CJK characters as two columns.
pub fn pad(s: &str, width: usize) -> String {
    let w: usize = s
        .chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn status(ctx: &Ctx) -> Result<i32> {
    let pins = with_card(ctx, false, |s, meta| {
        require_jpki(s, meta)?;
        pin::read_all(s)
    })?;
    if ctx.g.json {
        let rows: Vec<PinJson> = pins.iter().map(|p| to_json(p, ctx.lang)).collect();
        print_json("pin status", &serde_json::json!({ "pins": rows }));
    } else {
        for l in render_rows(ctx, &pins) {
            println!("{l}");
        }
    }
    Ok(0)
}

fn last_try_confirm(ctx: &Ctx, kind: PinKind) -> impl FnMut() -> bool + '_ {
    move || {
        let q = match ctx.lang {
            Lang::Ja => format!(
                "{}はあと1回でロックされます。続けるには「{}」と入力してください:",
                kind.name(ctx.lang),
                kind.id()
            ),
            Lang::En => format!(
                "The {} has ONE try left. Type \"{}\" to use it:",
                kind.name(ctx.lang),
                kind.id()
            ),
        };
        // Without a terminal, --force alone is the user's explicit consent.
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return true;
        }
        confirm_word(&q, kind.id())
    }
}

fn fold_notice(ctx: &Ctx) {
    eprintln!(
        "mynacard: {}",
        ctx.lang.pick(
            "注意: 英小文字を大文字に変換して送信しました (カードは大文字で登録されています)",
            "notice: lowercase letters were converted to uppercase (the card stores the password in uppercase)"
        )
    );
}

#[derive(Serialize)]
struct VerifyJson {
    kind: PinKind,
    verified: bool,
}

fn verify(ctx: &Ctx, kind: PinKind, force: bool, src: &PinSource) -> Result<i32> {
    let key = kind.refs()[0];
    // Read and check the PIN before touching the card.
    let pin = read_checked(src, kind, ctx.lang)?;
    let mut confirm = last_try_confirm(ctx, kind);
    let folded = with_card(ctx, true, |s, meta| {
        require_jpki(s, meta)?;
        pin::guarded_verify(s, key, &pin, force, &mut confirm)
    })?;
    if folded {
        fold_notice(ctx);
    }
    if ctx.g.json {
        print_json(
            "pin verify",
            &VerifyJson {
                kind,
                verified: true,
            },
        );
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
    force: bool,
    src: &PinSource,
    new_file: Option<PathBuf>,
    new_env: Option<String>,
) -> Result<i32> {
    let current = read_checked(src, kind, ctx.lang)?;
    let new_src = PinSource {
        pin_file: new_file,
        pin_stdin: src.pin_stdin && src.pin_file.is_none() && src.pin_env.is_none(),
        pin_env: new_env,
    };
    let new = if new_src.is_given() {
        read_pin(&new_src, kind, ctx.lang, "")?
    } else {
        let p1 = prompt_tty(
            kind,
            ctx.lang,
            ctx.lang.pick("新しい暗証番号: ", "new PIN: "),
        )?;
        let p2 = prompt_tty(
            kind,
            ctx.lang,
            ctx.lang.pick("新しい暗証番号 (確認): ", "new PIN again: "),
        )?;
        if p1 != p2 {
            return Err(Error::PinInput(
                ctx.lang
                    .pick("新しい暗証番号が一致しません", "the two new PINs differ")
                    .into(),
            ));
        }
        p1
    };
    let (new, folded_new) = pin::validate(kind, &new).map_err(|reason| Error::PinFormat {
        kind,
        reason: format!("new PIN {reason}"),
    })?;
    let mut confirm = last_try_confirm(ctx, kind);
    let folded = with_card(ctx, true, |s, meta| {
        require_jpki(s, meta)?;
        let mut folded = false;
        for key in kind.refs() {
            folded |= pin::guarded_verify(s, *key, &current, force, &mut confirm)?;
            s.change(*key, &new)?;
        }
        Ok(folded)
    })?;
    if folded || folded_new {
        fold_notice(ctx);
    }
    if ctx.g.json {
        print_json(
            "pin change",
            &serde_json::json!({ "kind": kind, "changed": true }),
        );
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
