//! What changed in the revisions after a signature: each object that a
//! later incremental update added or replaced, classified. Another
//! signature, its field and widget, a document timestamp, a DSS, a form
//! fill, and the form, page-annotation and catalog entries that carry them
//! are what an approval signature allows; a page added or changed,
//! content changed, anything else is "changed after signing".

use super::parse::resolve;
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

/// What one later change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A signature dictionary.
    Signature,
    /// A document timestamp dictionary.
    DocumentTimestamp,
    /// A signature field or its widget.
    SignatureField,
    /// The form or the catalog, only to list new fields or a DSS.
    FormStructure,
    /// A page's annotations, only signature widgets added.
    SignatureWidgetAdded,
    /// A form field's value (and its appearance) filled in.
    FormFill,
    /// A new object no page uses directly (appearance, DSS data, font).
    NewObject,
    /// Cross-reference or object streams.
    FileStructure,
    /// The document information dictionary (`/Info`: producer, dates),
    /// which every writer updates; not part of what is shown.
    DocumentInfo,
    /// A page added (the page tree changed).
    PageAdded,
    /// A page's dictionary changed beyond its annotations.
    PageChanged,
    /// Anything else replaced: content, resources, the catalog.
    Other,
}

impl ChangeKind {
    /// Whether an approval signature allows it.
    pub fn allowed(self) -> bool {
        !matches!(
            self,
            ChangeKind::PageAdded | ChangeKind::PageChanged | ChangeKind::Other
        )
    }
}

/// One object a later revision added or replaced.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Change {
    pub kind: ChangeKind,
    /// The object number.
    pub object: u32,
    /// Whether it was added (else replaced).
    pub added: bool,
    pub allowed: bool,
}

fn dict_of(o: &Object) -> Option<&Dictionary> {
    match o {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn name_of<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).ok().and_then(|o| o.as_name().ok())
}

/// `a` and `b` equal but for `keys`.
fn same_but(a: &Dictionary, b: &Dictionary, keys: &[&[u8]]) -> bool {
    let strip = |d: &Dictionary| {
        let mut d = d.clone();
        for k in keys {
            d.remove(k);
        }
        d
    };
    strip(a) == strip(b)
}

/// A field or widget of a signature (its own /FT, or its parent's).
fn is_sig_field(doc: &Document, d: &Dictionary) -> bool {
    if name_of(d, b"FT") == Some(b"Sig") {
        return true;
    }
    d.get(b"Parent")
        .ok()
        .and_then(|p| resolve(doc, p))
        .and_then(dict_of)
        .is_some_and(|p| name_of(p, b"FT") == Some(b"Sig"))
}

/// The objects `a` holds that are references to signature fields, beyond
/// `old` (which must be its start).
fn only_sig_fields_added(after: &Document, old: &[Object], new: &[Object]) -> bool {
    new.len() >= old.len()
        && new[..old.len()] == *old
        && new[old.len()..].iter().all(|o| {
            resolve(after, o)
                .and_then(dict_of)
                .is_some_and(|d| is_sig_field(after, d))
        })
}

fn array_in<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Vec<Object> {
    d.get(key)
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_array().ok())
        .cloned()
        .unwrap_or_default()
}

fn root(doc: &Document) -> Option<ObjectId> {
    doc.trailer.get(b"Root").and_then(Object::as_reference).ok()
}

fn info(doc: &Document) -> Option<ObjectId> {
    doc.trailer.get(b"Info").and_then(Object::as_reference).ok()
}

/// One added or replaced object, classified.
fn classify(before: &Document, after: &Document, id: ObjectId, new: &Object) -> ChangeKind {
    let old = before.objects.get(&id);
    let nd = dict_of(new);
    if Some(id) == info(after) && matches!(new, Object::Dictionary(_)) {
        return ChangeKind::DocumentInfo;
    }
    if let Some(d) = nd {
        match name_of(d, b"Type") {
            Some(b"XRef" | b"ObjStm") => return ChangeKind::FileStructure,
            Some(b"Sig") => return ChangeKind::Signature,
            Some(b"DocTimeStamp") => return ChangeKind::DocumentTimestamp,
            _ => {}
        }
        if is_sig_field(after, d) {
            return ChangeKind::SignatureField;
        }
    }
    let Some(old) = old else {
        return match nd.and_then(|d| name_of(d, b"Type")) {
            Some(b"Page" | b"Pages") => ChangeKind::PageAdded,
            _ => ChangeKind::NewObject,
        };
    };
    match (dict_of(old), nd, old, new) {
        (Some(o), Some(n), _, _) => {
            if Some(id) == root(before) {
                return if same_but(o, n, &[b"AcroForm", b"DSS", b"Extensions"]) {
                    ChangeKind::FormStructure
                } else {
                    ChangeKind::Other
                };
            }
            match name_of(o, b"Type") {
                Some(b"Page") => {
                    let annots_ok = only_sig_fields_added(
                        after,
                        &array_in(before, o, b"Annots"),
                        &array_in(after, n, b"Annots"),
                    );
                    return if same_but(o, n, &[b"Annots"]) && annots_ok {
                        ChangeKind::SignatureWidgetAdded
                    } else {
                        ChangeKind::PageChanged
                    };
                }
                Some(b"Pages") => return ChangeKind::PageAdded,
                _ => {}
            }
            if o.has(b"Fields") || n.has(b"Fields") {
                let fields_ok = only_sig_fields_added(
                    after,
                    &array_in(before, o, b"Fields"),
                    &array_in(after, n, b"Fields"),
                );
                let rest = [
                    &b"Fields"[..],
                    b"SigFlags",
                    b"DR",
                    b"DA",
                    b"NeedAppearances",
                ];
                if fields_ok && same_but(o, n, &rest) {
                    return ChangeKind::FormStructure;
                }
            }
            if (o.has(b"FT") || o.has(b"Parent")) && same_but(o, n, &[b"V", b"AS", b"AP"]) {
                return ChangeKind::FormFill;
            }
            ChangeKind::Other
        }
        (_, _, Object::Array(o), Object::Array(n)) => {
            if only_sig_fields_added(after, o, n) {
                ChangeKind::FormStructure
            } else {
                ChangeKind::Other
            }
        }
        _ => ChangeKind::Other,
    }
}

/// Where an object is in the file, when it is not in an object stream.
fn offset(doc: &Document, id: ObjectId) -> Option<usize> {
    match doc.reference_table.get(id.0) {
        Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => Some(*offset as usize),
        _ => None,
    }
}

/// Every object `after` added or replaced since `before`, classified. A
/// stream whose data was not read (`blanked`, `pdf::source`) counts as
/// replaced when a later revision put it elsewhere: its dictionary alone
/// cannot tell.
pub fn changes(
    before: &Document,
    after: &Document,
    blanked: &dyn Fn(usize) -> bool,
) -> Vec<Change> {
    let moved = |id: &ObjectId| {
        let (a, b) = (offset(before, *id), offset(after, *id));
        a != b && (a.is_some_and(blanked) || b.is_some_and(blanked))
    };
    let mut out: Vec<Change> = after
        .objects
        .iter()
        .filter(|(id, o)| before.objects.get(id) != Some(o) || moved(id))
        .map(|(id, o)| {
            let kind = classify(before, after, *id, o);
            Change {
                kind,
                object: id.0,
                added: !before.objects.contains_key(id),
                allowed: kind.allowed(),
            }
        })
        .collect();
    if root(before) != root(after) {
        out.push(Change {
            kind: ChangeKind::Other,
            object: root(after).map_or(0, |r| r.0),
            added: false,
            allowed: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(producer: &str) -> Document {
        let mut d = Document::with_version("1.7");
        let mut info = Dictionary::new();
        info.set("Producer", Object::string_literal(producer));
        d.objects.insert((1, 0), Object::Dictionary(info));
        d.trailer.set("Info", Object::Reference((1, 0)));
        d
    }

    #[test]
    fn the_document_information_updated_is_allowed() {
        let c = changes(&doc("a"), &doc("b"), &|_| false);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].kind, c[0].allowed), (ChangeKind::DocumentInfo, true));
    }
}
