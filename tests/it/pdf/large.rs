//! Large PDFs: the data of large streams is never read into memory
//! (`pdf::source`), yet signing and verifying stay exact — signed twice,
//! with an xref stream, and a large stream replaced after signing is a
//! change after signing even though its dictionary is the same.

use super::*;

/// A one-page PDF whose page draws an image of `n` bytes (its `/Length`
/// an indirect object when `indirect`).
fn large_pdf(n: usize, indirect: bool) -> Vec<u8> {
    let data: Vec<u8> = (0..n).map(|i| (i * 7 + i / 251) as u8).collect();
    let length = if indirect {
        "6 0 R".to_string()
    } else {
        n.to_string()
    };
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R \
         /Resources << /XObject << /Im1 5 0 R >> >> >>"
            .into(),
        "<< /Length 30 >>\nstream\nq 200 0 0 200 0 0 cm /Im1 Do Q\nendstream".into(),
        format!(
            "<< /Type /XObject /Subtype /Image /Width {n} /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Length {length} >>\nstream\n"
        ),
        n.to_string(),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}", i + 1).as_bytes());
        if i == 4 {
            out.extend(&data);
            out.extend(b"\nendstream");
        }
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// An update that replaces object 5 (the image) with other data under
/// the same dictionary.
fn replace_image(signed: &[u8], n: usize) -> Vec<u8> {
    let prev = {
        let t = &signed[signed.len() - 64..];
        let at = t.windows(9).rposition(|w| w == b"startxref").unwrap() + 9;
        String::from_utf8_lossy(&t[at..])
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let size = {
        let at = signed.windows(6).rposition(|w| w == b"/Size ").unwrap() + 6;
        String::from_utf8_lossy(&signed[at..at + 12])
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .to_string()
    };
    let mut out = signed.to_vec();
    let at = out.len();
    out.extend(
        format!(
            "5 0 obj\n<< /Type /XObject /Subtype /Image /Width {n} /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Length {n} >>\nstream\n"
        )
        .as_bytes(),
    );
    out.extend(vec![0x55u8; n]);
    out.extend(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend(
        format!(
            "xref\n5 1\n{at:010} 00000 n \ntrailer\n<< /Size {size} /Root 1 0 R /Prev {prev} >>\n\
             startxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

#[test]
fn large_streams_are_left_unread_yet_signing_and_verifying_stay_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n = 3 << 20;
    for indirect in [false, true] {
        let input = d.join(format!("large{indirect}.pdf"));
        std::fs::write(&input, large_pdf(n, indirect)).unwrap();
        qpdf_check(&input);
        let mut sources = vec![input.clone()];
        if have("qpdf", "--version") {
            let xs = d.join(format!("large-xs{indirect}.pdf"));
            let o = Command::new("qpdf")
                .args(["--object-streams=generate", "--stream-data=preserve"])
                .arg(&input)
                .arg(&xs)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            sources.push(xs);
        }
        for src in sources {
            let once = src.with_extension("once.pdf");
            let twice = src.with_extension("twice.pdf");
            ok(&sign(&src, &once, &[], None));
            ok(&sign(&once, &twice, &["--profile", "pades"], None));
            qpdf_check(&twice);
            let (code, doc) = verify(&twice);
            assert_eq!(
                (code, verdicts(&doc)),
                (0, vec!["valid".to_string(), "valid".to_string()]),
                "{}: {doc}",
                src.display()
            );
            if let Some(s) = pdfsig(&twice) {
                assert!(s.iter().all(|(valid, _, _)| *valid), "{s:?}");
            }
        }
        // The image replaced after signing, under the same dictionary.
        let once = std::fs::read(input.with_extension("once.pdf")).unwrap();
        let changed = d.join(format!("changed{indirect}.pdf"));
        std::fs::write(&changed, replace_image(&once, n)).unwrap();
        qpdf_check(&changed);
        let (code, doc) = verify(&changed);
        assert_eq!(
            (code, verdicts(&doc)),
            (35, vec!["changed_after_signing".to_string()]),
            "{doc}"
        );
    }
}
