use super::*;
use crate::cert::cv_keys::Issuer;
use crate::protocol::face::key_id_text;

const FACE: &[u8] = include_bytes!("../../../fixtures/surface-test-card/surface-0002.bin");
const CV: &[u8] = include_bytes!("../../../fixtures/surface-test-card/surface-0004.bin");

fn read(code: &str, expiry: Option<time::Date>, sig: Vec<u8>) -> Read {
    Read {
        face: FACE.to_vec(),
        cv: CV.to_vec(),
        sig: Some(sig),
        card_expiry: expiry,
        typed_yymmdd: zeroize::Zeroizing::new(code[..6].into()),
        typed_year: zeroize::Zeroizing::new(code[6..10].into()),
        left: Some(3),
        left_a: None,
    }
}

#[test]
fn the_jpki_test_cards_files_verify_to_the_j_lis_test_hierarchy() {
    let cert = CvCert::parse(CV).unwrap();
    assert_eq!(key_id_text(&cert.issuer_key_id), "6000023/001");
    assert_eq!(
        cv_keys::issuer(&cert),
        Issuer::Verified(Hierarchy::JlisTest)
    );
    let face = Face::parse(FACE).unwrap();
    assert_eq!(face.birth_date, "19800217");
    assert_eq!(face.expiry.as_deref(), Some("20350217"));
    assert!(face_signature_verifies(&face, &cert));
    assert_eq!(format!("{face:?}"), "Face(REDACTED)");
}

#[test]
fn replayed_files_are_genuine_data_with_the_chip_not_proven() {
    // A card that replays the test card's files cannot sign with the key in
    // them: the copy case.
    let r = read(
        "55021720352285",
        Some(time::macros::date!(2035 - 02 - 17)),
        vec![0; 256],
    );
    let c = judge(&r, &[0; 51], "00".into()).unwrap();
    assert!(c.certificate.ok && c.face_signature_ok && !c.chip_key_ok);
    assert_eq!(c.verdict, Verdict::Copied);
    assert!(c.consistency.ok);
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("1980") && !json.contains("550217"), "{json}");
}

#[test]
fn a_changed_byte_of_the_face_is_altered_data() {
    let mut face = Face::parse(FACE).unwrap();
    let cert = CvCert::parse(CV).unwrap();
    face.segments[2][100] ^= 1;
    assert!(!face_signature_verifies(&face, &cert));
}

#[test]
fn a_typed_year_the_card_disagrees_with_is_a_mismatch_outside_the_signature() {
    let r = read(
        "55021720342285",
        Some(time::macros::date!(2035 - 02 - 17)),
        vec![],
    );
    let c = judge(&r, &[0; 51], "00".into()).unwrap();
    assert_eq!(c.consistency.expiry_year_matches_card, Some(false));
    assert_eq!(c.consistency.expiry_year_matches_face_unsigned, Some(false));
    assert!(c.consistency.birth_date_matches_signed);
    assert!(!c.consistency.ok);
}
