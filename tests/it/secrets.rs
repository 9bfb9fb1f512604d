//! Secret hygiene: every command, with --trace, in text and JSON, on a card
//! whose PINs and individual number are distinctive — none of them may
//! appear in any output (as text or as hex), except the number where the
//! user asked for it.

use crate::common;

use common::bin;

const PROFILE: &str = r#"base = "builtin"
[holder]
number = "839205716343"
[pins.sign]
value = "ZX9Q7W3K"
[pins.auth]
value = "4826"
[pins.card_info]
value = "7315"
[pins.resident]
value = "6094"
"#;

const SECRETS: [&str; 5] = ["ZX9Q7W3K", "4826", "7315", "6094", "839205716343"];

fn hex_of(s: &str) -> [String; 2] {
    let b: Vec<String> = s.bytes().map(|b| format!("{b:02X}")).collect();
    [b.join(" "), b.join("")]
}

fn leaks(text: &str, allow_number: bool) -> Vec<String> {
    let mut found = Vec::new();
    for s in SECRETS {
        if allow_number && s.len() == 12 {
            continue;
        }
        // The 4-digit PINs are checked as hex only where digits are common
        // (dates, counts); the long secrets also as text.
        let [spaced, plain] = hex_of(s);
        if (s.len() > 4 && text.contains(s)) || text.contains(&spaced) || text.contains(&plain) {
            found.push(s.to_string());
        }
    }
    found
}

#[test]
fn no_secret_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, PROFILE).unwrap();
    let state = dir.path().join("state.json");
    let v = format!("--virtual={}", prof.display());
    let env = [
        ("SIGN", "ZX9Q7W3K"),
        ("AUTH", "4826"),
        ("INFO", "7315"),
        ("RES", "6094"),
        ("WRONG", "1111"),
        ("NEW", "5555"),
    ];
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (vec!["readers"], false),
        (vec!["pin", "status"], false),
        (vec!["status"], false),
        (vec!["status", "--with-sign", "--pin-env", "SIGN"], false),
        (vec!["cert", "show", "auth"], false),
        (vec!["cert", "show", "sign", "--pin-env", "SIGN"], false),
        (vec!["info", "--pin-env", "INFO"], false),
        // Masked on screen, redacted in the trace; in JSON only because
        // --show-number asked for it.
        (vec!["info", "--show-number", "--pin-env", "INFO"], true),
        (
            vec![
                "info",
                "--with-sign",
                "--pin-env",
                "INFO",
                "--sign-pin-env",
                "SIGN",
            ],
            false,
        ),
        (vec!["pin", "verify", "auth", "--pin-env", "AUTH"], false),
        (vec!["pin", "verify", "auth", "--pin-env", "WRONG"], false),
        (vec!["pin", "verify", "resident", "--pin-env", "RES"], false),
        (vec!["pin", "verify", "sign", "--pin-env", "SIGN"], false),
        (
            vec![
                "pin",
                "change",
                "card-info",
                "--pin-env",
                "INFO",
                "--new-pin-env",
                "NEW",
            ],
            false,
        ),
        (
            vec![
                "pin",
                "change",
                "card-info",
                "--pin-env",
                "NEW",
                "--new-pin-env",
                "INFO",
            ],
            false,
        ),
    ];
    // The number is masked in JSON as in text (all 12 digits only with
    // --unmask), so no case may show it.
    for (args, _) in cases {
        for json in [false, true] {
            let mut c = bin();
            c.arg(&v).arg("--state").arg(&state).arg("--trace");
            if json {
                c.arg("--json");
            }
            for (k, val) in env {
                c.env(k, val);
            }
            let out = c.args(&args).output().unwrap();
            let text = String::from_utf8_lossy(&[out.stdout.clone(), out.stderr.clone()].concat())
                .into_owned();
            let found = leaks(&text, false);
            assert!(
                found.is_empty(),
                "{args:?} json={json}: {found:?} in\n{text}"
            );
        }
    }
    // Where asked for, the number does appear (so the check above can fail).
    let out = bin()
        .arg(&v)
        .args([
            "--json",
            "info",
            "--show-number",
            "--unmask",
            "--pin-env",
            "INFO",
        ])
        .env("INFO", "7315")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("839205716343"));
    // The state file holds the card's PINs: it is private.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&state).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_readable_pin_file_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pin");
    std::fs::write(&f, "1234\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = bin()
        .args(["--virtual", "pin", "verify", "auth", "--pin-file"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("readable by other users") && err.contains("chmod 600"),
        "{err}"
    );
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = bin()
        .args(["--virtual", "pin", "verify", "auth", "--pin-file"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("readable"));
}

/// Every 8-byte window of `data`, as a trace prints bytes.
fn windows_hex(data: &[u8]) -> Vec<String> {
    data.chunks(8)
        .filter(|c| c.len() == 8)
        .map(mynacard::apdu::hex_spaced)
        .collect()
}

#[test]
fn no_byte_of_a_personal_file_in_any_trace() {
    use mynacard::protocol::files::is_personal;
    use mynacard::vcard::{App, Profile, VirtualCard};
    let card = VirtualCard::new(&Profile::from_toml(PROFILE).unwrap()).unwrap();
    // The personal files by the one rule the tool and the card share; the
    // byte runs they have in common with public files (OIDs, the issuer
    // name) are not theirs to leak.
    let mut personal = Vec::new();
    let mut public = std::collections::HashSet::new();
    for app in App::ALL {
        for fid in 1..=0x1Eu16 {
            match card.ef(app, fid) {
                Some(d) if is_personal(app, fid) => personal.push((app, fid, d.to_vec())),
                Some(d) => {
                    for w in d.windows(8) {
                        public.insert(mynacard::apdu::hex_spaced(w));
                    }
                }
                None => {}
            }
        }
    }
    // The signature certificate and the 入力補助AP's number, attributes and
    // integrity record (an unsalted SHA-256 of the number) among them.
    assert!(personal.iter().any(|p| p.0 == App::Jpki && p.1 == 0x0001));
    assert!(personal.iter().any(|p| p.0 == App::Text && p.1 == 0x0003));
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, PROFILE).unwrap();
    let v = format!("--virtual={}", prof.display());
    let cases: [&[&str]; 5] = [
        &["cert", "show", "sign", "--pin-env", "SIGN"],
        &["cert", "show", "sign", "--der", "--pin-env", "SIGN"],
        &["status", "--with-sign", "--pin-env", "SIGN"],
        &["info", "--show-number", "--pin-env", "INFO"],
        &[
            "info",
            "--with-sign",
            "--pin-env",
            "INFO",
            "--sign-pin-env",
            "SIGN",
        ],
    ];
    for args in cases {
        let out = bin()
            .arg(&v)
            .arg("--trace")
            .args(args)
            .env("SIGN", "ZX9Q7W3K")
            .env("INFO", "7315")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let trace = String::from_utf8_lossy(&out.stderr);
        assert!(trace.contains("bytes of personal data redacted"), "{trace}");
        for (app, fid, data) in &personal {
            for w in windows_hex(data)
                .into_iter()
                .filter(|w| !public.contains(w))
            {
                assert!(
                    !trace.contains(&w),
                    "{args:?}: bytes of {app:?} {fid:04X} in the trace: {w}\n{trace}"
                );
            }
        }
    }
    // The check can fail: the user-authentication certificate is public and
    // its bytes are in the trace.
    let out = bin()
        .arg(&v)
        .args(["--trace", "cert", "show", "auth"])
        .output()
        .unwrap();
    let trace = String::from_utf8_lossy(&out.stderr);
    let auth = card.ef(App::Jpki, 0x000A).unwrap();
    assert!(windows_hex(auth).iter().any(|w| trace.contains(w)));
}

#[test]
fn a_pin_typed_as_an_argument_is_never_echoed() {
    for args in [
        vec!["pin", "verify", "4826"],
        vec!["pin", "verify", "sign", "ZX9Q7W3K"],
        vec!["--json", "pin", "verify", "auth", "--pin=4826"],
        vec!["--reader", "x", "pin", "change", "auth", "7315"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(&[out.stdout.clone(), out.stderr.clone()].concat())
            .into_owned();
        let found = leaks(&text, false);
        assert!(found.is_empty(), "{args:?}: {found:?} in {text}");
        if args[0] == "--json" {
            let v = common::json(&out.stdout);
            assert_eq!(v["error"]["code"], "USAGE");
            assert_eq!(v["schema_version"], 2);
        }
    }
}

/// The face and age checks: 照合番号A (the number), the printed parts and
/// the birth date never in any output, and no byte of the age record or
/// the card face in a trace.
#[test]
fn the_face_and_age_checks_leak_no_code_and_no_personal_byte() {
    use mynacard::protocol::files::is_personal;
    use mynacard::vcard::{App, Profile, VirtualCard};
    let card = VirtualCard::new(&Profile::from_toml(PROFILE).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, PROFILE).unwrap();
    let v = format!("--virtual={}", prof.display());
    let cases: [&[&str]; 3] = [
        &["face-check", "--code-env", "FC"],
        &[
            "face-check",
            "--code-env",
            "FC",
            "--with-number-a",
            "--number-a-env",
            "NA",
        ],
        &["age-check", "--at-least", "20", "--birth-date-env", "BD"],
    ];
    for args in cases {
        for json in [false, true] {
            let mut c = bin();
            c.arg(&v).arg("--trace");
            if json {
                c.arg("--json");
            }
            let out = c
                .args(args)
                .env("FC", "昭和55年2月17日 2035 2285")
                .env("NA", "839205716343")
                .env("BD", "1980-02-17")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(44), "{args:?}: {out:?}");
            let text = String::from_utf8_lossy(&[out.stdout.clone(), out.stderr.clone()].concat())
                .into_owned();
            assert!(leaks(&text, false).is_empty(), "{args:?}: {text}");
            // The code's parts as text, and as the hex a trace would show
            // (plain digits "2285" could be in the random challenge).
            for s in [
                "550217",
                "55021720352285",
                "32 32 38 35",
                "35 35 30 32 31 37",
            ] {
                assert!(!text.contains(s), "{s} in {args:?}: {text}");
            }
            for app in [App::Surface] {
                for fid in [1u16, 2] {
                    assert!(is_personal(app, fid));
                    let data = card.ef(app, fid).unwrap();
                    for w in windows_hex(data) {
                        assert!(
                            !text.contains(&w),
                            "{args:?}: bytes of 券面AP {fid:04X} in the output: {w}"
                        );
                    }
                }
            }
        }
    }
}
