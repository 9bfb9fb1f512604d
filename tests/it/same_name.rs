//! The same-name trap on a card (issue 27): two JPKI test cards' CAs share
//! their distinguished names and differ in key (data/jlis-test-roots/:
//! the 2019 CAs are another card's). A lookup of the issuer by name alone
//! takes the wrong one; every command goes by key identifier and
//! signature instead — `status`, `cert show`, `prove`, `sign` + `verify`,
//! `pdf sign` + `pdf verify`, and a second run on the same cache, which
//! answers as `--no-cache` does.
//!
//! Two cards: the recorded test card with the other card's CA files
//! (fixtures/profiles/jpki-test-card-other-ca.toml: its certificates are
//! truly from J-LIS's test PKI, by a built-in CA, so that is said; what
//! fails is the card's CA file), and a look-alike made here whose
//! certificates name the other card's CA by name *and* key identifier but
//! are signed by another key: nothing may call them valid or J-LIS's.

use crate::common;

use common::{bin, json};
use der::{Decode, Encode};
use mynacard::protocol::certgen::{name, Key, KeyUsages, Params, Piece, Text};
use std::path::{Path, PathBuf};
use time::macros::datetime;

const TODAY: &str = "2026-11-25";
/// What no output may say of a certificate the built-in test CAs did not
/// sign (a claim reads "claims to be issued by …").
const TEST_PKI_LINE: &str = "issued by J-LIS's test PKI (O=JPKI-TEST;";

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn other_ca(kind: &str) -> Vec<u8> {
    std::fs::read(repo(&format!(
        "data/jlis-test-roots/{kind}ca-test-2019.cer"
    )))
    .unwrap()
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// One run on `card` (a `--virtual=` argument); `cache`: its own cache
/// folder, or `--no-cache`.
fn run(card: &str, args: &[&str], cache: Option<&Path>) -> Out {
    let mut c = bin();
    c.arg(card);
    match cache {
        Some(d) => c.env("XDG_CACHE_HOME", d),
        None => c.arg("--no-cache"),
    };
    let o = c
        .args(args)
        .env("P", common::default_pin("sign"))
        .env("A", common::default_pin("auth"))
        .output()
        .unwrap();
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The read-only commands compared with and without a cache.
fn read_only() -> Vec<Vec<&'static str>> {
    vec![
        vec!["status", "--today", TODAY],
        vec!["--json", "status", "--today", TODAY],
        vec!["cert", "show", "auth", "--today", TODAY],
        vec!["--json", "cert", "show", "auth", "--today", TODAY],
        vec![
            "--json",
            "cert",
            "show",
            "sign",
            "--pin-env",
            "P",
            "--today",
            TODAY,
        ],
        vec![
            "--json",
            "status",
            "--with-sign",
            "--pin-env",
            "P",
            "--today",
            TODAY,
        ],
    ]
}

/// Twice on one cache, each answer as `--no-cache` gives it.
fn same_with_cache(card: &str) {
    let cache = tempfile::tempdir().unwrap();
    for args in read_only() {
        let want = run(card, &args, None);
        for round in 0..2 {
            let got = run(card, &args, Some(cache.path()));
            assert_eq!(
                (got.code, &got.stdout, &got.stderr),
                (want.code, &want.stdout, &want.stderr),
                "{args:?} round {round}"
            );
        }
    }
}

/// No line of a chain says valid.
fn no_valid_chain(text: &str) {
    for l in text.lines().filter(|l| l.to_lowercase().contains("chain")) {
        assert!(!l.contains(" valid"), "{l}\n{text}");
    }
}

#[test]
fn the_recorded_card_with_the_other_cards_ca_does_not_verify_against_it() {
    let card = common::virt(Some("jpki-test-card-other-ca"));
    // The profile serves the other card's CA files byte for byte.
    let p = mynacard::vcard::Profile::load(&common::fixture("jpki-test-card-other-ca")).unwrap();
    let c = mynacard::vcard::VirtualCard::new(&p).unwrap();
    use mynacard::protocol::App;
    assert_eq!(c.ef(App::Jpki, 0x0002), Some(&other_ca("sign")[..]));
    assert_eq!(c.ef(App::Jpki, 0x000B), Some(&other_ca("auth")[..]));

    let s = run(&card, &["--json", "status", "--today", TODAY], None);
    let j = json(s.stdout.as_bytes());
    let a = &j["auth_cert"];
    assert_eq!(a["chain_against"], "card_ca", "{j}");
    assert_eq!(a["chain"], "bad_signature", "{j}");
    assert_eq!(a["card_ca_is_root"], false, "{j}");
    // True: a built-in J-LIS test CA (not the card's file) verifies it.
    assert_eq!(a["issued_by"]["kind"], "jlis_test", "{j}");
    let codes: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"CERT_CHAIN_INVALID"), "{codes:?}");
    assert!(codes.contains(&"CARD_CA_NOT_ROOT"), "{codes:?}");
    let w = [
        "--json",
        "status",
        "--with-sign",
        "--pin-env",
        "P",
        "--today",
        TODAY,
    ];
    let j = json(run(&card, &w, None).stdout.as_bytes());
    assert_eq!(j["sign_cert"]["chain"], "bad_signature", "{j}");
    assert_eq!(j["sign_cert"]["card_ca_is_root"], false, "{j}");
    let t = run(&card, &["status", "--today", TODAY], None).stdout;
    no_valid_chain(&t);
    assert!(t.contains("chain (card CA)          bad signature"), "{t}");
    assert!(
        t.contains("not the test CA that issued the certificate"),
        "{t}"
    );

    for (slot, pin) in [("auth", None), ("sign", Some("P"))] {
        let t = run(&card, &args_of(slot, pin), None);
        assert_eq!(t.code, Some(0), "{}", t.stderr);
        no_valid_chain(&t.stdout);
        assert!(t.stdout.contains("another key identifier"), "{}", t.stdout);
        let mut args = vec!["--json"];
        args.extend(args_of(slot, pin));
        let v = json(run(&card, &args, None).stdout.as_bytes());
        assert_eq!(v["chain"]["status"], "bad_signature", "{slot}: {v}");
        assert_eq!(v["chain"]["issuer"], serde_json::Value::Null, "{v}");
        assert_eq!(v["card_ca_is_root"], false, "{slot}: {v}");
    }
    // prove cannot be reached: the recorded card holds no key.
    let p = run(&card, &["--json", "prove", "--pin-env", "A"], None);
    assert_eq!(p.code, Some(16), "{}", p.stderr);
    same_with_cache(&card);
}

fn args_of(slot: &'static str, pin: Option<&'static str>) -> Vec<&'static str> {
    let mut a = vec!["cert", "show", slot, "--today", TODAY];
    if let Some(p) = pin {
        a.extend(["--pin-env", p]);
    }
    a
}

/// A certificate of `holder` whose issuer is `ca`'s name and whose
/// authority key identifier is `ca`'s own, signed by another key.
fn look_alike(ca: &[u8], holder: &Key, cn: &str) -> Vec<u8> {
    let x = x509_cert::Certificate::from_der(ca).unwrap();
    let ski = x
        .tbs_certificate
        .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
        .unwrap()
        .unwrap()
        .1;
    let aki = x509_cert::ext::pkix::AuthorityKeyIdentifier {
        key_identifier: Some(ski.0),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    use der::oid::AssociatedOid;
    let (t0, t1) = (
        datetime!(2024-01-01 0:00 UTC),
        datetime!(2034-01-01 0:00 UTC),
    );
    let issuer = Params::new(&[0x66], x.tbs_certificate.subject.clone(), t0, t1);
    let mut ee = Params::new(
        &[0x77],
        name(&[("C", "JP"), ("CN", cn)], Text::Printable).unwrap(),
        t0,
        t1,
    );
    ee.key_usage = KeyUsages::DigitalSignature | KeyUsages::NonRepudiation;
    ee.layout = Some(vec![
        Piece::Other(
            x509_cert::ext::pkix::AuthorityKeyIdentifier::OID,
            false,
            aki.to_der().unwrap(),
        ),
        Piece::KeyUsage,
    ]);
    let forger = Key::Rsa(mynacard::vcard::pki::OTHER_CA.rsa().unwrap().clone());
    ee.signed_by(holder, &issuer, &forger).unwrap()
}

/// The built-in card (it holds its keys) serving look-alikes of the other
/// card's CAs' certificates, and those CAs.
fn look_alike_card() -> common::TempProfile {
    use mynacard::vcard::pki::{AUTH_EE, SIGN_EE};
    let auth = look_alike(
        &other_ca("auth"),
        &Key::Rsa(AUTH_EE.rsa().unwrap().clone()),
        "look-alike auth",
    );
    let sign = look_alike(
        &other_ca("sign"),
        &Key::Rsa(SIGN_EE.rsa().unwrap().clone()),
        "look-alike sign",
    );
    let h = |b: &[u8]| hex::encode_upper(b);
    common::profile_file(&format!(
        "base = \"builtin\"\n[ef_overrides]\n\"jpki:000A\" = \"{}\"\n\"jpki:000B\" = \"{}\"\n\
         \"jpki:0001\" = \"{}\"\n\"jpki:0002\" = \"{}\"\n",
        h(&auth),
        h(&other_ca("auth")),
        h(&sign),
        h(&other_ca("sign")),
    ))
}

/// Every text a command printed holds no "valid" chain and no line saying
/// J-LIS's test PKI issued it.
fn never_test_pki(o: &Out, what: &str) {
    for t in [&o.stdout, &o.stderr] {
        assert!(!t.contains(TEST_PKI_LINE), "{what}: {t}");
        assert!(!t.contains("\"jlis_test\""), "{what}: {t}");
        no_valid_chain(t);
    }
}

#[test]
fn a_look_alike_of_the_other_cards_ca_verifies_nowhere() {
    let p = look_alike_card();
    let card = p.arg.as_str();
    let w = [
        "--json",
        "status",
        "--with-sign",
        "--pin-env",
        "P",
        "--today",
        TODAY,
    ];
    let s = run(card, &w, None);
    never_test_pki(&s, "status");
    let j = json(s.stdout.as_bytes());
    for c in [&j["auth_cert"], &j["sign_cert"]] {
        assert_eq!(c["chain"], "bad_signature", "{j}");
        assert_eq!(c["issued_by"]["kind"], "not_jlis", "{j}");
        assert_eq!(c["issued_by"]["claims_test_pki"], true, "{j}");
    }
    let t = run(card, &["status", "--today", TODAY], None);
    never_test_pki(&t, "status text");
    assert!(t.stdout.contains("bad signature"), "{}", t.stdout);

    for (slot, pin) in [("auth", None), ("sign", Some("P"))] {
        let t = run(card, &args_of(slot, pin), None);
        assert_eq!(t.code, Some(0), "{}", t.stderr);
        never_test_pki(&t, slot);
        // Named by its key identifier, refused by its signature.
        assert!(
            t.stdout
                .contains("the signature does not verify with its key"),
            "{}",
            t.stdout
        );
        let mut args = vec!["--json"];
        args.extend(args_of(slot, pin));
        let o = run(card, &args, None);
        never_test_pki(&o, slot);
        let v = json(o.stdout.as_bytes());
        assert_eq!(v["chain"]["status"], "bad_signature", "{v}");
        assert_eq!(v["card_ca_is_root"], serde_json::Value::Null, "{v}");
    }

    // prove: the card holds the key, but the certificate is nobody's.
    let o = run(card, &["--json", "prove", "--pin-env", "A"], None);
    never_test_pki(&o, "prove");
    assert_eq!(o.code, Some(17), "{}", o.stderr);
    let v = json(o.stdout.as_bytes());
    assert_eq!(v["holds_key"], true, "{v}");
    assert_eq!(v["genuine"], false, "{v}");
    assert_eq!(v["issued_by"]["kind"], "not_jlis", "{v}");
    never_test_pki(&run(card, &["prove", "--pin-env", "A"], None), "prove");

    // The card's own signature, judged with the test PKIs and with the
    // other card's CA as the anchor: an unknown signer either way.
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.txt");
    std::fs::write(&doc, b"a contract\n").unwrap();
    let sig = dir.path().join("doc.p7s");
    let (d, s) = (doc.to_str().unwrap(), sig.to_str().unwrap());
    let o = run(card, &["sign", d, "-o", s, "--pin-env", "P"], None);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let anchor = dir.path().join("other-ca.cer");
    std::fs::write(&anchor, other_ca("sign")).unwrap();
    let a = anchor.to_str().unwrap();
    for trust in [vec!["--test-pki"], vec!["--ca", a]] {
        for j in [true, false] {
            let mut args = if j { vec!["--json"] } else { vec![] };
            args.extend(["verify", d, s]);
            args.extend(&trust);
            let o = run(card, &args, None);
            never_test_pki(&o, "verify");
            assert_eq!(o.code, Some(32), "{trust:?}: {}{}", o.stdout, o.stderr);
            assert!(!o.stdout.contains("valid signature"), "{}", o.stdout);
            if j {
                assert_eq!(json(o.stdout.as_bytes())["outcome"], "unknown_signer");
            }
        }
    }

    // The same through a PDF.
    let pdf = dir.path().join("in.pdf");
    std::fs::write(&pdf, crate::pdf::minimal_pdf("same name")).unwrap();
    let out = dir.path().join("out.pdf");
    let (i, w) = (pdf.to_str().unwrap(), out.to_str().unwrap());
    let o = run(card, &["pdf", "sign", "--pin-env", "P", "-o", w, i], None);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    for trust in [vec!["--test-pki"], vec!["--ca", a]] {
        let mut args = vec!["pdf", "verify", w];
        args.extend(&trust);
        let o = run(card, &args, None);
        never_test_pki(&o, "pdf verify");
        assert_ne!(o.code, Some(0), "{trust:?}: {}", o.stdout);
        args.insert(0, "--json");
        let o = run(card, &args, None);
        never_test_pki(&o, "pdf verify");
        let v = json(o.stdout.as_bytes());
        assert_eq!(v["valid"], false, "{v}");
        assert_eq!(v["signatures"][0]["verdict"], "unknown_signer", "{v}");
        assert_eq!(v["signatures"][0]["cms"]["issued_by"]["kind"], "not_jlis");
    }
    same_with_cache(card);
}
