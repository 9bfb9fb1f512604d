//! `mynacard readers`: every reader, whether it holds a card, the ATR, and
//! what the card is (by SELECT of the JPKI AID and token EF 0006, never by ATR).

use super::Ctx;
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::protocol::TokenKind;
use crate::protocol::TokenType;
use crate::usecase::readers::Seen;
use serde::Serialize;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReaderRow {
    pub index: usize,
    pub name: String,
    pub card_present: bool,
    pub atr: Option<String>,
    /// What the card is; null without a card, or when it could not be
    /// identified (`error` says why).
    pub card_type: Option<TokenKind>,
    /// In English; `card_description_ja` the same in Japanese.
    pub card_description: Option<String>,
    pub card_description_ja: Option<String>,
    /// Why the card could not be identified (in use, mute…).
    pub error: Option<String>,
}

/// `readers --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReadersReport {
    pub readers: Vec<ReaderRow>,
}

impl Document for ReadersReport {
    const COMMAND: &'static str = "readers";
}

fn card_type(t: &Option<TokenType>) -> TokenKind {
    t.as_ref()
        .map_or(TokenKind::NotMyNumberCard, TokenType::kind)
}

fn describe(t: &Option<TokenType>, lang: Lang) -> String {
    match t {
        None => lang
            .pick("マイナンバーカードではありません", "not a My Number Card")
            .into(),
        Some(t) => crate::i18n::describe_token(t, lang),
    }
}

fn row(seen: Seen) -> ReaderRow {
    let (ct, cd, err) = match seen.card {
        None => (None, None, None),
        Some(Ok(t)) => (Some(card_type(&t)), Some(t), None),
        Some(Err(e)) => (None, None, Some(e.to_string())),
    };
    ReaderRow {
        index: seen.index,
        name: seen.name,
        card_present: seen.atr.is_some(),
        atr: seen.atr.as_deref().map(crate::apdu::hex_spaced),
        card_type: ct,
        card_description: cd.as_ref().map(|t| describe(t, Lang::En)),
        card_description_ja: cd.as_ref().map(|t| describe(t, Lang::Ja)),
        error: err,
    }
}

pub fn run(ctx: &Ctx) -> Result<i32> {
    let rows: Vec<ReaderRow> = crate::usecase::readers::list(&ctx.card)?
        .into_iter()
        .map(row)
        .collect();
    if ctx.g.json {
        print_json(&ReadersReport { readers: rows });
        return Ok(0);
    }
    if rows.is_empty() {
        return Err(Error::NoReader);
    }
    for r in &rows {
        println!("[{}] {}", r.index, r.name);
        if !r.card_present {
            println!(
                "    {}",
                paint(ctx, Tone::Dim, ctx.lang.pick("カードなし", "no card"))
            );
            continue;
        }
        println!("    ATR  {}", r.atr.as_deref().unwrap_or(""));
        let description = match ctx.lang {
            Lang::Ja => &r.card_description_ja,
            Lang::En => &r.card_description,
        };
        match (&r.card_type, description, &r.error) {
            (Some(t), Some(d), _) => {
                let tone = if *t == TokenKind::Card {
                    Tone::Ok
                } else {
                    Tone::Warn
                };
                println!(
                    "    {}  {}",
                    ctx.lang.pick("種類", "card"),
                    paint(ctx, tone, d)
                );
            }
            (_, _, Some(e)) => println!("    {}", paint(ctx, Tone::Warn, e)),
            _ => {}
        }
    }
    Ok(0)
}
