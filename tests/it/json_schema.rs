//! Every command's JSON output, on the in-process virtual card across the
//! fixture profiles (and errors), validates against its published schema
//! in `docs/schema/` — and every published schema is exercised.

use crate::common;

use common::{bin, fixture};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn schema_file(command: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(format!("{}.schema.json", command.replace(' ', "-")))
}

/// Run and return the JSON documents on stdout (one, or a stream).
fn documents(args: &[&str], env: &[(&str, &str)]) -> Vec<Value> {
    let mut c = bin();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(|d| d.unwrap_or_else(|e| panic!("{args:?}: {e}")))
        .collect()
}

#[test]
fn every_commands_json_validates_against_its_schema() {
    let work = tempfile::tempdir().unwrap();
    let doc = work.path().join("doc.txt");
    std::fs::write(&doc, "a document\n").unwrap();
    let p7s = work.path().join("doc.p7s");
    let pem = work.path().join("auth.pem");
    let pdf_in = work.path().join("in.pdf");
    std::fs::write(&pdf_in, crate::pdf::minimal_pdf("schema")).unwrap();
    let pdf_out = work.path().join("signed.pdf");
    let (pdf_in_s, pdf_out_s) = (pdf_in.display().to_string(), pdf_out.display().to_string());
    let (doc_s, p7s_s, pem_s) = (
        doc.display().to_string(),
        p7s.display().to_string(),
        pem.display().to_string(),
    );
    let env = [
        ("P_SIGN", "TEST1234"),
        ("P_USER", "1234"),
        ("P_NEW", "4321"),
        ("P_BAD", "9999"),
        ("P_FACE", "1980-02-17 2035 2285"),
        ("P_BIRTH", "1980-02-17"),
        ("P_NUMBER_A", "537686677188"),
    ];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut check = |docs: Vec<Value>, what: &str| {
        for d in docs {
            let command = common::assert_schema(&d, what);
            *seen.entry(command).or_default() += 1;
        }
    };
    for p in [
        "default",
        "leap-day",
        "minor",
        "moved",
        "pin-locked",
        "smartphone",
        "not-my-number-card",
    ] {
        let v = format!("--virtual={}", fixture(p).display());
        let runs: Vec<Vec<&str>> = vec![
            vec![&v, "--json", "status"],
            vec![&v, "--json", "status", "--with-sign", "--pin-env", "P_SIGN"],
            vec![&v, "--json", "pin", "status"],
            vec![&v, "--json", "readers"],
            vec![&v, "--json", "doctor"],
            vec![&v, "--json", "cert", "show", "auth"],
            vec![&v, "--json", "cert", "show", "sign", "--pin-env", "P_SIGN"],
            vec![&v, "--json", "info", "--pin-env", "P_USER"],
            vec![&v, "--json", "info", "--pin-env", "P_USER", "--show-number"],
            vec![&v, "--json", "prove", "--pin-env", "P_USER"],
            vec![&v, "--json", "face-check", "--code-env", "P_FACE"],
            vec![
                &v,
                "--json",
                "face-check",
                "--code-env",
                "P_FACE",
                "--with-number-a",
                "--number-a-env",
                "P_NUMBER_A",
            ],
            vec![
                &v,
                "--json",
                "age-check",
                "--at-least",
                "20",
                "--birth-date-env",
                "P_BIRTH",
            ],
            vec![&v, "--json", "pin", "verify", "auth", "--pin-env", "P_USER"],
            vec![&v, "--json", "pin", "verify", "auth", "--pin-env", "P_BAD"],
            vec![
                &v,
                "--json",
                "pin",
                "change",
                "auth",
                "--pin-env",
                "P_USER",
                "--new-pin-env",
                "P_NEW",
            ],
            vec![
                &v,
                "--json",
                "sign",
                "--pin-env",
                "P_SIGN",
                "-o",
                &p7s_s,
                "--force",
                &doc_s,
            ],
            vec![
                &v,
                "--json",
                "sign",
                "--pin-env",
                "P_SIGN",
                "--digest-only",
                "0000000000000000000000000000000000000000000000000000000000000000",
            ],
            vec![
                &v,
                "--json",
                "pdf",
                "sign",
                "--pin-env",
                "P_SIGN",
                "-o",
                &pdf_out_s,
                "--force",
                &pdf_in_s,
            ],
        ];
        for args in runs {
            check(documents(&args, &env), &format!("{args:?}"));
        }
        if pdf_out.exists() {
            for args in [
                vec!["--json", "pdf", "verify", "--test-pki", &pdf_out_s],
                vec!["--json", "pdf", "verify", &pdf_out_s],
            ] {
                check(documents(&args, &env), &format!("{args:?}"));
            }
        }
        if p7s.exists() {
            for args in [
                vec!["--json", "verify", "--test-pki", &doc_s, &p7s_s],
                vec![
                    "--json",
                    "verify",
                    "--test-pki",
                    "--show-holder",
                    &doc_s,
                    &p7s_s,
                ],
                vec!["--json", "verify", &doc_s, &p7s_s],
            ] {
                check(documents(&args, &env), &format!("{args:?}"));
            }
        }
        let out = bin()
            .args([&v, "cert", "show", "auth", "--pem", "--force", "-o", &pem_s])
            .output()
            .unwrap();
        if out.status.success() {
            check(
                documents(&["--json", "cert", "inspect", &pem_s], &env),
                "cert inspect",
            );
        }
    }
    check(documents(&["--json", "status", "--bogus"], &env), "usage");
    // Every published schema was exercised (watch: see its own test).
    let published: Vec<String> = std::fs::read_dir(schema_file("x").parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".schema.json").map(str::to_string))
        .collect();
    for name in published {
        let command = name.replace('-', " ");
        assert!(
            // `face-check` is one word with a hyphen, not `face check`.
            name == "watch" || seen.contains_key(&command) || seen.contains_key(&name),
            "schema {name} was not exercised: {seen:?}"
        );
    }
    for must in [
        "status",
        "pin status",
        "info",
        "sign",
        "verify",
        "error",
        "prove",
        "face-check",
        "age-check",
    ] {
        assert!(seen.get(must).is_some_and(|n| *n > 0), "{must}: {seen:?}");
    }
}

/// A document that breaks a schema is rejected (the check can fail).
#[test]
fn a_document_missing_a_field_or_with_a_wrong_type_is_rejected() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_file("pin status")).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let docs = documents(&["--virtual", "--json", "pin", "status"], &[]);
    let good = docs[0].clone();
    assert!(v.is_valid(&good));
    let mut no_pins = good.clone();
    no_pins.as_object_mut().unwrap().remove("pins");
    assert!(!v.is_valid(&no_pins));
    let mut wrong = good.clone();
    wrong["pins"][0]["remaining"] = Value::String("five".into());
    assert!(!v.is_valid(&wrong));
    let mut bad_state = good;
    bad_state["pins"][1]["state"] = Value::String("fine".into());
    assert!(!v.is_valid(&bad_state));
}

/// The checked-in schemas are the ones the types generate: a change to an
/// output type without `MYNACARD_BLESS=1 cargo test schemas_are_generated`
/// fails here, and no schema file is left over from a removed document.
#[test]
fn schemas_are_generated_from_the_output_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema");
    let bless = std::env::var_os("MYNACARD_BLESS").is_some();
    let mut expected = std::collections::BTreeSet::new();
    for (command, schema) in mynacard::cli::schema::schemas() {
        let name = mynacard::cli::schema::file_name(command);
        let text = mynacard::cli::schema::file_text(&schema);
        let path = dir.join(&name);
        if bless {
            std::fs::write(&path, &text).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == text,
            "docs/schema/{name} is stale: run MYNACARD_BLESS=1 cargo test schemas_are_generated"
        );
        expected.insert(name);
    }
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            expected.contains(&name),
            "docs/schema/{name} is not generated by any type"
        );
    }
}

/// JSON is the same document under any language: `LANG=ja_JP.UTF-8` and
/// `--lang ja` change the text output only (Japanese rides in `_ja` fields).
#[test]
fn json_is_the_same_under_any_language() {
    let env = [
        ("P_SIGN", "TEST1234"),
        ("P_USER", "1234"),
        ("P_BAD", "9999"),
    ];
    for p in [
        "default",
        "pin-locked",
        "smartphone",
        "minor",
        "not-my-number-card",
    ] {
        let v = format!("--virtual={}", fixture(p).display());
        let runs: Vec<Vec<&str>> = vec![
            vec![&v, "--json", "status", "--today", "2030-01-01"],
            vec![
                &v,
                "--json",
                "status",
                "--today",
                "2030-01-01",
                "--with-sign",
                "--pin-env",
                "P_BAD",
            ],
            vec![&v, "--json", "pin", "status"],
            vec![&v, "--json", "readers"],
            vec![
                &v,
                "--json",
                "cert",
                "show",
                "auth",
                "--today",
                "2030-01-01",
            ],
            vec![&v, "--json", "info", "--pin-env", "P_USER"],
            vec![&v, "--json", "pin", "verify", "auth", "--pin-env", "P_BAD"],
            vec![&v, "--json", "status", "--bogus"],
        ];
        for mut args in runs {
            // The cache's own answer is tried in cache_order.
            args.insert(1, "--no-cache");
            let english = documents(&args, &[&env[..], &[("LANG", "C")]].concat());
            assert!(!english.is_empty(), "{args:?}");
            let by_env = documents(&args, &[&env[..], &[("LANG", "ja_JP.UTF-8")]].concat());
            assert_eq!(english, by_env, "LANG=ja_JP.UTF-8 {args:?}");
            let mut ja = args.clone();
            ja.insert(0, "--lang=ja");
            let by_flag = documents(&ja, &[&env[..], &[("LANG", "C")]].concat());
            assert_eq!(english, by_flag, "--lang ja {args:?}");
        }
    }
}

/// Every error code and finding code the program has is documented.
#[test]
fn every_code_is_in_docs_json_md() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .unwrap();
    for c in mynacard::error::ErrorCode::ALL {
        assert!(
            doc.contains(&format!("`{}`", c.as_str())),
            "error code {} not in docs/json.md",
            c.as_str()
        );
    }
    for c in mynacard::report::FindingCode::ALL {
        assert!(
            doc.contains(&format!("`{}`", c.as_str())),
            "finding code {} not in docs/json.md",
            c.as_str()
        );
    }
}
