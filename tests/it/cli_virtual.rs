//! The shipped binary on the in-process virtual card (`--virtual`): exit
//! codes, JSON fields, counters before and after, and the trace.

use crate::common;

use common::{bin, default_pin, fixture, json};
use std::path::Path;

/// `pin status --json` on a stateful built-in virtual card.
fn counters(state: &Path) -> Vec<(String, Option<u64>, String)> {
    common::counters(None, state)
}

fn remaining(state: &Path, kind: &str) -> Option<u64> {
    counters(state).into_iter().find(|c| c.0 == kind).unwrap().1
}

#[test]
fn readers_identifies_the_virtual_card() {
    let out = bin()
        .args(["--virtual", "--json", "readers"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    assert_eq!(v["schema_version"], 2);
    let r = &v["readers"][0];
    assert_eq!(r["card_present"], true);
    assert_eq!(r["card_type"], "card");
    assert_eq!(r["card_description"], "My Number Card");
    assert!(r["atr"].as_str().unwrap().starts_with("3B"));
}

#[test]
fn pin_status_reads_all_four_counters_without_spending() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let before = counters(&st);
    let kinds: Vec<_> = before.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(kinds, ["sign", "auth", "card-info", "resident"]);
    assert_eq!(before[0].1, Some(5));
    for c in &before[1..] {
        assert_eq!(c.1, Some(3), "{c:?}");
        assert_eq!(c.2, "ok");
    }
    // Reading again changes nothing.
    assert_eq!(counters(&st), before);
    // The trace shows only case-1 retry queries, no VERIFY with data.
    let out = bin()
        .args(["--virtual", "--trace", "pin", "status"])
        .output()
        .unwrap();
    let trace = String::from_utf8_lossy(&out.stderr);
    let verifies: Vec<&str> = trace.lines().filter(|l| l.starts_with("> 00 20")).collect();
    assert_eq!(verifies.len(), 5, "{trace}");
    for v in verifies {
        assert_eq!(v.len(), "> 00 20 00 8B".len(), "VERIFY with data: {v}");
    }
}

#[test]
fn wrong_pin_lowers_exactly_one_counter() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let before = counters(&st);
    let out = bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["pin", "verify", "auth", "--pin-env", "TEST_PIN"])
        .env("TEST_PIN", "9999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wrong user-authentication PIN: 2 tries left"),
        "{err}"
    );
    assert!(!err.contains("9999"));
    let after = counters(&st);
    for (b, a) in before.iter().zip(&after) {
        if b.0 == "auth" {
            assert_eq!(a.1, Some(2));
            assert_eq!(a.2, "low");
        } else {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn guard_refuses_the_last_try_and_a_locked_pin() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    for _ in 0..2 {
        bin()
            .args(["--virtual", "--state"])
            .arg(&st)
            .args(["pin", "verify", "card-info", "--pin-env", "P"])
            .env("P", "0000")
            .assert()
            .code(9);
    }
    assert_eq!(remaining(&st, "card-info"), Some(1));
    let out = bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["pin", "verify", "card-info", "--pin-env", "P"])
        .env("P", "0000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("one try left"), "{err}");
    // The refusal names the one flag that gets past it.
    assert!(err.contains("--force-last-try"), "{err}");
    assert_eq!(remaining(&st, "card-info"), Some(1));
    // With --force-last-try (no terminal) the last try is spent and the PIN locks.
    bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args([
            "pin",
            "verify",
            "card-info",
            "--force-last-try",
            "--pin-env",
            "P",
        ])
        .env("P", "0000")
        .assert()
        .code(10);
    let c = counters(&st);
    let ci = c.iter().find(|c| c.0 == "card-info").unwrap();
    assert_eq!((ci.1, ci.2.as_str()), (Some(0), "locked"));
    // Locked: refused before any VERIFY is sent.
    let out = bin()
        .args(["--virtual", "--trace", "--state"])
        .arg(&st)
        .args([
            "pin",
            "verify",
            "card-info",
            "--force-last-try",
            "--pin-env",
            "P",
        ])
        .env("P", "1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is locked"), "{err}");
    assert!(err.contains("municipal office"), "{err}");
    assert!(!err
        .lines()
        .any(|l| l.starts_with("> 00 20 00 80 04") || l.starts_with("> 00 20 00 91 04")));
}

#[test]
fn malformed_signature_password_never_reaches_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    for bad in ["ABC12", "ABC#123", "ABCDEFGHIJ12345678"] {
        let out = bin()
            .args(["--virtual", "--trace", "--state"])
            .arg(&st)
            .args(["pin", "verify", "sign", "--pin-env", "P"])
            .env("P", bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(11), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("> "), "no APDU may be sent: {err}");
        assert!(!err.contains(bad));
        assert!(err.contains("A-Z and 0-9"), "{err}");
    }
    assert_eq!(remaining(&st, "sign"), Some(5));
}

#[test]
fn right_pin_verifies_and_trace_masks_it() {
    let out = bin()
        .args([
            "--virtual",
            "--trace",
            "pin",
            "verify",
            "auth",
            "--pin-env",
            "P",
        ])
        .env("P", default_pin("auth"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("****"), "{err}");
    let hex_pin: String = default_pin("auth")
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!err.contains(&hex_pin), "{err}");
}

#[test]
fn no_pin_source_and_no_terminal_fails_at_once() {
    let out = bin()
        .args(["--virtual", "pin", "verify", "auth"])
        .write_stdin("")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(11));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no terminal"));
}

#[test]
fn pin_change_then_old_pin_fails_and_new_works() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let old = default_pin("card-info");
    bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args([
            "pin",
            "change",
            "card-info",
            "--pin-env",
            "OLD",
            "--new-pin-env",
            "NEW",
        ])
        .env("OLD", &old)
        .env("NEW", "4321")
        .assert()
        .code(0);
    bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["pin", "verify", "card-info", "--pin-env", "P"])
        .env("P", "4321")
        .assert()
        .code(0);
    bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["pin", "verify", "card-info", "--pin-env", "P"])
        .env("P", &old)
        .assert()
        .code(9);
    // A malformed new PIN is refused before anything is sent.
    bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args([
            "pin",
            "change",
            "card-info",
            "--pin-env",
            "OLD",
            "--new-pin-env",
            "NEW",
        ])
        .env("OLD", "4321")
        .env("NEW", "12345")
        .assert()
        .code(11);
}

#[test]
fn version_help_completions_and_man_need_no_card() {
    bin().arg("--version").assert().code(0);
    bin().arg("--help").assert().code(0);
    let out = bin().args(["completions", "bash"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("mynacard"));
    let out = bin().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH MYNACARD"));
    // The version names the git commit when built from a checkout.
    let out = bin().arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        v.starts_with(&format!("mynacard {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
    {
        assert!(v.contains("(git "), "{v}");
    }
}

/// One page per subcommand, each naming its own command line; the global
/// options under each subcommand only as one note, never as options.
#[test]
fn man_pages_for_every_subcommand_and_globals_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed = String::from_utf8_lossy(&out.stdout).lines().count();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, names.len());
    for want in [
        "mynacard.1",
        "mynacard-status.1",
        "mynacard-pin-status.1",
        "mynacard-pin-change.1",
        "mynacard-cert-show.1",
        "mynacard-sign.1",
        "mynacard-verify.1",
        "mynacard-vcard-sandbox.1",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    let status = std::fs::read_to_string(dir.path().join("mynacard-status.1")).unwrap();
    assert!(status.contains("mynacard status"));
    assert!(
        !status.contains("\\fB\\-\\-timeout"),
        "a global option listed under status"
    );
    let top = std::fs::read_to_string(dir.path().join("mynacard.1")).unwrap();
    assert!(top.contains("\\fB\\-\\-timeout"));
    let help = bin().args(["pin", "status", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(!help.contains("--timeout <SECS>"), "{help}");
    assert!(help.contains("Global options"));
    // Still accepted after the subcommand.
    bin()
        .args(["pin", "status", "--virtual", "--json", "--timeout", "5"])
        .assert()
        .code(0);
    let bash = bin().args(["completions", "bash"]).output().unwrap();
    let bash = String::from_utf8_lossy(&bash.stdout);
    assert!(bash.contains("--timeout"));
}

#[test]
fn pin_is_not_accepted_as_an_argument_value() {
    bin()
        .args(["--virtual", "pin", "verify", "auth", "--pin", "1234"])
        .assert()
        .code(2);
}

#[test]
fn japanese_messages_from_the_locale() {
    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .args(["--virtual", "pin", "status"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("署名用電子証明書のパスワード"), "{s}");
    assert!(s.contains("住民基本台帳用の暗証番号"), "{s}");
}

#[test]
fn locked_pin_row_says_what_to_do() {
    let out = bin()
        .arg(common::virt(Some("pin-locked")))
        .args(["pin", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = s.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("card-info PIN"))
        .unwrap();
    assert!(
        lines[i].contains("0/3") && lines[i].contains("locked"),
        "{s}"
    );
    assert!(lines[i + 1].contains("municipal office"), "{s}");
    let auth = lines
        .iter()
        .find(|l| l.contains("user-authentication PIN"))
        .unwrap();
    assert!(auth.contains("1/3") && auth.contains("last try"), "{s}");
    // The JPKI PINs' remedy names the kiosk route too.
    let out = bin()
        .arg(common::virt(Some("pin-locked")))
        .args(["--json", "pin", "status"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert!(v["pins"][2]["advice"]
        .as_str()
        .unwrap()
        .contains("municipal office"));
    assert!(v["pins"][1]["advice"]
        .as_str()
        .unwrap()
        .contains("one more wrong entry"));
    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .arg(common::virt(Some("pin-locked")))
        .args(["pin", "status"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("ロック中") && s.contains("市区町村の窓口"),
        "{s}"
    );
}

#[test]
fn differing_resident_references_are_both_shown() {
    let tp = common::profile_file("base = \"builtin\"\n[pins.resident]\ncommon_tries = 2\n");
    let out = bin().arg(&tp.arg).args(["pin", "status"]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("juki-001c 3, common-001c 2"), "{s}");
    let out = bin()
        .arg(&tp.arg)
        .args(["--json", "pin", "status"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["pins"][3]["remaining"], 2);
    assert_eq!(v["pins"][3]["references"][0]["remaining"], 3);
    assert_eq!(v["pins"][3]["references"][1]["remaining"], 2);
}

/// Every PIN command, right and wrong, with --trace and --json: no PIN in
/// any output, as text or as hex.
#[test]
fn no_pin_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let secrets = [
        default_pin("sign"),
        "WRONGPW1".to_string(),
        "NEWPASS9".to_string(),
        "8642".to_string(),
        "9753".to_string(),
    ];
    let runs: Vec<(Vec<&str>, &str, &str)> = vec![
        (vec!["pin", "verify", "sign"], "P", "WRONGPW1"),
        (vec!["pin", "verify", "auth"], "P", "8642"),
        (
            vec!["pin", "change", "auth", "--new-pin-env", "N"],
            "P",
            "1234",
        ),
        (vec!["pin", "verify", "auth"], "P", "9753"),
        (
            vec!["pin", "change", "sign", "--new-pin-env", "N"],
            "P",
            "TEST1234",
        ),
        (vec!["cert", "show", "sign"], "P", "NEWPASS9"),
        (vec!["status", "--with-sign"], "P", "NEWPASS9"),
        (vec!["info"], "P", "8642"),
        (
            vec!["pin", "change", "resident", "--new-pin-env", "N"],
            "P",
            "1234",
        ),
    ];
    for (args, var, value) in runs {
        for json_flag in [false, true] {
            let mut c = bin();
            c.args(["--virtual", "--trace", "--state"]).arg(&st);
            if json_flag {
                c.arg("--json");
            }
            let new = if args.len() > 2 && args[..3] == ["pin", "change", "sign"] {
                "NEWPASS9"
            } else {
                "9753"
            };
            let out = c
                .args(&args)
                .args(["--pin-env", var])
                .env(var, value)
                .env("N", new)
                .output()
                .unwrap();
            let all = [out.stdout.clone(), out.stderr.clone()].concat();
            let text = String::from_utf8_lossy(&all);
            for s in &secrets {
                let hex: Vec<String> = s.bytes().map(|b| format!("{b:02X}")).collect();
                assert!(!text.contains(s.as_str()), "{args:?}: {s} in {text}");
                assert!(
                    !text.contains(&hex.join(" ")),
                    "{args:?}: hex of {s} in {text}"
                );
            }
        }
    }
}

#[test]
fn time_options_refuse_what_is_not_a_duration() {
    for v in ["inf", "nan", "0", "abc", "100000"] {
        for opt in ["--timeout", "--wait"] {
            let out = bin()
                .args(["--virtual", opt, v, "pin", "status"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{opt} {v}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("seconds") && !err.contains("panicked"),
                "{err}"
            );
        }
    }
}

/// On a terminal the last try needs --force-last-try and the PIN kind's name typed
/// at the prompt (`script` gives the command a pseudo-terminal).
#[test]
fn last_try_on_a_terminal_asks_for_the_kind_name() {
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: no /usr/bin/script");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("one.toml");
    std::fs::write(&prof, "base = \"builtin\"\n[pins.auth]\ntries = 1\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("mynacard");
    let run = |typed: &str| {
        let cmd = format!(
            "{} --virtual={} --state {} pin verify auth --force-last-try --pin-env P",
            bin.display(),
            prof.display(),
            dir.path().join("state.json").display()
        );
        let out = std::process::Command::new("/usr/bin/script")
            .args(["-qec", &cmd, "/dev/null"])
            .env("P", "0000")
            .env("NO_COLOR", "1")
            .env_remove("LANG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                std::thread::sleep(std::time::Duration::from_millis(300));
                c.stdin.take().unwrap().write_all(typed.as_bytes())?;
                c.wait_with_output()
            })
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let tries = || -> i64 {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("state.json")).unwrap()).unwrap();
        v["keys"]["jpki-0018"]["tries"].as_i64().unwrap()
    };
    // A wrong word: refused, nothing spent.
    let (code, out) = run("nope\n");
    assert_eq!(code, Some(10), "{out}");
    assert!(out.contains("Type \"auth\" to use it"), "{out}");
    assert!(out.contains("refusing"), "{out}");
    assert_eq!(tries(), 1);
    // The kind's name: the last try is used (and the wrong PIN locks it).
    let (code, out) = run("auth\n");
    assert_eq!(code, Some(10), "{out}");
    assert!(
        out.contains("wrong user-authentication PIN: that was the last try, and it is now locked"),
        "{out}"
    );
    assert_eq!(tries(), 0);
}

#[test]
fn errors_speak_the_users_language() {
    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .args(["--virtual", "pin", "verify", "auth", "--pin-env", "P"])
        .env("P", "0000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("エラー: 利用者証明用電子証明書の暗証番号が違います。残り 2 回です"),
        "{err}"
    );
    assert!(err.contains("対処: "), "{err}");
    // JSON keeps the English message (stable for scripts) and the code.
    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .args([
            "--virtual",
            "--json",
            "pin",
            "verify",
            "auth",
            "--pin-env",
            "P",
        ])
        .env("P", "0000")
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["error"]["code"], "WRONG_PIN");
    assert_eq!(
        v["error"]["message"],
        "wrong user-authentication PIN: 2 tries left"
    );
}

#[test]
fn two_pin_sources_at_once_are_a_usage_error_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pin");
    std::fs::write(&f, "1234\n").unwrap();
    for args in [
        vec!["pin", "verify", "auth", "--pin-env", "P", "--pin-file"],
        vec!["pin", "verify", "auth", "--pin-stdin", "--pin-file"],
        vec![
            "pin",
            "change",
            "auth",
            "--pin-env",
            "P",
            "--new-pin-env",
            "P",
            "--new-pin-file",
        ],
    ] {
        let out = bin()
            .args(["--virtual", "--trace"])
            .args(&args)
            .arg(&f)
            .env("P", "0000")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot be used with"), "{err}");
        assert!(
            !err.lines().any(|l| l.starts_with("> ")),
            "nothing sent: {err}"
        );
    }
}

#[test]
fn lowercase_in_the_signature_password_is_announced_on_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.json");
    for args in [
        &["pin", "verify", "sign"][..],
        &["cert", "show", "sign"][..],
        &["status", "--with-sign"][..],
    ] {
        let out = bin()
            .args(["--virtual", "--trace", "--state"])
            .arg(&st)
            .args(args)
            .args(["--pin-env", "P"])
            .env("P", "test1234")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let notice = err.find("sent as uppercase").expect("the notice");
        // Before anything was sent to the card.
        let first_apdu = err.find("\n> ").unwrap_or(usize::MAX);
        assert!(notice < first_apdu, "{err}");
    }
}

#[test]
fn pin_status_shows_when_the_two_resident_references_disagree() {
    let tp = common::profile_file("base = \"builtin\"\n[pins.resident]\ncommon_tries = 2\n");
    let out = bin()
        .args([&tp.arg, "--json", "pin", "status"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    let r = &v["pins"][3];
    assert_eq!(r["kind"], "resident");
    assert_eq!(r["references_agree"], false, "{r}");
    assert_eq!(r["remaining"], 2);
    assert_eq!(v["pins"][1]["references_agree"], true);
    let out = bin().args([&tp.arg, "pin", "status"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("juki-001c 3, common-001c 2"), "{text}");
}

/// On a terminal, a PIN is asked for only after its counter was read: the
/// prompt names the PIN and the tries left (a pseudo-terminal by `script`).
#[test]
fn the_prompt_names_the_pin_and_its_tries_left() {
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: no /usr/bin/script");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("two.toml");
    std::fs::write(&prof, "base = \"builtin\"\n[pins.auth]\ntries = 2\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("mynacard");
    let cmd = format!(
        "{} --virtual={} pin verify auth",
        bin.display(),
        prof.display()
    );
    let out = std::process::Command::new("/usr/bin/script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            std::thread::sleep(std::time::Duration::from_millis(300));
            c.stdin.take().unwrap().write_all(b"1234\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("user-authentication PIN (2 tries left): "),
        "{text}"
    );
    assert!(!text.contains("1234"), "no echo: {text}");
}

#[test]
fn parallel_commands_on_one_state_file_each_count() {
    // Three wrong VERIFYs at once from 3 tries: all three count (the state
    // file is locked while a command holds the card), so 0 are left.
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let children: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("mynacard"))
                .args(["--virtual", "--state"])
                .arg(&st)
                .args([
                    "pin",
                    "verify",
                    "card-info",
                    "--force-last-try",
                    "--pin-env",
                    "P",
                ])
                .env("P", "0000")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let codes: Vec<Option<i32>> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code())
        .collect();
    assert!(
        codes.iter().all(|c| *c == Some(9) || *c == Some(10)),
        "{codes:?}"
    );
    assert_eq!(remaining(&st, "card-info"), Some(0));
}

#[test]
fn profile_and_state_errors_never_echo_values_and_name_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, "base = \"builtin\"\n[pins.auth]\nvalue = 9731\n").unwrap();
    let out = bin()
        .arg(format!("--virtual={}", prof.display()))
        .args(["pin", "status"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(12), "{err}");
    assert!(!err.contains("9731"), "{err}");
    assert!(err.contains("pins.auth.value"), "{err}");
    assert_eq!(err.matches("p.toml").count(), 1, "{err}");
    // A state file that is not one: where, not what.
    let st = dir.path().join("state.json");
    std::fs::write(
        &st,
        "{\"version\": 1, \"keys\": {\"jpki-0018\": {\"value\": 4826, \"tries\": 3}}}",
    )
    .unwrap();
    let out = bin()
        .args(["--virtual", "--state"])
        .arg(&st)
        .args(["pin", "status"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(12), "{err}");
    assert!(!err.contains("4826"), "{err}");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn every_input_file_must_be_a_small_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // A 3 GB file (sparse: no disk is used).
    let big = dir.path().join("big");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    for bad in [&fifo, &big, &dir.path().to_path_buf()] {
        let b = bad.display().to_string();
        let runs: [Vec<String>; 5] = [
            vec![
                "--virtual".into(),
                "pin".into(),
                "verify".into(),
                "auth".into(),
                "--pin-file".into(),
                b.clone(),
            ],
            vec![format!("--virtual={b}"), "pin".into(), "status".into()],
            vec!["cert".into(), "inspect".into(), b.clone()],
            vec![
                "--virtual".into(),
                "cert".into(),
                "show".into(),
                "auth".into(),
                "--ca".into(),
                b.clone(),
            ],
            vec![
                "--virtual".into(),
                "--state".into(),
                b.clone(),
                "pin".into(),
                "status".into(),
            ],
        ];
        for args in runs {
            // --ca takes a folder of anchors by design.
            if bad == dir.path() && args.iter().any(|a| a == "--ca") {
                continue;
            }
            let t = std::time::Instant::now();
            let out = bin()
                .args(&args)
                .timeout(std::time::Duration::from_secs(20))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(t.elapsed().as_secs() < 5, "{args:?} took {:?}", t.elapsed());
            assert!(
                matches!(out.status.code(), Some(12) | Some(13)),
                "{args:?}: {:?} {err}",
                out.status.code()
            );
            assert!(
                err.contains("not a regular file")
                    || err.contains("at most")
                    || err.contains("Is a directory")
                    || err.contains("is a directory"),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn full_width_digits_get_a_message_that_says_so_in_the_users_language() {
    for (lang, want, not) in [
        ("ja_JP.UTF-8", "全角の数字", "full-width"),
        ("C", "full-width digits", "全角"),
    ] {
        let out = bin()
            .env("LANG", lang)
            .args([
                "--virtual",
                "--trace",
                "pin",
                "verify",
                "auth",
                "--pin-env",
                "P",
            ])
            .env("P", "１２３４")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(11));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
        assert!(!err.contains(not), "{err}");
        assert!(
            !err.lines().any(|l| l.starts_with("> ")),
            "nothing sent: {err}"
        );
    }
}

#[test]
fn pin_status_fails_on_a_locked_pin_when_asked_and_language_honours_language() {
    let locked = common::profile_file("base = \"builtin\"\n[pins.card_info]\ntries = 0\n");
    let last = common::profile_file("base = \"builtin\"\n[pins.auth]\ntries = 1\n");
    let code = |p: &str, extra: &[&str]| {
        bin()
            .args([p, "pin", "status"])
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&locked.arg, &[]), Some(0));
    assert_eq!(code(&locked.arg, &["--fail-on", "locked"]), Some(10));
    assert_eq!(code(&last.arg, &["--fail-on", "locked"]), Some(0));
    assert_eq!(code(&last.arg, &["--fail-on", "last-try"]), Some(10));
    assert_eq!(code("--virtual", &["--fail-on", "last-try"]), Some(0));
    // `status --fail-on` takes only what it documents.
    let out = bin()
        .args(["--virtual", "status", "--fail-on", "info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // LANGUAGE (gettext's order) before LANG.
    let out = bin()
        .env("LANGUAGE", "ja:en")
        .env("LANG", "en_US.UTF-8")
        .args(["--virtual", "pin", "status"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("署名用電子証明書のパスワード"));
}

#[test]
fn a_pin_the_token_does_not_carry_is_said_so_not_reseat() {
    let out = bin()
        .args([&common::virt(Some("smartphone")), "--json", "--trace"])
        .args(["pin", "verify", "card-info", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(16));
    let v = json(&out.stdout);
    assert_eq!(v["error"]["code"], "NOT_ON_TOKEN", "{v}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("reseat"), "{err}");
    assert!(err.contains("needs a My Number Card"), "{err}");
    assert!(
        !err.lines().any(|l| l.starts_with("> 00 20 00 91 04")),
        "nothing sent"
    );
}

/// The virtual card's image is built once per profile and kept (0600); a
/// damaged one is built again with the same answers; `--no-cache` keeps
/// nothing; a changed profile gets an image of its own.
#[test]
fn the_virtual_cards_image_is_kept_checked_and_rebuilt() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = bin()
            .env("XDG_CACHE_HOME", home.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let mut v = json(&out.stdout);
        // Where the certificate came from differs by design between runs.
        v["auth_cert"]["source"] = serde_json::Value::Null;
        v
    };
    let images = home.path().join("mynacard/card-images");
    let kept = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&images)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let first = run(&["--virtual", "--no-cache", "--json", "status"]);
    assert!(kept().is_empty(), "--no-cache kept {:?}", kept());
    assert_eq!(run(&["--virtual", "--json", "status"]), first);
    let files = kept();
    assert_eq!(files.len(), 1);
    let meta = std::fs::metadata(&files[0]).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let whole = std::fs::read(&files[0]).unwrap();
    assert_eq!(run(&["--virtual", "--json", "status"]), first);
    // Damaged in the middle, then cut short: built again, same answers.
    let mut bad = whole.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0xFF;
    std::fs::write(&files[0], &bad).unwrap();
    assert_eq!(run(&["--virtual", "--json", "status"]), first);
    assert_eq!(std::fs::read(&files[0]).unwrap(), whole);
    std::fs::write(&files[0], &whole[..100]).unwrap();
    assert_eq!(run(&["--virtual", "--json", "status"]), first);
    assert_eq!(std::fs::read(&files[0]).unwrap(), whole);
    // Another profile: another image, its own answers.
    let p = common::profile_file("base = \"builtin\"\n[certificates.auth]\nserial = 777\n");
    let other = run(&[&p.arg, "--json", "status"]);
    assert_ne!(
        other["auth_cert"]["sha256_fingerprint"],
        first["auth_cert"]["sha256_fingerprint"]
    );
    assert_eq!(kept().len(), 2);
}

/// `--help` and argument errors wholly in the chosen language, from the
/// locale (`LANGUAGE` first) or `--lang`; the JSON message stays English;
/// a PIN typed as an argument is masked in Japanese too.
#[test]
fn help_and_argument_errors_speak_the_chosen_language() {
    let out = bin()
        .env("LANGUAGE", "ja")
        .env("LANG", "en_US.UTF-8")
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("使い方: mynacard [オプション] <コマンド>"),
        "{help}"
    );
    assert!(
        help.contains("コマンド:") && help.contains("オプション:"),
        "{help}"
    );
    for english in [
        "Usage:",
        "Options:",
        "Commands:",
        "Print help",
        "Reader to use",
    ] {
        assert!(!help.contains(english), "{english} in {help}");
    }

    let out = bin()
        .args(["--lang", "ja", "pin", "verify", "auth", "4821"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("エラー: 知らない引数 '****' が指定されました"),
        "{err}"
    );
    assert!(
        !err.contains("4821") && !err.contains("error:") && !err.contains("Usage"),
        "{err}"
    );

    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .args(["--json", "status", "--fail-on", "bad"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--fail-on <SEVERITY> に 'bad' は指定できません (使える値: warning, error)"),
        "{err}"
    );
    let doc = json(&out.stdout);
    assert_eq!(doc["error"]["code"], "USAGE");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid value 'bad'"),
        "{doc}"
    );

    // English stays English.
    let out = bin().args(["status", "--bogus"]).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: unexpected argument '--bogus' found"),
        "{err}"
    );
}

/// Usage errors the tool itself finds are data worded in both languages:
/// a Japanese line carries no English sentence.
#[test]
fn usage_errors_are_wholly_in_the_chosen_language() {
    for (args, ja, en) in [
        (
            &["--virtual", "status", "--today", "soon"][..],
            "--today には YYYY-MM-DD の形の日付を指定してください",
            "--today: expected YYYY-MM-DD, got \"soon\"",
        ),
        (
            &["--virtual", "status", "--watch"][..],
            "--virtual とは併用できません",
            "cannot be used with --virtual",
        ),
        (
            &["--virtual", "pin", "change", "auth", "--reference", "juki"][..],
            "--reference は住民基本台帳用の暗証番号",
            "--reference applies only to the resident-registry PIN",
        ),
    ] {
        let out = bin().args(["--lang", "ja"]).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(ja), "{args:?}: {err}");
        assert!(!err.contains(en), "{args:?}: {err}");
        let out = bin().args(["--lang", "en"]).args(args).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(en), "{args:?}: {err}");
    }
}

/// Each token's own rules on every command: the Android smartphone token
/// shows its user-authentication certificate only after that PIN, so
/// `cert show auth` and `prove` verify it first (the counter read before),
/// and what `status` advises for it works.
#[test]
fn the_android_token_reads_its_auth_certificate_after_its_pin() {
    let v = format!("--virtual={}", fixture("smartphone").display());
    let st = bin().args([&v, "--json", "status"]).output().unwrap();
    let st = json(&st.stdout);
    let note = st["auth_cert"]["note"].as_str().unwrap();
    assert!(note.contains("mynacard cert show auth"), "{note}");
    for args in [
        vec!["cert", "show", "auth", "--pin-env", "P"],
        vec!["prove", "--pin-env", "P"],
    ] {
        let out = bin()
            .arg(&v)
            .args(["--trace"])
            .args(&args)
            .env("P", "1234")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        // prove exits 17 on a test card; it must not fail on the card.
        assert!(
            matches!(out.status.code(), Some(0) | Some(17)),
            "{args:?}: {err}"
        );
        assert!(!err.contains("6982"), "{args:?}: {err}");
        // The retry query comes before the VERIFY, the VERIFY before the read.
        let q = err.find("> 00 20 00 98").expect("retry query");
        let verify = err.find("> 00 20 00 98 04").expect("verify");
        assert!(q < verify, "{err}");
    }
    // Without a PIN source and no terminal it is asked for, not read blind.
    let out = bin().args([&v, "cert", "show", "auth"]).output().unwrap();
    assert_eq!(out.status.code(), Some(11), "{out:?}");
}
