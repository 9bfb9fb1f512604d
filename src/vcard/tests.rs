//! The virtual card against card-protocol.md, byte by byte.

use super::*;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPublicKey};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn card() -> VirtualCard {
    VirtualCard::new(&Profile::builtin()).unwrap()
}

fn card_with(from: &str, to: &str) -> VirtualCard {
    assert!(BUILTIN_PROFILE_TOML.contains(from), "{from}");
    VirtualCard::new(&Profile::from_toml(&BUILTIN_PROFILE_TOML.replacen(from, to, 1)).unwrap())
        .unwrap()
}

/// Send hex, return the answer as "DATA SW" hex (upper case, no spaces).
fn tx(c: &mut VirtualCard, apdu: &str) -> String {
    hex::encode_upper(c.process(&h(apdu)))
}

fn sw_of(c: &mut VirtualCard, apdu: &str) -> String {
    let r = tx(c, apdu);
    r[r.len() - 4..].to_string()
}

const SEL_JPKI: &str = "00A4040C0AD392F000260100000001";
const SEL_TEXT: &str = "00A4040C0AD3921000310001010408";
const SEL_SURFACE: &str = "00A4040C0AD3921000310001010402";
const SEL_COMMON: &str = "00A4040C0AD3921000310001010100";
const SEL_JUKI: &str = "00A4040C0AD3921000310001010401";

fn verify_hex(pin: &str) -> String {
    format!("00200080{:02X}{}", pin.len(), hex::encode_upper(pin))
}

#[test]
fn select_and_identify() {
    let mut c = card();
    assert_eq!(sw_of(&mut c, SEL_JPKI), "9000");
    assert_eq!(sw_of(&mut c, "00A4020C020006"), "9000");
    let r = h(&tx(&mut c, "00B0000020"));
    assert_eq!(&r[..15], b"JPKIAPICCTOKEN2");
    assert_eq!(&r[32..], [0x90, 0x00]);
    // Token EF by SFI, and the availability EF.
    assert_eq!(tx(&mut c, "00B0880003"), "8F8F009000");
    for aid in [SEL_TEXT, SEL_SURFACE, SEL_COMMON, SEL_JUKI] {
        assert_eq!(sw_of(&mut c, aid), "9000", "{aid}");
    }
    // Unknown AID, unknown EF, unknown INS, wrong length, bad P1P2.
    assert_eq!(sw_of(&mut c, "00A4040007A0000000030000"), "6A82");
    assert_eq!(sw_of(&mut c, "00A4020C020099"), "6A82");
    assert_eq!(sw_of(&mut c, "00FF0000"), "6D00");
    assert_eq!(sw_of(&mut c, "00A4020C03000102"), "6700");
    assert_eq!(sw_of(&mut c, "00A4080C020001"), "6A86");
    assert_eq!(sw_of(&mut c, "00A4"), "6700");
    assert_eq!(
        sw_of(&mut c, "00A4040C05D392F00026"),
        "9000",
        "prefix select"
    );
    // Logical channel, secure messaging, class.
    assert_eq!(sw_of(&mut c, "01A4040C0AD392F000260100000001"), "6881");
    assert_eq!(sw_of(&mut c, "0CA4040C0AD392F000260100000001"), "6882");
    assert_eq!(sw_of(&mut c, "0CB0000004"), "69FC");
    assert_eq!(sw_of(&mut c, "A0A4040C0AD392F000260100000001"), "6E00");
}

#[test]
fn mf_select_quirks() {
    let mut c = card();
    assert_eq!(sw_of(&mut c, "00A40000"), "6A86", "cold: no DF");
    assert_eq!(sw_of(&mut c, "00A4000C023F00"), "6A82");
    assert_eq!(sw_of(&mut c, SEL_JPKI), "9000");
    assert_eq!(sw_of(&mut c, "00A40000"), "9000");
    // Still in the JPKI AP.
    assert_eq!(tx(&mut c, "00B0880003"), "8F8F009000");
}

#[test]
fn read_binary_offsets_and_end_of_file() {
    let mut c = card();
    tx(&mut c, SEL_JPKI);
    let der = c.pki().auth_cert_der().to_vec();
    assert_eq!(sw_of(&mut c, "00A4020C02000A"), "9000");
    // Header, then a middle chunk at offset 0x100.
    assert_eq!(h(&tx(&mut c, "00B0000004"))[..4], der[..4]);
    let r = h(&tx(&mut c, "00B0010010"));
    assert_eq!(r[..16], der[256..272]);
    // Past the end: 6B00; a read running over the end: the rest and 9000,
    // as the real card answers (JICSAP 6.4.1).
    let n = der.len();
    assert_eq!(sw_of(&mut c, &format!("00B0{:04X}01", n)), "6B00");
    let r = h(&tx(&mut c, &format!("00B0{:04X}00", n - 3)));
    assert_eq!(r, [&der[n - 3..], &[0x90, 0x00][..]].concat());
    // Extended Le is refused unless the profile enables it.
    assert_eq!(sw_of(&mut c, "00B08A00000000"), "6700");
    // READ BINARY with data, or without Le: wrong length.
    assert_eq!(sw_of(&mut c, "00B0000001FF"), "6700");
    assert_eq!(sw_of(&mut c, "00B00000"), "6700");
    // A record EF and a PIN IEF are not binary files.
    assert_eq!(sw_of(&mut c, "00A4020C020018"), "9000");
    assert_eq!(sw_of(&mut c, "00B0000001"), "6981");
}

#[test]
fn extended_length_when_enabled() {
    let mut c = card_with(
        "expiry = \"derived\"\n\n[pins",
        "expiry = \"derived\"\nextended_length = true\n\n[pins",
    );
    tx(&mut c, SEL_JPKI);
    let der = c.pki().auth_cert_der().to_vec();
    let r = h(&tx(&mut c, "00B08A00000000"));
    assert_eq!(&r[..r.len() - 2], der.as_slice());
    assert_eq!(&r[r.len() - 2..], [0x90, 0x00]);
    let r = h(&tx(&mut c, &format!("00B08A0000{:04X}", der.len())));
    assert_eq!(&r[r.len() - 2..], [0x90, 0x00]);
}

#[test]
fn sign_certificate_needs_the_password() {
    let mut c = card();
    tx(&mut c, SEL_JPKI);
    assert_eq!(sw_of(&mut c, "00A4020C020001"), "9000");
    assert_eq!(sw_of(&mut c, "00B0000004"), "6982");
    assert_eq!(sw_of(&mut c, "00B0810004"), "6982");
    assert_eq!(sw_of(&mut c, "00A4020C02001B"), "9000");
    assert_eq!(sw_of(&mut c, &verify_hex("TEST1234")), "9000");
    let der = c.pki().sign_cert_der().to_vec();
    assert_eq!(
        h(&tx(&mut c, "00B0810004")),
        [&der[..4], &[0x90, 0x00][..]].concat()
    );
    // Leaving the AP drops the verified state.
    tx(&mut c, SEL_TEXT);
    tx(&mut c, SEL_JPKI);
    assert_eq!(sw_of(&mut c, "00B0810004"), "6982");
}

#[test]
fn retry_counters_lockout_and_reset_on_success() {
    let mut c = card();
    tx(&mut c, SEL_JPKI);
    // Retry query by SFI and after SELECT: case 1, nothing spent.
    assert_eq!(tx(&mut c, "00200098"), "63C3");
    assert_eq!(tx(&mut c, "00A4020C02001B"), "9000");
    assert_eq!(tx(&mut c, "00200080"), "63C5");
    assert_eq!(tx(&mut c, "00200080"), "63C5");
    // With an Le it is a case-2 APDU: rejected.
    assert_eq!(tx(&mut c, "0020008000"), "6700");
    assert_eq!(c.tries_left(KeyRef::Sign), 5);
    // Wrong, wrong, right: the counter comes back to 5.
    assert_eq!(tx(&mut c, &verify_hex("WRONG1")), "63C4");
    assert_eq!(tx(&mut c, &verify_hex("wrong1")), "63C3");
    assert_eq!(tx(&mut c, &verify_hex("TEST1234")), "9000");
    assert_eq!(tx(&mut c, "00200080"), "63C5");
    // Lock the auth PIN: 63C2, 63C1, 63C0, then 6984 to every VERIFY and
    // 63C0 to the query.
    assert_eq!(
        tx(&mut c, "00200098040000000000"[..18].to_string().as_str()),
        "63C2"
    );
    assert_eq!(tx(&mut c, "002000980439393939"), "63C1");
    assert_eq!(tx(&mut c, "002000980439393939"), "63C0");
    assert_eq!(tx(&mut c, "002000980431323334"), "6984");
    assert_eq!(tx(&mut c, "00200098"), "63C0");
    assert_eq!(c.tries_left(KeyRef::Auth), 0);
    assert_eq!(c.tries_left(KeyRef::Sign), 5);
    // The blocked-from-issuance key of the 入力補助AP.
    tx(&mut c, SEL_TEXT);
    assert_eq!(tx(&mut c, "00200092"), "63C0");
    assert_eq!(tx(&mut c, "002000920431323334"), "6984");
}

#[test]
fn retry_query_after_verify_quirk() {
    let mut c = card_with(
        "[pins.sign]",
        "[quirks]\nretry_query_ok_after_verify = true\n\n[pins.sign]",
    );
    tx(&mut c, SEL_JPKI);
    assert_eq!(tx(&mut c, "002000980431323334"), "9000");
    assert_eq!(tx(&mut c, "00200098"), "9000");
    // Verified state survives a warm reset (the real card's behaviour) but
    // not a power-off.
    c.reset();
    tx(&mut c, SEL_JPKI);
    assert_eq!(tx(&mut c, "00200098"), "9000");
    c.power_off();
    tx(&mut c, SEL_JPKI);
    assert_eq!(tx(&mut c, "00200098"), "63C3");
}

#[test]
fn text_ap_attributes_number_and_integrity() {
    let mut c = card();
    tx(&mut c, SEL_TEXT);
    assert_eq!(sw_of(&mut c, "00B0820000"), "6982");
    assert_eq!(tx(&mut c, "00200091"), "63C3");
    assert_eq!(tx(&mut c, "002000910431323334"), "9000");
    let ef2 = h(&tx(&mut c, "00B0820000"));
    assert_eq!(&ef2[ef2.len() - 2..], [0x90, 0x00]);
    assert_eq!(&ef2[..ef2.len() - 2], c.ef(App::Text, 2).unwrap());
    assert_eq!(
        tx(&mut c, "00B0810011"),
        "FF100C353337363836363737313838FFFF9000"
    );
    assert!(c.last_response_personal());
    // bext's form: the 12 digits straight from offset 3.
    assert_eq!(tx(&mut c, "00B081030C"), "3533373638363637373138389000");
    // Integrity record: hashes match and the AP key signature verifies.
    let mut ef3 = h(&tx(&mut c, "00B0830000"));
    ef3.truncate(256);
    let rest = h(&tx(&mut c, "00B0010050"));
    ef3.extend_from_slice(&rest[..rest.len() - 2]);
    let ef3 = ef3.as_slice();
    assert_eq!(ef3.len(), 336);
    let ef1 = c.ef(App::Text, 1).unwrap();
    assert_eq!(&ef3[8..40], Sha256::digest(ef1).as_slice());
    let ef2 = c.ef(App::Text, 2).unwrap();
    assert_eq!(&ef3[43..75], Sha256::digest(&ef2[14..]).as_slice());
    let pk = RsaPublicKey::from(super::pki::TEXT_AP.rsa().unwrap());
    let digest = Sha256::digest(&ef3[5..75]);
    pk.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, &ef3[80..])
        .unwrap();
    // 照合番号B opens 0002 but not 0001.
    let mut c = card();
    tx(&mut c, SEL_TEXT);
    assert_eq!(
        tx(
            &mut c,
            &format!("00200095{:02X}{}", 14, hex::encode_upper("55021720352285"))
        ),
        "9000"
    );
    assert_eq!(sw_of(&mut c, "00B0820004"), "9000");
    assert_eq!(sw_of(&mut c, "00B0810004"), "6982");
}

#[test]
fn common_record_without_pin() {
    let mut c = card();
    tx(&mut c, SEL_COMMON);
    let want = "011C".to_string()
        + &hex::encode_upper("400000012719843".to_string() + "13221" + "20350217")
        + "9000";
    assert_eq!(tx(&mut c, "00B2010C00"), want);
    assert_eq!(tx(&mut c, "00A4020C020001"), "9000");
    assert_eq!(tx(&mut c, "00B2010400"), want);
    assert_eq!(tx(&mut c, "00B2020400"), "6A83");
    assert_eq!(tx(&mut c, "00B0000004"), "6981");
    assert_eq!(tx(&mut c, "00B2010401"), "6C1E");
    assert_eq!(tx(&mut c, "0020009C"), "63C3");
}

#[test]
fn change_reference_data_and_change_key() {
    let mut c = card();
    tx(&mut c, SEL_TEXT);
    tx(&mut c, "00A4020C020011");
    // Without VERIFY: refused.
    assert_eq!(tx(&mut c, "002401800435363738"), "6982");
    assert_eq!(tx(&mut c, &verify_hex("1234")), "9000");
    // Malformed new PIN: refused, the old one stays.
    assert_eq!(tx(&mut c, "0024018003353637"), "6A80");
    assert_eq!(tx(&mut c, "002401800435363738"), "9000");
    c.power_off();
    tx(&mut c, SEL_TEXT);
    assert_eq!(tx(&mut c, "002000910431323334"), "63C2");
    assert_eq!(tx(&mut c, "002000910435363738"), "9000");
    // 住基: CHANGE KEY, not CHANGE REFERENCE DATA.
    tx(&mut c, SEL_JUKI);
    assert_eq!(tx(&mut c, "0020009C0431323334"), "9000");
    tx(&mut c, "00A4020C02001C");
    assert_eq!(tx(&mut c, "002401800435363738"), "6985");
    assert_eq!(tx(&mut c, "803200800435363738"), "9000");
    assert_eq!(tx(&mut c, "0020009C0435363738"), "9000");
    // The 共通 reference is separate and still has the old value.
    tx(&mut c, SEL_COMMON);
    assert_eq!(tx(&mut c, "0020009C0431323334"), "9000");
}

#[test]
fn jpki_sign_produces_a_real_pkcs1_signature() {
    let mut c = card();
    tx(&mut c, SEL_JPKI);
    let di = [pki::SHA256_DIGEST_INFO, &Sha256::digest(b"hello")].concat();
    let cmd = format!("802A0080{:02X}{}00", di.len(), hex::encode_upper(&di));
    // Before the VERIFY: refused.
    tx(&mut c, "00A4020C020017");
    assert_eq!(sw_of(&mut c, &cmd), "6982");
    assert_eq!(tx(&mut c, "002000980431323334"), "9000");
    tx(&mut c, "00A4020C020017");
    let r = h(&tx(&mut c, &cmd));
    assert_eq!(r.len(), 258);
    assert_eq!(&r[256..], [0x90, 0x00]);
    // Verify against the certificate's public key.
    let (_, cert) = x509_parser::parse_x509_certificate(c.pki().auth_cert_der()).unwrap();
    let pk = match cert.public_key().parsed().unwrap() {
        x509_parser::public_key::PublicKey::RSA(k) => RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(k.modulus),
            rsa::BigUint::from_bytes_be(k.exponent),
        )
        .unwrap(),
        _ => panic!("not RSA"),
    };
    assert_eq!(
        pk.n(),
        RsaPublicKey::from(super::pki::AUTH_EE.rsa().unwrap()).n()
    );
    pk.verify(
        Pkcs1v15Sign::new::<sha2::Sha256>(),
        &Sha256::digest(b"hello"),
        &r[..256],
    )
    .unwrap();
    // Key by SFI in P2 (802A0097), scheme 03 (card hashes and wraps).
    let r = h(&tx(
        &mut c,
        &format!("802A0397{:02X}{}00", 5, hex::encode_upper("hello")),
    ));
    pk.verify(
        Pkcs1v15Sign::new::<sha2::Sha256>(),
        &Sha256::digest(b"hello"),
        &r[..256],
    )
    .unwrap();
    // Unknown scheme, PSS not modelled.
    assert_eq!(sw_of(&mut c, "802A0797020102"), "6A86");
}

#[test]
fn get_data_at_mf_level() {
    let mut c = card();
    assert_eq!(
        tx(&mut c, "00CA00F200"),
        hex::encode_upper("20350217") + "9000"
    );
    assert_eq!(
        tx(&mut c, "00CA00F000"),
        hex::encode_upper("13221") + "9000"
    );
    // Large object: short Le refused, extended accepted.
    assert_eq!(sw_of(&mut c, "00CA00F800"), "6700");
    let r = h(&tx(&mut c, "00CA00F8000000"));
    assert_eq!(&r[..2], [0x7F, 0x21]);
    // With an AP selected only 5F51 answers; the ISD brings back the MF.
    tx(&mut c, SEL_JPKI);
    assert_eq!(sw_of(&mut c, "00CA00F200"), "6A88");
    assert!(tx(&mut c, "00CA5F5100").starts_with("DA13FF"));
    assert_eq!(sw_of(&mut c, "00A4040C07A0000001510000"), "9000");
    assert_eq!(sw_of(&mut c, "00CA00F200"), "9000");
    // GET CHALLENGE: short only.
    assert_eq!(h(&tx(&mut c, "0084000010")).len(), 18);
    assert_eq!(sw_of(&mut c, "00840000000010"), "6985");
    assert_eq!(sw_of(&mut c, "80FC0000"), "6700");
}

#[test]
fn state_file_keeps_counters_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.json");
    let mut c = card().with_state_file(&path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    tx(&mut c, SEL_JPKI);
    for _ in 0..3 {
        tx(&mut c, "002000980439393939");
    }
    drop(c);
    let mut c = card().with_state_file(&path).unwrap();
    assert_eq!(c.tries_left(KeyRef::Auth), 0);
    tx(&mut c, SEL_JPKI);
    assert_eq!(tx(&mut c, "002000980431323334"), "6984");
    // A corrupt state file is an error that names the file.
    std::fs::write(&path, "{nonsense").unwrap();
    let e = card().with_state_file(&path).err().unwrap().to_string();
    assert!(e.contains("card.json"), "{e}");
}

#[test]
fn faults() {
    let mut c = card_with("[pins.sign]", "[faults]\nremove_after = 3\n\n[pins.sign]");
    assert_eq!(sw_of(&mut c, SEL_JPKI), "9000");
    assert_eq!(sw_of(&mut c, "00200098"), "63C3");
    assert!(c.process(&h("00200098")).is_empty());
    assert!(c.is_removed());
    assert!(c.process(&h("00200098")).is_empty());
    c.power_on();
    assert_eq!(sw_of(&mut c, SEL_JPKI), "9000");
    let mut c = card_with(
        "[pins.sign]",
        "[faults]\nstatus = \"6F00\"\nstatus_for = \"0020\"\n\n[pins.sign]",
    );
    tx(&mut c, SEL_JPKI);
    assert_eq!(tx(&mut c, "002000980439393939"), "6F00");
    assert_eq!(
        c.tries_left(KeyRef::Auth),
        3,
        "a faulted command is not executed"
    );
    let mut c = card_with("[pins.sign]", "[faults]\ntruncate_to = 10\n\n[pins.sign]");
    tx(&mut c, SEL_JPKI);
    assert_eq!(h(&tx(&mut c, "00B08A0000")).len(), 12);
    let mut c = card_with(
        "[pins.sign]",
        "[quirks]\nfirst_command_6f00 = true\n\n[pins.sign]",
    );
    assert_eq!(sw_of(&mut c, SEL_JPKI), "6F00");
    assert_eq!(sw_of(&mut c, SEL_JPKI), "9000");
}

#[test]
fn smartphone_and_other_tokens() {
    let mut c = card_with("token = \"card\"", "token = \"smartphone_android\"");
    assert_eq!(sw_of(&mut c, SEL_TEXT), "6A82");
    assert_eq!(sw_of(&mut c, SEL_COMMON), "6A82");
    tx(&mut c, SEL_JPKI);
    assert!(h(&tx(&mut c, "00B0860010")).starts_with(b"JPKIAPGPSETOKEN"));
    assert_eq!(
        sw_of(&mut c, "00B08A0004"),
        "6982",
        "auth cert needs the PIN on Android"
    );
    let mut c = card_with("token = \"card\"", "token = \"other\"");
    assert_eq!(sw_of(&mut c, SEL_JPKI), "6A82");
}

#[test]
fn no_signature_certificate_for_a_minor() {
    let mut c = card_with(
        "[certificates.sign]\npresent = true",
        "[certificates.sign]\npresent = false",
    );
    tx(&mut c, SEL_JPKI);
    assert_eq!(tx(&mut c, "00B0880003"), "008F009000");
    assert_eq!(sw_of(&mut c, "00A4020C020001"), "6A82");
}

#[test]
fn short_read_6282_quirk() {
    let mut c = card_with(
        "[pins.sign]",
        "[quirks]\nshort_read_6282 = true\n\n[pins.sign]",
    );
    tx(&mut c, SEL_JPKI);
    let der = c.pki().auth_cert_der().to_vec();
    let n = der.len();
    let r = h(&tx(&mut c, &format!("00B08A{:02X}00", 0)));
    assert_eq!(
        &r[r.len() - 2..],
        [0x90, 0x00],
        "a full 256-byte read stays 9000"
    );
    let r = h(&tx(&mut c, &format!("00B0{:04X}00", n - 3)));
    assert_eq!(r, [&der[n - 3..], &[0x62, 0x82][..]].concat());
    // Past the end is still 6B00.
    assert_eq!(sw_of(&mut c, &format!("00B0{:04X}01", n)), "6B00");
}

#[test]
fn short_ef_ids_can_be_switched_off() {
    let mut c = card_with(
        "[pins.sign]",
        "[quirks]\nshort_ef_ids = false\n\n[pins.sign]",
    );
    tx(&mut c, SEL_JPKI);
    assert_eq!(sw_of(&mut c, "00B08A0004"), "6A86");
    assert_eq!(sw_of(&mut c, "00200098"), "6A86");
    tx(&mut c, SEL_COMMON);
    assert_eq!(sw_of(&mut c, "00B2010C00"), "6A86");
}

#[test]
fn never_panics_on_random_apdus() {
    use proptest::prelude::*;
    let mut runner = proptest::test_runner::TestRunner::default();
    let c = std::cell::RefCell::new(card());
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..300), |b| {
            let r = c.borrow_mut().process(&b);
            prop_assert!(r.len() >= 2);
            Ok(())
        })
        .unwrap();
}
