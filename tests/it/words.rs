//! Words and options (issue 30): option combinations that make no sense
//! are refused (exit 2, a line naming both), `--wareki` in every command
//! that shows a date, the line after `-o FILE`, a forced wrong last try,
//! and the exit-15 remedy naming the command that finishes the change.

use crate::common::{bin, profile_file};
use mynacard::error::Error;
use mynacard::i18n::Lang;
use mynacard::protocol::PinKind;

fn usage_error(args: &[&str], says: &str) {
    let out = bin().args(args).write_stdin("").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
}

#[test]
fn combinations_that_make_no_sense_are_refused() {
    usage_error(
        &["--state", "s.json", "status"],
        "--state cannot be used with a real card",
    );
    // In Japanese, all in Japanese (no English half-sentence inside).
    usage_error(
        &["--lang", "ja", "--state", "s.json", "status"],
        "実際のカードには使えません (--virtual を付けてください)",
    );
    usage_error(&["--virtual", "--reader", "1", "status"], "--reader");
    usage_error(&["--virtual", "--wait", "3", "pin", "status"], "--wait");
    usage_error(&["--virtual", "status", "--pin-stdin"], "--with-sign");
    // No reader to choose: readers lists them all; verify uses no card.
    usage_error(
        &["--reader", "1", "readers"],
        "--reader is for commands that read a card",
    );
    usage_error(
        &["--wait", "5", "readers"],
        "--wait is for commands that read a card",
    );
    usage_error(
        &["--reader", "1", "verify", "a", "b"],
        "--reader is for commands that read a card",
    );
    usage_error(
        &["--wait", "1", "cert", "inspect", "x.pem"],
        "--wait is for commands",
    );
    usage_error(&["--virtual", "status", "--force-last-try"], "--with-sign");
    usage_error(
        &[
            "--virtual",
            "cert",
            "show",
            "auth",
            "--der",
            "--today",
            "2026-01-01",
        ],
        "--today",
    );
    usage_error(
        &["--virtual", "cert", "show", "auth", "--pem", "--ca", "x"],
        "--ca",
    );
    usage_error(
        &["--virtual", "cert", "show", "auth", "--force"],
        "--output",
    );
    usage_error(&["--virtual", "sign", "x", "--force"], "--output");
    // A global and a subcommand's option (cli/combos.rs): the same exit
    // code, one line.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("doc.txt");
    std::fs::write(&f, "x").unwrap();
    usage_error(
        &[
            "--virtual",
            "--json",
            "sign",
            f.to_str().unwrap(),
            "--pin-stdin",
        ],
        "--json cannot be used with the signature on standard output",
    );
}

/// Each command that shows a date gives the era with `--wareki` (Japanese
/// text), and not without it.
#[test]
fn wareki_in_every_command_that_shows_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("doc.txt"), "hello").unwrap();
    std::fs::write(d.join("doc.pdf"), crate::pdf::minimal_pdf("hello")).unwrap();
    let run = |args: &[&str], stdin: &str, env: Option<(&str, &str)>| -> (String, String) {
        let go = |wareki: bool| {
            let mut c = bin();
            c.current_dir(d).args(["--lang", "ja"]);
            if wareki {
                c.arg("--wareki");
            }
            if let Some((k, v)) = env {
                c.env(k, v);
            }
            let out = c.args(args).write_stdin(stdin).output().unwrap();
            // face-check ends 44 on the test PKI's card: the words count.
            assert!(
                matches!(out.status.code(), Some(0 | 44)),
                "{args:?}: {out:?}"
            );
            String::from_utf8(out.stdout).unwrap()
        };
        (go(true), go(false))
    };
    let sign_pin = crate::common::default_pin("sign");
    // Files the date-showing commands read.
    for args in [
        &[
            "--virtual",
            "cert",
            "show",
            "auth",
            "--pem",
            "-o",
            "auth.pem",
        ][..],
        &[
            "--virtual",
            "sign",
            "doc.txt",
            "-o",
            "doc.p7s",
            "--pin-stdin",
        ][..],
        &[
            "--virtual",
            "pdf",
            "sign",
            "doc.pdf",
            "-o",
            "signed.pdf",
            "--pin-stdin",
        ][..],
    ] {
        let out = bin()
            .current_dir(d)
            .args(args)
            .write_stdin(format!("{sign_pin}\n"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    let auth_pin = format!("{}\n", crate::common::default_pin("card-info"));
    type Case<'a> = (
        &'a str,
        Vec<&'a str>,
        String,
        Option<(&'a str, &'a str)>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "status",
            vec!["--virtual", "status", "--today", "2026-11-25"],
            String::new(),
            None,
            "令和",
        ),
        (
            "cert show",
            vec!["--virtual", "cert", "show", "auth"],
            String::new(),
            None,
            "令和",
        ),
        (
            "cert inspect",
            vec!["cert", "inspect", "auth.pem"],
            String::new(),
            None,
            "令和",
        ),
        (
            "info",
            vec!["--virtual", "info", "--pin-stdin"],
            auth_pin,
            None,
            "昭和",
        ),
        (
            "face-check",
            vec!["--virtual", "face-check", "--show", "--code-env", "FC"],
            String::new(),
            Some(("FC", "昭和55年2月17日 2035 2285")),
            "昭和",
        ),
        (
            "verify",
            vec!["verify", "doc.txt", "doc.p7s", "--test-pki"],
            String::new(),
            None,
            "令和",
        ),
        (
            "pdf verify",
            vec!["pdf", "verify", "signed.pdf", "--test-pki"],
            String::new(),
            None,
            "令和",
        ),
    ];
    for (name, args, stdin, env, era) in cases {
        let (with, without) = run(&args, &stdin, env);
        assert!(with.contains(era), "{name} --wareki: {with}");
        assert!(!without.contains(era), "{name} without --wareki: {without}");
    }
}

#[test]
fn sign_o_file_says_where_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("doc.txt"), "hello").unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args([
            "--virtual",
            "sign",
            "doc.txt",
            "-o",
            "doc.p7s",
            "--pin-stdin",
        ])
        .write_stdin(format!("{}\n", crate::common::default_pin("sign")))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "written to: doc.p7s\n"
    );
}

#[test]
fn a_forced_wrong_last_try_says_it_locked_the_pin() {
    let tp = profile_file("base = \"builtin\"\n[pins.auth]\nvalue = \"1234\"\ntries = 1\n");
    let out = bin()
        .args([
            &tp.arg,
            "pin",
            "verify",
            "auth",
            "--pin-stdin",
            "--force-last-try",
        ])
        .write_stdin("9999\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(10), "{err}");
    assert!(
        err.contains("wrong user-authentication PIN: that was the last try, and it is now locked"),
        "{err}"
    );
    assert!(!err.contains("0 tries left"), "{err}");
    assert!(err.contains("municipal"), "{err}");
}

#[test]
fn exit_15_names_the_command_that_finishes_the_change() {
    // The card pulled at the second change: one reference has the new PIN,
    // the other's answer was lost (as tests/it/card_session.rs produces).
    let e = Error::ChangeHalfDone {
        kind: PinKind::Resident,
        new_on: vec!["common-001c"],
        old_on: vec![],
        unknown: Some("juki-001c"),
        cause: Box::new(Error::CardRemoved),
    };
    assert_eq!(e.exit_code(), 15);
    let r = e.remedy(Lang::En);
    assert!(
        r.contains("mynacard pin change resident --reference juki"),
        "{r}"
    );
    assert!(e
        .remedy(Lang::Ja)
        .contains("mynacard pin change resident --reference juki"));
}

/// A resident's report never speaks of caches (an implementation detail).
#[test]
fn no_cache_jargon_in_the_reports() {
    let sign = format!("{}\n", crate::common::default_pin("sign"));
    let auth = format!("{}\n", crate::common::default_pin("auth"));
    for lang in ["en", "ja"] {
        for (args, stdin) in [
            (&["status"][..], ""),
            (&["status", "--with-sign", "--pin-stdin"][..], sign.as_str()),
            (&["pin", "status"][..], ""),
            (&["readers"][..], ""),
            (&["cert", "show", "auth"][..], ""),
            (&["prove", "--pin-stdin"][..], auth.as_str()),
        ] {
            let out = bin()
                .args(["--virtual", "--lang", lang])
                .args(args)
                .write_stdin(stdin)
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
            .to_lowercase();
            assert!(
                out.status.code().is_some_and(|c| c == 0 || c == 17),
                "{args:?}: {all}"
            );
            assert!(
                !all.contains("cache") && !all.contains("キャッシュ"),
                "{args:?}: {all}"
            );
        }
    }
}

/// An old spelling works, with a one-line notice naming the new one.
#[test]
fn old_spellings_say_their_new_name() {
    // `vcard serve` on a port nothing listens on keeps trying: stopped
    // after a second; the notices come first.
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("st.json");
    let out = bin()
        .args([
            "vcard",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "1",
            "-v",
            "--card-state",
        ])
        .arg(&st)
        .timeout(std::time::Duration::from_secs(1))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mynacard: note: --card-state is now spelled --state"),
        "{err}"
    );
    assert!(
        err.contains("mynacard: note: -v/--verbose is now spelled --trace"),
        "{err}"
    );
}

/// Binary output is refused on a terminal by every command that writes it
/// (`script` gives the command a pseudo-terminal), before the card is used.
#[test]
fn binary_output_is_refused_on_a_terminal() {
    if !std::path::Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: no /usr/bin/script");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("doc.txt"), "hello").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("mynacard");
    let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    for (args, says) in [
        (
            "cert show auth --der".to_string(),
            "the certificate in DER is binary",
        ),
        (
            "cert show auth --der -o -".to_string(),
            "the certificate in DER is binary",
        ),
        (
            "sign doc.txt --pin-env P".to_string(),
            "the signature is binary (DER)",
        ),
        (
            "sign doc.txt -o - --pin-env P".to_string(),
            "the signature is binary (DER)",
        ),
        (
            format!("sign --digest-only {digest} -o - --pin-env P"),
            "the signature value is binary",
        ),
    ] {
        let cmd = format!("{} --virtual --trace {args}", bin.display());
        let out = std::process::Command::new("/usr/bin/script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(dir.path())
            .env("P", crate::common::default_pin("sign"))
            .env("NO_COLOR", "1")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LANGUAGE")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(says), "{args}: {text}");
        assert!(text.contains("-o FILE"), "{args}: {text}");
        // Refused before any APDU (the trace shows none).
        assert!(!text.contains("> 00"), "{args}: {text}");
        assert_eq!(out.status.code(), Some(2), "{args}: {text}");
    }
}
