//! PDF objects written out (ISO 32000-1 §7.3): what the incremental
//! update rewrites (the catalog, the form, a page, arrays) and adds.

use lopdf::{Object, StringFormat};

/// `o` in PDF syntax. Streams are not written here (the update rewrites
/// dictionaries and arrays only; its own streams are written by hand).
pub fn write(out: &mut Vec<u8>, o: &Object) {
    match o {
        Object::Null => out.extend(b"null"),
        Object::Boolean(b) => out.extend(if *b { &b"true"[..] } else { b"false" }),
        Object::Integer(i) => out.extend(i.to_string().as_bytes()),
        Object::Real(r) => out.extend(real(*r).as_bytes()),
        Object::Name(n) => name(out, n),
        Object::String(s, StringFormat::Hexadecimal) => {
            out.push(b'<');
            out.extend(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Object::String(s, StringFormat::Literal) => literal(out, s),
        Object::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write(out, x);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend(b"<<");
            for (k, v) in d.iter() {
                name(out, k);
                out.push(b' ');
                write(out, v);
                out.push(b'\n');
            }
            out.extend(b">>");
        }
        // A stream held in a dictionary cannot be: streams are indirect.
        Object::Stream(s) => write(out, &Object::Dictionary(s.dict.clone())),
        Object::Reference((n, g)) => out.extend(format!("{n} {g} R").as_bytes()),
    }
}

/// A real without an exponent (PDF has none).
fn real(r: f32) -> String {
    if r.is_finite() {
        let s = format!("{r:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.is_empty() || s == "-" {
            "0".into()
        } else {
            s.to_string()
        }
    } else {
        "0".into()
    }
}

fn name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if b"()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            out.extend(format!("#{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

fn literal(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'(');
    for &b in s {
        match b {
            b'(' | b')' | b'\\' => out.extend([b'\\', b]),
            b'\r' => out.extend(b"\\r"),
            b'\n' => out.extend(b"\\n"),
            _ => out.push(b),
        }
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_written_as_pdf_syntax() {
        let mut d = lopdf::Dictionary::new();
        d.set("A b", Object::string_literal(b"x(y)\\".to_vec()));
        d.set(
            "R",
            Object::Array(vec![Object::Real(1.5), Object::Reference((3, 0))]),
        );
        let mut out = Vec::new();
        write(&mut out, &Object::Dictionary(d));
        assert_eq!(out, b"<</A#20b (x\\(y\\)\\\\)\n/R [1.5 3 0 R]\n>>");
    }
}
