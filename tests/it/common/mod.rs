//! Helpers shared by the integration tests: the binary with a clean
//! environment, JSON parsing, the fixture profiles and their PINs.
#![allow(dead_code)]

#[cfg(feature = "pcsc")]
pub mod e2e;
pub mod myna;
pub mod tsa;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The shipped binary: English, no colour, and a cache of its own so that
/// APDU counts do not depend on earlier runs.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("mynacard").unwrap();
    c.env_remove("LANG")
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache_dir())
        .timeout(std::time::Duration::from_secs(60));
    c
}

pub fn cache_dir() -> PathBuf {
    std::env::temp_dir().join(format!("mynacard-test-cache-{}", std::process::id()))
}

pub fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/profiles")
        .join(format!("{name}.toml"))
}

/// `--virtual` for a fixture profile (`None`: the built-in one).
pub fn virt(profile: Option<&str>) -> String {
    match profile {
        None => "--virtual".into(),
        Some(p) => format!("--virtual={}", fixture(p).display()),
    }
}

/// The built-in profile's PIN of a kind (fixtures/profiles/default.toml).
pub fn default_pin(kind: &str) -> String {
    let p: toml::Value =
        toml::from_str(&std::fs::read_to_string(fixture("default")).unwrap()).unwrap();
    let key = kind.replace('-', "_");
    p["pins"][key.as_str()]["value"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The individual number of the built-in profile.
pub fn default_number() -> String {
    let p: toml::Value =
        toml::from_str(&std::fs::read_to_string(fixture("default")).unwrap()).unwrap();
    p["holder"]["number"].as_str().unwrap().to_string()
}

/// `pin status --json` on a virtual card with state: (kind, remaining, state).
pub fn counters(profile: Option<&str>, state: &Path) -> Vec<(String, Option<u64>, String)> {
    let out = bin()
        .arg(virt(profile))
        .arg("--state")
        .arg(state)
        .args(["--json", "pin", "status"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)["pins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["remaining"].as_u64(),
                p["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Lines of a `--trace` that are commands sent to the card.
pub fn sent(trace: &str) -> Vec<&str> {
    trace.lines().filter(|l| l.starts_with("> ")).collect()
}

/// Whether a trace line is a VERIFY carrying data (a PIN).
pub fn is_verify_with_data(line: &str) -> bool {
    let b: Vec<&str> = line.trim_start_matches("> ").split(' ').collect();
    b.len() > 4 && b[1] == "20"
}

/// A profile file in a temporary directory (removed with the guard).
pub struct TempProfile {
    pub dir: tempfile::TempDir,
    /// `--virtual=<the file>`
    pub arg: String,
}

/// Write `toml` (usually `base = "builtin"` and some changes) to a
/// temporary profile file.
pub fn profile_file(toml: &str) -> TempProfile {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("profile.toml");
    std::fs::write(&p, toml).unwrap();
    TempProfile {
        arg: format!("--virtual={}", p.display()),
        dir,
    }
}

/// Panic unless `doc` validates against the published schema of its
/// `command` (docs/schema/); the command's name.
pub fn assert_schema(doc: &Value, what: &str) -> String {
    let command = doc["command"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no command"))
        .to_string();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(format!("{}.schema.json", command.replace(' ', "-")));
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{what}: no schema {}: {e}", path.display())),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} ({command}): {errors:#?}");
    command
}
