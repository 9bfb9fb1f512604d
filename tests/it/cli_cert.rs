//! `mynacard cert show|inspect` on the in-process virtual card and on files.

use crate::common;

use common::{bin, json};
use mynacard::vcard::{Profile, VirtualCard};
use std::path::Path;

fn card() -> VirtualCard {
    VirtualCard::new(&Profile::builtin()).unwrap()
}

#[test]
fn show_auth_der_is_the_profiles_certificate() {
    let out = bin()
        .args(["--virtual", "cert", "show", "auth", "--der"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, card().pki().auth_cert_der());
    let out = bin()
        .args(["--virtual", "cert", "show", "auth-ca", "--pem"])
        .output()
        .unwrap();
    let pem = String::from_utf8(out.stdout).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(
        mynacard::cert::decode_input(pem.as_bytes()).unwrap(),
        [card().pki().auth_ca.clone()]
    );
}

#[test]
fn show_auth_report_fields_and_chain() {
    let out = bin()
        .args([
            "--virtual",
            "--json",
            "cert",
            "show",
            "auth",
            "--today",
            "2026-11-25",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    assert_eq!(v["source"], "card:auth");
    let c = &v["certificate"];
    assert_eq!(c["kind"], "jpki_auth");
    assert_eq!(c["key_algorithm"], "RSA");
    assert_eq!(c["key_bits"], 2048);
    assert_eq!(c["expires"], "2030-02-17");
    assert_eq!(c["not_after_jst"], "2030-02-17T23:59:59+09:00");
    assert_eq!(c["not_after_utc"], "2030-02-17T14:59:59Z");
    assert_eq!(c["days_left"], 1180);
    assert_eq!(c["key_usage"][0], "digitalSignature");
    assert!(c["issuer"]
        .as_str()
        .unwrap()
        .contains("JPKI for user authentication"));
    assert_eq!(c["sha256_fingerprint"].as_str().unwrap().len(), 64);
    assert!(c["holder"].is_null());
    assert_eq!(v["chain"]["status"], "valid");
    assert_eq!(v["chain"]["revocation"], "not checked");
}

#[test]
fn show_sign_with_the_password_shows_the_holder() {
    let out = bin()
        .args([
            "--virtual",
            "--json",
            "cert",
            "show",
            "sign",
            "--pin-env",
            "P",
        ])
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
    let h = &v["certificate"]["holder"];
    assert_eq!(h["name"], "黒桐\u{3000}幹也");
    assert_eq!(h["address"], "東京都清瀬市観布子南１２－７－２０２");
    assert_eq!(h["sex"], "1");
    assert_eq!(h["date_of_birth"]["date"], "1980-02-17");
    assert_eq!(h["date_of_birth"]["era"], "昭和");
    assert_eq!(v["certificate"]["kind"], "jpki_sign");
    assert_eq!(v["chain"]["status"], "valid");
    // Text: the holder attributes are shown.
    let out = bin()
        .args(["--virtual", "cert", "show", "sign", "--pin-env", "P"])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("黒桐\u{3000}幹也") && s.contains("1980-02-17"),
        "{s}"
    );
}

#[test]
fn show_sign_with_substitute_characters_says_so() {
    let tp = common::profile_file(
        "base = \"builtin\"\n[certificates.sign]\nname_substitutes = \"01000\"\n",
    );
    let out = bin()
        .arg(&tp.arg)
        .args(["--json", "cert", "show", "sign", "--pin-env", "P"])
        .env("P", "TEST1234")
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(
        v["certificate"]["holder"]["name_substitutes"]["positions"][0],
        2
    );
    let notes = v["certificate"]["notes"].to_string();
    assert!(notes.contains("substitute"), "{notes}");
}

#[test]
fn wrong_password_costs_one_try_and_says_how_many_are_left() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let out = bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["cert", "show", "sign", "--pin-env", "P"])
        .env("P", "WRONG99")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wrong signature password: 4 tries left"),
        "{err}"
    );
    assert!(!err.contains("WRONG99"));
    let c = common::counters(None, &st);
    assert_eq!(c[0], ("sign".into(), Some(4), "low".into()));
    assert_eq!(c[1].1, Some(3));
}

#[test]
fn sign_without_terminal_or_source_fails_at_once() {
    let t = std::time::Instant::now();
    let out = bin()
        .args(["--virtual", "--trace", "cert", "show", "sign"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no terminal"), "{err}");
    assert!(!err.contains("> "), "nothing sent to the card: {err}");
    assert!(t.elapsed().as_secs() < 10);
}

#[test]
fn output_file_is_written_atomically_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("auth.pem");
    bin()
        .args(["--virtual", "cert", "show", "auth", "--pem", "-o"])
        .arg(&f)
        .assert()
        .code(0);
    let first = std::fs::read(&f).unwrap();
    assert!(first.starts_with(b"-----BEGIN CERTIFICATE-----"));
    let out = bin()
        .args(["--virtual", "cert", "show", "auth", "--der", "-o"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(13));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&f).unwrap(), first);
    bin()
        .args([
            "--virtual",
            "cert",
            "show",
            "auth",
            "--der",
            "--force",
            "-o",
        ])
        .arg(&f)
        .assert()
        .code(0);
    assert_eq!(std::fs::read(&f).unwrap(), card().pki().auth_cert_der());
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn export_all(dir: &Path) -> Vec<std::path::PathBuf> {
    let c = card();
    let pki = c.pki();
    let mut files = Vec::new();
    for (name, der) in [
        ("auth.der", pki.auth_cert_der().to_vec()),
        ("sign.der", pki.sign_cert_der().to_vec()),
        ("auth-ca.der", pki.auth_ca.clone()),
        ("sign-ca.der", pki.sign_ca.clone()),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, der).unwrap();
        files.push(p);
    }
    files
}

#[test]
fn inspect_parses_all_four_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let files = export_all(dir.path());
    let kinds = ["jpki_auth", "jpki_sign", "ca", "ca"];
    for (f, kind) in files.iter().zip(kinds) {
        let out = bin()
            .args(["--json", "cert", "inspect"])
            .arg(f)
            .args(["--today", "2026-11-25"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", f.display());
        let v = json(&out.stdout);
        assert_eq!(v["certificate"]["kind"], kind, "{}", f.display());
    }
    // With trust anchors: the CA directory validates the end-entity one.
    let anchors = dir.path().join("anchors");
    std::fs::create_dir(&anchors).unwrap();
    std::fs::copy(dir.path().join("auth-ca.der"), anchors.join("auth-ca.der")).unwrap();
    std::fs::copy(dir.path().join("sign-ca.der"), anchors.join("sign-ca.der")).unwrap();
    let out = bin()
        .args(["--json", "cert", "inspect"])
        .arg(&files[0])
        .arg("--ca")
        .arg(&anchors)
        .args(["--today", "2026-11-25"])
        .output()
        .unwrap();
    assert_eq!(json(&out.stdout)["trust_anchor_chain"]["status"], "valid");
    // Expired at a later date; signed by another CA.
    let out = bin()
        .args(["--json", "cert", "inspect"])
        .arg(&files[0])
        .arg("--ca")
        .arg(&anchors)
        .args(["--today", "2030-03-01"])
        .output()
        .unwrap();
    assert_eq!(json(&out.stdout)["trust_anchor_chain"]["status"], "expired");
    let out = bin()
        .args(["--json", "cert", "inspect"])
        .arg(&files[0])
        .arg("--ca")
        .arg(dir.path().join("sign-ca.der"))
        .output()
        .unwrap();
    assert_eq!(
        json(&out.stdout)["trust_anchor_chain"]["status"],
        "unknown_issuer"
    );
}

#[test]
fn chain_against_a_certificate_signed_by_another_ca() {
    let tp = common::profile_file("base = \"builtin\"\n[certificates.auth]\nwrong_issuer = true\n");
    let out = bin()
        .arg(&tp.arg)
        .args(["--json", "cert", "show", "auth"])
        .output()
        .unwrap();
    assert_eq!(json(&out.stdout)["chain"]["status"], "bad_signature");
    let out = bin()
        .arg(&tp.arg)
        .args(["--json", "status", "--fail-on", "error"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(21));
    let v = json(&out.stdout);
    assert!(
        v["findings"].to_string().contains("CERT_CHAIN_INVALID"),
        "{v}"
    );
}

#[test]
fn inspect_rejects_malformed_files_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let der = card().pki().auth_cert_der().to_vec();
    let pem = String::from_utf8(
        bin()
            .args(["--virtual", "cert", "show", "auth", "--pem"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let mut flipped_tag = der.clone();
    flipped_tag[0] = 0x31;
    let mut bad_len = der.clone();
    bad_len[2] = 0xFF;
    let cases: Vec<(&str, Vec<u8>, &str)> =
        vec![
        ("empty", vec![], "empty"),
        ("spaces", b"   \n\n".to_vec(), "only whitespace"),
        ("truncated-10", der[..10].to_vec(), "truncated"),
        ("truncated-half", der[..der.len() / 2].to_vec(), "truncated"),
        ("truncated-1", der[..der.len() - 1].to_vec(), "truncated"),
        ("trailing", [der.clone(), vec![0, 1, 2]].concat(), "trailing"),
        ("wrong-tag", flipped_tag, "neither PEM nor DER"),
        ("bad-length", bad_len, ""),
        ("no-end", pem.replace("-----END CERTIFICATE-----\n", "").into_bytes(), "END"),
        ("bad-base64", pem.replacen("M", "*", 1).into_bytes(), "base64"),
        (
            "private-key",
            b"-----BEGIN PRIVATE KEY-----\nMAMCAQU=\n-----END PRIVATE KEY-----\n".to_vec(),
            "PRIVATE KEY",
        ),
        (
            "csr",
            b"-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQU=\n-----END CERTIFICATE REQUEST-----\n"
                .to_vec(),
            "CERTIFICATE REQUEST",
        ),
        ("text", b"hello, this is not a certificate\n".to_vec(), "neither PEM nor DER"),
        ("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "neither PEM nor DER"),
        ("zip", b"PK\x03\x04\x14\0\0\0".to_vec(), "neither PEM nor DER"),
        ("not-a-cert", vec![0x30, 0x03, 0x02, 0x01, 0x05], "certificate"),
        (
            "pem-not-a-cert",
            b"-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n".to_vec(),
            "certificate",
        ),
        ("header-only", vec![0x30, 0x82, 0x05, 0x00, 0x30], "truncated"),
        ("sequence-header", vec![0x30, 0x82], "truncated"),
        ("nul", vec![0; 64], "neither PEM nor DER"),
    ];
    let mut checked = 0;
    for (name, bytes, want) in &cases {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let out = bin().args(["cert", "inspect"]).arg(&f).output().unwrap();
        assert_eq!(out.status.code(), Some(12), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{name}: want {want:?} in {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        checked += 1;
    }
    // Bit flips all over the DER: an error or a report, never a panic.
    for i in (0..der.len()).step_by(37) {
        let mut b = der.clone();
        b[i] ^= 0x10;
        let f = dir.path().join("flip");
        std::fs::write(&f, &b).unwrap();
        let out = bin().args(["cert", "inspect"]).arg(&f).output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0) | Some(12)),
            "flip at {i}"
        );
    }
    assert!(checked >= 20);
    // A missing file is a file error.
    let out = bin()
        .args(["cert", "inspect", "/nonexistent/cert.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(13));
}

#[test]
fn virtual_with_corrupt_certificate_reports_bad_signature() {
    let tp = common::profile_file("base = \"builtin\"\n[faults]\ncorrupt_auth_cert = true\n");
    let out = bin()
        .arg(&tp.arg)
        .args(["--json", "cert", "show", "auth"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out.stdout)["chain"]["status"], "bad_signature");
}

#[test]
fn output_never_replaces_a_device_directory_fifo_or_link_and_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let victim = d.join("victim");
    std::fs::write(&victim, b"keep").unwrap();
    std::os::unix::fs::symlink(&victim, d.join("link")).unwrap();
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling")).unwrap();
    std::fs::create_dir(d.join("dir")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(d.join("fifo"))
        .status()
        .unwrap()
        .success());
    let mut targets = vec![
        ("link", "a symbolic link"),
        ("dangling", "a symbolic link"),
        ("dir", "a directory"),
        ("fifo", "a FIFO"),
    ];
    // A device node of our own (root only): `-o /dev/null --force` as root
    // once replaced the device with a regular file.
    let dev = d.join("null");
    let have_dev = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if have_dev {
        targets.push(("null", "a device"));
    }
    for (name, what) in &targets {
        let out = bin()
            .args(["--virtual", "--json", "cert", "show", "auth", "--pem"])
            .args(["--force", "-o"])
            .arg(d.join(name))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(13), "{name}");
        let v = json(&out.stdout);
        assert_eq!(v["error"]["code"], "OUTPUT_REFUSED", "{name}: {v}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(what), "{name}: {err}");
        assert!(err.contains("-o -"), "{err}");
    }
    // Nothing was written through or replaced; no temporary file is left.
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    assert!(std::fs::symlink_metadata(d.join("link"))
        .unwrap()
        .file_type()
        .is_symlink());
    if have_dev {
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(&dev)
            .unwrap()
            .file_type()
            .is_char_device());
    }
    assert_eq!(
        std::fs::read_dir(d).unwrap().count(),
        5 + usize::from(have_dev)
    );
    // `-o -` writes to standard output.
    let out = bin()
        .args(["--virtual", "cert", "show", "auth", "--der", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, card().pki().auth_cert_der());
}

#[test]
fn a_file_beyond_what_read_binary_addresses_is_refused_not_wrapped() {
    // A 40,000-byte certificate: offsets past 0x7FFF cannot be addressed.
    let mut der = vec![0x30, 0x82, 0x9C, 0x3C];
    der.resize(40_000, 0x5A);
    let tp = common::profile_file(&format!(
        "base = \"builtin\"\n[ef_overrides]\n\"jpki:000A\" = \"{}\"\n",
        hex::encode(&der)
    ));
    let out = bin()
        .args([&tp.arg, "--trace", "cert", "show", "auth", "--der"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(12), "{err}");
    assert!(err.contains("longer than the 32 KiB"), "{err}");
    assert!(out.stdout.is_empty());
    // No READ BINARY with a wrapped offset went out.
    assert!(!err
        .lines()
        .any(|l| l.starts_with("> 00 B0 80") && l != "> 00 B0 80 00 00"));
}

#[test]
fn a_json_file_written_with_o_is_the_same_document_as_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("auth.json");
    bin()
        .args([
            "--virtual",
            "--json",
            "cert",
            "show",
            "auth",
            "--today",
            "2026-11-25",
            "-o",
        ])
        .arg(&f)
        .assert()
        .code(0);
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    let out = bin()
        .args([
            "--virtual",
            "--json",
            "cert",
            "show",
            "auth",
            "--today",
            "2026-11-25",
        ])
        .output()
        .unwrap();
    assert_eq!(file, json(&out.stdout));
    assert_eq!(file["schema_version"], 2);
    assert_eq!(file["command"], "cert");
}

#[test]
fn every_built_in_root_is_named_with_its_ca_and_generation() {
    let roots = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/jlis-roots");
    for (file, ca, generation) in [
        ("signca01.cer", "sign", 1),
        ("signca02.cer", "sign", 2),
        ("signca03.cer", "sign", 3),
        ("authca01.cer", "auth", 1),
        ("authca02.cer", "auth", 2),
        ("authca03.cer", "auth", 3),
    ] {
        let out = bin()
            .args(["--json", "cert", "inspect"])
            .arg(roots.join(file))
            .output()
            .unwrap();
        let v = json(&out.stdout);
        let p = &v["issued_by"];
        assert_eq!(p["kind"], "jlis", "{file}: {p}");
        assert_eq!(p["ca"], ca, "{file}");
        assert_eq!(p["generation"], generation, "{file}");
        let out = bin()
            .args(["cert", "inspect"])
            .arg(roots.join(file))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("generation {generation:02}")),
            "{text}"
        );
        assert!(text.contains("can be copied onto a forged card"), "{text}");
    }
}

#[test]
fn a_self_made_certificate_with_a_jlis_subject_is_not_jlis() {
    if !Path::new("/usr/bin/openssl").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, crt) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let st = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj"])
        .arg("/C=JP/O=JPKI/OU=JPKI for user authentication/OU=Japan Agency for Local Authority Information Systems")
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    let out = bin()
        .args(["--json", "cert", "inspect"])
        .arg(&crt)
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["issued_by"]["kind"], "not_jlis", "{v}");
    assert_eq!(v["issued_by"]["claims_jlis"], true);
    let out = bin().args(["cert", "inspect"]).arg(&crt).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("not issued by J-LIS"));
    // One naming the generation-02 user-authentication root (its key id),
    // not signed by it: a claim, never J-LIS's.
    let crt2 = dir.path().join("c2.pem");
    let st = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj"])
        .arg("/C=JP/O=JPKI/OU=JPKI for user authentication/OU=Japan Agency for Local Authority Information Systems")
        .args(["-addext", "2.5.29.35=DER:30:16:80:14:8C:D5:58:6A:89:14:85:E5:59:37:9B:7E:29:D4:10:CF:D2:8B:35:93"])
        .args(["-addext", "subjectKeyIdentifier=none", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&crt2)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    let v = json(
        &bin()
            .args(["--json", "cert", "inspect"])
            .arg(&crt2)
            .output()
            .unwrap()
            .stdout,
    );
    assert_eq!(v["issued_by"]["kind"], "not_jlis", "{v}");
    assert_eq!(v["issued_by"]["claims_jlis"], true);
    let out = bin().args(["cert", "inspect"]).arg(&crt2).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("claims to be issued by J-LIS"), "{text}");
    assert!(!text.contains("J-LIS's:"), "never called J-LIS's: {text}");
    // The virtual card's certificate: the test PKI, said as such.
    let out = bin()
        .args(["--virtual", "--json", "cert", "show", "auth"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["issued_by"]["kind"], "test_pki", "{v}");
    assert_eq!(v["card_ca_is_root"], serde_json::Value::Null);
}
