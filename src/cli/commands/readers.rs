//! `mynacard readers`: every reader, whether it holds a card, the ATR, and
//! what the card is (by SELECT of the JPKI AID and token EF 0006, never by ATR).

use super::{CardMeta, Ctx};
use crate::card::jpki::{self, TokenType};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::protocol::TokenKind;
use crate::transport::Connection;
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

/// Identify the card behind an open connection.
fn identify(ctx: &Ctx, conn: &mut dyn Connection) -> Result<Option<TokenType>> {
    super::transact(&ctx.card, conn, |s, _| jpki::identify(s)).0
}

fn row(index: usize, meta: &CardMeta, present: bool, id: Result<Option<TokenType>>) -> ReaderRow {
    let (ct, cd, err) = match (present, id) {
        (false, _) => (None, None, None),
        (true, Ok(t)) => (Some(card_type(&t)), Some(t), None),
        (true, Err(e)) => (None, None, Some(e.to_string())),
    };
    ReaderRow {
        index,
        name: meta.reader.clone(),
        card_present: present,
        atr: present.then(|| crate::apdu::hex_spaced(&meta.atr)),
        card_type: ct,
        card_description: cd.as_ref().map(|t| describe(t, Lang::En)),
        card_description_ja: cd.as_ref().map(|t| describe(t, Lang::Ja)),
        error: err,
    }
}

#[cfg(feature = "pcsc")]
fn pcsc_rows(ctx: &Ctx) -> Result<Vec<ReaderRow>> {
    use crate::transport::agent::Agent;
    let readers = Agent::spawn(ctx.card.budget())?.readers()?;
    let mut rows = Vec::new();
    for (i, r) in readers.iter().enumerate() {
        let meta = CardMeta {
            reader: r.name.clone(),
            atr: r.atr.clone(),
        };
        if !r.card_present {
            rows.push(row(i, &meta, false, Ok(None)));
            continue;
        }
        let id = Agent::spawn(ctx.card.budget())
            .and_then(|a| a.connect(&r.name, false))
            .and_then(|c| {
                let mut c: Box<dyn Connection> = Box::new(c);
                let id = identify(ctx, c.as_mut());
                let _ = c.close(false);
                id
            });
        rows.push(row(i, &meta, true, id));
    }
    Ok(rows)
}

#[cfg(not(feature = "pcsc"))]
fn pcsc_rows(_ctx: &Ctx) -> Result<Vec<ReaderRow>> {
    Err(Error::NoPcscBuild)
}

pub fn run(ctx: &Ctx) -> Result<i32> {
    let rows = if ctx.g.virtual_card.is_some() {
        let mut conn = crate::usecase::connect::open(&ctx.card, false)?;
        let meta = CardMeta {
            reader: conn.reader().to_string(),
            atr: conn.atr().to_vec(),
        };
        let id = identify(ctx, conn.as_mut());
        let _ = conn.close(false);
        vec![row(0, &meta, true, id)]
    } else {
        pcsc_rows(ctx)?
    };
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
