//! The card layer (`Session`, PIN module) on the in-process virtual card:
//! bytes on the wire, counters before and after.

use mynacard::apdu::Command;
use mynacard::card::pin::{self, CounterState, Pin};
use mynacard::card::policy;
use mynacard::card::{Addressing, Session};
use mynacard::error::{Error, Result};
use mynacard::protocol::App;
use mynacard::protocol::PinKind;
use mynacard::transport::inproc::InProcess;
use mynacard::transport::Transport;
use mynacard::vcard::{KeyRef, Profile, VirtualCard};
use std::sync::{Arc, Mutex};

/// A transport that records every command's bytes.
struct Recorder {
    inner: InProcess,
    sent: Vec<Vec<u8>>,
}

impl Transport for Recorder {
    fn transmit(&mut self, cmd: &Command) -> Result<mynacard::apdu::Response> {
        self.sent.push(cmd.to_bytes());
        self.inner.transmit(cmd)
    }
}

fn setup(extra: &str) -> (Arc<Mutex<VirtualCard>>, Recorder) {
    let p = Profile::from_toml(&format!("base = \"builtin\"\n{extra}")).unwrap();
    let card = Arc::new(Mutex::new(VirtualCard::new(&p).unwrap()));
    let t = Recorder {
        inner: InProcess::new(card.clone(), std::time::Duration::from_secs(30)),
        sent: vec![],
    };
    (card, t)
}

fn hex(b: &[u8]) -> String {
    hex::encode_upper(b)
}

#[test]
fn counters_are_read_with_case_1_queries_only() {
    let (card, mut t) = setup("");
    let before: Vec<u8> = KeyRef::ALL
        .iter()
        .map(|k| card.lock().unwrap().tries_left(*k))
        .collect();
    let st = pin::read_all(&mut Session::new(&mut t)).unwrap();
    let after: Vec<u8> = KeyRef::ALL
        .iter()
        .map(|k| card.lock().unwrap().tries_left(*k))
        .collect();
    assert_eq!(before, after);
    let left: Vec<Option<u8>> = st.iter().map(|s| s.remaining).collect();
    assert_eq!(left, [Some(5), Some(3), Some(3), Some(3)]);
    // Exactly the documented sequence: each AP selected once, the retry
    // query by SFI (P2 = 0x80|SFI), four bytes each.
    let sent: Vec<String> = t.sent.iter().map(|b| hex(b)).collect();
    assert_eq!(
        sent,
        [
            "00A4040C0AD392F000260100000001",
            "0020009B",
            "00200098",
            "00A4040C0AD3921000310001010408",
            "00200091",
            "00A4040C0AD3921000310001010401",
            "0020009C",
            "00A4040C0AD3921000310001010100",
            "0020009C",
        ]
    );
}

/// A PIN checked for `kind` (as the use cases make them).
fn checked_kind(kind: PinKind, pin: &str) -> mynacard::card::pin::CheckedPin {
    mynacard::card::pin::CheckedPin::check(kind, &Pin::new(pin.into()))
        .unwrap()
        .0
}

/// A PIN checked for the kind of `key`.
fn checked(key: KeyRef, pin: &str) -> mynacard::card::pin::CheckedPin {
    checked_kind(key.kind().unwrap(), pin)
}

/// Read the counter, apply the guard (`force`), then VERIFY once.
fn guarded(s: &mut Session, key: KeyRef, pin: &str, force: bool) -> Result<Vec<PinKind>> {
    let c = policy::read_counters(s, &[key])?;
    let last = c.check(force)?;
    policy::verify(s, key, &checked(key, pin))?;
    Ok(last)
}

#[test]
fn a_9000_answer_is_not_reported_never_zero_and_counts_as_the_last_try() {
    let (_card, mut t) = setup("[quirks]\nretry_query_ok_after_verify = true\n");
    let mut s = Session::new(&mut t);
    guarded(&mut s, KeyRef::Auth, "1234", false).unwrap();
    // An unknown count is guarded like the last try.
    let c = policy::read_counters(&mut s, &[KeyRef::Auth]).unwrap();
    assert!(matches!(
        c.check(false),
        Err(Error::LastTry { left: None, .. })
    ));
    assert_eq!(c.check(true).unwrap(), [PinKind::Auth]);
    let st = pin::read_all(&mut s).unwrap();
    let auth = &st[1];
    assert_eq!(auth.state, CounterState::NotReported);
    assert_eq!(auth.remaining, None);
    assert_eq!(st[0].state, CounterState::Ok);
}

#[test]
fn verify_reads_the_counter_first_and_sends_once() {
    let (card, mut t) = setup("");
    let r = guarded(&mut Session::new(&mut t), KeyRef::CardInfo, "0000", false);
    assert!(matches!(r, Err(Error::WrongPin { left: 2, .. })), "{r:?}");
    let sent: Vec<String> = t.sent.iter().map(|b| hex(b)).collect();
    assert_eq!(
        sent,
        [
            "00A4040C0AD3921000310001010408",
            "00200091",
            "002000910430303030",
        ]
    );
    assert_eq!(card.lock().unwrap().tries_left(KeyRef::CardInfo), 2);
}

#[test]
fn a_verify_by_sfi_refused_is_never_sent_again() {
    // The counter query by SFI works; the VERIFY by SFI is answered 6A86.
    let (card, mut t) = setup("[faults]\nstatus = \"6A86\"\nstatus_for = \"0020009804\"\n");
    let r = guarded(&mut Session::new(&mut t), KeyRef::Auth, "1234", false);
    assert!(
        matches!(
            r,
            Err(Error::UnexpectedStatus {
                command: "VERIFY",
                ..
            })
        ),
        "{r:?}"
    );
    let with_data = t
        .sent
        .iter()
        .filter(|b| b.len() > 4 && b[1] == 0x20)
        .count();
    assert_eq!(with_data, 1, "the PIN went out once");
    assert_eq!(card.lock().unwrap().tries_left(KeyRef::Auth), 3);
}

#[test]
fn last_try_needs_force() {
    let (card, mut t) = setup("[pins.auth]\ntries = 1\n");
    let mut s = Session::new(&mut t);
    // Without --force-last-try: refused, nothing sent but the query.
    assert!(matches!(
        guarded(&mut s, KeyRef::Auth, "0000", false),
        Err(Error::LastTry { left: Some(1), .. })
    ));
    assert_eq!(card.lock().unwrap().tries_left(KeyRef::Auth), 1);
    assert!(!t.sent.iter().any(|b| b.len() > 4 && b[1] == 0x20));
    let mut s = Session::new(&mut t);
    // Forced and wrong: this entry locked it, and the error says so.
    assert!(matches!(
        guarded(&mut s, KeyRef::Auth, "0000", true),
        Err(Error::LockedByThisEntry { .. })
    ));
    assert_eq!(card.lock().unwrap().tries_left(KeyRef::Auth), 0);
}

/// The resident-registry PIN's two references, changed from 1234 to 5678.
fn change_resident(extra: &str) -> (Arc<Mutex<VirtualCard>>, Result<()>) {
    let (card, mut t) = setup(extra);
    let mut s = Session::new(&mut t);
    let refs = PinKind::Resident.refs();
    let r = policy::read_counters(&mut s, refs)
        .and_then(|c| c.check(false))
        .and_then(|_| {
            policy::change(
                &mut s,
                PinKind::Resident,
                refs,
                &checked_kind(PinKind::Resident, "1234"),
                &checked_kind(PinKind::Resident, "5678"),
            )
        });
    (card, r)
}

/// Which PIN each reference holds now (by a VERIFY on a fresh session).
fn holds(card: &Arc<Mutex<VirtualCard>>, key: KeyRef, pin: &str) -> bool {
    let mut t = InProcess::new(card.clone(), std::time::Duration::from_secs(30));
    let mut s = Session::new(&mut t);
    s.select_ap(key.app()).unwrap();
    let ok = policy::verify(&mut s, key, &checked(key, pin)).is_ok();
    card.lock().unwrap().power_off();
    ok
}

#[test]
fn a_two_reference_pin_changes_on_both() {
    let (card, r) = change_resident("");
    r.unwrap();
    assert!(holds(&card, KeyRef::Juki, "5678"));
    assert!(holds(&card, KeyRef::Common, "5678"));
}

#[test]
fn a_two_reference_pin_is_refused_before_anything_if_either_is_at_its_last_try() {
    let (card, r) = change_resident("[pins.resident]\ncommon_tries = 1\n");
    assert!(matches!(r, Err(Error::LastTry { .. })), "{r:?}");
    // Nothing changed, no try spent.
    assert_eq!(card.lock().unwrap().tries_left(KeyRef::Juki), 3);
    assert_eq!(card.lock().unwrap().tries_left(KeyRef::Common), 1);
    assert!(holds(&card, KeyRef::Juki, "1234"));
}

#[test]
fn a_failed_second_change_undoes_the_first() {
    // The second CHANGE KEY (住基AP's, after the 共通AP's) is refused.
    let (card, r) =
        change_resident("[faults]\nstatus = \"6A80\"\nstatus_for = \"8032\"\nstatus_nth = 2\n");
    assert!(matches!(r, Err(Error::ChangeUndone { .. })), "{r:?}");
    assert!(holds(&card, KeyRef::Juki, "1234"));
    assert!(holds(&card, KeyRef::Common, "1234"));
}

#[test]
fn a_card_pulled_at_the_second_change_says_which_reference_holds_what() {
    // The APDUs of a full change, to find the second CHANGE KEY.
    let (_c, mut t) = setup("");
    let mut s = Session::new(&mut t);
    let refs = PinKind::Resident.refs();
    policy::read_counters(&mut s, refs).unwrap();
    policy::change(
        &mut s,
        PinKind::Resident,
        refs,
        &checked_kind(PinKind::Resident, "1234"),
        &checked_kind(PinKind::Resident, "5678"),
    )
    .unwrap();
    let nth = t.sent.iter().rposition(|b| b[..2] == [0x80, 0x32]).unwrap() + 1;
    let (card, r) = change_resident(&format!("[faults]\nremove_after = {nth}\n"));
    match r {
        Err(Error::ChangeHalfDone {
            new_on,
            old_on,
            unknown,
            ..
        }) => {
            assert_eq!(new_on, ["common-001c"]);
            assert!(old_on.is_empty());
            assert_eq!(unknown, Some("juki-001c"));
        }
        other => panic!("{other:?}"),
    }
    let c = card.lock().unwrap();
    assert!(c.is_removed());
}

#[test]
fn sfi_rejection_falls_back_to_select_and_remembers() {
    let (_card, mut t) = setup("[quirks]\nshort_ef_ids = false\n");
    let mut s = Session::new(&mut t);
    let st = pin::read_all(&mut s).unwrap();
    assert_eq!(s.addressing, Addressing::Select);
    assert_eq!(st[0].remaining, Some(5));
    assert_eq!(st[3].remaining, Some(3));
    let sent: Vec<String> = t.sent.iter().map(|b| hex(b)).collect();
    // One rejected SFI query, then SELECT EF + 00200080 for every key.
    assert_eq!(
        sent.iter()
            .filter(|c| c.starts_with("00200098") || c.starts_with("0020009B"))
            .count(),
        1
    );
    assert_eq!(sent.iter().filter(|c| *c == "00200080").count(), 5);
}

#[test]
fn certificate_reads_use_short_chunks_and_the_der_length() {
    let (card, mut t) = setup("");
    let mut s = Session::new(&mut t);
    s.select_ap(App::Jpki).unwrap();
    let der = mynacard::card::jpki::read_cert(&mut s, mynacard::card::jpki::CertSlot::Auth)
        .unwrap()
        .unwrap();
    assert_eq!(der, card.lock().unwrap().pki().auth_cert_der());
    let reads: Vec<&Vec<u8>> = t.sent.iter().filter(|b| b[1] == 0xB0).collect();
    assert_eq!(reads.len(), der.len().div_ceil(256));
    // The first by SFI, the rest by offset on the now-current EF.
    assert_eq!(reads[0][2], 0x8A);
    for (i, r) in reads.iter().enumerate().skip(1) {
        assert_eq!(u16::from_be_bytes([r[2], r[3]]) as usize, i * 256);
        assert!(r.len() == 5, "short APDU");
    }
}

#[test]
fn one_extended_read_where_the_card_takes_it() {
    let (card, mut t) = setup("[card]\nextended_length = true\n");
    let mut s = Session::new(&mut t);
    s.extended_length = true;
    s.select_ap(App::Jpki).unwrap();
    let der = mynacard::card::jpki::read_cert(&mut s, mynacard::card::jpki::CertSlot::Auth)
        .unwrap()
        .unwrap();
    assert!(s.extended_worked && !s.extended_refused);
    assert_eq!(der, card.lock().unwrap().pki().auth_cert_der());
    let sent: Vec<String> = t.sent.iter().map(|b| hex(b)).collect();
    assert_eq!(sent[1..], ["00B08A0000000000"[..14].to_string()]);
}

#[test]
fn extended_read_refused_falls_back_to_short_reads() {
    let (card, mut t) = setup("");
    let mut s = Session::new(&mut t);
    s.extended_length = true;
    s.select_ap(App::Jpki).unwrap();
    for slot in [
        mynacard::card::jpki::CertSlot::Auth,
        mynacard::card::jpki::CertSlot::AuthCa,
    ] {
        assert!(mynacard::card::jpki::read_cert(&mut s, slot)
            .unwrap()
            .is_some());
    }
    assert!(s.extended_refused && !s.extended_worked);
    let c = card.lock().unwrap();
    let want = c.pki().auth_cert_der().len().div_ceil(256) + c.pki().auth_ca.len().div_ceil(256);
    // One refused extended read (6700), then short reads only.
    let ext: Vec<&Vec<u8>> = t
        .sent
        .iter()
        .filter(|b| b.len() == 7 && b[1] == 0xB0)
        .collect();
    assert_eq!(ext.len(), 1);
    let short = t
        .sent
        .iter()
        .filter(|b| b.len() == 5 && b[1] == 0xB0)
        .count();
    assert_eq!(short, want);
}

#[test]
fn integrity_record_signature_checks_against_the_cv_certificate() {
    use mynacard::card::text;
    use mynacard::vcard::App;
    let c = VirtualCard::new(&Profile::builtin()).unwrap();
    let (ef1, ef2, ef3) = (
        c.ef(App::Text, 1).unwrap(),
        c.ef(App::Text, 2).unwrap(),
        c.ef(App::Text, 3).unwrap(),
    );
    let attrs = text::parse_attributes(ef2).unwrap();
    let good = text::check_integrity(ef3, ef2, &attrs, Some(ef1), c.ef(App::Text, 4)).unwrap();
    assert_eq!(good.signature_ok, Some(true));
    assert_eq!(good.number_hash_ok, Some(true));
    // Another AP's CV certificate: the signature does not verify.
    let other = text::check_integrity(ef3, ef2, &attrs, None, c.ef(App::Surface, 4)).unwrap();
    assert_eq!(other.signature_ok, Some(false));
    // A changed attribute: the hash no longer matches.
    // (The birth date's last digit, so the file still parses.)
    let mut moved = ef2.to_vec();
    let at = moved.windows(8).position(|w| w == b"19800217").unwrap() + 7;
    moved[at] = b'8';
    let a2 = text::parse_attributes(&moved).unwrap();
    assert_eq!(a2.birth_date_raw, "19800218");
    let r = text::check_integrity(ef3, &moved, &a2, None, None).unwrap();
    assert!(!r.attributes_hash_ok);
    assert_eq!(r.signature_ok, None);
    assert!(text::cv_public_key(&[0x7F, 0x21, 0x01, 0x00]).is_err());
}
