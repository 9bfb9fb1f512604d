//! The incremental update, written as bytes appended to the input (ISO
//! 32000-1 §7.5.6): the signature dictionary with its `/ByteRange` and
//! `/Contents` reserved, the signature field (an invisible widget on the
//! first page), the form and the objects that name the new field, then a
//! cross-reference section or stream (as the input keeps them) whose
//! trailer points back at the input's. The original bytes are never
//! rewritten, so earlier signatures stay valid.

use super::parse::Plan;
use super::stamp::Stamp;
use crate::error::{Error, Result};
use lopdf::{Dictionary, Object, ObjectId};

/// The bytes reserved for the CMS: a card signature with both
/// certificates is about 4 KB, a timestamp token up to about 6 KB.
pub const RESERVED: usize = 16 * 1024;

/// The `/ByteRange` placeholder: four numbers, each given ten digits.
const RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// What the signature dictionary says.
pub struct SigDict<'a> {
    /// `adbe.pkcs7.detached` or `ETSI.CAdES.detached`.
    pub sub_filter: &'a str,
    /// The signer's name (`/Name`).
    pub name: &'a str,
    /// The signing time, as a PDF date (`D:YYYYMMDDHHmmSS+09'00'`).
    pub time: &'a str,
}

/// The update, ready for its CMS.
pub struct Update {
    /// The appended bytes (a line end first when the input lacks one).
    pub bytes: Vec<u8>,
    /// The input's length: where `bytes` start in the output.
    base: usize,
    /// Where, in `bytes`, the `<` of `/Contents` is and the byte after `>`.
    contents: (usize, usize),
}

impl Update {
    /// The `/ByteRange`: all of the output but the `/Contents` hex string.
    pub fn byte_range(&self) -> [usize; 4] {
        let a = self.base + self.contents.0;
        let b = self.base + self.contents.1;
        [0, a, b, self.base + self.bytes.len() - b]
    }

    /// The CMS put into the reserved `/Contents` (hex, zero-padded).
    pub fn put_contents(&mut self, cms: &[u8]) -> Result<()> {
        if cms.len() > RESERVED {
            return Err(Error::Pdf(format!(
                "the signature ({} bytes) is larger than the {RESERVED} bytes reserved",
                cms.len()
            )));
        }
        let hex = hex::encode_upper(cms);
        let at = self.contents.0 + 1;
        self.bytes[at..at + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(())
    }
}

/// A PDF text string: literal when it is printable ASCII, otherwise UTF-16BE with a BOM.
pub fn text_string(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::string_literal(s.as_bytes().to_vec())
    } else {
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, lopdf::StringFormat::Hexadecimal)
    }
}

fn object_bytes(o: &Object) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    super::syntax::write(&mut v, o);
    Ok(v)
}

/// An object of the update: its number and its body.
type Body = (ObjectId, Vec<u8>);

/// The objects of the update, in order, and the next free number.
fn objects(plan: &Plan, sig: &SigDict<'_>, stamp: Option<&Stamp>) -> Result<(Vec<Body>, u32)> {
    let sig_id: ObjectId = (plan.size, 0);
    let field_id: ObjectId = (plan.size + 1, 0);
    let mut next = plan.size + 2;
    let mut out: Vec<Body> = Vec::new();
    // The signature dictionary, its placeholders written by hand.
    let mut d = format!(
        "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /{} /Name ",
        sig.sub_filter
    )
    .into_bytes();
    d.extend(object_bytes(&text_string(sig.name))?);
    d.extend(b" /M ");
    d.extend(object_bytes(&text_string(sig.time))?);
    d.extend(format!("\n/ByteRange {RANGE_PLACEHOLDER}\n/Contents <").as_bytes());
    d.extend(std::iter::repeat_n(b'0', RESERVED * 2));
    d.extend(b">>>");
    out.push((sig_id, d));
    // The field and its widget, merged (ISO 32000-1 §12.7.3.1).
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", text_string(&plan.field_name));
    field.set("V", Object::Reference(sig_id));
    // Print, Locked; an empty rectangle (invisible) or the stamp's, drawn
    // by its appearance stream.
    field.set("F", Object::Integer(132));
    let rect = stamp.map_or([0.0; 4], |s| s.rect);
    field.set(
        "Rect",
        Object::Array(rect.iter().map(|v| Object::Real(*v as f32)).collect()),
    );
    let stamp_first = next;
    if let Some(s) = stamp {
        let mut ap = Dictionary::new();
        ap.set("N", Object::Reference((stamp_first, 0)));
        field.set("AP", Object::Dictionary(ap));
        for (id, body) in s.objects(stamp_first) {
            out.push(((id, 0), body));
        }
        next += 6;
    }
    field.set("P", Object::Reference(plan.page.0));
    out.push((field_id, object_bytes(&Object::Dictionary(field))?));
    // The field in the form's list.
    let mut fields = plan.fields.value.clone();
    fields.push(Object::Reference(field_id));
    let mut form = plan
        .acroform
        .as_ref()
        .map(|a| a.value.clone())
        .unwrap_or_default();
    form.set("SigFlags", Object::Integer(3));
    match plan.fields.id {
        Some(id) => out.push((id, object_bytes(&Object::Array(fields))?)),
        None => form.set("Fields", Object::Array(fields)),
    }
    let mut catalog = plan.catalog.clone();
    match plan.acroform.as_ref().and_then(|a| a.id) {
        Some(id) => out.push((id, object_bytes(&Object::Dictionary(form))?)),
        None if plan.acroform.is_some() => catalog.set("AcroForm", Object::Dictionary(form)),
        None => {
            let id = (next, 0);
            next += 1;
            out.push((id, object_bytes(&Object::Dictionary(form))?));
            catalog.set("AcroForm", Object::Reference(id));
        }
    }
    if catalog != plan.catalog {
        out.push((plan.root, object_bytes(&Object::Dictionary(catalog))?));
    }
    // The widget in the page's annotations.
    let mut annots = plan.annots.value.clone();
    annots.push(Object::Reference(field_id));
    match plan.annots.id {
        Some(id) => out.push((id, object_bytes(&Object::Array(annots))?)),
        None => {
            let mut page = plan.page.1.clone();
            page.set("Annots", Object::Array(annots));
            out.push((plan.page.0, object_bytes(&Object::Dictionary(page))?));
        }
    }
    Ok((out, next))
}

/// The trailer entries every section repeats.
fn trailer_entries(plan: &Plan, size: u32) -> Dictionary {
    let mut t = Dictionary::new();
    t.set("Size", Object::Integer(i64::from(size)));
    t.set("Root", Object::Reference(plan.root));
    if let Some(i) = &plan.info {
        t.set("Info", i.clone());
    }
    if let Some(i) = &plan.id {
        t.set("ID", i.clone());
    }
    t.set("Prev", Object::Integer(plan.prev as i64));
    t
}

/// Runs of consecutive object numbers: (first, count).
fn runs(ids: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &id in ids {
        match out.last_mut() {
            Some((first, n)) if *first + *n == id => *n += 1,
            _ => out.push((id, 1)),
        }
    }
    out
}

/// The update appended to `input` (of which only the length and last byte
/// are used), its `/ByteRange` filled; `/Contents` still zeros.
pub fn update(
    input: &[u8],
    plan: &Plan,
    sig: &SigDict<'_>,
    stamp: Option<&Stamp>,
) -> Result<Update> {
    let base = input.len();
    let (objs, next) = objects(plan, sig, stamp)?;
    let mut bytes = Vec::new();
    if !matches!(input.last(), Some(b'\n' | b'\r')) {
        bytes.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    let mut contents = (0, 0);
    for (i, (id, body)) in objs.iter().enumerate() {
        offsets.push((*id, base + bytes.len()));
        bytes.extend(format!("{} {} obj\n", id.0, id.1).as_bytes());
        if i == 0 {
            let at = body
                .windows(11)
                .position(|w| w == b"/Contents <")
                .ok_or_else(|| Error::Pdf("internal: no /Contents placeholder".into()))?;
            let start = bytes.len() + at + 10;
            contents = (start, start + RESERVED * 2 + 2);
        }
        bytes.extend(body);
        bytes.extend(b"\nendobj\n");
    }
    let xref_at = base + bytes.len();
    if plan.xref_stream {
        xref_stream(&mut bytes, plan, &mut offsets, next, xref_at)?;
    } else {
        offsets.sort();
        let ids: Vec<u32> = offsets.iter().map(|(id, _)| id.0).collect();
        bytes.extend(b"xref\n");
        let mut k = 0;
        for (first, n) in runs(&ids) {
            bytes.extend(format!("{first} {n}\n").as_bytes());
            for (id, off) in &offsets[k..k + n as usize] {
                bytes.extend(format!("{off:010} {:05} n\r\n", id.1).as_bytes());
            }
            k += n as usize;
        }
        bytes.extend(b"trailer\n");
        bytes.extend(object_bytes(&Object::Dictionary(trailer_entries(
            plan, next,
        )))?);
        bytes.extend(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    }
    let mut u = Update {
        bytes,
        base,
        contents,
    };
    let [_, a, b, c] = u.byte_range();
    let range = format!("[0 {a} {b} {c}]");
    let at = u
        .bytes
        .windows(RANGE_PLACEHOLDER.len())
        .position(|w| w == RANGE_PLACEHOLDER.as_bytes())
        .ok_or_else(|| Error::Pdf("internal: no /ByteRange placeholder".into()))?;
    let padded = format!("{range:<width$}", width = RANGE_PLACEHOLDER.len());
    u.bytes[at..at + padded.len()].copy_from_slice(padded.as_bytes());
    Ok(u)
}

/// A cross-reference stream (ISO 32000-1 §7.5.8), uncompressed, naming
/// itself too.
fn xref_stream(
    bytes: &mut Vec<u8>,
    plan: &Plan,
    offsets: &mut Vec<(ObjectId, usize)>,
    next: u32,
    xref_at: usize,
) -> Result<()> {
    let own: ObjectId = (next, 0);
    offsets.push((own, xref_at));
    offsets.sort();
    let ids: Vec<u32> = offsets.iter().map(|(id, _)| id.0).collect();
    let wide = if xref_at > u32::MAX as usize { 8 } else { 4 };
    let mut data = Vec::new();
    for (id, off) in offsets.iter() {
        data.push(1u8);
        data.extend(&(*off as u64).to_be_bytes()[8 - wide..]);
        data.extend(id.1.to_be_bytes());
    }
    let mut d = trailer_entries(plan, next + 1);
    d.set("Type", Object::Name(b"XRef".to_vec()));
    d.set(
        "W",
        Object::Array(vec![1.into(), (wide as i64).into(), 2.into()]),
    );
    let index: Vec<Object> = runs(&ids)
        .into_iter()
        .flat_map(|(f, n)| [Object::from(i64::from(f)), Object::from(i64::from(n))])
        .collect();
    d.set("Index", Object::Array(index));
    d.set("Length", Object::Integer(data.len() as i64));
    bytes.extend(format!("{} 0 obj\n", own.0).as_bytes());
    bytes.extend(object_bytes(&Object::Dictionary(d))?);
    bytes.extend(b"\nstream\r\n");
    bytes.extend(&data);
    bytes.extend(format!("\r\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(())
}
