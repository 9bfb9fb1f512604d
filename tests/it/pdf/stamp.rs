//! `pdf sign --stamp`: a visible stamp (the signer's name and the time in
//! Japanese and English) in IPAex Gothic, subset; judged by qpdf, pdfsig,
//! pdf verify and pyHanko, and by pdftoppm's rendering (the stamp's red
//! pixels are where it was put, and nowhere else).

use super::*;

const FONT: &str = mynacard::pdf::stamp::DEFAULT_FONT;

/// The page rendered by pdftoppm at 72 dpi (one pixel a point): (width, height, RGB).
fn render(pdf: &Path) -> Option<(usize, usize, Vec<u8>)> {
    if !have("pdftoppm", "-v") {
        return None;
    }
    let o = Command::new("pdftoppm")
        .args(["-r", "72", "-f", "1", "-l", "1"])
        .arg(pdf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // P6, width, height, 255, then the pixels.
    let b = o.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while b[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !b[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&b[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    Some((w, h, b[at + 1..].to_vec()))
}

/// Red pixels (the stamp's frame and text) inside and outside a PDF rectangle.
fn red_pixels(img: &(usize, usize, Vec<u8>), rect: [f64; 4]) -> (usize, usize) {
    let (w, h, px) = img;
    let (mut inside, mut outside) = (0, 0);
    for y in 0..*h {
        for x in 0..*w {
            let p = &px[(y * w + x) * 3..][..3];
            if !(p[0] > 110 && p[1] < 90 && p[2] < 90) {
                continue;
            }
            let (px_, py) = (x as f64 + 0.5, (*h - y) as f64 - 0.5);
            if px_ >= rect[0] - 1.0
                && px_ <= rect[2] + 1.0
                && py >= rect[1] - 1.0
                && py <= rect[3] + 1.0
            {
                inside += 1;
            } else {
                outside += 1;
            }
        }
    }
    (inside, outside)
}

/// The widget's /Rect of the field named `name`.
fn widget_rect(pdf: &[u8], name: &str) -> [f64; 4] {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    for o in doc.objects.values() {
        let Ok(d) = o.as_dict() else { continue };
        if d.get(b"T").ok().and_then(|t| t.as_str().ok()) == Some(name.as_bytes()) {
            let r = d.get(b"Rect").unwrap().as_array().unwrap();
            let v: Vec<f64> = r.iter().map(|x| x.as_float().unwrap() as f64).collect();
            return [v[0], v[1], v[2], v[3]];
        }
    }
    panic!("no field {name}");
}

#[test]
fn a_visible_stamp_is_drawn_where_asked_and_both_signatures_stay_valid() {
    if !Path::new(FONT).exists() {
        assert!(!common::e2e::in_ci(), "CI=true but {FONT} is missing");
        eprintln!("skipped the stamp test: {FONT} is not installed (fonts-ipaexfont-gothic)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("Stamped")).unwrap();
    let (once, twice) = (d.join("once.pdf"), d.join("twice.pdf"));
    ok(&sign(&input, &once, &["--stamp", "1,36,600"], None));
    ok(&sign(
        &once,
        &twice,
        &["--profile", "pades", "--stamp", "1,300,500"],
        None,
    ));
    qpdf_check(&twice);
    let bytes = std::fs::read(&twice).unwrap();
    // The font is a subset: far less than IPAex Gothic's 4 MB.
    let font_len = std::fs::metadata(FONT).unwrap().len() as usize;
    assert!(
        bytes.len() < 200_000 && font_len > 1_000_000,
        "{} bytes",
        bytes.len()
    );
    assert!(
        bytes.windows(13).any(|w| w == b"+IPAexGothic "),
        "a subset's name"
    );
    let (code, doc) = verify(&twice);
    assert_eq!(
        (code, verdicts(&doc)),
        (0, vec!["valid".to_string(), "valid".to_string()]),
        "{doc}"
    );
    if let Some(s) = pdfsig(&twice) {
        assert_eq!(s.iter().filter(|(v, _, _)| *v).count(), 2, "{s:?}");
    }
    let root = sign_ca(d);
    if let Some(got) = pyhanko(&twice, &root) {
        assert_eq!(got, vec!["VALID", "VALID"]);
    }
    let (r1, r2) = (
        widget_rect(&bytes, "Signature1"),
        widget_rect(&bytes, "Signature2"),
    );
    assert_eq!((r1[0], r1[1], r2[0], r2[1]), (36.0, 600.0, 300.0, 500.0));
    assert!(r1[2] - r1[0] > 100.0 && r1[3] - r1[1] > 20.0, "{r1:?}");
    if let Some(img) = render(&twice) {
        let (in1, out1) = red_pixels(&img, r1);
        let (in2, _) = red_pixels(&img, r2);
        assert!(in1 > 200 && in2 > 200, "the stamps' pixels: {in1}, {in2}");
        assert_eq!(out1, in2, "no red outside the two stamps");
        let (_, _, unsigned) = render(&input).unwrap();
        assert!(unsigned
            .chunks(3)
            .all(|p| !(p[0] > 110 && p[1] < 90 && p[2] < 90)));
    }
    // A page the PDF does not have: refused before the card (no try spent).
    let out = sign(&input, &d.join("none.pdf"), &["--stamp", "3,0,0"], None);
    assert_eq!(
        out.status.code(),
        Some(12),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(json(&out.stdout)["error"]["message"]
        .to_string()
        .contains("page 3"));
    // A font that is not one: a clear error.
    let bogus = d.join("bogus.ttf");
    std::fs::write(&bogus, b"not a font").unwrap();
    let out = sign(
        &input,
        &d.join("none.pdf"),
        &["--stamp", "1,1,1", "--stamp-font"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "--stamp-font needs a file");
    let mut c = bin();
    c.arg(virt(None))
        .args([
            "--json",
            "pdf",
            "sign",
            "--pin-env",
            "P",
            "--stamp",
            "1,1,1",
            "--stamp-font",
        ])
        .arg(&bogus)
        .arg("-o")
        .arg(d.join("none.pdf"))
        .arg(&input)
        .env("P", "TEST1234");
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(12),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!d.join("none.pdf").exists());
}
