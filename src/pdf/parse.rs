//! Reading a PDF's structure for signing, with `lopdf`: the trailer, how
//! its cross-references are kept, the catalog, the form, the first page and
//! its annotations; refusing what may not be signed (encrypted, or
//! certified with no changes allowed).

use crate::error::{Error, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Where an array lives: in its parent's dictionary, or as its own object.
#[derive(Debug, Clone)]
pub struct Held<T> {
    pub id: Option<ObjectId>,
    pub value: T,
}

/// What the incremental writer needs to know of the input.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The last revision keeps its cross-references in a stream.
    pub xref_stream: bool,
    /// The first free object number (the trailer's `/Size`).
    pub size: u32,
    /// Where the last cross-reference section starts (`startxref`).
    pub prev: usize,
    pub root: ObjectId,
    pub info: Option<Object>,
    pub id: Option<Object>,
    pub catalog: Dictionary,
    /// The form dictionary: absent, in the catalog (`id` None), or its own object.
    pub acroform: Option<Held<Dictionary>>,
    /// The form's fields.
    pub fields: Held<Vec<Object>>,
    /// The page the widget is on (the first, or the stamp's).
    pub page: (ObjectId, Dictionary),
    /// Its annotations.
    pub annots: Held<Vec<Object>>,
    /// A field name no field has.
    pub field_name: String,
}

/// The PDF parsed, refused with a clear error when it is not a PDF or is encrypted.
pub fn load(bytes: &[u8]) -> Result<Document> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(Error::Pdf("the file is not a PDF (no %PDF- header)".into()));
    }
    let encrypted = || {
        Error::Pdf("the PDF is encrypted: mynacard signs and checks only unencrypted PDFs".into())
    };
    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(_) if tail_has(bytes, b"/Encrypt") => return Err(encrypted()),
        Err(e) => return Err(Error::Pdf(format!("the PDF does not parse: {e}"))),
    };
    if doc.was_encrypted() || doc.is_encrypted() {
        return Err(encrypted());
    }
    Ok(doc)
}

fn tail_has(bytes: &[u8], what: &[u8]) -> bool {
    let from = bytes.len().saturating_sub(64 * 1024);
    bytes[from..].windows(what.len()).any(|w| w == what)
}

/// The offset after the last `startxref`, and whether it points at a
/// cross-reference stream (not the keyword `xref`).
pub fn last_xref(bytes: &[u8]) -> Result<(usize, bool)> {
    let from = bytes.len().saturating_sub(4096);
    let tail = &bytes[from..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| Error::Pdf("no startxref at the end of the file".into()))?;
    let digits: String = tail[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|b| *b as char)
        .collect();
    let off: usize = digits
        .parse()
        .map_err(|_| Error::Pdf("startxref is not followed by an offset".into()))?;
    let start = bytes
        .get(off..)
        .ok_or_else(|| Error::Pdf("startxref points past the end of the file".into()))?;
    let is_table = start
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(4)
        .eq(b"xref".iter());
    Ok((off, !is_table))
}

/// An object, followed through references.
pub fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

fn dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    d.get(key)
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
}

/// A certification signature whose `/P 1` forbids any change.
fn no_changes_allowed(doc: &Document, catalog: &Dictionary) -> bool {
    let Some(sig) = dict(doc, catalog, b"Perms").and_then(|p| dict(doc, p, b"DocMDP")) else {
        return false;
    };
    let refs = sig
        .get(b"Reference")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_array().ok());
    refs.into_iter().flatten().any(|r| {
        let Some(r) = resolve(doc, r).and_then(|o| o.as_dict().ok()) else {
            return false;
        };
        let p = dict(doc, r, b"TransformParams")
            .and_then(|t| t.get(b"P").ok())
            .and_then(|p| p.as_i64().ok())
            .unwrap_or(2);
        r.get(b"TransformMethod")
            .ok()
            .and_then(|m| m.as_name().ok())
            == Some(b"DocMDP".as_slice())
            && p == 1
    })
}

/// An array held in `d[key]`: inline, its own object, or absent (empty).
fn held_array(doc: &Document, d: &Dictionary, key: &[u8]) -> Result<Held<Vec<Object>>> {
    match d.get(key) {
        Ok(Object::Reference(id)) => {
            let a = doc
                .get_object(*id)
                .ok()
                .and_then(|o| o.as_array().ok())
                .ok_or_else(|| Error::Pdf(format!("/{} is not an array", show(key))))?;
            Ok(Held {
                id: Some(*id),
                value: a.clone(),
            })
        }
        Ok(Object::Array(a)) => Ok(Held {
            id: None,
            value: a.clone(),
        }),
        Ok(_) => Err(Error::Pdf(format!("/{} is not an array", show(key)))),
        Err(_) => Ok(Held {
            id: None,
            value: Vec::new(),
        }),
    }
}

fn show(key: &[u8]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

/// The names of the fields (fully qualified, as `a.b`), to choose a new one.
fn field_names(doc: &Document, fields: &[Object], prefix: &str, out: &mut Vec<String>, depth: u8) {
    if depth > 32 {
        return;
    }
    for f in fields {
        let Some(d) = resolve(doc, f).and_then(|o| o.as_dict().ok()) else {
            continue;
        };
        let own = d
            .get(b"T")
            .ok()
            .and_then(|t| t.as_str().ok())
            .map(|t| String::from_utf8_lossy(t).into_owned());
        let name = match (&own, prefix.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{prefix}.{t}"),
            (None, _) => prefix.to_string(),
        };
        if own.is_some() {
            out.push(name.clone());
        }
        if let Some(kids) = d
            .get(b"Kids")
            .ok()
            .and_then(|k| resolve(doc, k))
            .and_then(|k| k.as_array().ok())
        {
            field_names(doc, kids, &name, out, depth + 1);
        }
    }
}

/// Everything the writer needs, the widget on `page` (from 1), or why
/// this PDF may not be signed.
pub fn plan(doc: &Document, bytes: &[u8], page: u32) -> Result<Plan> {
    let (prev, xref_stream) = last_xref(bytes)?;
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Error::Pdf("the trailer names no document catalog (/Root)".into()))?;
    let catalog = doc
        .get_dictionary(root)
        .map_err(|_| Error::Pdf("the document catalog is not a dictionary".into()))?
        .clone();
    if no_changes_allowed(doc, &catalog) {
        return Err(Error::Pdf(
            "the PDF is certified with no changes allowed (/DocMDP /P 1): a signature would break its certification".into(),
        ));
    }
    let acroform = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => Some(Held {
            id: Some(*id),
            value: doc
                .get_dictionary(*id)
                .map_err(|_| Error::Pdf("/AcroForm is not a dictionary".into()))?
                .clone(),
        }),
        Ok(Object::Dictionary(d)) => Some(Held {
            id: None,
            value: d.clone(),
        }),
        Ok(_) => return Err(Error::Pdf("/AcroForm is not a dictionary".into())),
        Err(_) => None,
    };
    let fields = match &acroform {
        Some(a) => held_array(doc, &a.value, b"Fields")?,
        None => Held {
            id: None,
            value: Vec::new(),
        },
    };
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Error::Pdf("the PDF has no page".into()));
    }
    let page_id = *pages.get(&page).ok_or_else(|| {
        Error::Pdf(format!(
            "the PDF has {} page(s); there is no page {page} for the stamp",
            pages.len()
        ))
    })?;
    let page = doc
        .get_dictionary(page_id)
        .map_err(|_| Error::Pdf(format!("page {page} is not a dictionary")))?
        .clone();
    let annots = held_array(doc, &page, b"Annots")?;
    let mut names = Vec::new();
    field_names(doc, &fields.value, "", &mut names, 0);
    let field_name = (1..)
        .map(|n| format!("Signature{n}"))
        .find(|n| !names.contains(n))
        .unwrap_or_else(|| "Signature".into());
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
        .max(doc.max_id + 1);
    Ok(Plan {
        xref_stream,
        size,
        prev,
        root,
        info: doc.trailer.get(b"Info").ok().cloned(),
        id: doc.trailer.get(b"ID").ok().cloned(),
        catalog,
        acroform,
        fields,
        page: (page_id, page),
        annots,
        field_name,
    })
}
