//! OpenSSL as an independent judge of the age record and the card face:
//! from each signature it recovers the DigestInfo mynacard expects — `DF13`
//! over `DF11‖DF12` and `DF28` over the face's three segments with the
//! AP's certified key, and the CV certificate's `5F37` over its `5F4E` body
//! with the CA key — on the JPKI test card's files and the virtual card's.

use mynacard::protocol::face::{AgeRecord, CvCert, RsaKey};
use mynacard::protocol::App;
use mynacard::vcard::{Profile, VirtualCard};
use rsa::pkcs8::EncodePublicKey;
use sha2::{Digest, Sha256};
use std::path::Path;

const SHA256_PREFIX: &str = "3031300d060960864801650304020105000420";

fn recover(dir: &Path, key: &RsaKey, sig: &[u8]) -> String {
    let k = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&key.modulus),
        rsa::BigUint::from_bytes_be(&key.exponent),
    )
    .unwrap();
    let pem = dir.join("key.pem");
    let sig_file = dir.join("sig.bin");
    std::fs::write(&pem, k.to_public_key_pem(Default::default()).unwrap()).unwrap();
    std::fs::write(&sig_file, sig).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["pkeyutl", "-verifyrecover", "-pubin", "-inkey"])
        .arg(&pem)
        .arg("-in")
        .arg(&sig_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    hex::encode(out.stdout)
}

fn judge(age: &[u8], cv: &[u8], ca_modulus: Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let rec = AgeRecord::parse(age).unwrap();
    let cert = CvCert::parse(cv).unwrap();
    let want = format!(
        "{SHA256_PREFIX}{}",
        hex::encode(Sha256::digest(&rec.signed))
    );
    assert_eq!(recover(dir.path(), &cert.key, &rec.signature), want);
    let ca = RsaKey {
        exponent: vec![1, 0, 1],
        modulus: ca_modulus,
    };
    let want = format!(
        "{SHA256_PREFIX}{}",
        hex::encode(Sha256::digest(&cert.signed))
    );
    assert_eq!(recover(dir.path(), &ca, &cert.signature), want);
}

#[test]
fn openssl_recovers_the_age_records_digest_info() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no openssl");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = |p: &str| std::fs::read(root.join(p)).unwrap();
    // The physical JPKI test card's files, under J-LIS's test key 6000023.
    judge(
        &f("fixtures/jpki-test-card/surface-0001.bin"),
        &f("fixtures/jpki-test-card/surface-0004.bin"),
        f("data/jlis-cv-keys/6000023.modulus"),
    );
    // The virtual card's, under its own test CV CA.
    let c = VirtualCard::new(&Profile::builtin()).unwrap();
    // The real layout: FF 10 82 02 1E, as long as the test card's file.
    let ours = c.ef(App::Surface, 1).unwrap();
    let theirs = f("fixtures/jpki-test-card/surface-0001.bin");
    assert_eq!(ours[..5], [0xFF, 0x10, 0x82, 0x02, 0x1E]);
    assert_eq!(ours.len(), theirs.len());
    assert_eq!(ours[..16], theirs[..16], "the same header and birth date");
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let ca = rsa::RsaPrivateKey::from_pkcs8_pem(
        &std::fs::read_to_string(root.join("fixtures/keys/cv-ca.pem")).unwrap(),
    )
    .unwrap();
    judge(
        c.ef(App::Surface, 1).unwrap(),
        c.ef(App::Surface, 4).unwrap(),
        ca.n().to_bytes_be(),
    );
}

/// The card face too: from `DF28` OpenSSL recovers DigestInfo(SHA-256,
/// H(DF22‖DF23‖DF24) ‖ H(DF25‖DF26) ‖ H(DF27)) — 96 bytes of digests.
#[test]
fn openssl_recovers_the_card_faces_three_segment_digest_info() {
    use mynacard::protocol::face::Face;
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no openssl");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = |p: &str| std::fs::read(root.join(p)).unwrap();
    let c = VirtualCard::new(&Profile::builtin()).unwrap();
    let test_card = (
        f("fixtures/jpki-test-card/surface-0002.bin"),
        f("fixtures/jpki-test-card/surface-0004.bin"),
    );
    let ours = (
        c.ef(App::Surface, 2).unwrap().to_vec(),
        c.ef(App::Surface, 4).unwrap().to_vec(),
    );
    for (face, cv) in [test_card, ours] {
        let dir = tempfile::tempdir().unwrap();
        let face = Face::parse(&face).unwrap();
        let cert = CvCert::parse(&cv).unwrap();
        let digests: String = face
            .segments
            .iter()
            .map(|s| hex::encode(Sha256::digest(s)))
            .collect();
        let want = format!("3071300d060960864801650304020105000460{digests}");
        assert_eq!(recover(dir.path(), &cert.key, &face.signature), want);
    }
}
