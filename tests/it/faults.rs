//! Fault injection on the in-process virtual card: a card pulled at a
//! chosen APDU, wrong or random status words, truncated and delayed answers,
//! corrupt files. Every case asserts the exit code, the message, that no
//! counter changed unless a VERIFY really completed, that nothing panicked
//! and that no output file is left half-written.

use crate::common;

use common::{bin, json};
use mynacard::vcard::{Profile, VirtualCard};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

struct Case {
    name: &'static str,
    /// TOML added to the built-in profile.
    profile: &'static str,
    args: &'static [&'static str],
    /// The PIN given through $P.
    pin: &'static str,
    code: i32,
    /// Text that stderr (or stdout with --json) must contain.
    message: &'static str,
    /// Key references whose counter the case may change (a VERIFY that
    /// completed), with the change.
    counters: &'static [(&'static str, i32)],
}

fn tries(state: &Path) -> BTreeMap<String, i64> {
    let v: Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    v["keys"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["tries"].as_i64().unwrap()))
        .collect()
}

fn run(c: &Case) {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, format!("base = \"builtin\"\n{}", c.profile)).unwrap();
    let state = dir.path().join("state.json");
    // Write the starting counters.
    drop(
        VirtualCard::new(&Profile::load(&prof).unwrap())
            .unwrap()
            .with_state_file(&state)
            .unwrap(),
    );
    let before = tries(&state);
    let out_file = dir.path().join("out.bin");
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| a.replace("{out}", &out_file.display().to_string()))
        .collect();
    let out = bin()
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .arg(format!("--virtual={}", prof.display()))
        .arg("--state")
        .arg(&state)
        .args(&args)
        .env("P", c.pin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(c.code),
        "{}: stderr {stderr} stdout {stdout}",
        c.name
    );
    assert!(
        stderr.contains(c.message) || stdout.contains(c.message),
        "{}: want {:?} in {stderr} / {stdout}",
        c.name,
        c.message
    );
    assert!(!stderr.contains("panicked"), "{}: {stderr}", c.name);
    let after = tries(&state);
    for (k, b) in &before {
        let want = b + c
            .counters
            .iter()
            .find(|(r, _)| r == k)
            .map(|(_, d)| *d as i64)
            .unwrap_or(0);
        assert_eq!(after[k], want, "{}: counter {k}", c.name);
    }
    if c.code != 0 {
        // Nothing half-written: the output file exists only on success.
        assert!(!out_file.exists(), "{}: partial output", c.name);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(left.is_empty(), "{}: temporary files {left:?}", c.name);
    }
}

const REMOVED: &str = "the card was removed during the command";
const LOST: &str = "the try may have been counted";

const CASES: &[Case] = &[
    // The card pulled at a chosen APDU.
    Case {
        name: "pin status, pulled at the SELECT",
        profile: "[faults]\nremove_after = 1\n",
        args: &["pin", "status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "pin status, pulled at the 3rd query",
        profile: "[faults]\nremove_after = 3\n",
        args: &["pin", "status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "pin status, pulled at the last query",
        profile: "[faults]\nremove_after = 9\n",
        args: &["pin", "status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "status, pulled at the token read",
        profile: "[faults]\nremove_after = 2\n",
        args: &["status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "status, pulled in the certificate",
        profile: "[faults]\nremove_after = 5\n",
        args: &["status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "status, pulled in the CA certificate",
        profile: "[faults]\nremove_after = 9\n",
        args: &["status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "status, pulled at the PIN queries",
        profile: "[faults]\nremove_after = 14\n",
        args: &["status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "status, pulled at the card record",
        profile: "[faults]\nremove_after = 20\n",
        args: &["status"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "status --json, pulled",
        profile: "[faults]\nremove_after = 4\n",
        args: &["--json", "status"],
        pin: "",
        code: 7,
        message: "CARD_REMOVED",
        counters: &[],
    },
    Case {
        name: "cert show -o, pulled mid-certificate",
        profile: "[faults]\nremove_after = 3\n",
        args: &["cert", "show", "auth", "--der", "-o", "{out}"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "cert show --pem -o, pulled at the last chunk",
        profile: "[faults]\nremove_after = 5\n",
        args: &["cert", "show", "auth", "--pem", "-o", "{out}"],
        pin: "",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "info, pulled at the retry query",
        profile: "[faults]\nremove_after = 2\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "info, pulled at the VERIFY",
        profile: "[faults]\nremove_after = 3\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 7,
        message: LOST,
        counters: &[],
    },
    Case {
        name: "pin verify, pulled at the VERIFY",
        profile: "[faults]\nremove_after = 3\n",
        args: &["pin", "verify", "auth", "--pin-env", "P"],
        pin: "0000",
        code: 7,
        message: LOST,
        counters: &[],
    },
    Case {
        name: "pin verify, pulled after a wrong VERIFY",
        profile: "[faults]\nremove_after = 4\n",
        args: &["pin", "verify", "auth", "--pin-env", "P"],
        pin: "0000",
        code: 9,
        message: "2 tries left",
        counters: &[("jpki-0018", -1)],
    },
    Case {
        name: "pin change, pulled before the CHANGE",
        profile: "[faults]\nremove_after = 4\n",
        args: &[
            "pin",
            "change",
            "card-info",
            "--pin-env",
            "P",
            "--new-pin-env",
            "P",
        ],
        pin: "1234",
        code: 7,
        message: REMOVED,
        counters: &[],
    },
    Case {
        name: "pin change, pulled at the CHANGE",
        profile: "[faults]\nremove_after = 5\n",
        args: &[
            "pin",
            "change",
            "card-info",
            "--pin-env",
            "P",
            "--new-pin-env",
            "P",
        ],
        pin: "1234",
        code: 7,
        message: "the new PIN may already be set",
        counters: &[],
    },
    Case {
        name: "cert show sign, pulled at the password VERIFY",
        profile: "[faults]\nremove_after = 4\n",
        args: &["cert", "show", "sign", "--pin-env", "P"],
        pin: "TEST1234",
        code: 7,
        message: LOST,
        counters: &[],
    },
    // Unexpected status words.
    Case {
        name: "6F00 to READ BINARY",
        profile: "[faults]\nstatus = \"6F00\"\nstatus_for = \"00B0\"\n",
        args: &["status"],
        pin: "",
        code: 8,
        message: "6F00 (no precise diagnosis) to READ BINARY",
        counters: &[],
    },
    Case {
        name: "6A81 to SELECT",
        profile: "[faults]\nstatus = \"6A81\"\nstatus_for = \"00A4\"\n",
        args: &["pin", "status"],
        pin: "",
        code: 8,
        message: "6A81 (function not supported) to SELECT application",
        counters: &[],
    },
    Case {
        name: "6A81 to the 住基AP only: the other counters stand",
        profile: "[faults]\nstatus = \"6A81\"\nstatus_for = \"00A4040C0AD3921000310001010401\"\n",
        args: &["--json", "pin", "status"],
        pin: "",
        code: 0,
        message: "\"state\": \"unreadable\"",
        counters: &[],
    },
    Case {
        name: "6A81 to the 住基AP only: status warns",
        profile: "[faults]\nstatus = \"6A81\"\nstatus_for = \"00A4040C0AD3921000310001010401\"\n",
        args: &["status", "--fail-on", "warning"],
        pin: "",
        code: 20,
        message: "did not answer the resident-registry PIN's retry query",
        counters: &[],
    },
    Case {
        name: "6F00 to the retry query",
        profile: "[faults]\nstatus = \"6F00\"\nstatus_for = \"0020\"\n",
        args: &["pin", "verify", "auth", "--pin-env", "P"],
        pin: "1234",
        code: 8,
        message: "to VERIFY (retry query)",
        counters: &[],
    },
    Case {
        name: "6F00 to everything",
        profile: "[faults]\nstatus = \"6F00\"\n",
        args: &["readers"],
        pin: "",
        code: 0,
        message: "6F00",
        counters: &[],
    },
    Case {
        name: "6985 to READ RECORD: the rest of the report stands",
        profile: "[faults]\nstatus = \"6985\"\nstatus_for = \"00B2\"\n",
        args: &["status", "--fail-on", "error"],
        pin: "",
        code: 21,
        message: "the card record (共通AP) could not be read",
        counters: &[],
    },
    Case {
        name: "6985 to READ RECORD, JSON",
        profile: "[faults]\nstatus = \"6985\"\nstatus_for = \"00B2\"\n",
        args: &["--json", "status"],
        pin: "",
        code: 0,
        message: "CARD_DATA_UNREADABLE",
        counters: &[],
    },
    Case {
        name: "9000 to every query: not reported",
        profile: "[faults]\nstatus = \"9000\"\nstatus_for = \"0020\"\n",
        args: &["--json", "pin", "status"],
        pin: "",
        code: 0,
        message: "not_reported",
        counters: &[],
    },
    Case {
        name: "6984 to every query: locked",
        profile: "[faults]\nstatus = \"6984\"\nstatus_for = \"0020\"\n",
        args: &["pin", "status"],
        pin: "",
        code: 0,
        message: "locked",
        counters: &[],
    },
    Case {
        name: "6984 before a VERIFY: refused",
        profile: "[faults]\nstatus = \"6984\"\nstatus_for = \"0020\"\n",
        args: &["pin", "verify", "card-info", "--pin-env", "P"],
        pin: "1234",
        code: 10,
        message: "is locked",
        counters: &[],
    },
    Case {
        name: "an unknown status to SELECT",
        profile: "[faults]\nstatus = \"6283\"\nstatus_for = \"00A4040C0AD392F0\"\n",
        args: &["status"],
        pin: "",
        code: 8,
        message: "6283",
        counters: &[],
    },
    Case {
        name: "the first command answers 6F00",
        profile: "[quirks]\nfirst_command_6f00 = true\n",
        args: &["pin", "status"],
        pin: "",
        code: 0,
        message: "signature password",
        counters: &[],
    },
    // Truncated answers.
    Case {
        name: "short answers: pieced together, short record refused",
        profile: "[faults]\ntruncate_to = 10\n",
        args: &["status", "--fail-on", "error"],
        pin: "",
        code: 21,
        message: "card record: 10 bytes, expected 30",
        counters: &[],
    },
    Case {
        name: "one byte per answer",
        profile: "[faults]\ntruncate_to = 1\n",
        args: &["status"],
        pin: "",
        code: 0,
        message: "card record: 1 bytes",
        counters: &[],
    },
    Case {
        name: "no data at all",
        profile: "[faults]\ntruncate_to = 0\n",
        args: &["status"],
        pin: "",
        code: 12,
        message: "EF 0008",
        counters: &[],
    },
    // A card that ends short reads with 6282 says where the file ends, so
    // an answer cut to 20 bytes is a truncated file; with the real card's
    // 9000 a cut answer is pieced together, and the header decides.
    Case {
        name: "truncated card-info file (6282 card)",
        profile: "[quirks]\nshort_read_6282 = true\n[faults]\ntruncate_to = 20\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 12,
        message: "EF 0002 is truncated: header promises 104 bytes, the card gave 20",
        counters: &[],
    },
    Case {
        name: "card-info answers cut to 20 bytes: pieced together",
        profile: "[faults]\ntruncate_to = 20\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 0,
        message: "date of birth",
        counters: &[],
    },
    Case {
        name: "a card that ends short reads with 6282: info reads",
        profile: "[quirks]\nshort_read_6282 = true\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 0,
        message: "date of birth",
        counters: &[],
    },
    Case {
        name: "a card that ends short reads with 6282: status reads",
        profile: "[quirks]\nshort_read_6282 = true\n",
        args: &["status", "--fail-on", "warning"],
        pin: "",
        code: 0,
        message: "signature password",
        counters: &[],
    },
    Case {
        name: "a card-info file shorter than its header",
        profile: "[ef_overrides]\n\"text:0002\" = \"FF2062DF2103000102\"\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 12,
        message: "EF 0002 is truncated: header promises 101 bytes, the card gave 9",
        counters: &[],
    },
    Case {
        name: "answers cut to 100 bytes: pieced together",
        profile: "[faults]\ntruncate_to = 100\n",
        args: &["cert", "show", "auth", "--der", "-o", "{out}"],
        pin: "",
        code: 0,
        message: "",
        counters: &[],
    },
    Case {
        name: "a certificate shorter than its header",
        profile: "[ef_overrides]\n\"jpki:000A\" = \"308204000102\"\n",
        args: &["cert", "show", "auth", "--der", "-o", "{out}"],
        pin: "",
        code: 12,
        message: "header promises 1028 bytes, the card gave 6",
        counters: &[],
    },
    // A card that stops answering.
    Case {
        name: "silent card",
        profile: "[faults]\ndelay_ms = 3000\n",
        args: &["--timeout", "1", "pin", "status"],
        pin: "",
        code: 14,
        message: "timed out after 1 s",
        counters: &[],
    },
    Case {
        name: "silent card during a VERIFY",
        profile: "[faults]\ndelay_ms = 700\n",
        args: &[
            "--timeout",
            "1.8",
            "pin",
            "verify",
            "auth",
            "--pin-env",
            "P",
        ],
        pin: "1234",
        code: 14,
        message: LOST,
        counters: &[],
    },
    // Corrupt or unexpected files.
    Case {
        name: "corrupt certificate signature",
        profile: "[faults]\ncorrupt_auth_cert = true\n",
        args: &["status", "--fail-on", "error"],
        pin: "",
        code: 21,
        message: "does not verify",
        counters: &[],
    },
    Case {
        name: "not a certificate in EF 000A",
        profile: "[ef_overrides]\n\"jpki:000A\" = \"3082000401020304\"\n",
        args: &["status", "--fail-on", "warning"],
        pin: "",
        code: 21,
        message: "does not parse",
        counters: &[],
    },
    Case {
        name: "garbage in EF 000A",
        profile: "[ef_overrides]\n\"jpki:000A\" = \"FFFFFFFF\"\n",
        args: &["cert", "show", "auth", "--pem", "-o", "{out}"],
        pin: "",
        code: 12,
        message: "EF 000A",
        counters: &[],
    },
    Case {
        name: "short availability EF",
        profile: "[ef_overrides]\n\"jpki:0008\" = \"8F\"\n",
        args: &["status"],
        pin: "",
        code: 12,
        message: "EF 0008 has 1 bytes",
        counters: &[],
    },
    Case {
        name: "smartphone label on a card",
        profile: "[ef_overrides]\n\"jpki:0006\" = \"4A504B4941504750534554 4F4B454E\"\n",
        args: &["--json", "status"],
        pin: "",
        code: 0,
        message: "NOT_PHYSICAL_CARD",
        counters: &[],
    },
    Case {
        name: "garbage integrity record",
        profile: "[ef_overrides]\n\"text:0003\" = \"FF3003DF3100\"\n",
        args: &["info", "--pin-env", "P"],
        pin: "1234",
        code: 12,
        message: "EF 0003",
        counters: &[],
    },
    Case {
        name: "not a My Number Card",
        profile: "[card]\ntoken = \"other\"\n",
        args: &["pin", "status"],
        pin: "",
        code: 6,
        // A card that answers none of the known applications may be a
        // newer kind: said so, with its ATR.
        message: "not a My Number Card, or a newer kind this version does not know (no JPKI application; ATR 3B DA 13 FF 81",
        counters: &[],
    },
    Case {
        name: "a card without short EF identifiers",
        profile: "[quirks]\nshort_ef_ids = false\n",
        args: &["status"],
        pin: "",
        code: 0,
        message: "signature password",
        counters: &[],
    },
];

#[test]
fn fault_cases() {
    assert!(CASES.len() >= 30);
    let failed: Vec<String> = CASES
        .iter()
        .filter_map(|c| {
            std::panic::catch_unwind(|| run(c)).err().map(|e| {
                e.downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| c.name.to_string())
            })
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed:\n{}",
        failed.len(),
        failed.join("\n---\n")
    );
}

#[test]
fn a_lost_verify_is_sent_once() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, "base = \"builtin\"\n[faults]\nremove_after = 3\n").unwrap();
    let out = bin()
        .arg(format!("--virtual={}", prof.display()))
        .args(["--trace", "pin", "verify", "auth", "--pin-env", "P"])
        .env("P", "1234")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let err = String::from_utf8_lossy(&out.stderr);
    let verifies = err
        .lines()
        .filter(|l| l.starts_with("> 00 20") && l.contains("****"))
        .count();
    assert_eq!(verifies, 1, "{err}");
    assert!(err.contains("mynacard pin status"), "{err}");
}

#[test]
fn json_errors_carry_code_and_remedy() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, "base = \"builtin\"\n[faults]\nremove_after = 2\n").unwrap();
    let out = bin()
        .arg(format!("--virtual={}", prof.display()))
        .args(["--json", "pin", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let v = json(&out.stdout);
    assert_eq!(v["command"], "error");
    assert_eq!(v["error"]["code"], "CARD_REMOVED");
    assert_eq!(v["error"]["exit_code"], 7);
    assert!(!v["error"]["remedy"].as_str().unwrap().is_empty());
}
