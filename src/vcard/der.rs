//! A few DER/BER building helpers for the virtual card's files and
//! certificate extensions (ITU-T X.690 definite-length encoding).

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

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(&[0x30], &parts.concat())
}

/// OBJECT IDENTIFIER from its arcs.
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

pub fn utf8(s: &str) -> Vec<u8> {
    tlv(&[0x0C], s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(len(0x7F), [0x7F]);
        assert_eq!(len(0x80), [0x81, 0x80]);
        assert_eq!(len(0x14B), [0x82, 0x01, 0x4B]);
        // 2.5.29.17 (subjectAltName)
        assert_eq!(oid(&[2, 5, 29, 17]), [0x06, 0x03, 0x55, 0x1D, 0x11]);
        // 1.2.392.200149.8.5.5.1
        assert_eq!(
            hex::encode(oid(&[1, 2, 392, 200149, 8, 5, 5, 1])),
            "060a2a83088c9b5508050501"
        );
        assert_eq!(tlv(&[0xFF, 0x20], &[1, 2]), [0xFF, 0x20, 2, 1, 2]);
    }
}
