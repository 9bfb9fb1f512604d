//! Every signature in a PDF, checked: found however its dictionary is
//! spelled (lopdf parses the objects, in object streams too; `/Contents`
//! may be indirect); for each, its byte ranges (sane, and covering the
//! whole file or an earlier revision), the CMS (`cert::cms::verify`: the
//! digest over the ranges, the signature with the signer's key, the
//! issuer, validity at the signing time, key usage), and what later
//! revisions changed (`diff`).

use super::diff::{self, Change};
use super::parse::resolve;
use super::source::{self, Skeleton};
use crate::cert::cms::{self, Outcome, Verification};
use crate::cert::tsp::{self, Anchors, TimestampCheck, TimestampOutcome};
use crate::error::{Error, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// A signature, or a document timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SigKind {
    Signature,
    DocumentTimestamp,
}

/// What the byte ranges cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Covers {
    /// The whole file.
    WholeFile,
    /// A revision that later incremental updates follow.
    EarlierRevision,
    /// Not a revision's end, or not sane (see the detail).
    Bad,
}

/// The verdict on one signature, in the order the checks are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Valid, and nothing but allowed changes after it.
    Valid,
    /// The signature is valid, but a later revision changed the document.
    ChangedAfterSigning,
    /// The signed bytes are not the ones that were signed.
    FileChanged,
    /// The signature does not verify, or its byte ranges are not sane.
    BadSignature,
    UnknownSigner,
    NotValidAtSigningTime,
    WrongKeyUsage,
    /// The signature (or document) timestamp is not valid: see its outcome.
    TimestampNotValid,
    /// The CMS cannot be read (see the detail).
    Unreadable,
}

/// One signature of the PDF.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PdfSignature {
    /// The signature field's name.
    pub field: Option<String>,
    pub kind: SigKind,
    pub sub_filter: Option<String>,
    /// `/Name`.
    pub name: Option<String>,
    /// `/M`, as written.
    pub time: Option<String>,
    pub byte_range: Vec<u64>,
    pub covers: Covers,
    /// Where the signed bytes end.
    pub signed_until: u64,
    pub verdict: Verdict,
    /// Why, in English (technical).
    pub detail: String,
    /// The CMS check, when the CMS could be read.
    pub cms: Option<Verification>,
    /// The signature timestamp (for a signature) or the document timestamp's
    /// token, checked; a signature is judged at its time when it is valid.
    pub timestamp: Option<TimestampCheck>,
    /// Objects later revisions added or replaced.
    pub later_changes: Vec<Change>,
}

/// Every signature of a PDF.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PdfVerification {
    pub signatures: Vec<PdfSignature>,
    /// The file's length in bytes.
    pub length: u64,
}

fn text(o: Option<&Object>) -> Option<String> {
    let b = o?.as_str().ok()?;
    Some(match b {
        [0xFE, 0xFF, rest @ ..] => {
            let u: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&u)
        }
        _ => String::from_utf8_lossy(b).into_owned(),
    })
}

/// A signature dictionary, however spelled: `/Type /Sig` or
/// `/DocTimeStamp`, or a `/ByteRange` with `/Contents`.
fn sig_kind(d: &Dictionary) -> Option<SigKind> {
    match d.get(b"Type").ok().and_then(|t| t.as_name().ok()) {
        Some(b"Sig") => Some(SigKind::Signature),
        Some(b"DocTimeStamp") => Some(SigKind::DocumentTimestamp),
        _ if d.has(b"ByteRange") && d.has(b"Contents") => Some(
            match d.get(b"SubFilter").ok().and_then(|t| t.as_name().ok()) {
                Some(b"ETSI.RFC3161") => SigKind::DocumentTimestamp,
                _ => SigKind::Signature,
            },
        ),
        _ => None,
    }
}

/// The signature dictionaries (by object, or held in a field's `/V`),
/// each with its field's name, in file order of their ranges.
fn signatures(doc: &Document) -> Vec<(Dictionary, SigKind, Option<String>)> {
    let mut fields: Vec<(Option<ObjectId>, Option<Dictionary>, Option<String>)> = Vec::new();
    for o in doc.objects.values() {
        let Ok(d) = o.as_dict() else { continue };
        match d.get(b"V") {
            Ok(Object::Reference(id)) => fields.push((Some(*id), None, text(d.get(b"T").ok()))),
            Ok(Object::Dictionary(v)) if sig_kind(v).is_some() => {
                fields.push((None, Some(v.clone()), text(d.get(b"T").ok())))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (id, o) in &doc.objects {
        let Ok(d) = o.as_dict() else { continue };
        if let Some(k) = sig_kind(d) {
            let name = fields
                .iter()
                .find(|(f, _, _)| *f == Some(*id))
                .and_then(|(_, _, n)| n.clone());
            out.push((d.clone(), k, name));
        }
    }
    for (_, v, name) in fields {
        if let Some(v) = v {
            if let Some(k) = sig_kind(&v) {
                out.push((v, k, name));
            }
        }
    }
    let start = |d: &Dictionary| {
        d.get(b"ByteRange")
            .ok()
            .and_then(|r| r.as_array().ok())
            .and_then(|a| a.get(1))
            .and_then(|x| x.as_i64().ok())
            .unwrap_or(0)
    };
    out.sort_by_key(|(d, _, _)| start(d));
    out
}

/// The ranges, checked sane: from 0, in order, inside the file, the gaps
/// holding exactly the `/Contents` hex string. Returns the ranges.
fn ranges(
    d: &Dictionary,
    doc: &Document,
    bytes: &[u8],
) -> std::result::Result<Vec<(usize, usize)>, String> {
    let arr = d
        .get(b"ByteRange")
        .ok()
        .and_then(|r| resolve(doc, r))
        .and_then(|r| r.as_array().ok())
        .ok_or("no /ByteRange array")?;
    let nums: Vec<usize> = arr
        .iter()
        .map(|x| x.as_i64().ok().and_then(|v| usize::try_from(v).ok()))
        .collect::<Option<_>>()
        .ok_or("/ByteRange holds a value that is not a non-negative integer")?;
    if nums.len() < 4 || !nums.len().is_multiple_of(2) {
        return Err(format!("/ByteRange has {} numbers, not pairs", nums.len()));
    }
    let pairs: Vec<(usize, usize)> = nums.chunks(2).map(|c| (c[0], c[1])).collect();
    if pairs[0].0 != 0 {
        return Err("/ByteRange does not start at the file's first byte".into());
    }
    for w in pairs.windows(2) {
        let gap_start = w[0].0 + w[0].1;
        let gap_end = w[1].0;
        if gap_end <= gap_start {
            return Err("/ByteRange ranges overlap or are out of order".into());
        }
        let gap = bytes
            .get(gap_start..gap_end)
            .ok_or("/ByteRange points past the end of the file")?;
        let hex_only = gap.len() >= 2
            && gap[0] == b'<'
            && gap[gap.len() - 1] == b'>'
            && gap[1..gap.len() - 1]
                .iter()
                .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace());
        if !hex_only {
            return Err(
                "the bytes left out of /ByteRange are not just the /Contents hex string".into(),
            );
        }
    }
    let (last, len) = pairs[pairs.len() - 1];
    if last.checked_add(len).is_none_or(|e| e > bytes.len()) {
        return Err("/ByteRange points past the end of the file".into());
    }
    Ok(pairs)
}

/// Whether `end` is a revision's end: just after `%%EOF` and its line end.
fn revision_end(bytes: &[u8], end: usize) -> bool {
    let head = &bytes[..end];
    let trimmed = head.len()
        - head
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    head[..trimmed].ends_with(b"%%EOF")
}

/// The DER of a zero-padded `/Contents`: its first TLV.
fn der_prefix(b: &[u8]) -> Option<&[u8]> {
    if b.first() != Some(&0x30) {
        return None;
    }
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut l = 0usize;
        for i in 0..n {
            l = (l << 8) | *b.get(2 + i)? as usize;
        }
        (l, 2 + n)
    };
    b.get(..head.checked_add(len)?)
}

/// Where the signed bytes are hashed from.
#[derive(Clone, Copy)]
pub enum Hashing<'a> {
    /// The file the skeleton was read from (it lacks large streams' data).
    File(&'a Path),
    /// The skeleton's own bytes (when nothing was left out).
    Memory,
}

/// Check every signature in the PDF `src` (`pdf::source`), trusting the
/// built-in J-LIS roots (and, when given, `test` PKIs or more `anchors`:
/// added, never skipping a check).
pub fn verify(
    src: &Skeleton,
    from: Hashing<'_>,
    test: bool,
    anchors: Option<&[Vec<u8>]>,
) -> Result<PdfVerification> {
    let bytes = &src.bytes[..];
    let doc = src.load(bytes.len())?;
    let found = signatures(&doc);
    if found.is_empty() {
        let damaged = bytes.windows(10).any(|w| w == b"/ByteRange");
        return Err(Error::Pdf(if damaged {
            "the PDF names a /ByteRange, but no signature dictionary in it parses: its signature is damaged".into()
        } else {
            "the PDF holds no signature".into()
        }));
    }
    let trust = Anchors {
        test,
        extra: anchors,
    };
    let mut out = Vec::new();
    for (d, kind, field) in found {
        out.push(one(src, from, &doc, &d, kind, field, &trust));
    }
    Ok(PdfVerification {
        signatures: out,
        length: bytes.len() as u64,
    })
}

/// The verdict of a CMS check's outcome (also `verify`'s, for a detached signature).
pub fn verdict_of(o: &Outcome) -> Verdict {
    match o {
        Outcome::Valid => Verdict::Valid,
        Outcome::FileChanged => Verdict::FileChanged,
        Outcome::BadSignature => Verdict::BadSignature,
        Outcome::UnknownSigner => Verdict::UnknownSigner,
        Outcome::NotValidAtSigningTime => Verdict::NotValidAtSigningTime,
        Outcome::WrongKeyUsage => Verdict::WrongKeyUsage,
    }
}

/// A valid verdict stays valid only if later revisions changed nothing but what is allowed.
fn changed_after(mut s: PdfSignature) -> PdfSignature {
    if s.verdict == Verdict::Valid && s.later_changes.iter().any(|c| !c.allowed) {
        s.verdict = Verdict::ChangedAfterSigning;
        s.detail = "the signature is valid, but a later revision changed the document".into();
    }
    s
}

fn one(
    src: &Skeleton,
    from: Hashing<'_>,
    doc: &Document,
    d: &Dictionary,
    kind: SigKind,
    field: Option<String>,
    trust: &Anchors<'_>,
) -> PdfSignature {
    let mut s = PdfSignature {
        field,
        kind,
        sub_filter: d
            .get(b"SubFilter")
            .ok()
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned()),
        name: text(d.get(b"Name").ok()),
        time: text(d.get(b"M").ok()),
        byte_range: Vec::new(),
        covers: Covers::Bad,
        signed_until: 0,
        verdict: Verdict::BadSignature,
        detail: String::new(),
        cms: None,
        timestamp: None,
        later_changes: Vec::new(),
    };
    let bytes = &src.bytes[..];
    let pairs = match ranges(d, doc, bytes) {
        Ok(p) => p,
        Err(why) => {
            s.detail = why;
            return s;
        }
    };
    s.byte_range = pairs
        .iter()
        .flat_map(|(a, b)| [*a as u64, *b as u64])
        .collect();
    let end = pairs.last().map_or(0, |(a, b)| a + b);
    s.signed_until = end as u64;
    s.covers = if end == bytes.len() {
        Covers::WholeFile
    } else if revision_end(bytes, end) {
        Covers::EarlierRevision
    } else {
        s.detail = "the signed bytes end inside a revision, not at its %%EOF".into();
        return s;
    };
    if s.covers == Covers::EarlierRevision {
        match src.load(end) {
            Ok(before) => s.later_changes = diff::changes(&before, doc, &|o| src.is_blanked(o)),
            Err(e) => {
                s.detail = format!("the signed revision does not parse on its own: {e}");
                return s;
            }
        }
    }
    let contents = d
        .get(b"Contents")
        .ok()
        .and_then(|c| resolve(doc, c))
        .and_then(|c| c.as_str().ok())
        .unwrap_or_default();
    let digest: [u8; 32] = match from {
        Hashing::File(p) => match source::hash_ranges(p, &pairs) {
            Ok(d) => d,
            Err(e) => {
                s.verdict = Verdict::Unreadable;
                s.detail = format!("the signed bytes cannot be read again: {e}");
                return s;
            }
        },
        Hashing::Memory => {
            let mut h = Sha256::new();
            for (a, l) in &pairs {
                h.update(&bytes[*a..a + l]);
            }
            h.finalize().into()
        }
    };
    let Some(der) = der_prefix(contents) else {
        s.verdict = Verdict::Unreadable;
        s.detail = "/Contents does not hold a DER CMS".into();
        return s;
    };
    if kind == SigKind::DocumentTimestamp {
        // The token stamps the signed bytes themselves (ISO 32000-2 §12.8.5).
        let c = tsp::check(der, &digest, trust);
        s.verdict = if c.outcome == TimestampOutcome::Valid {
            Verdict::Valid
        } else {
            Verdict::TimestampNotValid
        };
        s.detail = c.detail.clone();
        s.timestamp = Some(c);
        return changed_after(s);
    }
    signature(s, der, &digest, trust)
}

/// A signature's CMS checked over `digest`, with its signature timestamp.
fn signature(
    mut s: PdfSignature,
    der: &[u8],
    digest: &[u8; 32],
    trust: &Anchors<'_>,
) -> PdfSignature {
    let sd = match cms::decode_container(der) {
        Ok(sd) => sd,
        Err(e) => {
            s.verdict = Verdict::Unreadable;
            s.detail = e;
            return s;
        }
    };
    // The signature timestamp, for the signature value; when valid, the
    // signer's certificate is judged at its time.
    s.timestamp = tsp::signature_timestamp(&sd).map(|tok| {
        let value = sd
            .signer_infos
            .0
            .as_slice()
            .first()
            .map(|si| si.signature.as_bytes().to_vec())
            .unwrap_or_default();
        tsp::check(&tok, &tsp::imprint(&value), trust)
    });
    let at = s.timestamp.as_ref().and_then(|c| c.at);
    let v = trust.verify(&sd, digest, at);
    match v {
        Ok(v) => {
            s.verdict = verdict_of(&v.outcome);
            s.detail = v.detail.clone();
            s.cms = Some(v);
            if let Some(c) = s.timestamp.as_ref().filter(|_| s.verdict == Verdict::Valid) {
                if c.outcome != TimestampOutcome::Valid {
                    s.verdict = Verdict::TimestampNotValid;
                    s.detail = format!("the signature timestamp: {}", c.detail);
                }
            }
            s = changed_after(s);
        }
        Err(e) => {
            s.verdict = Verdict::Unreadable;
            s.detail = e;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF whose signature dictionary is spelled tightly (`/Type/Sig`,
    /// no spaces) with its `/Contents` in an object of its own.
    fn tight() -> Vec<u8> {
        let cms = "3003020101";
        let objs = [
            "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[4 0 R]/SigFlags 3>>>>".to_string(),
            "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_string(),
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]/Annots[4 0 R]>>".to_string(),
            "<</FT/Sig/T(Approval)/V 5 0 R/Type/Annot/Subtype/Widget/Rect[0 0 0 0]/P 3 0 R>>"
                .to_string(),
            "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached\
             /ByteRange[0 AAAAAAAAAA BBBBBBBBBB CCCCCCCCCC]/Contents 6 0 R>>"
                .to_string(),
            format!("<{cms}00000000>"),
        ];
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        let mut gap = (0, 0);
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
            if i == 5 {
                gap = (out.len(), out.len() + o.len());
            }
            out.extend(format!("{o}\nendobj\n").as_bytes());
        }
        let xref = out.len();
        out.extend(b"xref\n0 7\n0000000000 65535 f \n");
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!("trailer\n<</Size 7/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        let total = out.len();
        for (mark, v) in [
            (b"AAAAAAAAAA", gap.0),
            (b"BBBBBBBBBB", gap.1),
            (b"CCCCCCCCCC", total - gap.1),
        ] {
            let at = out.windows(10).position(|w| w == mark).unwrap();
            out[at..at + 10].copy_from_slice(format!("{v:<10}").as_bytes());
        }
        out
    }

    #[test]
    fn a_signature_is_found_however_it_is_spelled() {
        let v = verify(&Skeleton::of(tight()), Hashing::Memory, false, None).unwrap();
        assert_eq!(v.signatures.len(), 1);
        let s = &v.signatures[0];
        assert_eq!(s.field.as_deref(), Some("Approval"));
        assert_eq!(s.kind, SigKind::Signature);
        assert_eq!(s.covers, Covers::WholeFile, "{}", s.detail);
        // The CMS here is a stand-in: found, read from the indirect /Contents, refused.
        assert_eq!(s.verdict, Verdict::Unreadable, "{}", s.detail);
    }

    #[test]
    fn the_der_of_a_padded_contents_is_its_first_tlv() {
        assert_eq!(
            der_prefix(&[0x30, 0x01, 0x05, 0, 0]),
            Some(&[0x30, 0x01, 0x05][..])
        );
        assert_eq!(
            der_prefix(&[0x30, 0x82, 0x00, 0x01, 0x05, 0]),
            Some(&[0x30, 0x82, 0, 1, 5][..])
        );
        assert_eq!(der_prefix(&[0, 0]), None);
        assert_eq!(der_prefix(&[0x30, 0x05, 1]), None);
    }
}
