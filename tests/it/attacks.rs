//! The attack round's findings (issue "No verified state even when the
//! helper is killed; no file touched outside what was asked", items 2–7),
//! each a test: nothing is written, created or deleted through a link or
//! outside the named place; every input is bounded; checks that can fail
//! before the card is touched are made first; the documented exit codes.

use crate::common::{bin, json};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn entries(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_linked_cache_folder_is_never_written_through_and_folders_are_private() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    // Old files of someone else's, which the cache's trimming must not touch.
    for i in 0..20 {
        std::fs::write(elsewhere.path().join(format!("{i:032}")), b"keep").unwrap();
    }
    let before = entries(elsewhere.path());
    std::fs::create_dir_all(home.path().join("mynacard/ca")).unwrap();
    std::fs::set_permissions(
        home.path().join("mynacard/ca"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), home.path().join("mynacard/auth-certs")).unwrap();
    for _ in 0..2 {
        let out = bin()
            .env("XDG_CACHE_HOME", home.path())
            .args(["--virtual", "--json", "status"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let v = json(&out.stdout);
        assert!(v["schema_version"].is_number());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is a symbolic link"), "{err}");
    }
    assert_eq!(
        entries(elsewhere.path()),
        before,
        "written through the link"
    );
    // The folders the tool made or found are private now.
    for d in ["mynacard", "mynacard/ca"] {
        let m = std::fs::symlink_metadata(home.path().join(d)).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o700, "{d}");
    }
}
