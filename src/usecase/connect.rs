//! Reaching the card the options name: the in-process virtual card or a
//! PC/SC reader (through the helper process), one transaction with the
//! `--trace` output, and the disconnect that powers the card down when a
//! PIN was sent, so no verified state outlives a command.

use super::cache::ExtendedMemory;
use crate::card::jpki::{self, CertSlot, TokenType};
use crate::card::Session;
use crate::error::{Error, Result};
use crate::protocol::App;
use crate::transport::inproc::{InProcess, SharedCard};
use crate::transport::trace::Tracer;
use crate::transport::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to reach the card (from the global options).
#[derive(Debug, Clone, Default)]
pub struct CardOptions {
    /// `--reader`: an index, an exact name, or a unique part of a name.
    pub reader: Option<String>,
    /// `--wait`: seconds to wait for a card to be inserted.
    pub wait: Option<f64>,
    /// `--timeout`: the budget of the card work, in seconds.
    pub timeout: f64,
    /// `--virtual[=PROFILE]`: `Some("")` is the built-in card.
    pub virtual_card: Option<String>,
    /// `--state`: the in-process card's counters across runs.
    pub state: Option<PathBuf>,
    /// `--trace`: every APDU to stderr.
    pub trace: bool,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--extended-length`.
    pub extended_length: bool,
}

impl CardOptions {
    /// The card-work budget.
    pub fn budget(&self) -> Duration {
        Duration::from_secs_f64(self.timeout.max(0.05))
    }
}

/// Where the card sits.
#[derive(Debug, Clone)]
pub struct CardMeta {
    pub reader: String,
    pub atr: Vec<u8>,
}

/// The in-process virtual card of `--virtual[=PROFILE]` and `--state`:
/// built once per process and kept, like a card left on its reader, so that
/// a second connection in the same command sees the counters the first one
/// changed (a real card does).
pub fn virtual_card(o: &CardOptions) -> Result<SharedCard> {
    type Key = (Option<String>, Option<PathBuf>);
    static CARDS: Mutex<Vec<(Key, SharedCard)>> = Mutex::new(Vec::new());
    let key: Key = (o.virtual_card.clone(), o.state.clone());
    let mut cards = CARDS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, card)) = cards.iter().find(|(k, _)| *k == key) {
        return Ok(card.clone());
    }
    let profile = o
        .virtual_card
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(std::path::Path::new);
    let card: SharedCard = Arc::new(Mutex::new(load_virtual_card(
        profile,
        o.state.as_deref(),
        o.no_cache,
    )?));
    cards.push((key, card.clone()));
    Ok(card)
}

/// The virtual card of a profile file (or the built-in one), with its
/// counters kept in `state`. A file that cannot be read is an I/O error
/// naming it; a profile that is wrong names the field. Its image is kept
/// between runs unless `no_cache`.
pub fn load_virtual_card(
    profile: Option<&std::path::Path>,
    state: Option<&std::path::Path>,
    no_cache: bool,
) -> Result<crate::vcard::VirtualCard> {
    use crate::platform::files::{limit, read_limited};
    use crate::vcard::{Profile, VirtualCard};
    let profile = match profile {
        None => Profile::builtin(),
        Some(path) => {
            let b = read_limited(path, limit::PROFILE).map_err(|e| Error::io(path, e))?;
            let text = String::from_utf8(b)
                .map_err(|_| Error::Profile(format!("{}: is not UTF-8 text", path.display())))?;
            Profile::from_file_text(&text, path)
                .map_err(|e| Error::Profile(format!("{}: {e}", path.display())))?
        }
    };
    let image = crate::usecase::cache::ImageCache::open(no_cache)
        .load_or_build(&profile)
        .map_err(|e| Error::Profile(e.to_string()))?;
    let mut card = VirtualCard::from_image(&profile, image);
    if let Some(state) = state {
        card = card
            .with_state_file(state)
            .map_err(|e| Error::Profile(e.to_string()))?;
    }
    Ok(card)
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

/// The reader to use, from `--reader` or the one reader holding a card.
#[cfg(feature = "pcsc")]
pub fn pick_reader(
    o: &CardOptions,
    readers: &[crate::transport::agent::proto::ReaderInfo],
) -> Result<String> {
    if readers.is_empty() {
        return Err(Error::NoReader);
    }
    let names: Vec<String> = readers.iter().map(|r| r.name.clone()).collect();
    if let Some(q) = o.reader.as_deref() {
        return choose_reader(&names, q);
    }
    let with_card: Vec<&String> = readers
        .iter()
        .filter(|r| r.card_present)
        .map(|r| &r.name)
        .collect();
    match with_card.len() {
        1 => Ok(with_card[0].clone()),
        0 if names.len() == 1 || o.wait.is_some() => Ok(names[0].clone()),
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
fn open_pcsc(o: &CardOptions, exclusive: bool) -> Result<Box<dyn Connection>> {
    use crate::transport::agent::Agent;
    let mut agent = Agent::spawn(o.budget())?;
    let readers = agent.readers()?;
    let reader = pick_reader(o, &readers)?;
    let present = readers.iter().any(|r| r.name == reader && r.card_present);
    if !present {
        match o.wait {
            Some(secs) if secs > 0.0 => {
                agent.wait_for_card(&reader, Duration::from_secs_f64(secs))?
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
fn open_pcsc(_o: &CardOptions, _exclusive: bool) -> Result<Box<dyn Connection>> {
    Err(Error::NoPcscBuild)
}

/// Open the card the options name: the in-process virtual card with
/// `--virtual`, else a PC/SC reader. `exclusive` keeps other programs out
/// (whenever a PIN may be sent).
pub fn open(o: &CardOptions, exclusive: bool) -> Result<Box<dyn Connection>> {
    if o.virtual_card.is_some() {
        Ok(Box::new(InProcess::new(virtual_card(o)?, o.budget())))
    } else {
        open_pcsc(o, exclusive)
    }
}

/// Run `f` in one transaction on an open connection, with `--trace` output
/// and its summary line. The connection keeps the `--timeout` budget.
/// Returns the result and whether a PIN was sent (the card must then be
/// powered down).
pub fn transact<T>(
    o: &CardOptions,
    conn: &mut dyn Connection,
    f: impl FnOnce(&mut Session, &CardMeta) -> Result<T>,
) -> (Result<T>, bool) {
    use std::io::Write;
    let meta = CardMeta {
        reader: conn.reader().to_string(),
        atr: conn.atr().to_vec(),
    };
    let mut stderr = std::io::stderr();
    if o.trace {
        let _ = writeln!(
            stderr,
            "# reader: {}  ATR: {}",
            meta.reader,
            crate::apdu::hex_spaced(&meta.atr)
        );
    }
    let mut tx = match conn.begin() {
        Ok(tx) => tx,
        Err(e) => return (Err(e), false),
    };
    let mut trace_out = std::io::stderr();
    let mut tracer = Tracer::new(
        tx.as_mut(),
        o.trace.then_some(&mut trace_out as &mut dyn std::io::Write),
    );
    let mut s = Session::new(&mut tracer);
    let memory = ExtendedMemory::open(o.no_cache);
    s.extended_length = o.extended_length || memory.supported(&meta.reader, &meta.atr);
    let result = f(&mut s, &meta);
    let verified = s.verified;
    if s.extended_worked || s.extended_refused {
        memory.record(&meta.reader, &meta.atr, !s.extended_refused);
    }
    let stats = tracer.stats;
    let ended = tx.end();
    if o.trace {
        let _ = writeln!(
            stderr,
            "# {} APDUs, {} bytes sent, {} bytes received, {:.2} ms on the wire",
            stats.apdus,
            stats.bytes_sent,
            stats.bytes_received,
            stats.time.as_secs_f64() * 1000.0
        );
    }
    (result.and_then(|v| ended.map(|()| v)), verified)
}

/// Run `f` on the card inside one transaction, with `--trace` output,
/// then disconnect: the card is powered down when a PIN was sent, reset
/// otherwise, so no verified state outlives the command.
pub fn with_card<T>(
    o: &CardOptions,
    exclusive: bool,
    f: impl FnOnce(&mut Session, &CardMeta) -> Result<T>,
) -> Result<T> {
    let mut conn = open(o, exclusive)?;
    let (result, verified) = transact(o, conn.as_mut(), f);
    let closed = conn.close(verified);
    combine(result, closed, verified)
}

/// The outcome of a command from its card work and its disconnect. A
/// failure to power down matters only if everything else worked, or if the
/// card may keep a verified PIN (then it is the headline).
pub fn combine<T>(result: Result<T>, closed: Result<()>, verified: bool) -> Result<T> {
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

/// Read a certificate and the card's CA certificate, both from the card
/// (callers say whether the card's CA file is the root). `None` when the
/// card has no such certificate.
pub fn read_with_ca(s: &mut Session, slot: CertSlot) -> Result<Option<CertAndCa>> {
    let Some(ee) = jpki::read_cert(s, slot)? else {
        return Ok(None);
    };
    let ca = match slot.ca() {
        Some(ca_slot) => jpki::read_cert(s, ca_slot)?,
        None => None,
    };
    Ok(Some((ee, ca)))
}

/// SELECT the JPKI AP: a card without it is not a My Number Card. For
/// commands that do not show the token type (one APDU instead of two).
pub fn require_jpki(s: &mut Session, meta: &CardMeta) -> Result<()> {
    if s.try_select_ap(App::Jpki)? {
        Ok(())
    } else {
        Err(not_my_number_card(meta))
    }
}

/// SELECT `app`, the first application a command needs, as the card
/// check: a SELECT of JPKI first would be one APDU for nothing used. A card
/// without `app` is then asked for JPKI, so one that is no My Number Card
/// is named so.
pub fn require_app(s: &mut Session, meta: &CardMeta, app: App) -> Result<()> {
    if s.try_select_ap(app)? {
        return Ok(());
    }
    require_jpki(s, meta)?;
    Err(Error::NotOnToken { app: app.name() })
}

/// SELECT the JPKI AP and read the token type; a card without it is not a
/// My Number Card.
pub fn require_my_number_card(s: &mut Session, meta: &CardMeta) -> Result<TokenType> {
    jpki::identify(s)?.ok_or_else(|| not_my_number_card(meta))
}

/// The card answered none of the known applications.
pub fn not_my_number_card(meta: &CardMeta) -> Error {
    Error::NotMyNumberCard {
        reader: meta.reader.clone(),
        atr: meta.atr.clone(),
    }
}

/// Wait until `reader` holds a card, through this process's own PC/SC
/// context (`vcard sandbox`, once its private pcscd is up).
#[cfg(feature = "pcsc")]
pub fn wait_for_card(reader: &str, timeout: Duration) -> Result<()> {
    crate::transport::pcsc::Pcsc::establish()?.wait_for_card(reader, timeout)
}

/// Stop every PC/SC helper this process started (on a signal): whether a
/// card that got a PIN could not be confirmed powered down.
#[cfg(feature = "pcsc")]
pub fn stop_helpers() -> bool {
    use crate::transport::agent::{stop_all, Stopped};
    matches!(stop_all(), Stopped::NotConfirmed { pin_sent: true })
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
