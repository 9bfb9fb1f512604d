//! Signing through a real pcscd + vpcd + the served virtual card, judged by
//! clients that are not ours: OpenSSL checks mynacard's CMS, and a
//! signature made through OpenSC's PKCS#11 module checks against the
//! certificate mynacard reads.

use crate::common;

use common::e2e::{cli, default_card, in_ci, insert, opensc, opensc_tool, sandbox_with};
use common::json;
use mynacard::protocol::keys::KeyRef;
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok || !in_ci(), "CI=true but openssl is missing");
    ok
}

/// OpenSC's PKCS#11 module, where Debian and Ubuntu put it.
fn pkcs11_module() -> Option<PathBuf> {
    [
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
        "/usr/lib64/opensc-pkcs11.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn openssl_cms_verify(sig: &Path, content: &Path, ca: &Path) -> std::process::Output {
    Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(sig)
        .arg("-content")
        .arg(content)
        .arg("-CAfile")
        .arg(ca)
        .args(["-out", "/dev/null"])
        .output()
        .unwrap()
}

#[test]
fn sign_on_the_served_card_and_openssl_accepts_it() {
    if !openssl() {
        return;
    }
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("doc.bin");
    std::fs::write(&file, (0..=255u8).cycle().take(70_000).collect::<Vec<_>>()).unwrap();
    let sig = d.join("doc.p7s");
    let ca = d.join("ca.pem");

    let before = sb.card.lock().unwrap().tries_left(KeyRef::Sign);
    let out = cli(&sb)
        .args(["sign", "--pin-env", "P", "-o"])
        .arg(&sig)
        .arg(&file)
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The right password spent nothing.
    assert_eq!(sb.card.lock().unwrap().tries_left(KeyRef::Sign), before);

    let pem = cli(&sb)
        .args(["cert", "show", "sign-ca", "--pem"])
        .output()
        .unwrap();
    assert_eq!(pem.status.code(), Some(0));
    std::fs::write(&ca, pem.stdout).unwrap();

    let o = openssl_cms_verify(&sig, &file, &ca);
    assert!(
        o.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = cli(&sb)
        .args(["--json", "verify", "--test-pki"])
        .arg(&file)
        .arg(&sig)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(0));
    assert_eq!(json(&v.stdout)["outcome"], "valid");

    // One byte of the file changed: OpenSSL and mynacard both reject it.
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[40_000] ^= 0x80;
    std::fs::write(&file, bytes).unwrap();
    let o = openssl_cms_verify(&sig, &file, &ca);
    assert!(!o.status.success(), "openssl accepted a changed file");
    let v = cli(&sb)
        .args(["--json", "verify", "--test-pki"])
        .arg(&file)
        .arg(&sig)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(30));
    assert_eq!(json(&v.stdout)["outcome"], "file_changed");
}

#[test]
fn opensc_pkcs11_signatures_verify_with_the_certificates_mynacard_reads() {
    if !opensc() || !openssl() {
        return;
    }
    let Some(module) = pkcs11_module() else {
        assert!(!in_ci(), "CI=true but OpenSC's PKCS#11 module is missing");
        return;
    };
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("doc.txt");
    std::fs::write(&file, "signed through PKCS#11\n").unwrap();
    let m = module.to_str().unwrap();

    // (slot, PIN, key id, our certificate name, the key's counter)
    for (slot, pin, id, cert, key) in [
        ("0", "1234", "01", "auth", KeyRef::Auth),
        ("1", "TEST1234", "02", "sign", KeyRef::Sign),
    ] {
        let before = sb.card.lock().unwrap().tries_left(key);
        let sig = d.join(format!("{cert}.sig"));
        let f = file.to_str().unwrap();
        let s = sig.to_str().unwrap();
        let out = opensc_tool(
            &sb,
            "pkcs11-tool",
            &[
                "--module",
                m,
                "--slot",
                slot,
                "--login",
                "--pin",
                pin,
                "--sign",
                "--id",
                id,
                "-m",
                "SHA256-RSA-PKCS",
                "--input-file",
                f,
                "--output-file",
                s,
            ],
        );
        assert!(out.status.success(), "pkcs11-tool {cert}: {out:?}");
        assert_eq!(std::fs::read(&sig).unwrap().len(), 256);
        assert_eq!(sb.card.lock().unwrap().tries_left(key), before);

        let mut c = cli(&sb);
        c.args(["cert", "show", cert, "--pem"]);
        if cert == "sign" {
            c.args(["--pin-env", "P"]).env("P", pin);
        }
        let pem = c.output().unwrap();
        assert_eq!(pem.status.code(), Some(0), "{pem:?}");
        let cert_file = d.join(format!("{cert}.pem"));
        std::fs::write(&cert_file, pem.stdout).unwrap();
        let pubkey = Command::new("openssl")
            .args(["x509", "-pubkey", "-noout", "-in"])
            .arg(&cert_file)
            .output()
            .unwrap();
        assert!(pubkey.status.success());
        let pub_file = d.join(format!("{cert}.pub"));
        std::fs::write(&pub_file, pubkey.stdout).unwrap();
        let v = Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(&pub_file)
            .arg("-signature")
            .arg(&sig)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "{cert}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        // The other certificate's key does not verify it: the key was chosen.
        let other = if cert == "auth" { "sign" } else { "auth" };
        if d.join(format!("{other}.pub")).exists() {
            let v = Command::new("openssl")
                .args(["dgst", "-sha256", "-verify"])
                .arg(d.join(format!("{other}.pub")))
                .arg("-signature")
                .arg(&sig)
                .arg(&file)
                .output()
                .unwrap();
            assert!(!v.status.success());
        }
    }
}
