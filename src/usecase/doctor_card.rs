//! The card steps of `doctor`: the card and its ATR, the applications (by
//! SELECT only), extended length (one READ BINARY of the public CA
//! certificate), and the time of a no-PIN APDU. Nothing here sends a PIN
//! or reads personal data.

use super::connect::{open, transact, CardOptions};
pub use super::doctor_model::{AppsFinding, CardFinding, Extended, Interface};
use super::doctor_model::{Finding, Status, Step, StepId};
use crate::card::jpki::{self, CertSlot};
use crate::card::Session;
use crate::error::{Error, Result};
use crate::protocol::App;
use std::time::Instant;

/// SELECTs timed for the latency figure.
pub const LATENCY_APDUS: u32 = 5;

/// The interface from the ATR: a contactless card's ATR is the one the
/// reader builds (PC/SC part 3: `3B 8n 80 01` and n historical bytes).
pub fn interface(atr: &[u8]) -> Interface {
    match atr {
        [0x3B, t0, 0x80, 0x01, ..]
            if t0 & 0xF0 == 0x80 && atr.len() == 5 + (*t0 & 0x0F) as usize =>
        {
            Interface::Contactless
        }
        _ => Interface::Contact,
    }
}

/// What the card probe found.
#[derive(Debug, Clone, Default)]
pub struct CardProbe {
    pub reader: Option<String>,
    pub atr: Option<Vec<u8>>,
    pub card: Option<CardFinding>,
    /// Each application and whether the card has it.
    pub apps: Vec<(App, bool)>,
    pub apps_finding: Option<AppsFinding>,
    pub extended: Option<Extended>,
    /// Milliseconds of each timed APDU.
    pub latency_ms: Vec<f64>,
}

impl CardProbe {
    pub fn median_ms(&self) -> Option<f64> {
        let mut v = self.latency_ms.clone();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    }
}

/// Connect to `reader` (or the virtual card) and probe the card.
pub fn probe(o: &CardOptions, reader: Option<&str>) -> CardProbe {
    let mut p = CardProbe::default();
    if o.virtual_card.is_none() && reader.is_none() {
        p.card = Some(CardFinding::NoCard);
        return p;
    }
    let mut o = o.clone();
    if let Some(r) = reader {
        o.reader = Some(r.to_string());
    }
    let mut conn = match open(&o, false) {
        Ok(c) => c,
        Err(e) => {
            p.reader = reader.map(str::to_string);
            p.card = Some(card_error(e));
            return p;
        }
    };
    p.reader = Some(conn.reader().to_string());
    p.atr = Some(conn.atr().to_vec());
    let (r, _) = transact(&o, conn.as_mut(), |s, _| {
        work(s, &mut p);
        Ok(())
    });
    let _ = conn.close(false);
    if let Err(e) = r {
        p.card = Some(card_error(e));
    }
    p
}

fn card_error(e: Error) -> CardFinding {
    match e {
        Error::NoCard { .. } | Error::CardRemoved => CardFinding::NoCard,
        Error::CardInUse | Error::Timeout { .. } => CardFinding::Busy,
        e => CardFinding::Error(e.to_string()),
    }
}

/// The card work, in one transaction.
fn work(s: &mut Session, p: &mut CardProbe) {
    let interface = interface(p.atr.as_deref().unwrap_or_default());
    p.card = Some(CardFinding::Ok { interface });
    let token = match jpki::identify(s) {
        Ok(Some(t)) => t,
        Ok(None) => {
            p.apps_finding = Some(AppsFinding::NotMyNumberCard);
            p.apps.push((App::Jpki, false));
            return;
        }
        Err(e) => {
            p.apps_finding = Some(AppsFinding::Error(e.to_string()));
            return;
        }
    };
    p.apps.push((App::Jpki, true));
    for app in App::ALL.into_iter().filter(|a| *a != App::Jpki) {
        match s.try_select_ap(app) {
            Ok(has) => p.apps.push((app, has)),
            Err(e) => {
                p.apps_finding = Some(AppsFinding::Error(e.to_string()));
                return;
            }
        }
    }
    p.apps_finding = Some(AppsFinding::Ok(Some(token)));
    // The timing first: a reader that breaks on a long answer may not
    // answer anything after it.
    for _ in 0..LATENCY_APDUS {
        s.forget();
        let t = Instant::now();
        if jpki::select(s).is_err() {
            break;
        }
        p.latency_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    p.extended = Some(extended(s));
}

/// One extended-length READ BINARY of the authentication CA certificate
/// (public; longer than a 522-byte CCID message can carry).
fn extended(s: &mut Session) -> Extended {
    s.forget();
    s.extended_length = true;
    s.extended_refused = false;
    s.extended_worked = false;
    let r: Result<Option<Vec<u8>>> = jpki::read_cert(s, CertSlot::AuthCa);
    match r {
        Ok(Some(der)) if s.extended_worked => Extended::Works { bytes: der.len() },
        Ok(_) => Extended::Refused,
        Err(e) => Extended::Broke(e.to_string()),
    }
}

/// The card steps from the probe.
pub fn steps(p: &CardProbe) -> Vec<Step> {
    let st = |id, status, finding| Step {
        id,
        status,
        finding,
    };
    let mut out = Vec::new();
    let Some(card) = &p.card else {
        return out;
    };
    let ok = matches!(card, CardFinding::Ok { .. });
    out.push(st(
        StepId::Card,
        if ok { Status::Ok } else { Status::Fail },
        Finding::Card(card.clone()),
    ));
    let Some(apps) = &p.apps_finding else {
        return out;
    };
    let ok = matches!(apps, AppsFinding::Ok(_));
    out.push(st(
        StepId::Applications,
        if ok { Status::Ok } else { Status::Fail },
        Finding::Applications(apps.clone()),
    ));
    if let Some(median_ms) = p.median_ms() {
        out.push(st(
            StepId::Latency,
            Status::Ok,
            Finding::Latency {
                median_ms,
                apdus: p.latency_ms.len() as u32,
            },
        ));
    }
    if let Some(x) = &p.extended {
        let status = match x {
            Extended::Broke(_) => Status::Warn,
            _ => Status::Ok,
        };
        out.push(st(
            StepId::ExtendedLength,
            status,
            Finding::Extended(x.clone()),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contactless_atrs_are_told_from_contact_ones() {
        let contact = [
            0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1,
            0x73, 0xC6, 0x01, 0xC0, 0x3B,
        ];
        assert_eq!(interface(&contact), Interface::Contact);
        let b = [
            0x3B, 0x88, 0x80, 0x01, 0, 0, 0, 0, 0x33, 0x81, 0x81, 0x00, 0x3A,
        ];
        assert_eq!(interface(&b), Interface::Contactless);
        assert_eq!(
            interface(&[0x3B, 0x80, 0x80, 0x01, 0x01]),
            Interface::Contactless
        );
        assert_eq!(interface(&[]), Interface::Contact);
    }
}
