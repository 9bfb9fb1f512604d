use super::testutil::{fixtures, seq, tlv, to_pem};
use super::*;
use proptest::prelude::*;
use time::macros::{date, datetime};

const TODAY: Date = date!(2026 - 01 - 01);
const CA_DN: &str = "C=JP, O=JPKI, OU=JPKI for user authentication, \
                     OU=Japan Agency for Local Authority Information Systems";

fn err(input: &[u8]) -> String {
    match decode_input(input) {
        Ok(v) => panic!("accepted {} certificate(s)", v.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn auth_certificate_fields() {
    let f = fixtures();
    let r = parse_der(&f.auth_ee, TODAY).unwrap();
    assert_eq!(r.subject, "C=JP, CN=997794E9AGCIEG13221003A");
    assert_eq!(r.issuer, CA_DN);
    assert_eq!(r.serial, "9ABC01");
    assert_eq!(r.version, 3);
    assert_eq!(r.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(r.not_before_utc, "2025-10-27T00:00:00Z");
    assert_eq!(r.not_after_utc, "2030-02-17T14:59:59Z");
    assert_eq!(r.not_before_jst, "2025-10-27T09:00:00+09:00");
    assert_eq!(r.not_after_jst, "2030-02-17T23:59:59+09:00");
    assert_eq!(r.expires, "2030-02-17");
    assert_eq!(r.days_left, 1508);
    assert!(!r.expired && !r.not_yet_valid);
    assert_eq!(r.key_algorithm, "RSA");
    assert_eq!(r.key_bits, Some(2048));
    assert_eq!(r.key_usage, vec!["digitalSignature"]);
    assert!(r.key_usage_critical);
    assert!(r.extended_key_usage.is_empty());
    assert_eq!(r.is_ca, Some(false));
    assert_eq!(r.path_len, None);
    assert_eq!(
        r.certificate_policies,
        vec![Policy {
            oid: "1.2.392.200149.8.5.1.3.30".into(),
            name: Some("auth-class30".into())
        }]
    );
    let ca = parse_der(&f.ca, TODAY).unwrap();
    let ski = ca.subject_key_id.clone().unwrap();
    assert_eq!(ski.len(), 40);
    assert_eq!(r.authority_key_id.as_deref(), Some(ski.as_str()));
    assert!(r.subject_key_id.is_some() && r.subject_key_id != r.authority_key_id);
    use sha2::Digest;
    assert_eq!(
        r.sha256_fingerprint,
        hex::encode_upper(sha2::Sha256::digest(&f.auth_ee))
    );
    assert_eq!(r.kind, "jpki_auth");
    assert!(r.holder.is_none());
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn ca_certificate_fields() {
    let r = parse_der(&fixtures().ca, TODAY).unwrap();
    assert_eq!(r.subject, CA_DN);
    assert_eq!(r.issuer, CA_DN);
    assert_eq!(r.serial, "06D18006");
    assert_eq!(r.kind, "ca");
    assert_eq!(r.is_ca, Some(true));
    assert_eq!(r.path_len, Some(0));
    assert_eq!(r.key_usage, vec!["keyCertSign", "cRLSign"]);
    assert!(r.key_usage_critical);
    assert_eq!(r.expires, "2033-07-15");
    assert_eq!(r.not_after_jst, "2033-07-15T23:59:59+09:00");
    assert!(r.authority_key_id.is_none());
}

#[test]
fn sign_certificate_fields_and_holder() {
    let r = parse_der(&fixtures().sign_ee, TODAY).unwrap();
    assert_eq!(r.kind, "jpki_sign");
    assert_eq!(r.subject, "C=JP, CN=Test sign User, L=Kiyose-shi");
    assert_eq!(r.key_usage, vec!["digitalSignature", "nonRepudiation"]);
    let h = r.holder.as_ref().unwrap();
    assert_eq!(h.name, super::testutil::NAME);
    assert_eq!(h.address, super::testutil::ADDRESS);
    assert_eq!(h.sex.as_deref(), Some("1"));
    let b = h.date_of_birth.as_ref().unwrap();
    assert_eq!(b.date, "1980-02-17");
    assert_eq!(b.era.as_deref(), Some("昭和"));
    assert!(b.era_consistent);
    assert_eq!(h.name_substitutes.as_ref().unwrap().positions, vec![1]);
    assert!(h.address_substitutes.as_ref().unwrap().positions.is_empty());
    assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    assert!(r.notes[0].contains(
        "substitute characters (代替文字) were used in the name at character position 1"
    ));
    // The holder never reaches Debug output.
    let dbg = format!("{r:?}");
    assert!(dbg.contains("Holder(REDACTED)"));
    assert!(!dbg.contains("一郎") && !dbg.contains("霞が関") && !dbg.contains("19800217"));
    // JSON carries it (the user asked for the report).
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["holder"]["date_of_birth"]["date"], "1980-02-17");
    assert_eq!(json["holder"]["date_of_birth"]["era_code"], "3");
    assert_eq!(json["kind"], "jpki_sign");
    assert_eq!(json["days_left"], 1508);
}

#[test]
fn days_left_expired_not_yet_valid() {
    let f = fixtures();
    let on = |d: Date| parse_der(&f.auth_ee, d).unwrap();
    let r = on(date!(2030 - 02 - 17));
    assert_eq!((r.days_left, r.expired, r.not_yet_valid), (0, false, false));
    let r = on(date!(2030 - 02 - 18));
    assert_eq!((r.days_left, r.expired), (-1, true));
    let r = on(date!(2030 - 03 - 01));
    assert_eq!((r.days_left, r.expired), (-12, true));
    // notBefore 00:00 UTC is 09:00 JST on 2025-10-27.
    assert!(on(date!(2025 - 10 - 26)).not_yet_valid);
    assert!(!on(date!(2025 - 10 - 27)).not_yet_valid);
    let r = parse_der(&f.expired_ee, TODAY).unwrap();
    assert!(r.expired && r.days_left < 0);
}

#[test]
fn decodes_der_and_pem_variants() {
    let f = fixtures();
    assert_eq!(decode_input(&f.auth_ee).unwrap(), vec![f.auth_ee.clone()]);
    let one = to_pem(&f.auth_ee);
    assert_eq!(
        decode_input(one.as_bytes()).unwrap(),
        vec![f.auth_ee.clone()]
    );
    // Two blocks, CRLF, a BOM, leading blank lines and text around.
    let two = format!(
        "\u{FEFF}\r\n  \r\nsubject=C=JP\r\n{}issuer=...\r\n{}trailing words\r\n",
        to_pem(&f.sign_ee).replace('\n', "\r\n"),
        to_pem(&f.ca).replace('\n', "\r\n")
    );
    assert_eq!(
        decode_input(two.as_bytes()).unwrap(),
        vec![f.sign_ee.clone(), f.ca.clone()]
    );
    // Legacy label (RFC 7468 §5.3), no padding removal, indented lines.
    let legacy = one
        .replace("BEGIN CERTIFICATE", "BEGIN X509 CERTIFICATE")
        .replace("END CERTIFICATE", "END X509 CERTIFICATE")
        .replace('\n', "\n   ");
    assert_eq!(
        decode_input(legacy.as_bytes()).unwrap(),
        vec![f.auth_ee.clone()]
    );
}

#[test]
fn malformed_inputs_give_specific_errors() {
    let f = fixtures();
    let der = &f.auth_ee;
    let pem = to_pem(der);
    let n = der.len();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let block =
        |label: &str, b64: &str| format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n");
    let b64_of = |bytes: &[u8]| {
        let p = to_pem(bytes);
        p.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
    };
    let with = |i: usize, x: u8| {
        let mut d = der.clone();
        d[i] ^= x;
        d
    };
    let mut trailing = der.clone();
    trailing.push(b'\n');
    let mut garbage = der.clone();
    garbage.extend([0xAB; 100]);
    let truncated_pem = block("CERTIFICATE", &b64_of(&der[..n / 2]));

    let cases: Vec<(Vec<u8>, String)> = vec![
        (vec![], "the input is empty".into()),
        (b" \n\t\r\n ".to_vec(), "only whitespace".into()),
        (b"\xEF\xBB\xBF\n".to_vec(), "only whitespace".into()),
        (
            format!("-----BEGIN CERTIFICATE-----\n{body}\n").into_bytes(),
            "PEM block 1 (\"-----BEGIN CERTIFICATE-----\" on line 1) has no END line".into(),
        ),
        (
            format!("-----BEGIN CERTIFICATE-----\n{body}\n{pem}").into_bytes(),
            "PEM block 1 (\"-----BEGIN CERTIFICATE-----\" on line 1) has no END line".into(),
        ),
        (
            include_bytes!("../../fixtures/keys/auth-ee.pem").to_vec(),
            "PEM block 1 is a private key (\"-----BEGIN PRIVATE KEY-----\"), not a certificate; a certificate was expected".into(),
        ),
        (
            format!("{pem}{}", block("RSA PRIVATE KEY", &body)).into_bytes(),
            "PEM block 2 is a private key".into(),
        ),
        (block("PUBLIC KEY", &body).into_bytes(), "is a public key".into()),
        (
            block("CERTIFICATE REQUEST", &body).into_bytes(),
            "is a certificate signing request (CSR)".into(),
        ),
        (
            block("CERTIFICATE", &body.replacen('A', "#", 1)).into_bytes(),
            "PEM block 1: bad base64: invalid character '#' on line 2".into(),
        ),
        (
            block("CERTIFICATE", &format!("QUJD={body}")).into_bytes(),
            "bad base64: '=' before the end".into(),
        ),
        (
            block("CERTIFICATE", "").into_bytes(),
            "bad base64: no data between the BEGIN and END lines".into(),
        ),
        (
            block("CERTIFICATE", &b64_of(b"hello, world")).into_bytes(),
            "PEM block 1 is labelled CERTIFICATE but its content is not an X.509 certificate: \
             it does not start with a DER SEQUENCE (first byte 0x68)".into(),
        ),
        (
            truncated_pem.into_bytes(),
            format!("truncated: header promises {n} bytes, the block holds {}", n / 2),
        ),
        (
            b"-----END CERTIFICATE-----\n".to_vec(),
            "END line on line 1 without a BEGIN line".into(),
        ),
        (
            pem.replace("END CERTIFICATE", "END PUBLIC KEY").into_bytes(),
            "BEGIN \"CERTIFICATE\" is closed by END \"PUBLIC KEY\"".into(),
        ),
        (
            der[..10].to_vec(),
            format!("truncated: header promises {n} bytes, file has 10"),
        ),
        (
            der[..n / 2].to_vec(),
            format!("truncated: header promises {n} bytes, file has {}", n / 2),
        ),
        (
            der[..n - 1].to_vec(),
            format!("truncated: header promises {n} bytes, file has {}", n - 1),
        ),
        (der[..3].to_vec(), "ends inside its DER header (3 bytes)".into()),
        (
            trailing,
            format!("1 trailing byte after the DER certificate (which ends at byte {n})"),
        ),
        (garbage, "100 trailing bytes".into()),
        (
            b"hello, this is not a certificate\n".to_vec(),
            "neither PEM nor DER (it is text with no".into(),
        ),
        (
            b"0123 starts like DER but is text".to_vec(),
            "neither PEM nor DER (it is text".into(),
        ),
        (
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "neither PEM nor DER (it looks like a PNG image)".into(),
        ),
        (
            b"PK\x03\x04\x14\0\0\0\x08\0".to_vec(),
            "neither PEM nor DER (it looks like a ZIP archive)".into(),
        ),
        (
            vec![0x00, 0xFF, 0x13, 0x37, 0x80, 0x01],
            "neither PEM nor DER (it starts with byte 0x00; a DER certificate starts with 0x30)".into(),
        ),
        (
            seq(&[tlv(0x02, &[1]), tlv(0x05, &[])]),
            "not an X.509 certificate: a DER SEQUENCE of 7 bytes that does not parse as one".into(),
        ),
        (vec![0x30, 0x80, 0, 0], "indefinite length (BER), not DER".into()),
        // Bit flips: outer tag, tbsCertificate tag, version tag, serial tag.
        (
            with(0, 0x01),
            "neither PEM nor DER (it starts with byte 0x31;".into(),
        ),
        (with(4, 0x01), "not an X.509 certificate".into()),
        (with(8, 0x40), "not an X.509 certificate".into()),
        (with(13, 0x04), "not an X.509 certificate".into()),
        // Outer length ±1: one byte short or one too many.
        (
            with(3, 0x01),
            if der[3] & 1 == 0 {
                format!("header promises {} bytes, file has {n}", n + 1)
            } else {
                "1 trailing byte".to_string()
            },
        ),
    ];
    assert!(cases.len() >= 30);
    for (input, want) in cases {
        let got = err(&input);
        assert!(got.contains(&want), "want {want:?}, got {got:?}");
    }
}

#[test]
fn every_single_bit_flip_in_the_headers_is_caught_or_parses() {
    // Flips in the first 40 bytes (outer, tbs, version, serial and
    // signature headers): never a panic; a success must be a certificate.
    let der = &fixtures().auth_ee;
    let mut rejected = 0;
    for i in 0..40 {
        for bit in 0..8 {
            let mut d = der.clone();
            d[i] ^= 1 << bit;
            match decode_input(&d) {
                Ok(v) => assert!(parse_der(&v[0], TODAY).is_ok()),
                Err(e) => {
                    rejected += 1;
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }
    assert!(rejected > 100, "{rejected}");
}

#[test]
fn end_of_calendar_validity_does_not_panic() {
    // RFC 5280 §4.1.2.5: 99991231235959Z means "no expiry"; in JST it
    // is past year 9999.
    let (ca_key, ca_p) = super::testutil::ca_key_and_params();
    let mut p = super::testutil::ee_params("forever");
    p.not_after = datetime!(9999-12-31 23:59:59 UTC);
    let der = super::testutil::sign(&p, &super::testutil::key("auth-ee"), &ca_p, &ca_key);
    let r = parse_der(&der, TODAY).unwrap();
    assert_eq!(r.not_after_utc, "9999-12-31T23:59:59Z");
    assert_eq!(r.not_after_jst, "9999-12-31T23:59:59Z");
    assert_eq!(r.expires, "9999-12-31");
    assert!(r.days_left > 2_900_000);
    let _ = view::render_text(&r, None, crate::i18n::Lang::En);
    let c = chain::check_chain(
        &der,
        std::slice::from_ref(&fixtures().ca),
        datetime!(2026-01-01 0:00 UTC),
    )
    .unwrap();
    assert_eq!(c.status, chain::ChainStatus::Valid);
}

#[test]
fn parse_der_errors() {
    let der = &fixtures().auth_ee;
    let e = |b: &[u8]| parse_der(b, TODAY).unwrap_err().to_string();
    assert!(e(&[]).contains("not an X.509 certificate: no data"));
    assert!(e(b"-----BEGIN").contains("does not start with a DER SEQUENCE (first byte 0x2D)"));
    assert!(e(&der[..200]).contains(&format!(
        "truncated: header promises {} bytes, file has 200",
        der.len()
    )));
    let mut t = der.clone();
    t.extend([0, 0]);
    assert!(e(&t).contains("2 trailing bytes"));
}

#[test]
fn serial_and_modulus_helpers() {
    assert_eq!(serial_hex(&[0x00, 0x9A, 0xBC]), "9ABC");
    assert_eq!(serial_hex(&[0x00]), "00");
    assert_eq!(serial_hex(&[0x01]), "01");
    assert_eq!(serial_hex(&[]), "");
    assert_eq!(modulus_bits(&[0x00, 0x80, 0, 0]), Some(24));
    assert_eq!(modulus_bits(&[0x01, 0xFF]), Some(9));
    assert_eq!(modulus_bits(&[0, 0]), None);
    assert_eq!(
        signature_name("1.2.840.113549.1.1.5"),
        "sha1WithRSAEncryption"
    );
    assert_eq!(signature_name("1.2.3.4"), "1.2.3.4");
}

fn mutate(
    base: &[u8],
    flips: &[(prop::sample::Index, u8)],
    cut: Option<prop::sample::Index>,
) -> Vec<u8> {
    let mut d = base.to_vec();
    for (i, bit) in flips {
        let i = i.index(d.len());
        d[i] ^= 1 << bit;
    }
    if let Some(c) = cut {
        d.truncate(c.index(d.len() + 1));
    }
    d
}

fn exercise(bytes: &[u8]) {
    let f = fixtures();
    let at = datetime!(2026-01-01 03:00 UTC);
    let _ = decode_input(bytes);
    let _ = parse_der(bytes, TODAY);
    let _ = jpki_attrs::holder_from_der(bytes);
    let _ = chain::check_chain(bytes, std::slice::from_ref(&f.ca), at);
    let _ = chain::check_chain(&f.auth_ee, &[bytes.to_vec(), f.ca.clone()], at);
    if let Ok(r) = parse_der(bytes, TODAY) {
        let _ = view::render_text(&r, None, crate::i18n::Lang::Ja);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(
        prefix in prop::sample::select(vec![vec![], vec![0x30, 0x82, 0x04, 0x00], b"-----BEGIN CERTIFICATE-----\n".to_vec()]),
        bytes in prop::collection::vec(any::<u8>(), 0..700),
    ) {
        exercise(&[prefix, bytes].concat());
    }

    #[test]
    fn mutated_der_never_panics(
        which in 0usize..3,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let f = fixtures();
        let base = [&f.auth_ee, &f.sign_ee, &f.ca][which];
        let d = mutate(base, &flips, cut);
        exercise(&d);
    }

    #[test]
    fn mutated_pem_never_panics(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let f = fixtures();
        let text = format!("{}{}", to_pem(&f.sign_ee), to_pem(&f.ca));
        let d = mutate(text.as_bytes(), &flips, cut);
        let _ = decode_input(&d);
        if let Ok(ders) = decode_input(&d) {
            for der in ders {
                prop_assert!(parse_der(&der, TODAY).is_ok());
            }
        }
    }
}

/// Self-signed certificates made with openssl, one per signature algorithm
/// (fixtures/certs/README.md): which verify, and that a changed byte of the
/// signature never does.
#[test]
fn each_signature_algorithm_verifies_or_is_refused() {
    let pem = include_bytes!("../../fixtures/certs/signature-algorithms.pem");
    let mut seen = Vec::new();
    for der in decode_input(pem).unwrap() {
        let x = parse_cert(&der).unwrap();
        let cn = x.subject().iter_common_name().next().unwrap();
        let name = cn.as_str().unwrap().rsplit(' ').next().unwrap().to_string();
        let verifies = verify_signed(&x, x.public_key()).is_ok();
        let mut bad = der.clone();
        let n = bad.len();
        bad[n - 5] ^= 0x01;
        let xb = parse_cert(&bad).unwrap();
        assert!(verify_signed(&xb, xb.public_key()).is_err(), "{name}");
        seen.push(format!("{name}: {verifies}"));
    }
    assert_eq!(
        seen,
        [
            "p256-sha256: true",
            "p256-sha384: true",
            "p384-sha256: true",
            "rsa-sha1: true",
            "rsa-sha384: true",
            "rsa-sha512: true",
            "rsa-pss-sha256: true",
            "rsa5120-sha256: true",
            // Under 2048 bits, refused for SHA-2 (as ring did).
            "rsa1024-sha256: false",
            // Not checked since ring went (no My Number Card uses it).
            "ed25519: false",
        ]
    );
}
