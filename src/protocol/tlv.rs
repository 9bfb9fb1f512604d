//! BER-TLV framing of the card's files (card-protocol.md §7, §8): the size
//! of an object from its header, and building one (also the few DER values
//! the virtual card and the tests write: SEQUENCE, OID, UTF8String). Parsing whole objects
//! uses the `iso7816-tlv` crate; these two are the pieces it does not give
//! (a length from a partial header, and the non-minimal two-byte private
//! tags such as `FF 10` that the card writes).

/// The length octets of a definite-length encoding.
pub fn len(n: usize) -> Vec<u8> {
    match n {
        0..=0x7F => vec![n as u8],
        0x80..=0xFF => vec![0x81, n as u8],
        0x100..=0xFFFF => vec![0x82, (n >> 8) as u8, n as u8],
        _ => vec![0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8],
    }
}

/// A TLV with a tag of one or more bytes.
pub fn tlv(tag: &[u8], content: &[u8]) -> Vec<u8> {
    let mut v = tag.to_vec();
    v.extend(len(content.len()));
    v.extend_from_slice(content);
    v
}

/// A SEQUENCE of already-encoded parts.
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(&[0x30], &parts.concat())
}

/// An OBJECT IDENTIFIER from its arcs (X.690 §8.19).
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7F) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7F) as u8);
            v >>= 7;
        }
        tmp.reverse();
        body.extend(tmp);
    };
    push(arcs[0] * 40 + arcs.get(1).copied().unwrap_or(0));
    for a in arcs.iter().skip(2) {
        push(*a);
    }
    tlv(&[0x06], &body)
}

/// A UTF8String.
pub fn utf8(s: &str) -> Vec<u8> {
    tlv(&[0x0C], s.as_bytes())
}

/// Total size (header + content) of the BER-TLV object at the start of `b`,
/// from its tag and length alone. Accepts multi-byte tags and the 81/82/83
/// long length forms; `None` for an indefinite or unreadable header.
pub fn total_len(b: &[u8]) -> Option<usize> {
    let mut i = 1;
    if *b.first()? & 0x1F == 0x1F {
        loop {
            let t = *b.get(i)?;
            i += 1;
            if t & 0x80 == 0 {
                break;
            }
            if i > 4 {
                return None;
            }
        }
    }
    let l0 = *b.get(i)?;
    i += 1;
    let len = match l0 {
        0x00..=0x7F => l0 as usize,
        0x81..=0x83 => {
            let n = (l0 & 0x7F) as usize;
            let mut v = 0usize;
            for _ in 0..n {
                v = (v << 8) | *b.get(i)? as usize;
                i += 1;
            }
            v
        }
        _ => return None,
    };
    Some(i + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_both_ways() {
        assert_eq!(len(0x7F), [0x7F]);
        assert_eq!(len(0x80), [0x81, 0x80]);
        assert_eq!(len(0x14B), [0x82, 0x01, 0x4B]);
        assert_eq!(tlv(&[0xFF, 0x20], &[1, 2]), [0xFF, 0x20, 2, 1, 2]);
        assert_eq!(total_len(&[0x30, 0x82, 0x05, 0x00]), Some(0x504));
        assert_eq!(total_len(&[0xFF, 0x20, 0x65]), Some(0x68));
        assert_eq!(total_len(&[0xFF, 0x20, 0x81, 0x90]), Some(0x94));
        assert_eq!(total_len(&[0xFF, 0x10, 0x0C]), Some(15));
        assert_eq!(total_len(&[0x30, 0x80]), None);
        assert_eq!(total_len(&[0x30]), None);
        assert_eq!(total_len(&[]), None);
        // 2.5.29.17 (subjectAltName), 1.2.392.200149.8.5.5.1 (JPKI name)
        assert_eq!(oid(&[2, 5, 29, 17]), [0x06, 0x03, 0x55, 0x1D, 0x11]);
        assert_eq!(
            hex::encode(oid(&[1, 2, 392, 200149, 8, 5, 5, 1])),
            "060a2a83088c9b5508050501"
        );
        assert_eq!(seq(&[utf8("a")]), [0x30, 3, 0x0C, 1, b'a']);
        for n in [0usize, 1, 127, 128, 255, 256, 1500, 70_000] {
            let v = tlv(&[0x30], &vec![0; n]);
            assert_eq!(total_len(&v), Some(v.len()));
        }
    }
}
