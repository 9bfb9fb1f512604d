//! The version line: the crate's version, and the git commit when built
//! from a git checkout (a packaged crate has none: the version alone).

use std::path::Path;
use std::process::Command;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let git = Path::new(&root).join(".git");
    let mut suffix = String::new();
    if git.exists() {
        // A new commit moves HEAD or the branch it names.
        println!("cargo:rerun-if-changed={}", git.join("HEAD").display());
        if let Ok(head) = std::fs::read_to_string(git.join("HEAD")) {
            if let Some(r) = head.trim().strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed={}", git.join(r).display());
            }
        }
        println!(
            "cargo:rerun-if-changed={}",
            git.join("packed-refs").display()
        );
        let out = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(&root)
            .output();
        if let Ok(o) = out {
            let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if o.status.success() && !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                suffix = format!(" (git {id})");
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=MYNACARD_VERSION_SUFFIX={suffix}");
}
