//! A few DER/BER building helpers for the virtual card's files and
//! certificate extensions (ITU-T X.690 definite-length encoding).

pub use crate::protocol::tlv::{len, tlv};

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
        // 2.5.29.17 (subjectAltName)
        assert_eq!(oid(&[2, 5, 29, 17]), [0x06, 0x03, 0x55, 0x1D, 0x11]);
        // 1.2.392.200149.8.5.5.1
        assert_eq!(
            hex::encode(oid(&[1, 2, 392, 200149, 8, 5, 5, 1])),
            "060a2a83088c9b5508050501"
        );
    }
}
