//! `pdf verify` on timestamps: a signature timestamp (PAdES B-T) and a
//! document timestamp (added by pyHanko), each token checked (imprint, the
//! TSA's signature, its certificate to an anchor, at the token's time);
//! a TSA not trusted is said so; pyHanko names the PAdES level claimed.

use super::*;

/// `pdf verify --json --test-pki [--ca ca]`: (exit code, document).
pub(super) fn verify_with(p: &Path, ca: Option<&Path>) -> (i32, serde_json::Value) {
    let mut c = bin();
    c.args(["--json", "pdf", "verify", "--test-pki"]);
    if let Some(ca) = ca {
        c.arg("--ca").arg(ca);
    }
    let out = c.arg(p).output().unwrap();
    let doc = json(&out.stdout);
    common::assert_schema(&doc, "pdf verify");
    (out.status.code().unwrap(), doc)
}

/// The last `/Contents` hex string: (where its hex starts, the DER's length).
fn last_contents(pdf: &[u8]) -> (usize, usize) {
    let at = pdf.windows(11).rposition(|w| w == b"/Contents <").unwrap() + 11;
    let head = hex::decode(&pdf[at..at + 8]).unwrap();
    assert_eq!(&head[..2], &[0x30, 0x82], "a long-form length");
    (at, 4 + ((head[2] as usize) << 8 | head[3] as usize))
}

#[test]
fn pdf_verify_checks_the_signature_timestamp_and_says_when_the_tsa_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some((url, tsa_pem)) = tsa(d, 1) else {
        return;
    };
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("timestamped")).unwrap();
    let bt = d.join("bt.pdf");
    ok(&sign(
        &input,
        &bt,
        &["--profile", "pades", "--tsa", &url],
        None,
    ));
    // The TSA not trusted: said so, with the token's time; never skipped.
    let (code, doc) = verify_with(&bt, None);
    let s = &doc["signatures"][0];
    assert_eq!(
        (code, s["verdict"].as_str()),
        (32, Some("timestamp_not_valid")),
        "{doc}"
    );
    assert_eq!(s["timestamp"]["outcome"], "untrusted_tsa");
    assert_eq!(s["timestamp"]["imprint_matches"], true);
    assert_eq!(
        s["cms"]["outcome"], "valid",
        "the signature itself is valid"
    );
    // The TSA trusted (--ca adds it to the test PKI): valid, judged at the token's time.
    let (code, doc) = verify_with(&bt, Some(&tsa_pem));
    let s = &doc["signatures"][0];
    assert_eq!((code, s["verdict"].as_str()), (0, Some("valid")), "{doc}");
    let ts = &s["timestamp"];
    assert_eq!(ts["outcome"], "valid");
    assert!(ts["time"].as_str().unwrap().ends_with('Z'));
    assert!(ts["time_jst"].as_str().unwrap().ends_with("+09:00"));
    assert!(ts["tsa_subject"]
        .as_str()
        .unwrap()
        .contains("mynacard test TSA"));
    assert!(
        s["time"].as_str().unwrap().starts_with("D:"),
        "/M shown too"
    );
    // Text: both times, and the TSA.
    let out = bin()
        .args(["--lang", "en", "pdf", "verify", "--test-pki", "--ca"])
        .arg(&tsa_pem)
        .arg(&bt)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("time (/M)") && text.contains("judged at this time"),
        "{text}"
    );
    // One byte of the TSA's signature changed (in /Contents, outside the
    // byte ranges): the signature stays valid, the timestamp does not.
    let mut b = std::fs::read(&bt).unwrap();
    let (at, len) = last_contents(&b);
    let i = at + 2 * (len - 8);
    b[i] = if b[i] == b'0' { b'1' } else { b'0' };
    let bad = d.join("bad-ts.pdf");
    std::fs::write(&bad, &b).unwrap();
    let (code, doc) = verify_with(&bad, Some(&tsa_pem));
    let s = &doc["signatures"][0];
    assert_eq!(
        (code, s["verdict"].as_str()),
        (31, Some("timestamp_not_valid")),
        "{doc}"
    );
    assert_eq!(s["timestamp"]["outcome"], "bad_signature");
    assert_eq!(s["cms"]["outcome"], "valid");
}

#[test]
fn pdf_verify_checks_a_document_timestamp_pyhanko_adds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(py) = pyhanko_bin() else { return };
    let Some((url, tsa_pem)) = tsa(d, 4) else {
        return;
    };
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("document timestamp")).unwrap();
    let bb = d.join("bb.pdf");
    ok(&sign(&input, &bb, &["--profile", "pades"], None));
    let dts = d.join("dts.pdf");
    let o = Command::new(&py)
        .args([
            "sign",
            "timestamp",
            "--timestamp-url",
            &url,
            "--trust-replace",
            "--trust",
        ])
        .arg(&tsa_pem)
        .arg(&bb)
        .arg(&dts)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    qpdf_check(&dts);
    let (code, doc) = verify_with(&dts, Some(&tsa_pem));
    let kinds: Vec<_> = doc["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        (code, kinds),
        (
            0,
            vec![("signature", "valid"), ("document_timestamp", "valid")]
        ),
        "{doc}"
    );
    let t = &doc["signatures"][1]["timestamp"];
    assert_eq!(
        (t["outcome"].as_str(), t["imprint_matches"].as_bool()),
        (Some("valid"), Some(true))
    );
    // pyHanko follows its timestamp with a DSS: an allowed later change.
    assert_ne!(doc["signatures"][1]["covers"], "bad");
    // Its TSA not trusted: said so.
    let (code, doc) = verify_with(&dts, None);
    assert_eq!(code, 32, "{doc}");
    assert_eq!(
        doc["signatures"][1]["timestamp"]["outcome"],
        "untrusted_tsa"
    );
}

/// The PAdES baseline level pyHanko's report (`sign validate
/// --pretty-print`, trusting `roots`, no revocation check) shows: pyHanko
/// 0.38 prints no level's name, so a valid signature by a trusted signer
/// with a sound signature timestamp from a trusted TSA is B-T, one with no
/// signature timestamp B-B; None when it is not judged valid.
fn pyhanko_level(py: &Path, pdf: &Path, roots: &[&Path]) -> Option<String> {
    let mut c = Command::new(py);
    c.args([
        "sign",
        "validate",
        "--pretty-print",
        "--no-revocation-check",
        "--trust-replace",
    ]);
    for r in roots {
        c.arg("--trust").arg(r);
    }
    let text = String::from_utf8_lossy(&c.arg(pdf).output().unwrap().stdout).into_owned();
    let valid = text.contains("The signer's certificate is trusted.")
        && text.contains("The signature is cryptographically sound.")
        && text.contains("The signature is judged VALID.");
    if !valid {
        eprintln!("{text}");
        return None;
    }
    if !text.contains("Signature timestamp token:") {
        return Some("B-B".into());
    }
    let sound = text.contains("The timestamp token is cryptographically sound.")
        && text.contains("The TSA certificate is trusted.");
    sound.then(|| "B-T".into())
}

#[test]
fn pyhanko_sees_the_pades_level_pdf_sign_claims() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(py) = pyhanko_bin() else { return };
    let Some((url, tsa_ca)) = tsa(d, 1) else {
        return;
    };
    let input = d.join("in.pdf");
    std::fs::write(&input, minimal_pdf("levels")).unwrap();
    let root = sign_ca(d);
    let (bb, bt, touki) = (d.join("bb.pdf"), d.join("bt.pdf"), d.join("touki.pdf"));
    let claimed_bb = ok(&sign(&input, &bb, &["--profile", "pades"], None));
    let claimed_bt = ok(&sign(
        &input,
        &bt,
        &["--profile", "pades", "--tsa", &url],
        None,
    ));
    let claimed_touki = ok(&sign(&input, &touki, &[], None));
    assert_eq!(claimed_bb["pades_level"], "B-B");
    assert_eq!(claimed_bt["pades_level"], "B-T");
    assert_eq!(claimed_touki["pades_level"], serde_json::Value::Null);
    for (pdf, claim) in [(&bb, &claimed_bb), (&bt, &claimed_bt)] {
        assert_eq!(
            pyhanko_level(&py, pdf, &[&root, &tsa_ca]).as_deref(),
            claim["pades_level"].as_str(),
            "{}",
            pdf.display()
        );
        if let Some(s) = pdfsig(pdf) {
            assert_eq!(s, vec![(true, true, "ETSI.CAdES.detached".into())]);
        }
    }
    // The TSA not trusted: pyHanko does not judge it valid either (pdf verify: exit 32).
    assert_eq!(pyhanko_level(&py, &bt, &[&root]), None);
}
