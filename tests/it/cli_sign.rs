//! `mynacard sign` and `verify` on the in-process virtual card, with
//! OpenSSL as the independent judge.

use crate::common;

use common::{bin, counters, json, virt};
use std::path::Path;

/// OpenSSL judges outside the project; CI must have it (install-deps.sh installs it).
fn openssl() -> bool {
    let there = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        there || !common::e2e::in_ci(),
        "CI=true but openssl is missing"
    );
    if !there {
        eprintln!("skipped the OpenSSL judge: openssl is not installed");
    }
    there
}

fn run(cmd: &mut std::process::Command) -> std::process::Output {
    cmd.output().unwrap()
}

/// The virtual card's signature CA, as OpenSSL takes it.
fn sign_ca(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("sign-ca.pem");
    let out = bin()
        .args(["--virtual", "cert", "show", "sign-ca", "--pem"])
        .output()
        .unwrap();
    std::fs::write(&p, out.stdout).unwrap();
    p
}

#[test]
fn a_cms_signature_openssl_accepts_and_a_changed_byte_both_reject() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("doc.txt");
    std::fs::write(&file, "一行の文書\n").unwrap();
    let st = d.join("s.json");
    let before = counters(None, &st);
    for (pem, name) in [(false, "doc.p7s"), (true, "doc.pem")] {
        let mut c = bin();
        c.arg(virt(None)).arg("--state").arg(&st);
        c.args(["sign", "--pin-env", "P", "-o"])
            .arg(d.join(name))
            .arg(&file);
        if pem {
            c.arg("--pem");
        }
        let out = c.env("P", "TEST1234").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The right password spent nothing.
    assert_eq!(counters(None, &st), before);
    let sig = std::fs::read(d.join("doc.p7s")).unwrap();
    assert_eq!(sig[0], 0x30);
    assert!(std::fs::read_to_string(d.join("doc.pem"))
        .unwrap()
        .starts_with("-----BEGIN CMS-----"));
    // Holds the holder's certificate: private.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(d.join("doc.p7s"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let verify_ok = |p: &Path| {
        bin()
            .args(["verify"])
            .arg(&file)
            .arg(p)
            .arg("--test-pki")
            .output()
            .unwrap()
    };
    for name in ["doc.p7s", "doc.pem"] {
        let out = verify_ok(&d.join(name));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // Without --test-pki the virtual card's signer is not trusted.
    let out = bin()
        .args(["--json", "verify"])
        .arg(&file)
        .arg(d.join("doc.p7s"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(32));
    assert_eq!(json(&out.stdout)["outcome"], "unknown_signer");
    if openssl() {
        let ca = sign_ca(d);
        let o = run(std::process::Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
            .arg(d.join("doc.p7s"))
            .arg("-content")
            .arg(&file)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-out", "/dev/null"]));
        assert!(
            o.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // One byte changed: both reject.
    let mut changed = std::fs::read(&file).unwrap();
    changed[0] ^= 1;
    std::fs::write(&file, changed).unwrap();
    let out = bin()
        .args(["--json", "verify"])
        .arg(&file)
        .arg(d.join("doc.p7s"))
        .arg("--test-pki")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(30));
    assert_eq!(json(&out.stdout)["outcome"], "file_changed");
    if openssl() {
        let ca = sign_ca(d);
        let o = run(std::process::Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
            .arg(d.join("doc.p7s"))
            .arg("-content")
            .arg(&file)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-out", "/dev/null"]));
        assert!(!o.status.success());
    }
    // A changed signature byte: a bad signature.
    let mut bad = sig.clone();
    let n = bad.len();
    bad[n - 10] ^= 0x55;
    std::fs::write(d.join("bad.p7s"), &bad).unwrap();
    std::fs::write(&file, "一行の文書\n").unwrap();
    let out = bin()
        .args(["--json", "verify"])
        .arg(&file)
        .arg(d.join("bad.p7s"))
        .arg("--test-pki")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(31),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn sign_with_the_auth_key_and_the_digest_only_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, b"abc").unwrap();
    let out = bin()
        .args(["--virtual", "sign", "--key", "auth", "--pin-env", "P", "-o"])
        .arg(dir.path().join("a.p7s"))
        .arg(&file)
        .env("P", "1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = bin()
        .args(["--json", "verify"])
        .arg(&file)
        .arg(dir.path().join("a.p7s"))
        .arg("--test-pki")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // A raw signature of a digest, checked against the certificate's key.
    use sha2::Digest;
    let digest = sha2::Sha256::digest(b"abc");
    let out = bin()
        .args(["--virtual", "--json", "sign", "--digest-only"])
        .arg(hex::encode(digest))
        .args(["--pin-env", "P"])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    let sig = hex::decode(v["signature"].as_str().unwrap()).unwrap();
    assert_eq!(sig.len(), 256);
    let cert = bin()
        .args([
            "--virtual",
            "cert",
            "show",
            "sign",
            "--der",
            "--pin-env",
            "P",
        ])
        .env("P", "TEST1234")
        .output()
        .unwrap()
        .stdout;
    use rsa::pkcs8::DecodePublicKey;
    let (_, x) = x509_parser::parse_x509_certificate(&cert).unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(x.public_key().raw).unwrap();
    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, &sig)
        .unwrap();
    // A digest that is not one.
    let out = bin()
        .args([
            "--virtual",
            "sign",
            "--digest-only",
            "abc",
            "--pin-env",
            "P",
        ])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_wrong_password_costs_one_try_and_the_last_try_is_refused_before_any_verify() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let run = |pw: &str| {
        bin()
            .arg(virt(None))
            .arg("--state")
            .arg(&st)
            .args(["--trace", "sign", "--pin-env", "P", "-o"])
            .arg(dir.path().join("o.p7s"))
            .arg(&file)
            .env("P", pw)
            .output()
            .unwrap()
    };
    assert_eq!(run("WRONG1234").status.code(), Some(9));
    assert_eq!(counters(None, &st)[0].1, Some(4));
    assert!(!dir.path().join("o.p7s").exists(), "no file on failure");
    for _ in 0..3 {
        run("WRONG1234");
    }
    assert_eq!(counters(None, &st)[0].1, Some(1));
    let out = run("TEST1234");
    assert_eq!(out.status.code(), Some(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.lines().any(|l| l.starts_with("> 00 20 00 9B 08")),
        "{err}"
    );
    assert_eq!(counters(None, &st)[0].1, Some(1));
}

#[test]
fn verify_takes_an_openssl_signature_and_refuses_the_wrong_ca() {
    if !openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ssl = |args: &[&str]| {
        let o = std::process::Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    // A CA, a signer it issued (digitalSignature), and another CA.
    ssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    ssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=Other CA",
        "-keyout",
        "o.key",
        "-out",
        "other.pem",
    ]);
    ssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=Signer",
        "-keyout",
        "s.key",
        "-out",
        "s.csr",
    ]);
    std::fs::write(d.join("ext"), "keyUsage=digitalSignature\n").unwrap();
    ssl(&[
        "x509",
        "-req",
        "-in",
        "s.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext",
        "-out",
        "s.pem",
    ]);
    std::fs::write(d.join("doc"), b"document").unwrap();
    ssl(&[
        "cms", "-sign", "-binary", "-in", "doc", "-signer", "s.pem", "-inkey", "s.key", "-outform",
        "DER", "-out", "doc.p7s", "-md", "sha256",
    ]);
    let verify = |ca: &str| {
        bin()
            .args(["--json", "verify"])
            .arg(d.join("doc"))
            .arg(d.join("doc.p7s"))
            .arg("--ca")
            .arg(d.join(ca))
            .output()
            .unwrap()
    };
    let out = verify("ca.pem");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = verify("other.pem");
    assert_eq!(out.status.code(), Some(32));
    // A signer whose key may not sign.
    std::fs::write(d.join("ext2"), "keyUsage=keyEncipherment\n").unwrap();
    ssl(&[
        "x509",
        "-req",
        "-in",
        "s.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext2",
        "-out",
        "s2.pem",
    ]);
    ssl(&[
        "cms", "-sign", "-binary", "-in", "doc", "-signer", "s2.pem", "-inkey", "s.key",
        "-outform", "DER", "-out", "doc2.p7s", "-md", "sha256",
    ]);
    let out = bin()
        .args(["--json", "verify"])
        .arg(d.join("doc"))
        .arg(d.join("doc2.p7s"))
        .arg("--ca")
        .arg(d.join("ca.pem"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(34),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn an_expired_certificate_or_a_card_signing_with_another_key_signs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("f");
    std::fs::write(&file, b"x").unwrap();
    let out_file = d.join("o.p7s");
    let expired = common::profile_file(
        "base = \"builtin\"\n[certificates.sign]\nissued = \"2015-01-05\"\nexpires = \"2020-01-05\"\n",
    );
    let st = d.join("s.json");
    let pin_status = || {
        let out = bin()
            .arg(&expired.arg)
            .arg("--state")
            .arg(&st)
            .args(["--json", "pin", "status"])
            .output()
            .unwrap();
        json(&out.stdout)["pins"].clone()
    };
    let before = pin_status();
    let out = bin()
        .arg(&expired.arg)
        .arg("--state")
        .arg(&st)
        .args(["--json", "sign", "--pin-env", "P", "-o"])
        .arg(&out_file)
        .arg(&file)
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(18));
    let v = json(&out.stdout);
    assert_eq!(v["error"]["code"], "CERT_NOT_VALID");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2020-01-05"));
    assert!(!out_file.exists());
    assert_eq!(pin_status(), before);

    let wrong = common::profile_file("base = \"builtin\"\n[faults]\nwrong_auth_key = true\n");
    for extra in [&["-o"][..], &["--digest-only"][..]] {
        let mut c = bin();
        c.arg(&wrong.arg)
            .args(["--json", "sign", "--key", "auth", "--pin-env", "P"]);
        if extra[0] == "-o" {
            c.arg("-o").arg(&out_file).arg(&file);
        } else {
            c.args(["--digest-only", &"ab".repeat(32)]);
        }
        let out = c.env("P", "1234").output().unwrap();
        assert_eq!(out.status.code(), Some(12), "{extra:?}");
        assert!(json(&out.stdout)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not verify with its own certificate"));
        assert!(out.stdout.len() < 2000, "no signature printed");
        assert!(!out_file.exists());
    }
}

mod timestamps;
