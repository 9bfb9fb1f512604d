//! Certificates: read one from the card with whatever its token asks for
//! first (the signature certificate: the signature password; on the Android
//! smartphone token, the user-authentication certificate: that PIN), and
//! the view of one (parsed, its chain to the card's CA file and to given
//! anchors, who issued it).

use super::connect::{read_with_ca, require_jpki, with_card, CardMeta, CardOptions, CertAndCa};
use super::pins::{with_pins, Asker, Need, Which};
use crate::apdu::StatusWord;
use crate::card::jpki::{self, CertSlot};
use crate::card::{policy, Session};
use crate::cert::chain::{check_chain, load_trust_anchors, ChainResult};
use crate::cert::roots::{self, Provenance};
use crate::cert::{parse_der, CertReport};
use crate::error::{Error, Result};
use crate::protocol::{PinKind, TokenType};
use std::path::Path;

/// The PIN a token wants verified before `slot` can be read, if any.
pub fn pin_to_read(slot: CertSlot, token: &TokenType) -> Option<PinKind> {
    match slot {
        CertSlot::Sign => Some(PinKind::Sign),
        CertSlot::Auth if token.auth_cert_needs_pin() => Some(PinKind::Auth),
        _ => None,
    }
}

/// The card holds a signature certificate (EF 0008 says so): checked
/// before the password is asked for or sent.
pub fn require_sign_cert(s: &mut Session) -> Result<()> {
    if jpki::availability(s)?.sign {
        Ok(())
    } else {
        Err(Error::Absent {
            slot: CertSlot::Sign,
        })
    }
}

fn read_slot(s: &mut Session, slot: CertSlot, with_ca: bool) -> Result<CertAndCa> {
    let missing = || Error::Absent { slot };
    if with_ca {
        return read_with_ca(s, slot)?.ok_or_else(missing);
    }
    Ok((jpki::read_cert(s, slot)?.ok_or_else(missing)?, None))
}

/// `read` at once (a card answers it without a PIN); only a token that
/// answers "security status not satisfied" is asked what it is: then the
/// PIN its kind wants before `slot` can be read (`Err`).
pub(super) fn read_unless_guarded<T>(
    s: &mut Session,
    slot: CertSlot,
    read: impl FnOnce(&mut Session) -> Result<T>,
) -> Result<std::result::Result<T, PinKind>> {
    match read(s) {
        Err(Error::UnexpectedStatus {
            sw: StatusWord::SecurityStatusNotSatisfied,
            ..
        }) => match pin_to_read(slot, &jpki::token(s)?) {
            Some(kind) => Ok(Err(kind)),
            None => Err(Error::UnexpectedStatus {
                command: "READ BINARY",
                sw: StatusWord::SecurityStatusNotSatisfied,
            }),
        },
        r => r.map(Ok),
    }
}

/// Read the certificate in `slot` (and, with `with_ca`, the card's CA
/// file). A certificate the token guards is read after its PIN, under the
/// usual policy (counter first, last try guarded); any other without one.
pub fn read(
    o: &CardOptions,
    slot: CertSlot,
    with_ca: bool,
    force_last_try: bool,
    asker: &mut dyn Asker,
) -> Result<CertAndCa> {
    let kind = match slot {
        CertSlot::Sign => PinKind::Sign,
        _ => {
            // Read straight away (two commands on a card); only a token
            // that answers "security status not satisfied" is asked what
            // it is, and read again after its PIN.
            let free = with_card(o, false, |s: &mut Session, meta: &CardMeta| {
                require_jpki(s, meta)?;
                read_unless_guarded(s, slot, |s| read_slot(s, slot, with_ca))
            })?;
            match free {
                Ok(c) => return Ok(c),
                Err(kind) => kind,
            }
        }
    };
    with_pins(
        o,
        force_last_try,
        &[Need::verify(kind)],
        asker,
        |s| match kind {
            PinKind::Sign => require_sign_cert(s),
            _ => Ok(()),
        },
        |s, _, pins, _| {
            for &r in kind.refs() {
                policy::verify(s, r, pins.get(kind, Which::Current)?)?;
            }
            read_slot(s, slot, with_ca)
        },
    )
}

/// What is shown about one certificate.
pub struct CertView {
    pub report: CertReport,
    /// Against the card's CA file (a certificate read from the card).
    pub chain: Option<ChainResult>,
    /// Against the anchors of `--ca`.
    pub anchors: Option<ChainResult>,
    pub provenance: Provenance,
    /// Whether the card's CA file is the root that issued it.
    pub card_ca_is_root: Option<bool>,
}

/// The view of `ee` on `date` (validity checked at `at`): its chain to the
/// card's CA file `card_ca` when given, to the anchors in `anchors` when
/// given, and who issued it by the built-in roots.
pub fn view(
    ee: &[u8],
    card_ca: Option<&[u8]>,
    anchors: Option<&Path>,
    date: time::Date,
    at: time::OffsetDateTime,
) -> Result<CertView> {
    let report = parse_der(ee, date).map_err(|e| Error::Cert(e.to_string()))?;
    let chain = match card_ca {
        Some(ca) => {
            Some(check_chain(ee, &[ca.to_vec()], at).map_err(|e| Error::Cert(e.to_string()))?)
        }
        None => None,
    };
    let anchors = match anchors {
        Some(p) => {
            let a = load_trust_anchors(p).map_err(|e| Error::Cert(e.to_string()))?;
            Some(check_chain(ee, &a, at).map_err(|e| Error::Cert(e.to_string()))?)
        }
        None => None,
    };
    let provenance = roots::provenance(ee, time::OffsetDateTime::now_utc());
    let card_ca_is_root = card_ca.and_then(|ca| roots::card_ca_is_root(ee, Some(ca), &provenance));
    Ok(CertView {
        report,
        chain,
        anchors,
        provenance,
        card_ca_is_root,
    })
}
