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
    std::fs::create_dir_all(home.path().join("mynacard/extended-length")).unwrap();
    std::fs::set_permissions(
        home.path().join("mynacard/extended-length"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), home.path().join("mynacard/card-images")).unwrap();
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
    for d in ["mynacard", "mynacard/extended-length"] {
        let m = std::fs::symlink_metadata(home.path().join(d)).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o700, "{d}");
    }
}

/// `sign` with a wrong password on a card kept in `state`; its exit code and
/// stderr, and how long it took.
fn sign_wrong(state: &Path, args: &[&str]) -> (Option<i32>, String, std::time::Duration) {
    let t = std::time::Instant::now();
    let out = bin()
        .args(["--virtual", "--state"])
        .arg(state)
        .args(["sign", "--pin-env", "P"])
        .args(args)
        .env("P", "WRONG99")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

#[test]
fn a_file_to_sign_is_read_to_its_reported_length_never_without_end() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let out = dir.path().join("o.p7s");
    let o = out.to_str().unwrap();
    // An endless regular file (reported length 0, data without end).
    for file in ["/proc/self/pagemap", "/proc/self/maps"] {
        let (code, err, took) = sign_wrong(&st, &["-o", o, file]);
        assert_eq!(code, Some(13), "{file}: {err}");
        assert!(
            err.contains("holds more than the 0 bytes it reports"),
            "{err}"
        );
        assert!(took < std::time::Duration::from_secs(10), "{took:?}");
        let v = bin()
            .args(["--virtual", "--json", "verify", file, file])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_ne!(v.status.code(), Some(0), "verify {file}");
    }
    assert!(!out.exists());
    // Nothing reached the card: the wrong password cost no try.
    let c = crate::common::counters(None, &st);
    assert_eq!(c[0].1, Some(5), "{c:?}");
}

#[test]
fn an_output_folder_that_cannot_take_the_file_is_found_before_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("card.json");
    let doc = dir.path().join("doc.txt");
    std::fs::write(&doc, "text\n").unwrap();
    let file_as_folder = dir.path().join("doc.txt/o.p7s");
    let missing = dir.path().join("no/such/folder/o.p7s");
    for (target, want) in [
        (&missing, "does not exist"),
        (&file_as_folder, "is not a folder"),
    ] {
        let (code, err, _) = sign_wrong(
            &st,
            &["-o", target.to_str().unwrap(), doc.to_str().unwrap()],
        );
        assert_eq!(code, Some(13), "{err}");
        assert!(
            err.contains(want) && err.contains("nothing was sent to the card"),
            "{err}"
        );
        assert!(
            err.contains("OUTPUT_FOLDER")
                || err.contains("mkdir")
                || err.contains("folder you may write"),
            "{err}"
        );
    }
    let c = crate::common::counters(None, &st);
    assert_eq!(c[0].1, Some(5), "no try spent: {c:?}");
    assert!(!missing.parent().unwrap().exists(), "nothing created");
}
