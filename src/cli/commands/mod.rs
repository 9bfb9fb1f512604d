//! One module per command, and the shared connection set-up.

pub mod cert;
pub mod info;
pub mod pin;
pub mod readers;
pub mod status;
pub mod vcard;

use super::Ctx;
use crate::card::Session;
use crate::error::{Error, Result};
use crate::transport::inproc::{InProcess, SharedCard};
use crate::transport::trace::{Stats, Tracer};
use crate::transport::Connection;
use std::sync::{Arc, Mutex};

/// Where the card sits.
#[derive(Debug, Clone)]
pub struct CardMeta {
    pub reader: String,
    pub atr: Vec<u8>,
}

/// Build the in-process virtual card from `--virtual[=PROFILE]` and `--state`.
pub fn virtual_card(ctx: &Ctx) -> Result<SharedCard> {
    use crate::vcard::{Profile, VirtualCard};
    let profile = match ctx.g.virtual_card.as_deref() {
        None | Some("") => Profile::builtin(),
        Some(path) => Profile::load(std::path::Path::new(path))
            .map_err(|e| Error::Profile(format!("{path}: {e}")))?,
    };
    let mut card = VirtualCard::new(&profile).map_err(|e| Error::Profile(e.to_string()))?;
    if let Some(state) = &ctx.g.state {
        card = card
            .with_state_file(state)
            .map_err(|e| Error::Profile(e.to_string()))?;
    }
    Ok(Arc::new(Mutex::new(card)))
}

/// Choose a reader from `--reader`: an index, an exact name, or a unique
/// case-insensitive part of a name.
pub fn choose_reader(names: &[String], query: &str) -> Result<String> {
    if let Ok(i) = query.parse::<usize>() {
        return names.get(i).cloned().ok_or_else(|| Error::ReaderNotFound {
            query: query.into(),
            readers: names.to_vec(),
        });
    }
    if let Some(n) = names.iter().find(|n| *n == query) {
        return Ok(n.clone());
    }
    let q = query.to_lowercase();
    let m: Vec<String> = names
        .iter()
        .filter(|n| n.to_lowercase().contains(&q))
        .cloned()
        .collect();
    match m.len() {
        0 => Err(Error::ReaderNotFound {
            query: query.into(),
            readers: names.to_vec(),
        }),
        1 => Ok(m[0].clone()),
        _ => Err(Error::AmbiguousReader {
            query: query.into(),
            matches: m,
        }),
    }
}

/// The card-work budget (`--timeout`).
pub fn budget(ctx: &Ctx) -> std::time::Duration {
    std::time::Duration::from_secs_f64(ctx.g.timeout.max(0.05))
}

/// The reader to use, from `--reader` or the one reader holding a card.
#[cfg(feature = "pcsc")]
pub fn pick_reader(ctx: &Ctx, readers: &[crate::transport::pcsc::ReaderInfo]) -> Result<String> {
    if readers.is_empty() {
        return Err(Error::NoReader);
    }
    let names: Vec<String> = readers.iter().map(|r| r.name.clone()).collect();
    if let Some(q) = ctx.g.reader.as_deref() {
        return choose_reader(&names, q);
    }
    let with_card: Vec<&String> = readers
        .iter()
        .filter(|r| r.card_present)
        .map(|r| &r.name)
        .collect();
    match with_card.len() {
        1 => Ok(with_card[0].clone()),
        0 if names.len() == 1 || ctx.g.wait.is_some() => Ok(names[0].clone()),
        0 => Err(Error::NoCard {
            reader: None,
            waited: None,
        }),
        _ => Err(Error::AmbiguousReader {
            query: "(readers holding a card)".into(),
            matches: with_card.into_iter().cloned().collect(),
        }),
    }
}

#[cfg(feature = "pcsc")]
fn open_pcsc(ctx: &Ctx, exclusive: bool) -> Result<Box<dyn Connection>> {
    use crate::transport::agent::Agent;
    let mut agent = Agent::spawn(budget(ctx))?;
    let readers = agent.readers()?;
    let reader = pick_reader(ctx, &readers)?;
    let present = readers.iter().any(|r| r.name == reader && r.card_present);
    if !present {
        match ctx.g.wait {
            Some(secs) if secs > 0.0 => {
                agent.wait_for_card(&reader, std::time::Duration::from_secs_f64(secs))?
            }
            _ => {
                return Err(Error::NoCard {
                    reader: Some(reader),
                    waited: None,
                })
            }
        }
    }
    Ok(Box::new(agent.connect(&reader, exclusive)?))
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(_ctx: &Ctx, _exclusive: bool) -> Result<Box<dyn Connection>> {
    Err(Error::Unsupported(
        "this build has no PC/SC support (built without the `pcsc` feature); use --virtual".into(),
    ))
}

/// Open the card the global options name: the in-process virtual card
/// with `--virtual`, else a PC/SC reader.
pub fn open(ctx: &Ctx, exclusive: bool) -> Result<Box<dyn Connection>> {
    if ctx.g.virtual_card.is_some() {
        Ok(Box::new(InProcess::new(virtual_card(ctx)?, budget(ctx))))
    } else {
        open_pcsc(ctx, exclusive)
    }
}

/// Run `f` in one transaction on an open connection, with `--trace` output
/// and its summary line. The connection keeps the `--timeout` budget.
/// Returns the result and whether a PIN was sent (the card must then be
/// powered down).
pub fn transact<T>(
    ctx: &Ctx,
    conn: &mut dyn Connection,
    f: impl FnOnce(&mut Session, &CardMeta) -> Result<T>,
) -> (Result<T>, bool) {
    let meta = CardMeta {
        reader: conn.reader().to_string(),
        atr: conn.atr().to_vec(),
    };
    if ctx.g.trace {
        eprintln!(
            "# reader: {}  ATR: {}",
            meta.reader,
            crate::apdu::hex_spaced(&meta.atr)
        );
    }
    let mut f = Some(f);
    let mut out: Option<Result<T>> = None;
    let mut verified = false;
    let mut stats = Stats::default();
    let tx = conn.transaction(&mut |t| {
        let mut stderr = std::io::stderr();
        let mut tracer = Tracer::new(
            t,
            if ctx.g.trace {
                Some(&mut stderr as &mut dyn std::io::Write)
            } else {
                None
            },
        );
        let res = {
            let mut s = Session::new(&mut tracer);
            let memory = super::cache::ExtendedMemory::open(ctx.g.no_cache);
            s.extended_length = ctx.g.extended_length || memory.supported(&meta.reader, &meta.atr);
            let r = match f.take() {
                Some(f) => f(&mut s, &meta),
                None => Err(Error::Usage("card closure ran twice".into())),
            };
            verified = s.verified;
            if s.extended_worked || s.extended_refused {
                memory.record(&meta.reader, &meta.atr, !s.extended_refused);
            }
            r
        };
        stats = tracer.stats;
        out = Some(res);
        Ok(())
    });
    if ctx.g.trace {
        eprintln!(
            "# {} APDUs, {} bytes sent, {} bytes received, {:.2} ms on the wire",
            stats.apdus,
            stats.bytes_sent,
            stats.bytes_received,
            stats.time.as_secs_f64() * 1000.0
        );
    }
    let result = match (tx, out) {
        (Err(e), _) => Err(e),
        (Ok(()), Some(r)) => r,
        (Ok(()), None) => Err(Error::Usage("no result".into())),
    };
    (result, verified)
}

/// Run `f` on the card inside one transaction, with `--trace` output,
/// then disconnect: the card is powered down when a PIN was sent, reset
/// otherwise, so no verified state outlives the command.
pub fn with_card<T>(
    ctx: &Ctx,
    exclusive: bool,
    f: impl FnOnce(&mut Session, &CardMeta) -> Result<T>,
) -> Result<T> {
    let mut conn = open(ctx, exclusive)?;
    let (result, verified) = transact(ctx, conn.as_mut(), f);
    let closed = conn.close(verified);
    // A failure to power down matters only if everything else worked, or
    // if the card may keep a verified PIN (then it is the headline).
    match (result, closed) {
        (Ok(v), Ok(())) => Ok(v),
        (Err(e), Err(Error::LeftPowered { cause: None })) => Err(Error::LeftPowered {
            cause: Some(Box::new(e)),
        }),
        (Ok(_), Err(e)) if verified || matches!(e, Error::LeftPowered { .. }) => Err(e),
        (Ok(v), Err(_)) => Ok(v),
        (Err(e), _) => Err(e),
    }
}

/// A certificate's DER and, when known, its CA certificate's.
pub type CertAndCa = (Vec<u8>, Option<Vec<u8>>);

/// Read a certificate and the CA certificate that issued it; the CA comes
/// from the cache when a cached one verifies the certificate (saving its
/// READ BINARY commands). `None` when the card has no such certificate.
pub fn read_with_ca(
    s: &mut Session,
    slot: crate::card::jpki::CertSlot,
    cache: &super::cache::CaCache,
) -> Result<Option<CertAndCa>> {
    let Some(ee) = crate::card::jpki::read_cert(s, slot)? else {
        return Ok(None);
    };
    let ca = match (cache.lookup(&ee), slot.ca()) {
        (Some(ca), _) => Some(ca),
        (None, Some(ca_slot)) => crate::card::jpki::read_cert(s, ca_slot)?,
        (None, None) => None,
    };
    Ok(Some((ee, ca)))
}

/// SELECT the JPKI AP: a card without it is not a My Number Card. For
/// commands that do not show the token type (one APDU instead of two).
pub fn require_jpki(s: &mut Session, meta: &CardMeta) -> Result<()> {
    if s.try_select_ap(crate::protocol::App::Jpki)? {
        Ok(())
    } else {
        Err(Error::NotMyNumberCard {
            reader: meta.reader.clone(),
        })
    }
}

/// SELECT the JPKI AP and read the token type; a card without it is not a
/// My Number Card.
pub fn require_my_number_card(
    s: &mut Session,
    meta: &CardMeta,
) -> Result<crate::card::jpki::TokenType> {
    crate::card::jpki::identify(s)?.ok_or_else(|| Error::NotMyNumberCard {
        reader: meta.reader.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec![
            "Virtual PCD 00 00".into(),
            "Virtual PCD 00 01".into(),
            "SONY FeliCa RC-S300".into(),
        ]
    }

    #[test]
    fn reader_choice() {
        assert_eq!(choose_reader(&names(), "1").unwrap(), "Virtual PCD 00 01");
        assert_eq!(
            choose_reader(&names(), "felica").unwrap(),
            "SONY FeliCa RC-S300"
        );
        assert_eq!(
            choose_reader(&names(), "Virtual PCD 00 00").unwrap(),
            "Virtual PCD 00 00"
        );
        assert!(matches!(
            choose_reader(&names(), "virtual"),
            Err(Error::AmbiguousReader { .. })
        ));
        assert!(matches!(
            choose_reader(&names(), "7"),
            Err(Error::ReaderNotFound { .. })
        ));
        let e = choose_reader(&names(), "acr").unwrap_err().to_string();
        assert!(e.contains("[2] SONY FeliCa RC-S300"), "{e}");
    }
}
