//! `face-check --show` and `--images DIR` on the in-process virtual card:
//! the face only when asked, files 0600 and never over an existing one
//! unless forced, personal data in JSON only with `--show`, and the
//! 個人番号 image (EF 0005) never touched on the wire.

use crate::common;

use common::{bin, json, virt};
use std::path::Path;

const PARTS: &str = "昭和55年2月17日 2035 2285";

fn run(profile: Option<&str>, state: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .arg(virt(profile))
        .args(["--state"])
        .arg(state)
        .args(["--lang", "en", "--color", "never"])
        .arg("face-check")
        .args(["--code-env", "FC"])
        .args(extra)
        .env("FC", PARTS)
        .output()
        .unwrap()
}

fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_face_is_shown_only_when_asked() {
    let d = tempfile::tempdir().unwrap();
    let st = d.path().join("s.json");
    let plain = text(&run(None, &st, &[]));
    assert!(plain.contains("TEST CA"), "{plain}");
    for personal in ["1980", "male", "photo:", "█"] {
        assert!(
            !plain.contains(personal),
            "{personal} without --show:\n{plain}"
        );
    }
    let out = run(None, &st, &["--show"]);
    assert_eq!(out.status.code(), Some(44));
    let s = text(&out);
    assert!(
        s.contains("photo:") && s.contains("name (the card's image):"),
        "{s}"
    );
    assert!(
        s.contains("birth date (signed)      1980-02-17  sex male"),
        "{s}"
    );
    // The photo as half-blocks: light background, the dark hair and
    // clothes left blank (no colour: the dithered characters).
    let photo: Vec<&str> = s
        .lines()
        .skip_while(|l| *l != "photo:")
        .skip(1)
        .take_while(|l| l.starts_with("  ") && !l.trim().is_empty())
        .collect();
    assert!(photo.len() >= 10, "{s}");
    assert!(photo[0].contains('█') && photo.iter().any(|l| l.contains(' ')));
    assert!(!s.contains("\x1b["), "colour asked never: {s}");
}

#[test]
fn personal_data_reach_json_only_with_show() {
    let d = tempfile::tempdir().unwrap();
    let st = d.path().join("s.json");
    let plain = run(None, &st, &["--json"]);
    let v = json(&plain.stdout);
    assert!(v.get("face").is_none(), "{v}");
    assert!(!text(&plain).contains("1980"));
    let v = json(&run(None, &st, &["--json", "--show"]).stdout);
    assert_eq!(v["face"]["birth_date"], "1980-02-17", "{v}");
    assert_eq!(v["face"]["sex_code"], "1", "{v}");
    assert_eq!(v["verdict"], "test_card");
    // Altered data: nothing personal even when asked.
    let st2 = d.path().join("alt.json");
    let out = run(Some("face-altered"), &st2, &["--json", "--show"]);
    assert_eq!(out.status.code(), Some(41));
    let v = json(&out.stdout);
    assert!(v["face"].get("birth_date").is_none(), "{v}");
    let imgs = d.path().join("imgs");
    std::fs::create_dir(&imgs).unwrap();
    let out = run(
        Some("face-altered"),
        &st2,
        &["--show", "--images", imgs.to_str().unwrap()],
    );
    let s = text(&out);
    assert!(
        s.contains("the face is not shown") && s.contains("no image written"),
        "{s}"
    );
    assert_eq!(std::fs::read_dir(&imgs).unwrap().count(), 0);
}

#[test]
fn images_are_written_private_and_never_over_a_file_unless_forced() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let st = d.path().join("s.json");
    let dir = d.path().join("face");
    std::fs::create_dir(&dir).unwrap();
    let dir_s = dir.to_str().unwrap();
    let out = run(None, &st, &["--json", "--images", dir_s]);
    assert_eq!(
        out.status.code(),
        Some(44),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["face"]["files"].as_array().unwrap().len(), 4, "{v}");
    assert!(v["face"].get("birth_date").is_none(), "{v}");
    for f in ["photo.jp2", "photo.png", "name.png", "address.png"] {
        let m = std::fs::metadata(dir.join(f)).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o600, "{f}");
    }
    // The photo exactly as the chip holds it, and a PNG of it.
    assert_eq!(
        std::fs::read(dir.join("photo.jp2")).unwrap(),
        std::fs::read("fixtures/vcard-photo/photo.jp2").unwrap()
    );
    let png = std::fs::read(dir.join("photo.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(&png[16..24], &[0, 0, 0, 150, 0, 0, 0, 188]);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        4,
        "no temp files left"
    );

    // Again: refused before any card work (no VERIFY with data sent).
    let out = run(None, &st, &["--trace", "-o", dir_s]);
    assert_eq!(out.status.code(), Some(13));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("photo.jp2"), "{err}");
    assert!(!err.contains("00 20 00 92 0E"), "a VERIFY was sent: {err}");
    // Forced: replaced.
    let out = run(None, &st, &["-o", dir_s, "--force"]);
    assert_eq!(out.status.code(), Some(44));
    assert!(text(&out).contains("written: "), "{}", text(&out));
    // --force alone means nothing.
    assert_eq!(run(None, &st, &["--force"]).status.code(), Some(2));
}

#[test]
fn the_my_number_image_is_never_read_and_the_trace_holds_no_face() {
    let d = tempfile::tempdir().unwrap();
    let st = d.path().join("s.json");
    let dir = d.path().join("face");
    std::fs::create_dir(&dir).unwrap();
    let out = run(
        None,
        &st,
        &["--trace", "--show", "--images", dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(44));
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(trace.contains("> 00 B0 82"), "the face is read: {trace}");
    // EF 0005 neither selected nor read by its short id.
    assert!(!trace.contains("00 A4 02 0C 02 00 05"), "{trace}");
    assert!(!trace.contains("> 00 B0 85"), "{trace}");
    // Nothing of the face in the trace: the JP2 signature box, the birth
    // date in ASCII hex.
    for secret in ["6A 50 20 20", "31 39 38 30 30 32 31 37", "1980"] {
        assert!(!trace.contains(secret), "{secret} in the trace");
    }
}
