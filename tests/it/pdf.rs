//! `mynacard pdf sign` and `pdf verify` on the in-process virtual card,
//! judged by independent programs: qpdf (`--check`: the structure) and
//! poppler's pdfsig (`-nocert -no-ocsp`: the signatures; it fetches
//! nothing). The input PDFs are made here: a classic-xref one written by
//! hand, and one with an xref stream and object streams made by qpdf.

use crate::common;

use common::{bin, counters, json, virt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A one-page PDF with a classic cross-reference table, written by hand.
pub fn minimal_pdf(text: &str) -> Vec<u8> {
    pdf_with(text, "", &[])
}

/// The same, with more catalog entries and more objects (numbered from 6).
fn pdf_with(text: &str, catalog: &str, more: &[&str]) -> Vec<u8> {
    pdf_with_page(text, catalog, "", more)
}

/// The same, with more entries in the page too.
fn pdf_with_page(text: &str, catalog: &str, page: &str, more: &[&str]) -> Vec<u8> {
    let content = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET");
    let mut objs = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog}>>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> {page}>>"
        ),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    objs.extend(more.iter().map(|m| m.to_string()));
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
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

/// Whether a judge is installed; CI must have it (install-deps.sh installs it).
fn have(tool: &str, arg: &str) -> bool {
    let there = Command::new(tool)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    assert!(
        there || !common::e2e::in_ci(),
        "CI=true but {tool} is missing"
    );
    if !there {
        eprintln!("skipped the {tool} judge: it is not installed");
    }
    there
}

/// `qpdf --check` passes.
fn qpdf_check(p: &Path) {
    if !have("qpdf", "--version") {
        return;
    }
    let o = Command::new("qpdf").arg("--check").arg(p).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "qpdf --check {}: {}{}",
        p.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// pdfsig's report: one (valid, total document signed, sub filter) per signature.
fn pdfsig(p: &Path) -> Option<Vec<(bool, bool, String)>> {
    if !have("pdfsig", "-v") {
        return None;
    }
    let o = Command::new("pdfsig")
        .args(["-nocert", "-no-ocsp"])
        .arg(p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut out = Vec::new();
    for part in text.split("Signature #").skip(1) {
        let kind = part
            .lines()
            .find_map(|l| l.trim().strip_prefix("- Signature Type: "))
            .unwrap_or("")
            .to_string();
        out.push((
            part.contains("Signature is Valid."),
            part.contains("Total document signed"),
            kind,
        ));
    }
    Some(out)
}

/// pyHanko, when installed (`scripts/install-deps.sh` puts it in a venv
/// under ~/.cache/mynacard-judges; or `MYNACARD_PYHANKO`): optional, a
/// PyPI package rather than a Debian one.
fn pyhanko_bin() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("MYNACARD_PYHANKO").map(PathBuf::from),
        std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache/mynacard-judges/bin/pyhanko")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        eprintln!("skipped the pyHanko judge: it is not installed");
    }
    found
}

/// pyHanko's verdict on each signature (`--executive-summary`: VALID,
/// INVALID, …), trusting `root`, no revocation check; in a network
/// namespace of its own when `unshare` can make one (it fetches nothing).
fn pyhanko(pdf: &Path, root: &Path) -> Option<Vec<String>> {
    let bin = pyhanko_bin()?;
    let args = |c: &mut Command| {
        c.args(["sign", "validate", "--trust"])
            .arg(root)
            .args([
                "--trust-replace",
                "--no-revocation-check",
                "--executive-summary",
            ])
            .arg(pdf);
    };
    let mut c = Command::new("unshare");
    c.arg("-n").arg(&bin);
    args(&mut c);
    let o = match c.output() {
        Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("unshare failed") => o,
        _ => {
            let mut c = Command::new(&bin);
            args(&mut c);
            c.output().unwrap()
        }
    };
    Some(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| l.rsplit(':').next().map(str::to_string))
            .collect(),
    )
}

/// The virtual card's signature CA (a root), as pyHanko takes it.
fn sign_ca(d: &Path) -> PathBuf {
    let p = d.join("sign-ca.pem");
    let out = bin()
        .args(["--virtual", "cert", "show", "sign-ca", "--pem"])
        .output()
        .unwrap();
    std::fs::write(&p, out.stdout).unwrap();
    p
}

/// `pdf sign` on the virtual card; returns the process output.
fn sign(input: &Path, output: &Path, extra: &[&str], state: Option<&Path>) -> std::process::Output {
    let mut c = bin();
    c.arg(virt(None));
    if let Some(s) = state {
        c.arg("--state").arg(s);
    }
    c.args(["--json", "pdf", "sign", "--pin-env", "P", "-o"])
        .arg(output)
        .args(extra)
        .arg(input)
        .env("P", "TEST1234")
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

/// The classic-xref input and, where qpdf is there, one with object streams.
fn inputs(d: &Path) -> Vec<PathBuf> {
    let classic = d.join("classic.pdf");
    std::fs::write(&classic, minimal_pdf("Hello, signed world")).unwrap();
    let mut v = vec![classic.clone()];
    // A form whose text field is already called Signature1, the form in
    // the catalog, its fields and the page's annotations arrays of their own.
    let form = d.join("form.pdf");
    let field = "<< /FT /Tx /T (Signature1) /V (filled) /Type /Annot /Subtype /Widget \
                 /Rect [72 600 300 630] /P 3 0 R >>";
    std::fs::write(
        &form,
        pdf_with_page(
            "A form",
            "/AcroForm << /Fields 7 0 R /NeedAppearances true >> ",
            "/Annots 8 0 R ",
            &[field, "[6 0 R]", "[6 0 R]"],
        ),
    )
    .unwrap();
    v.push(form);
    if have("qpdf", "--version") {
        let lin = d.join("linearized.pdf");
        let o = Command::new("qpdf")
            .arg("--linearize")
            .arg(&classic)
            .arg(&lin)
            .output()
            .unwrap();
        assert!(o.status.success());
        v.push(lin);
        let xs = d.join("xstream.pdf");
        let o = Command::new("qpdf")
            .arg("--object-streams=generate")
            .arg(&classic)
            .arg(&xs)
            .output()
            .unwrap();
        assert!(o.status.success());
        v.push(xs);
    }
    v
}

#[test]
fn signed_pdfs_pass_qpdf_and_pdfsig_and_a_second_signature_keeps_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for input in inputs(d) {
        qpdf_check(&input);
        let original = std::fs::read(&input).unwrap();
        let once = input.with_extension("once.pdf");
        let doc = ok(&sign(&input, &once, &[], None));
        assert_eq!(doc["sub_filter"], "adbe.pkcs7.detached");
        let is_form = input.ends_with("form.pdf");
        // A name no field has.
        let first = if is_form { "Signature2" } else { "Signature1" };
        assert_eq!(doc["field"], first);
        // Only the object-stream input ends with a cross-reference stream.
        let xstream = input.ends_with("xstream.pdf");
        assert_eq!(doc["xref_stream"], xstream);
        common::assert_schema(&doc, "pdf sign");
        // An incremental update: the input's bytes are the output's start.
        let signed = std::fs::read(&once).unwrap();
        assert_eq!(&signed[..original.len()], &original[..]);
        assert_eq!(
            std::fs::read(&input).unwrap(),
            original,
            "the input is unchanged"
        );
        qpdf_check(&once);
        if let Some(sigs) = pdfsig(&once) {
            assert_eq!(
                sigs,
                vec![(true, true, "adbe.pkcs7.detached".into())],
                "{}",
                input.display()
            );
        }
        // Signed again (PAdES): both valid, the second covers the whole file.
        let twice = input.with_extension("twice.pdf");
        let doc = ok(&sign(&once, &twice, &["--profile", "pades"], None));
        let second = if is_form { "Signature3" } else { "Signature2" };
        assert_eq!(doc["field"], second);
        assert_eq!(doc["sub_filter"], "ETSI.CAdES.detached");
        qpdf_check(&twice);
        let (code, doc) = verify(&twice);
        assert_eq!(
            (code, verdicts(&doc)),
            (0, vec!["valid".to_string(), "valid".to_string()]),
            "{}: {doc}",
            input.display()
        );
        if let Some(sigs) = pdfsig(&twice) {
            assert_eq!(
                sigs,
                vec![
                    (true, false, "adbe.pkcs7.detached".into()),
                    (true, true, "ETSI.CAdES.detached".into())
                ],
                "{}",
                input.display()
            );
        }
    }
}

#[test]
fn a_wrong_password_costs_one_try_and_the_last_is_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("PIN policy")).unwrap();
    let st = d.join("state.json");
    let sign_left = |st: &Path| {
        counters(None, st)
            .into_iter()
            .find(|(k, _, _)| k == "sign")
            .and_then(|(_, n, _)| n)
            .unwrap()
    };
    let before = sign_left(&st);
    let bad = |st: &Path, extra: &[&str]| {
        let mut c = bin();
        c.arg(virt(None)).arg("--state").arg(st);
        c.args(["pdf", "sign", "--pin-env", "P", "-o"])
            .arg(d.join("out.pdf"))
            .args(extra)
            .arg(&input)
            .env("P", "WRONG999")
            .output()
            .unwrap()
    };
    let out = bad(&st, &[]);
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        sign_left(&st),
        before - 1,
        "one wrong password costs one try"
    );
    assert!(!d.join("out.pdf").exists(), "nothing written");
    // Down to the last try: refused without --force-last-try, nothing spent.
    while sign_left(&st) > 1 {
        bad(&st, &[]);
    }
    let out = bad(&st, &[]);
    assert_eq!(
        out.status.code(),
        Some(10),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sign_left(&st), 1);
    // The right password with --force-last-try signs and restores the counter.
    let out = sign(&input, &d.join("out.pdf"), &["--force-last-try"], Some(&st));
    ok(&out);
    assert_eq!(sign_left(&st), before);
}

#[test]
fn the_input_is_never_replaced_unless_asked_and_bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    let original = minimal_pdf("in place");
    std::fs::write(&input, &original).unwrap();
    // -o naming the input without --force: refused before the card.
    let out = sign(&input, &input, &[], None);
    assert_eq!(out.status.code(), Some(13));
    assert_eq!(std::fs::read(&input).unwrap(), original);
    // With --force: signed in place.
    ok(&sign(&input, &input, &["--force"], None));
    assert!(std::fs::read(&input).unwrap().len() > original.len());
    // Not a PDF; an encrypted one; a truncated one: clear errors, exit 12.
    let junk = d.join("junk.pdf");
    std::fs::write(&junk, b"not a pdf at all").unwrap();
    let out = sign(&junk, &d.join("j.pdf"), &[], None);
    assert_eq!(out.status.code(), Some(12));
    assert_eq!(json(&out.stdout)["error"]["code"], "PDF_INPUT");
    let half = d.join("half.pdf");
    std::fs::write(&half, &original[..original.len() / 2]).unwrap();
    let out = sign(&half, &d.join("h.pdf"), &[], None);
    assert_eq!(
        out.status.code(),
        Some(12),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    if have("qpdf", "--version") {
        let enc = d.join("enc.pdf");
        let o = Command::new("qpdf")
            .args(["--encrypt", "user", "owner", "256", "--"])
            .arg(d.join("in.pdf"))
            .arg(&enc)
            .output()
            .unwrap();
        assert!(o.status.success());
        let out = sign(&enc, &d.join("e.pdf"), &[], None);
        assert_eq!(out.status.code(), Some(12));
        let msg = json(&out.stdout)["error"]["message"].to_string();
        assert!(msg.contains("encrypted"), "{msg}");
        assert!(!d.join("e.pdf").exists());
    }
}

/// `pdf verify --json --test-pki`: (exit code, document).
fn verify(p: &Path) -> (i32, serde_json::Value) {
    let out = bin()
        .args(["--json", "pdf", "verify", "--test-pki"])
        .arg(p)
        .output()
        .unwrap();
    let doc = json(&out.stdout);
    common::assert_schema(&doc, "pdf verify");
    (out.status.code().unwrap(), doc)
}

fn verdicts(doc: &serde_json::Value) -> Vec<String> {
    doc["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap().to_string())
        .collect()
}

/// An incremental update that adds a page (objects 100, 101; the page tree 2 replaced; /Size 102).
fn append_page(signed: &[u8]) -> Vec<u8> {
    let tail = String::from_utf8_lossy(&signed[signed.len() - 64..]).into_owned();
    let prev: usize = tail
        .rsplit("startxref")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut out = signed.to_vec();
    let content = "BT /F1 24 Tf 72 720 Td (An added page) Tj ET";
    let objs = [
        (
            2,
            "<< /Type /Pages /Kids [3 0 R 100 0 R] /Count 2 >>".to_string(),
        ),
        (
            100,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 101 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_string(),
        ),
        (
            101,
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
        ),
    ];
    let mut offsets = Vec::new();
    for (n, o) in &objs {
        offsets.push(out.len());
        out.extend(format!("{n} 0 obj\n{o}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n2 1\n");
    out.extend(format!("{:010} 00000 n\r\n100 2\n", offsets[0]).as_bytes());
    for o in &offsets[1..] {
        out.extend(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size 102 /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

#[test]
fn pdf_verify_gives_valid_altered_and_appended_page_verdicts_and_agrees_with_pdfsig() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("Hello, signed world")).unwrap();
    let once = d.join("once.pdf");
    ok(&sign(&input, &once, &[], None));
    let twice = d.join("twice.pdf");
    ok(&sign(&once, &twice, &["--profile", "pades"], None));
    // Valid, once and twice (the first covering an earlier revision).
    let (code, doc) = verify(&once);
    assert_eq!((code, verdicts(&doc)), (0, vec!["valid".to_string()]));
    assert_eq!(doc["signatures"][0]["covers"], "whole_file");
    assert_eq!(doc["signatures"][0]["field"], "Signature1");
    assert_eq!(doc["revocation_checked"], false);
    let (code, doc) = verify(&twice);
    assert_eq!(
        (code, verdicts(&doc)),
        (0, vec!["valid".into(), "valid".into()])
    );
    assert_eq!(doc["signatures"][0]["covers"], "earlier_revision");
    assert!(doc["signatures"][0]["later_changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["allowed"] == true));
    // Without --test-pki the virtual card's signer is not trusted: 32.
    let out = bin().args(["pdf", "verify"]).arg(&once).output().unwrap();
    assert_eq!(out.status.code(), Some(32));
    // One byte changed in the page's content stream: the signed bytes changed (30).
    let mut altered = std::fs::read(&once).unwrap();
    let at = altered.windows(5).position(|w| w == b"Hello").unwrap();
    altered[at] = b'J';
    let altered_p = d.join("altered.pdf");
    std::fs::write(&altered_p, &altered).unwrap();
    let (code, doc) = verify(&altered_p);
    assert_eq!(
        (code, verdicts(&doc)),
        (30, vec!["file_changed".to_string()])
    );
    // A page added in an incremental update: the signature stays valid,
    // the document is changed after signing (35).
    let appended_p = d.join("appended.pdf");
    std::fs::write(&appended_p, append_page(&std::fs::read(&once).unwrap())).unwrap();
    qpdf_check(&appended_p);
    let (code, doc) = verify(&appended_p);
    assert_eq!(
        (code, verdicts(&doc)),
        (35, vec!["changed_after_signing".to_string()])
    );
    let changes = doc["signatures"][0]["later_changes"].as_array().unwrap();
    assert!(changes
        .iter()
        .any(|c| c["kind"] == "page_added" && c["allowed"] == false));
    // pdfsig agrees: valid (the maths) on each but the altered one; the
    // whole document signed only where we say whole_file.
    if let Some(s) = pdfsig(&once) {
        assert_eq!(s, vec![(true, true, "adbe.pkcs7.detached".into())]);
    }
    if let Some(s) = pdfsig(&altered_p) {
        assert_eq!(s.len(), 1);
        assert!(!s[0].0, "pdfsig calls the altered file valid");
    }
    if let Some(s) = pdfsig(&appended_p) {
        assert_eq!(s, vec![(true, false, "adbe.pkcs7.detached".into())]);
    }
    // pyHanko agrees (trusting the virtual card's root; its difference
    // analysis judges the later revisions).
    let root = sign_ca(d);
    for (p, want) in [
        (&once, vec!["VALID"]),
        (&twice, vec!["VALID", "VALID"]),
        (&altered_p, vec!["INVALID"]),
    ] {
        if let Some(got) = pyhanko(p, &root) {
            assert_eq!(got, want, "pyHanko on {}", p.display());
        }
    }
    if let Some(got) = pyhanko(&appended_p, &root) {
        assert_eq!(got.len(), 1);
        assert_ne!(
            got[0], "VALID",
            "pyHanko accepts a page added after signing"
        );
    }
    // A PDF with no signature: an input error.
    let out = bin().args(["pdf", "verify"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(12));
}

/// The CMS in the last signature's `/Contents`, without its zero padding.
fn last_cms(pdf: &[u8]) -> cms::signed_data::SignedData {
    use der::Decode;
    let at = pdf.windows(11).rposition(|w| w == b"/Contents <").unwrap() + 11;
    let end = at + pdf[at..].iter().position(|b| *b == b'>').unwrap();
    let der = hex::decode(&pdf[at..end]).unwrap();
    let len = match der[1] {
        n if n < 0x80 => 2 + n as usize,
        0x82 => 4 + ((der[2] as usize) << 8 | der[3] as usize),
        other => panic!("length form {other:#x}"),
    };
    let ci = cms::content_info::ContentInfo::from_der(&der[..len]).unwrap();
    ci.content.decode_as().unwrap()
}

#[test]
fn the_profiles_sign_what_they_say_and_a_no_changes_certification_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("profiles")).unwrap();
    let attrs = |sd: &cms::signed_data::SignedData| -> Vec<String> {
        sd.signer_infos.0.as_slice()[0]
            .signed_attrs
            .as_ref()
            .unwrap()
            .iter()
            .map(|a| a.oid.to_string())
            .collect()
    };
    const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
    const SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
    // 登記: signing time, no ESS; the signer's and the CA's certificate.
    let touki = d.join("touki.pdf");
    ok(&sign(&input, &touki, &[], None));
    let sd = last_cms(&std::fs::read(&touki).unwrap());
    assert!(attrs(&sd).contains(&SIGNING_TIME.to_string()));
    assert!(!attrs(&sd).contains(&SIGNING_CERT_V2.to_string()));
    assert_eq!(sd.certificates.as_ref().unwrap().0.len(), 2);
    // PAdES B-B: ESS signing-certificate-v2, no CMS signing time.
    let pades = d.join("pades.pdf");
    ok(&sign(&input, &pades, &["--profile", "pades"], None));
    let sd = last_cms(&std::fs::read(&pades).unwrap());
    assert!(attrs(&sd).contains(&SIGNING_CERT_V2.to_string()));
    assert!(!attrs(&sd).contains(&SIGNING_TIME.to_string()));
    let (code, doc) = verify(&pades);
    assert_eq!((code, verdicts(&doc)), (0, vec!["valid".to_string()]));
    // Certified with /DocMDP /P 1: refused before the card; with /P 2: signed.
    for (p, code) in [(1, 12), (2, 0)] {
        let certified = d.join(format!("certified{p}.pdf"));
        let sig = format!(
            "<< /Type /Sig /Reference [<< /Type /SigRef /TransformMethod /DocMDP \
             /TransformParams << /Type /TransformParams /P {p} /V /1.2 >> >>] >>"
        );
        std::fs::write(
            &certified,
            pdf_with("certified", "/Perms << /DocMDP 6 0 R >> ", &[&sig]),
        )
        .unwrap();
        qpdf_check(&certified);
        let out = sign(&certified, &d.join(format!("c{p}.pdf")), &[], None);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        if code != 0 {
            assert!(json(&out.stdout)["error"]["message"]
                .to_string()
                .contains("DocMDP"));
        }
    }
}

/// A TSA for one test on the loopback (`common::tsa`): its URL and the CA to trust.
fn tsa(d: &Path, n: usize) -> Option<(String, PathBuf)> {
    if !have("openssl", "version") {
        return None;
    }
    Some(common::tsa::start(d, n))
}

/// `openssl ts -verify` on the signature timestamp of `sd`'s signer.
fn ts_verify(sd: &cms::signed_data::SignedData, d: &Path, tsa_pem: &Path) {
    use der::Encode;
    use sha2::Digest;
    let si = &sd.signer_infos.0.as_slice()[0];
    let token = si
        .unsigned_attrs
        .as_ref()
        .expect("no unsigned attributes")
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.16.2.14")
        .expect("no signature timestamp");
    let tok = token.values.iter().next().unwrap().to_der().unwrap();
    std::fs::write(d.join("tok.der"), tok).unwrap();
    let imprint = hex::encode(sha2::Sha256::digest(si.signature.as_bytes()));
    let o = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(d.join("tok.der"))
        .args(["-digest", &imprint, "-CAfile"])
        .arg(tsa_pem)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "openssl ts -verify: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn detached_sign_is_cades_and_takes_a_timestamp() {
    use der::Decode;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some((url, tsa_pem)) = tsa(d, 1) else {
        return;
    };
    let file = d.join("doc.txt");
    std::fs::write(&file, "a document\n").unwrap();
    let sig = d.join("doc.p7s");
    let out = bin()
        .arg(virt(None))
        .args(["sign", "--pin-env", "P", "--tsa", &url, "-o"])
        .arg(&sig)
        .arg(&file)
        .env("P", "TEST1234")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let der = std::fs::read(&sig).unwrap();
    let sd: cms::signed_data::SignedData = cms::content_info::ContentInfo::from_der(&der)
        .unwrap()
        .content
        .decode_as()
        .unwrap();
    let signed: Vec<String> = sd.signer_infos.0.as_slice()[0]
        .signed_attrs
        .as_ref()
        .unwrap()
        .iter()
        .map(|a| a.oid.to_string())
        .collect();
    assert!(
        signed.contains(&"1.2.840.113549.1.9.16.2.47".to_string()),
        "ESS signing-certificate-v2"
    );
    assert!(
        signed.contains(&"1.2.840.113549.1.9.5".to_string()),
        "signing time"
    );
    ts_verify(&sd, d, &tsa_pem);
    // `verify` checks the token too: its TSA trusted (more in cli_sign::timestamps).
    let out = bin()
        .args(["verify", "--test-pki", "--ca"])
        .arg(&tsa_pem)
        .arg(&file)
        .arg(&sig)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn pades_b_t_carries_a_timestamp_openssl_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some((url, tsa_pem)) = tsa(d, 1) else {
        return;
    };
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("timestamped")).unwrap();
    let out = d.join("bt.pdf");
    let doc = ok(&sign(
        &input,
        &out,
        &["--profile", "pades", "--tsa", &url],
        None,
    ));
    assert!(doc["timestamp"].as_str().unwrap().ends_with('Z'), "{doc}");
    qpdf_check(&out);
    // The token is for the signature value, and OpenSSL verifies it.
    ts_verify(&last_cms(&std::fs::read(&out).unwrap()), d, &tsa_pem);
    // The signature itself: valid for pdf verify (the TSA trusted) and pdfsig; the time shown.
    let (code, doc) = timestamps::verify_with(&out, Some(&tsa_pem));
    assert_eq!((code, verdicts(&doc)), (0, vec!["valid".to_string()]));
    let ts = &doc["signatures"][0]["timestamp"];
    assert_eq!(ts["imprint_matches"], true, "{doc}");
    assert!(ts["time"].as_str().unwrap().ends_with('Z'));
    if let Some(s) = pdfsig(&out) {
        assert_eq!(s, vec![(true, true, "ETSI.CAdES.detached".into())]);
    }
    // A TSA that is not there: a clear error, nothing written.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", gone.local_addr().unwrap());
    drop(gone);
    let out2 = d.join("none.pdf");
    let o = sign(&input, &out2, &["--tsa", &dead], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(json(&o.stdout)["error"]["code"], "TIMESTAMP");
    assert!(!out2.exists());
}

#[test]
fn on_the_served_card_through_pcscd_both_profiles_pass_the_judges() {
    use common::e2e::{cli, default_card, insert, sandbox_with};
    use mynacard::protocol::keys::KeyRef;
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("Served card")).unwrap();
    let before = sb.card.lock().unwrap().tries_left(KeyRef::Sign);
    let mut last = input.clone();
    for (i, profile) in ["touki", "pades"].iter().enumerate() {
        let out_p = d.join(format!("signed{i}.pdf"));
        let out = cli(&sb)
            .args([
                "--json",
                "pdf",
                "sign",
                "--pin-env",
                "P",
                "--profile",
                profile,
                "-o",
            ])
            .arg(&out_p)
            .arg(&last)
            .env("P", "TEST1234")
            .output()
            .unwrap();
        ok(&out);
        qpdf_check(&out_p);
        last = out_p;
    }
    // The right password spent nothing.
    assert_eq!(sb.card.lock().unwrap().tries_left(KeyRef::Sign), before);
    let (code, doc) = verify(&last);
    assert_eq!(
        (code, verdicts(&doc)),
        (0, vec!["valid".to_string(), "valid".to_string()])
    );
    if let Some(s) = pdfsig(&last) {
        assert_eq!(
            s,
            vec![
                (true, false, "adbe.pkcs7.detached".into()),
                (true, true, "ETSI.CAdES.detached".into())
            ]
        );
    }
    let root = sign_ca(d);
    if let Some(got) = pyhanko(&last, &root) {
        assert_eq!(got, vec!["VALID", "VALID"]);
    }
}

#[test]
fn damaged_pdfs_get_a_verdict_or_a_clear_error_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("damage")).unwrap();
    let once = d.join("once.pdf");
    ok(&sign(&input, &once, &[], None));
    let good = std::fs::read(&once).unwrap();
    let m = d.join("m.pdf");
    let n = good.len();
    for i in 0..24usize {
        let mut b = good.clone();
        let at = (i * 7919 + 13) % n;
        if i % 3 == 0 {
            b.truncate(at);
        } else {
            b[at] = [b'#', b'0', b'(', 0xff][i % 4];
        }
        std::fs::write(&m, &b).unwrap();
        for args in [
            vec!["--json", "pdf", "verify", "--test-pki"],
            vec![
                "--json",
                "--virtual",
                "pdf",
                "sign",
                "--pin-env",
                "P",
                "--force",
                "-o",
            ],
        ] {
            let mut c = bin();
            c.args(&args);
            if args.contains(&"-o") {
                c.arg(d.join("out.pdf"));
            }
            let out = c.arg(&m).env("P", "TEST1234").output().unwrap();
            let code = out.status.code().unwrap();
            assert!(
                [0, 12, 30, 31, 35].contains(&code),
                "{args:?} at {at}: exit {code}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if code != 0 {
                let doc = json(&out.stdout);
                assert!(
                    doc.get("error").is_some() || doc.get("signatures").is_some(),
                    "{doc}"
                );
            }
        }
    }
    // A damaged /Contents hex string: said so.
    let mut b = good.clone();
    let at = b.windows(11).position(|w| w == b"/Contents <").unwrap() + 4000;
    b[at] = b'#';
    std::fs::write(&m, &b).unwrap();
    let out = bin()
        .args(["--json", "pdf", "verify"])
        .arg(&m)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(12));
    assert!(json(&out.stdout)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("damaged"));
}

mod large;
mod stamp;
mod timestamps;
