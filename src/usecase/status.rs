//! The status report as a use case: read the card once (no PIN, or the
//! signature password with `--with-sign`), parse each certificate once,
//! and hand the facts to the report's rules. Returns a model; the command
//! line presents it as text or JSON.

use super::connect::{with_card, CardMeta, CardOptions};
use super::holder::{compare_holder, Comparison};
use super::pins::{kind_of, password_not_used, with_pins, Asker, Need, Which};
use crate::card::common::{self, CardInfo};
use crate::card::jpki::{self, CertSlot, TokenType};
use crate::card::pin::{self, CheckedPin, PinStatus};
use crate::card::{policy, Session};
use crate::cert::chain::{check_chain, ChainStatus};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::protocol::{KeyRef, PinKind};
use crate::report::{self, CertFacts, Finding, Severity, Words};
use time::{Date, OffsetDateTime};

/// Why a certificate was not read or shown.
#[derive(Debug)]
pub enum Note {
    /// A smartphone certificate: reading it needs the user-authentication PIN.
    NeedsAuthPin,
    /// Reading it needs the signature password (`--with-sign`).
    NeedsSignPassword,
    /// The card's answer could not be used (the reason, English).
    Unreadable(String),
    /// `--with-sign` was asked for but the password could not be used
    /// (locked, last try, no source, wrong…): the rest of the report stands.
    PasswordNotUsed(Error),
}

/// One certificate of the report.
#[derive(Debug, Default)]
pub struct CertPart {
    pub present: bool,
    pub note: Option<Note>,
    /// Set when it was read and parsed.
    pub facts: Option<CertFacts>,
    pub subject: Option<String>,
    pub sha256_fingerprint: Option<String>,
    /// What its chain was checked against (None: not checked).
    pub chain_against: Option<Against>,
}

/// What a certificate's chain was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    /// The card's CA file (EF 0002 / 000B), read in this run.
    CardCa,
    /// The built-in J-LIS root its key identifier names and whose key
    /// verifies it: the card's CA file was not read.
    JlisRoot,
}

/// A certificate read from the card, the CA certificate its chain is
/// checked against, and where that CA came from.
struct Got {
    ee: Vec<u8>,
    ca: Option<Vec<u8>>,
    against: Against,
}

impl CertPart {
    pub fn read(&self) -> bool {
        self.facts.is_some()
    }
}

/// The report's model.
#[derive(Debug)]
pub struct Status {
    pub today: Date,
    pub token: TokenType,
    pub card: Option<CardInfo>,
    pub auth: CertPart,
    pub sign: CertPart,
    pub pins: Vec<PinStatus>,
    pub findings: Vec<Finding>,
    pub worst: Option<Severity>,
    /// `--with-card-info`: the signature certificate's name and address
    /// match the card's record (None: not compared).
    pub sign_matches_card: Option<bool>,
    /// The facts the findings came from, so that a presenter can word them
    /// in the other language too (`watch`'s language key).
    pub facts: report::Input,
}

/// What the card gave.
struct Read {
    token: TokenType,
    card: Option<CardInfo>,
    sign_present: bool,
    auth_present: bool,
    auth: Option<Got>,
    sign: Option<Got>,
    pins: Vec<PinStatus>,
    /// Parts the card would not give: (subject, what went wrong).
    unreadable: Vec<(String, String)>,
    /// The signature certificate against the card's record.
    holder: Option<Comparison>,
}

/// A part of the report that failed because of the card's data or an
/// unexpected status word is left out (and reported) instead of losing the
/// whole report; a pulled card, a timeout or a PC/SC failure still ends it.
fn part<T>(r: Result<T>, subject: &str, bad: &mut Vec<(String, String)>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e @ (Error::UnexpectedStatus { .. } | Error::Data(_))) => {
            bad.push((subject.to_string(), e.to_string()));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The CA certificate to check `ee` against: the built-in J-LIS root that
/// provably issued it (the card's CA file is then not read), else the
/// card's CA file; a failure of the CA's read is the CA's.
fn with_ca(
    s: &mut Session,
    slot: CertSlot,
    ee: Vec<u8>,
    bad: &mut Vec<(String, String)>,
) -> Result<Got> {
    let root = |ee: &[u8]| crate::cert::roots::builtin_issuer(ee).map(|r| r.der.to_vec());
    with_ca_by(s, slot, ee, bad, &root)
}

/// `with_ca` with the built-in issuer lookup given (tests give their own).
fn with_ca_by(
    s: &mut Session,
    slot: CertSlot,
    ee: Vec<u8>,
    bad: &mut Vec<(String, String)>,
    builtin: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
) -> Result<Got> {
    if let Some(root) = builtin(&ee) {
        return Ok(Got {
            ee,
            ca: Some(root),
            against: Against::JlisRoot,
        });
    }
    let ca = match slot.ca() {
        Some(ca_slot) => {
            let name = match ca_slot {
                CertSlot::SignCa => "sign_ca_cert",
                _ => "auth_ca_cert",
            };
            part(jpki::read_cert(s, ca_slot), name, bad)?.flatten()
        }
        None => None,
    };
    Ok(Got {
        ee,
        ca,
        against: Against::CardCa,
    })
}

/// A certificate read whole, and the CA certificate to check it against.
fn cert_part(
    s: &mut Session,
    slot: CertSlot,
    bad: &mut Vec<(String, String)>,
) -> Result<Option<Got>> {
    let subject = match slot {
        CertSlot::Sign => "sign_cert",
        _ => "auth_cert",
    };
    let Some(ee) = part(jpki::read_cert(s, slot), subject, bad)?.flatten() else {
        return Ok(None);
    };
    with_ca(s, slot, ee, bad).map(Some)
}

fn read_card(
    s: &mut Session,
    meta: &CardMeta,
    password: Option<&CheckedPin>,
    card_info: Option<&CheckedPin>,
) -> Result<Read> {
    if !jpki::select(s)? {
        return Err(super::connect::not_my_number_card(meta));
    }
    let avail = jpki::availability(s)?;
    let mut bad = Vec::new();
    // The token says which kind of card this is: read every time.
    let token = jpki::token(s)?;
    // The Android smartphone token wants the auth PIN before the
    // certificate; status sends no PIN, so it says so instead.
    let auth = match avail.auth && !token.auth_cert_needs_pin() {
        true => cert_part(s, CertSlot::Auth, &mut bad)?,
        false => None,
    };
    let sign = match (password, avail.sign) {
        (Some(p), true) => {
            policy::verify(s, KeyRef::Sign, p)?;
            cert_part(s, CertSlot::Sign, &mut bad)?
        }
        _ => None,
    };
    let holder = match (&sign, card_info) {
        (Some(got), Some(pin)) => Some(compare_holder(s, &got.ee, pin)?),
        _ => None,
    };
    let pins = part(pin::read_all(s), "pins", &mut bad)?.unwrap_or_default();
    // read_all leaves the 共通AP selected: the record costs one APDU.
    let card = part(common::read_card_info(s), "card", &mut bad)?.flatten();
    Ok(Read {
        token,
        card,
        sign_present: avail.sign,
        auth_present: avail.auth,
        auth,
        sign,
        pins,
        unreadable: bad,
        holder,
    })
}

/// Parse one certificate (once) for the report; its chain to the CA it
/// was read with. Whether the card's CA file is the root is said only when
/// that file was read.
fn facts(got: &Got, today: Date, at: OffsetDateTime) -> Result<CertPart> {
    let (ee, ca) = (got.ee.as_slice(), got.ca.as_deref());
    let provenance = crate::cert::roots::provenance(ee, OffsetDateTime::now_utc());
    let card_ca_is_root = match got.against {
        Against::CardCa => crate::cert::roots::card_ca_is_root(ee, ca, &provenance),
        Against::JlisRoot => None,
    };
    let r = crate::cert::parse_der(ee, today)
        .map_err(|e| Error::Data(format!("certificate on the card does not parse: {e}")))?;
    let date = |s: &str| crate::rules::parse_yyyymmdd(&s[..10.min(s.len())].replace('-', ""));
    let (Some(nb), Some(na)) = (date(&r.not_before_jst), date(&r.not_after_jst)) else {
        return Err(Error::Data(
            "certificate validity dates do not parse".into(),
        ));
    };
    let chain: Option<ChainStatus> = match ca {
        Some(ca) => Some(
            check_chain(ee, &[ca.to_vec()], at)
                .map_err(|e| Error::Data(e.to_string()))?
                .status,
        ),
        None => None,
    };
    let birth = r
        .holder
        .as_ref()
        .and_then(|h| h.date_of_birth.as_ref())
        .and_then(|d| common::parse_yyyymmdd(&d.date.replace('-', "")));
    Ok(CertPart {
        present: true,
        note: None,
        facts: Some(CertFacts {
            not_before: nb,
            not_after: na,
            chain,
            birth,
            provenance,
            card_ca_is_root,
        }),
        subject: Some(r.subject),
        sha256_fingerprint: Some(r.sha256_fingerprint.to_uppercase()),
        chain_against: chain.map(|_| got.against),
    })
}

/// An error's message in both languages.
fn words_of(e: &Error) -> Words {
    Words::new(e.message(Lang::Ja), e.message(Lang::En))
}

/// How the report is asked for.
pub struct Request<'a> {
    pub today: Date,
    /// The instant for validity checks (now, or noon JST of `--today`).
    pub at: OffsetDateTime,
    /// `--with-sign`: where the password comes from, and `--force-last-try`.
    pub sign: Option<(&'a mut dyn Asker, bool)>,
    /// `--with-card-info` (with `--with-sign`): compare the signature
    /// certificate with the card's record, with the card-info PIN from the
    /// same asker.
    pub compare_holder: bool,
    /// The language of the findings' texts.
    pub lang: Lang,
}

/// The comparison with the card's record: the fields that differ, or why
/// there is none (`unread`: it was asked for, but the signature
/// certificate was not read).
fn holder_outcome(
    comparison: Option<Comparison>,
    not_used: Option<Error>,
    unread: bool,
) -> (Option<Vec<report::HolderField>>, Option<Words>) {
    match (comparison, not_used) {
        (Some(Comparison::Differs(f)), _) => (Some(f), None),
        (Some(Comparison::PinNotUsed(e)), _) | (None, Some(e)) => (None, Some(words_of(&e))),
        (Some(Comparison::NoHolder), _) => (
            None,
            Some(Words::new(
                "署名用電子証明書に氏名・住所がありません",
                "the signature certificate carries no name or address",
            )),
        ),
        (None, None) if unread => (
            None,
            Some(Words::new(
                "署名用電子証明書を読んでいません",
                "the signature certificate was not read",
            )),
        ),
        (None, None) => (None, None),
    }
}

/// Read the card and make the report.
pub fn status(o: &CardOptions, req: Request<'_>) -> Result<Status> {
    let mut not_used = None;
    let mut holder_not_used = None;
    let plain = |s: &mut Session, meta: &CardMeta| read_card(s, meta, None, None);
    let read = match req.sign {
        Some((asker, force)) => {
            let mut compare = req.compare_holder;
            loop {
                let mut needs = vec![Need::verify(PinKind::Sign)];
                if compare {
                    needs.push(Need::verify(PinKind::CardInfo));
                }
                let r = with_pins(
                    o,
                    force,
                    &needs,
                    asker,
                    |_| Ok(()),
                    |s, meta, pins, _| {
                        let info = match compare {
                            true => Some(pins.get(PinKind::CardInfo, Which::Current)?),
                            false => None,
                        };
                        let sign = pins.get(PinKind::Sign, Which::Current)?;
                        read_card(s, meta, Some(sign), info)
                    },
                );
                match r {
                    // Refused before anything was sent: the card-info PIN
                    // alone is left out, the signature password still used.
                    // A token without the 入力補助AP (smartphone, 住基カード)
                    // has no record to compare with: said, the rest stands.
                    Err(e)
                        if compare
                            && (kind_of(&e) == Some(PinKind::CardInfo)
                                || matches!(e, Error::NotOnToken { .. })) =>
                    {
                        holder_not_used = Some(e);
                        compare = false;
                    }
                    Err(e) if password_not_used(&e) => {
                        not_used = Some(e);
                        break with_card(o, false, plain)?;
                    }
                    r => break r?,
                }
            }
        }
        None => with_card(o, false, plain)?,
    };
    let holder = holder_outcome(
        read.holder,
        holder_not_used,
        req.compare_holder && not_used.is_some(),
    );
    let mut unreadable = read.unreadable;
    let mut one = |c: &Option<Got>, subject: &str| -> Result<CertPart> {
        let Some(got) = c else {
            return Ok(CertPart::default());
        };
        Ok(part(facts(got, req.today, req.at), subject, &mut unreadable)?.unwrap_or_default())
    };
    let mut auth = one(&read.auth, "auth_cert")?;
    let mut sign = one(&read.sign, "sign_cert")?;
    auth.present = read.auth_present;
    sign.present = read.sign_present;
    if auth.present && !auth.read() && read.token.auth_cert_needs_pin() {
        auth.note = Some(Note::NeedsAuthPin);
    }
    if sign.present && !sign.read() {
        sign.note = Some(match not_used {
            Some(e) => Note::PasswordNotUsed(e),
            None => Note::NeedsSignPassword,
        });
    }
    for (subject, why) in &unreadable {
        let p = match subject.as_str() {
            "auth_cert" => &mut auth,
            "sign_cert" => &mut sign,
            _ => continue,
        };
        p.note = Some(Note::Unreadable(why.clone()));
    }
    let sign_refused = match &sign.note {
        Some(Note::PasswordNotUsed(e)) => Some(words_of(e)),
        _ => None,
    };
    let input = report::Input {
        today: req.today,
        token: read.token.clone(),
        card_expiry: read.card.as_ref().map(|c| c.expiry),
        auth_present: read.auth_present,
        auth: auth.facts.clone(),
        sign_present: read.sign_present,
        sign: sign.facts.clone(),
        pins: read.pins.clone(),
        birth: sign.facts.as_ref().and_then(|f| f.birth),
        unreadable,
        sign_refused,
        holder_differs: holder.0.clone(),
        holder_refused: holder.1,
    };
    let findings = report::findings(&input);
    let facts = input.clone();
    let worst = report::worst(&findings);
    Ok(Status {
        today: req.today,
        token: read.token,
        card: read.card,
        auth,
        sign,
        pins: read.pins,
        findings,
        worst,
        sign_matches_card: holder.0.map(|f| f.is_empty()),
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::inproc::InProcess;
    use crate::transport::Transport;
    use crate::vcard::{Profile, VirtualCard};
    use std::sync::{Arc, Mutex};

    /// Counts the commands sent.
    struct Counted(InProcess, Arc<Mutex<usize>>);

    impl Transport for Counted {
        fn transmit(&mut self, cmd: &crate::apdu::Command) -> Result<crate::apdu::Response> {
            *self.1.lock().unwrap() += 1;
            self.0.transmit(cmd)
        }
    }

    /// A certificate whose issuer is built in is checked against that root
    /// and the card's CA file is not read; the report then says nothing
    /// about the card's CA file. Any other issuer: the card's file.
    #[test]
    fn a_built_in_issuer_skips_the_cards_ca_file() {
        let card = VirtualCard::new(&Profile::builtin()).unwrap();
        let ca = card.pki().auth_ca.clone();
        let ee = card.pki().auth_cert_der().to_vec();
        let card = Arc::new(Mutex::new(card));
        let sent = Arc::new(Mutex::new(0));
        let mut t = Counted(
            InProcess::new(card, std::time::Duration::from_secs(30)),
            sent.clone(),
        );
        let mut s = Session::new(&mut t);
        let mut bad = Vec::new();
        let today = time::macros::date!(2026 - 11 - 25);
        let at = time::macros::datetime!(2026-11-25 03:00 UTC);
        for (root, against) in [
            (Some(ca.clone()), Against::JlisRoot),
            (None, Against::CardCa),
        ] {
            let before = *sent.lock().unwrap();
            let lookup = |_: &[u8]| root.clone();
            let got = with_ca_by(&mut s, CertSlot::Auth, ee.clone(), &mut bad, &lookup).unwrap();
            assert_eq!(got.against, against);
            assert_eq!(got.ca.as_deref(), Some(ca.as_slice()));
            let read = *sent.lock().unwrap() - before;
            assert_eq!(read == 0, against == Against::JlisRoot, "{read} APDUs");
            let part = facts(&got, today, at).unwrap();
            assert_eq!(part.chain_against, Some(against));
            let f = part.facts.unwrap();
            assert_eq!(f.chain, Some(ChainStatus::Valid));
            if against == Against::JlisRoot {
                assert_eq!(f.card_ca_is_root, None);
            }
        }
        assert!(bad.is_empty());
    }
}
