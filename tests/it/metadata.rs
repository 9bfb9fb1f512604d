//! The crate's metadata tells the truth: `rust-version` is what the
//! committed lock needs (the highest `rust-version` among the locked
//! packages), and the documents the package points to exist.

use serde_json::Value;
use std::path::Path;

fn version(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[test]
fn rust_version_is_what_the_lock_needs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours = env!("CARGO_PKG_RUST_VERSION");
    let mut needed: Option<(Vec<u32>, String)> = None;
    for p in m["packages"].as_array().unwrap() {
        if p["name"] == "mynacard" {
            continue;
        }
        let Some(rv) = p["rust_version"].as_str() else {
            continue;
        };
        if needed.as_ref().is_none_or(|(v, _)| version(rv) > *v) {
            needed = Some((
                version(rv),
                format!("{} {} needs {rv}", p["name"], p["version"]),
            ));
        }
    }
    let (needed, who) = needed.unwrap();
    let mut ours_v = version(ours);
    ours_v.resize(needed.len(), 0);
    assert_eq!(
        ours_v, needed,
        "Cargo.toml says rust-version = {ours}, but {who}"
    );
}

#[test]
fn the_documents_people_are_pointed_to_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in [
        "README.md",
        "CHANGELOG.md",
        "SECURITY.md",
        "CONTRIBUTING.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        let text = std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(text.len() > 200, "{f} is nearly empty");
        // No invented contact: an e-mail address would have to be real.
        assert!(!text.contains("@example."), "{f}: a placeholder address");
    }
}
