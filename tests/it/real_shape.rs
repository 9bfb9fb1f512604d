//! The built-in virtual card's certificates have a real card's shape: the
//! sizes and the extension set of the JPKI test card's certificates
//! (fixtures/jpki-test-card/, read from a physical card), judged by
//! OpenSSL (`openssl x509 -text`, a local file, no network).

use crate::common::{self, bin};
use std::io::Write;
use std::path::Path;
use std::process::Command;

fn test_card(file: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jpki-test-card")
        .join(file);
    std::fs::read(p).unwrap()
}

/// `cert show SLOT --der` on the built-in virtual card.
fn ours(slot: &str) -> Vec<u8> {
    let out = bin()
        .args(["--virtual", "cert", "show", slot, "--der", "--pin-env", "P"])
        .env("P", common::default_pin("sign"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    out.stdout
}

/// The extensions `openssl x509 -text` lists, in order, with "critical".
fn openssl_extensions(der: &[u8]) -> Vec<String> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(der).unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-inform", "DER", "-in"])
        .arg(f.path())
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut in_ext = false;
    let mut names = Vec::new();
    for line in text.lines() {
        if line.trim() == "X509v3 extensions:" {
            in_ext = true;
            continue;
        }
        // Extension names are indented 12 spaces; their contents deeper.
        let indent = line.len() - line.trim_start().len();
        if in_ext && indent == 12 {
            names.push(line.trim().trim_end_matches(':').trim().to_string());
        } else if in_ext && indent < 12 {
            break;
        }
    }
    names
}

#[test]
fn certificates_have_the_test_cards_extensions_and_size() {
    for (slot, file) in [
        ("auth", "jpki-auth-cert.der"),
        ("sign", "jpki-sign-cert.der"),
        ("auth-ca", "jpki-auth-ca-cert.der"),
        ("sign-ca", "jpki-sign-ca-cert.der"),
    ] {
        let (ours, real) = (ours(slot), test_card(file));
        let (a, b) = (openssl_extensions(&ours), openssl_extensions(&real));
        assert!(a.len() >= 5, "{slot}: {a:?}");
        assert_eq!(a, b, "{slot}: ours, then the test card's");
        // Within 5% of the test card's size.
        let diff = ours.len().abs_diff(real.len());
        assert!(
            diff * 20 <= real.len(),
            "{slot}: {} B, the test card's {} B",
            ours.len(),
            real.len()
        );
    }
    // The done-when of issue 27 in its own words.
    let auth = ours("auth");
    assert!((1510..=1670).contains(&auth.len()), "{}", auth.len());
}

#[test]
fn every_url_in_the_certificates_is_on_a_reserved_invalid_host() {
    for slot in ["auth", "sign", "auth-ca", "sign-ca"] {
        let der = ours(slot);
        let text = String::from_utf8_lossy(&der);
        let starts: Vec<usize> = der
            .windows(7)
            .enumerate()
            .filter(|(_, w)| *w == b"http://")
            .map(|(i, _)| i)
            .collect();
        for i in starts {
            // An IA5String: its length byte comes just before it.
            let url = std::str::from_utf8(&der[i..i + usize::from(der[i - 1])]).unwrap();
            let host = url["http://".len()..].split('/').next().unwrap();
            assert!(host.ends_with(".invalid"), "{slot}: {url}");
        }
        assert!(!text.contains("jpki.go.jp"), "{slot}");
    }
}
