//! Independent readers of the served card: the `myna-card` library (its own
//! APDUs and parsers, written against a physical card) and `jpki-cli`
//! (siketyan/jpki-rs) read the built-in virtual card through a private
//! pcscd + vpcd, and every field they decode equals what mynacard reports
//! on the same served card. Outside CI they skip when pcscd cannot start
//! (or jpki-cli is not installed); with CI=true they fail instead.

#![cfg(feature = "pcsc")]

use crate::common;
use crate::common::myna::{self, sex_code};

use common::e2e::*;
use mynacard::sandbox::Sandbox;
use mynacard::vcard::Profile;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// The built-in profile: the PINs the readers present (test data), in
/// process or through the environment, never in argv.
fn profile() -> Profile {
    Profile::builtin()
}

fn date(d: myna_card::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn retries(r: myna_card::Retries) -> Value {
    r.count().map_or(Value::Null, Value::from)
}

/// Everything myna-card reads from the card, as JSON: counters first (no
/// PIN sent yet), then the files, then what the PINs open.
fn read_with_myna_card(reader: &str) -> myna_card::Result<Value> {
    let p = profile();
    // Exclusive, and powered down after: PINs are presented.
    myna::with_card(reader, |card| read_all(card, &p))
}

fn read_all(card: &mut myna_card::Card<myna::Pcsc>, p: &Profile) -> myna_card::Result<Value> {
    use myna_card::ap::common::CommonAp;
    use myna_card::ap::jpki::JpkiAp;
    use myna_card::ap::juki::JukiAp;
    use myna_card::ap::text::{ef as text_ef, TextAp};
    use myna_card::Pin;
    let mut counters = serde_json::Map::new();
    {
        let mut jpki = JpkiAp::select(card)?;
        counters.insert("jpki-001b".into(), retries(jpki.sign_pin_retries()?));
        counters.insert("jpki-0018".into(), retries(jpki.auth_pin_retries()?));
    }
    {
        let mut text = TextAp::select(card)?;
        counters.insert("text-0011".into(), retries(text.retries(text_ef::PIN)?));
    }
    {
        let mut juki = JukiAp::select(card)?;
        counters.insert("juki-001c".into(), retries(juki.pin_retries()?));
    }
    let info = {
        let mut common = CommonAp::select(card)?;
        counters.insert("common-001c".into(), retries(common.pin_retries()?));
        common.read_card_info()?
    };
    let (auth, auth_ca, sign_ca, sign) = {
        let mut jpki = JpkiAp::select(card)?;
        let auth = jpki.read_auth_certificate_der()?;
        let auth_ca = jpki.read_auth_ca_certificate_der()?;
        let sign_ca = jpki.read_sign_ca_certificate_der()?;
        jpki.verify_sign_pin(&Pin::new(&p.pins.sign.value)?)?;
        (auth, auth_ca, sign_ca, jpki.read_sign_certificate_der()?)
    };
    let (attrs, number) = {
        let mut text = TextAp::select(card)?;
        text.verify_pin(&Pin::numeric(&p.pins.card_info.value)?)?;
        // myna-card's own reads: Le 256, a short answer with 9000 is the
        // whole file, as on the physical card its author tested.
        (text.read_attributes()?, text.read_my_number()?)
    };
    Ok(json!({
        "counters": counters,
        "card": {
            "serial": info.serial,
            "municipality": info.municipality_code,
            "expires": date(info.expiry),
        },
        "attributes": {
            "name": attrs.name,
            "address": attrs.address,
            "birth_date": date(attrs.birth_date),
            "sex_code": sex_code(attrs.sex),
            "number": number.as_str(),
        },
        "certs": {
            "auth": hex::encode_upper(auth),
            "auth-ca": hex::encode_upper(auth_ca),
            "sign-ca": hex::encode_upper(sign_ca),
            "sign": hex::encode_upper(sign),
        },
    }))
}

/// The child half of `myna_card_reads_what_mynacard_reads`: does nothing
/// unless that test started this process to read the card.
#[test]
fn myna_card_child() {
    let Some(reader) = myna::child_reader() else {
        return;
    };
    let v = read_with_myna_card(&reader).unwrap_or_else(|e| panic!("myna-card: {e:?}"));
    myna::child_answer(&v);
}

/// Run the child: this test binary again, only `myna_card_child`, with
/// the sandbox's socket.
fn myna_card_reads(sb: &Sandbox) -> Value {
    myna::run_child(sb, "e2e_readers::myna_card_child", &[])
}

/// What mynacard reports on the served card, in the same shape.
fn mynacard_reads(sb: &Sandbox) -> Value {
    let p = profile();
    let run = |args: &[&str], pin: Option<&str>| {
        let mut c = cli(sb);
        c.args(args);
        if let Some(v) = pin {
            c.env("E2E_READERS_PIN", v);
            c.args(["--pin-env", "E2E_READERS_PIN"]);
        }
        let out = c.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "mynacard {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let status = json(&run(&["--json", "status"], None));
    let pins = json(&run(&["--json", "pin", "status"], None));
    let mut counters = serde_json::Map::new();
    for pin in pins["pins"].as_array().unwrap() {
        for r in pin["references"].as_array().unwrap() {
            let name = r["reference"].as_str().unwrap().to_owned();
            counters.insert(name, r["remaining"].clone());
        }
    }
    let info = json(&run(
        &["--json", "info", "--show-number", "--unmask"],
        Some(&p.pins.card_info.value),
    ));
    let a = &info["attributes"];
    let cert = |slot: &str, pin: Option<&str>| {
        hex::encode_upper(run(&["cert", "show", slot, "--der"], pin))
    };
    json!({
        "counters": counters,
        "card": {
            "serial": status["card"]["serial"],
            "municipality": status["card"]["municipality"],
            "expires": status["card"]["expiry"]["expires"],
        },
        "attributes": {
            "name": a["name"],
            "address": a["address"],
            "birth_date": a["birth_date"],
            "sex_code": a["sex_code"],
            "number": info["individual_number"],
        },
        "certs": {
            "auth": cert("auth", None),
            "auth-ca": cert("auth-ca", None),
            "sign-ca": cert("sign-ca", None),
            "sign": cert("sign", Some(&p.pins.sign.value)),
        },
    })
}

/// Compare two readings field by field, naming the first that differs.
fn assert_same(theirs: &Value, ours: &Value, who: &str) {
    for (section, fields) in theirs.as_object().unwrap() {
        for (field, v) in fields.as_object().unwrap() {
            assert!(!v.is_null(), "{who} read no {section}.{field}");
            assert_eq!(
                v, &ours[section][field],
                "{section}.{field}: {who} and mynacard differ"
            );
        }
    }
}

#[test]
fn myna_card_reads_what_mynacard_reads() {
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let ours = mynacard_reads(&sb);
    let theirs = myna_card_reads(&sb);
    assert_same(&theirs, &ours, "myna-card");
    // Every counter myna-card knows, all five references, and the test
    // data itself: neither reader agreed with the other on nothing.
    assert_eq!(theirs["counters"].as_object().unwrap().len(), 5);
    let p = profile();
    assert_eq!(theirs["attributes"]["name"], p.holder.name.as_str());
    assert_eq!(theirs["card"]["serial"], p.card.serial.as_str());
    assert_eq!(theirs["counters"]["jpki-001b"], p.pins.sign.tries);
    // No PIN was spent by either reader.
    let again = json(
        &cli(&sb)
            .args(["--json", "pin", "status"])
            .output()
            .unwrap()
            .stdout,
    );
    for pin in again["pins"].as_array().unwrap() {
        assert_eq!(pin["remaining"], pin["max"], "{pin}");
    }
}

/// jpki-cli as the project's scripts install it (`scripts/install-deps.sh`
/// into target/tools), or `JPKI_CLI`; `None` (skip) outside CI.
pub fn jpki_cli() -> Option<PathBuf> {
    let path = std::env::var_os("JPKI_CLI").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tools/bin/jpki-cli"),
        PathBuf::from,
    );
    if path.is_file() {
        return Some(path);
    }
    assert!(
        !in_ci(),
        "CI=true but jpki-cli is not installed at {} (scripts/install-deps.sh)",
        path.display()
    );
    eprintln!("skipped: no jpki-cli at {}", path.display());
    None
}

/// One jpki-cli run that needs no PIN (it would prompt for one, and these
/// runs have no terminal: stdin is closed), its standard output. It waits
/// for a card forever when none is there, so it is stopped by PID.
fn jpki(sb: &Sandbox, bin: &PathBuf, args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let child = std::process::Command::new(bin)
        .args(args)
        .env("PCSCLITE_CSOCK_NAME", sb.socket())
        .env("LOCALE", "C")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let mut g = Guard(child);
    let (code, _) = wait_exit(&mut g.0, Duration::from_secs(30));
    let (out, err) = (std::fs::read(out).unwrap(), std::fs::read(err).unwrap());
    // It exits 0 after an error too: an empty answer is the failure.
    assert!(
        code == 0 && !out.is_empty(),
        "jpki-cli {args:?}: exit {code}, {}",
        String::from_utf8_lossy(&err)
    );
    out
}

#[test]
fn jpki_cli_reads_what_mynacard_reads() {
    let Some(bin) = jpki_cli() else {
        return;
    };
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let der = |slot: &str| {
        let out = cli(&sb)
            .args(["cert", "show", slot, "--der"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "cert show {slot}");
        out.stdout
    };
    // The certificates readable without a PIN, byte for byte.
    for (slot, args) in [
        ("auth", &["crypto", "--auth", "read-certificate"][..]),
        ("auth-ca", &["crypto", "--auth", "--ca", "read-certificate"]),
        ("sign-ca", &["crypto", "--ca", "read-certificate"]),
    ] {
        assert_eq!(jpki(&sb, &bin, args), der(slot), "{slot}");
    }
    // The counters it reads: sign, auth, card-info.
    let pins = json(
        &cli(&sb)
            .args(["--json", "pin", "status"])
            .output()
            .unwrap()
            .stdout,
    );
    let remaining = |kind: &str| {
        pins["pins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .map(|p| p["remaining"].to_string())
            .unwrap()
    };
    for (kind, args) in [
        ("sign", &["crypto", "stat"][..]),
        ("auth", &["crypto", "--auth", "stat"]),
        ("card-info", &["support", "stat"]),
    ] {
        let out = String::from_utf8(jpki(&sb, &bin, args)).unwrap();
        assert_eq!(out.trim(), remaining(kind), "{kind} counter");
    }
}

/// The two card-info reads of myna-card on a profile.
fn myna_card_text(toml: &str) -> myna_card::Result<(myna_card::ap::text::Attributes, String)> {
    use myna_card::ap::text::TextAp;
    let p = Profile::from_toml(toml).unwrap();
    let mut card = myna_card::Card::new(myna::InProcess(
        mynacard::vcard::VirtualCard::new(&p).unwrap(),
    ));
    let mut text = TextAp::select(&mut card)?;
    text.verify_pin(&myna_card::Pin::numeric(&p.pins.card_info.value)?)?;
    let attrs = text.read_attributes()?;
    Ok((attrs, text.read_my_number()?.as_str().to_owned()))
}

/// A READ BINARY running past the end answers 9000 with the shorter data,
/// as the physical card myna-card was written against: its Le-256 reads of
/// the 17-byte number file and the attributes file work. A card with the
/// `short_read_6282` quirk answers 6282, which myna-card takes for "end of
/// file, nothing read"; mynacard reads both (tests/it/faults.rs).
#[test]
fn myna_card_reads_short_files_with_le_256() {
    let p = profile();
    let (attrs, number) = myna_card_text("base = \"builtin\"\n").unwrap();
    assert_eq!(attrs.name, p.holder.name);
    assert_eq!(number, p.holder.number);
    let quirk = "base = \"builtin\"\n[quirks]\nshort_read_6282 = true\n";
    assert!(myna_card_text(quirk).is_err());
}
