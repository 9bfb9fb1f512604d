//! `readers` as a use case: every reader, whether it holds a card, and what
//! the card is (by SELECT of the JPKI AID and its token label, never by ATR).

use super::connect::{open, transact, CardMeta, CardOptions};
use crate::card::jpki;
use crate::error::Result;
use crate::protocol::TokenType;
use crate::transport::Connection;

/// One reader as seen now.
pub struct Seen {
    pub index: usize,
    pub name: String,
    /// The ATR, when a card is present.
    pub atr: Option<Vec<u8>>,
    /// What the card is (`None`: not a My Number Card; absent without a
    /// card), or why it could not be told.
    pub card: Option<Result<Option<TokenType>>>,
}

fn identify(o: &CardOptions, conn: &mut dyn Connection) -> Result<Option<TokenType>> {
    transact(o, conn, |s, _| jpki::identify(s)).0
}

/// Every reader (the virtual card's one, with `--virtual`).
pub fn list(o: &CardOptions) -> Result<Vec<Seen>> {
    if o.virtual_card.is_some() {
        let mut conn = open(o, false)?;
        let meta = CardMeta {
            reader: conn.reader().to_string(),
            atr: conn.atr().to_vec(),
        };
        let id = identify(o, conn.as_mut());
        let _ = conn.close(false);
        return Ok(vec![Seen {
            index: 0,
            name: meta.reader,
            atr: Some(meta.atr),
            card: Some(id),
        }]);
    }
    pcsc_list(o)
}

#[cfg(feature = "pcsc")]
fn pcsc_list(o: &CardOptions) -> Result<Vec<Seen>> {
    use crate::transport::agent::Agent;
    let readers = Agent::spawn(o.budget())?.readers()?;
    let mut out = Vec::new();
    for (index, r) in readers.iter().enumerate() {
        if !r.card_present {
            out.push(Seen {
                index,
                name: r.name.clone(),
                atr: None,
                card: None,
            });
            continue;
        }
        let id = Agent::spawn(o.budget())
            .and_then(|a| a.connect(&r.name, false))
            .and_then(|c| {
                let mut c: Box<dyn Connection> = Box::new(c);
                let id = identify(o, c.as_mut());
                let _ = c.close(false);
                id
            });
        out.push(Seen {
            index,
            name: r.name.clone(),
            atr: Some(r.atr.clone()),
            card: Some(id),
        });
    }
    Ok(out)
}

#[cfg(not(feature = "pcsc"))]
fn pcsc_list(_o: &CardOptions) -> Result<Vec<Seen>> {
    Err(crate::error::Error::NoPcscBuild)
}

/// The readers' names only, for shell completion of `--reader`: no card is
/// connected to or sent anything (a completion must be quick and touch
/// nothing). Without PC/SC, none.
pub fn names(o: &CardOptions) -> Vec<String> {
    if o.virtual_card.is_some() {
        return Vec::new();
    }
    pcsc_names(o).unwrap_or_default()
}

#[cfg(feature = "pcsc")]
fn pcsc_names(o: &CardOptions) -> Result<Vec<String>> {
    let readers = crate::transport::agent::Agent::spawn(o.budget())?.readers()?;
    Ok(readers.into_iter().map(|r| r.name).collect())
}

#[cfg(not(feature = "pcsc"))]
fn pcsc_names(_o: &CardOptions) -> Result<Vec<String>> {
    Ok(Vec::new())
}
