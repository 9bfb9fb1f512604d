//! A small DER reader for the few places where x509-parser's view is not
//! enough (the outer header of an input, the JPKI otherName values). Lengths
//! are checked against the bytes actually present (ITU-T X.690 §8.1.3).

/// One TLV: its single-byte identifier and its content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// No byte at all.
    Empty,
    /// The input ends inside the identifier or length octets.
    IncompleteHeader,
    /// High tag numbers (low five bits all set) never occur in the
    /// structures read here.
    HighTag,
    /// `0x80`: BER's indefinite form, not allowed in DER (X.690 §10.1).
    Indefinite,
    /// More than four length octets, or a total beyond `usize`.
    TooLong,
    /// The header promises more than is present.
    Truncated { promised: usize, available: usize },
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::Empty => f.write_str("no data"),
            HeaderError::IncompleteHeader => f.write_str("the data ends inside a DER header"),
            HeaderError::HighTag => f.write_str("unexpected multi-byte DER tag"),
            HeaderError::Indefinite => f.write_str("indefinite length (BER), not DER"),
            HeaderError::TooLong => f.write_str("DER length field too large"),
            HeaderError::Truncated {
                promised,
                available,
            } => write!(
                f,
                "truncated: header promises {promised} bytes, {available} present"
            ),
        }
    }
}

/// Parses the identifier and length octets: `(tag, header_len, content_len)`.
/// Does not check that the content is present.
pub(crate) fn header(input: &[u8]) -> Result<(u8, usize, usize), HeaderError> {
    let (&tag, rest) = input.split_first().ok_or(HeaderError::Empty)?;
    if tag & 0x1F == 0x1F {
        return Err(HeaderError::HighTag);
    }
    let (&first, rest) = rest.split_first().ok_or(HeaderError::IncompleteHeader)?;
    if first < 0x80 {
        return Ok((tag, 2, usize::from(first)));
    }
    if first == 0x80 {
        return Err(HeaderError::Indefinite);
    }
    let n = usize::from(first & 0x7F);
    if n > 4 {
        return Err(HeaderError::TooLong);
    }
    let octets = rest.get(..n).ok_or(HeaderError::IncompleteHeader)?;
    let mut len: usize = 0;
    for &b in octets {
        len = len
            .checked_mul(256)
            .and_then(|l| l.checked_add(usize::from(b)))
            .ok_or(HeaderError::TooLong)?;
    }
    Ok((tag, 2 + n, len))
}

/// Reads one complete TLV from the front of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), HeaderError> {
    let (tag, hl, cl) = header(input)?;
    let total = hl.checked_add(cl).ok_or(HeaderError::TooLong)?;
    if total > input.len() {
        return Err(HeaderError::Truncated {
            promised: total,
            available: input.len(),
        });
    }
    let (whole, rest) = input.split_at(total);
    let content = whole.get(hl..).unwrap_or_default();
    Ok((Tlv { tag, content }, rest))
}

/// The dotted form of an OBJECT IDENTIFIER's content octets (X.690 §8.19),
/// or None when the encoding is broken or an arc exceeds u64.
pub(crate) fn oid_string(bytes: &[u8]) -> Option<String> {
    if !matches!(bytes.last(), Some(b) if b & 0x80 == 0) {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    let mut started = false;
    for &b in bytes {
        // A leading 0x80 is a non-minimal encoding.
        if !started && b == 0x80 {
            return None;
        }
        started = true;
        if v > (u64::MAX >> 7) {
            return None;
        }
        v = (v << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
            started = false;
        }
    }
    let (&first, others) = arcs.split_first()?;
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut s = format!("{a}.{b}");
    for arc in others {
        s.push('.');
        s.push_str(&arc.to_string());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        assert_eq!(header(&[0x30, 0x03]), Ok((0x30, 2, 3)));
        assert_eq!(header(&[0x30, 0x81, 0x80]), Ok((0x30, 3, 128)));
        assert_eq!(header(&[0x30, 0x82, 0x05, 0x10]), Ok((0x30, 4, 0x510)));
        assert_eq!(
            header(&[0x30, 0x82, 0x05]),
            Err(HeaderError::IncompleteHeader)
        );
        assert_eq!(header(&[0x30]), Err(HeaderError::IncompleteHeader));
        assert_eq!(header(&[]), Err(HeaderError::Empty));
        assert_eq!(header(&[0x30, 0x80]), Err(HeaderError::Indefinite));
        assert_eq!(
            header(&[0x30, 0x85, 1, 1, 1, 1, 1]),
            Err(HeaderError::TooLong)
        );
        assert_eq!(header(&[0x1F, 0x01]), Err(HeaderError::HighTag));
    }

    #[test]
    fn read_checks_content_is_present() {
        let (t, rest) = read(&[0x04, 0x02, 0xAA, 0xBB, 0xCC]).unwrap();
        assert_eq!(
            (t.tag, t.content, rest),
            (0x04, &[0xAA, 0xBB][..], &[0xCC][..])
        );
        assert_eq!(
            read(&[0x04, 0x05, 0xAA]).unwrap_err(),
            HeaderError::Truncated {
                promised: 7,
                available: 3
            }
        );
    }

    #[test]
    fn oids() {
        // 1.2.392.200149.8.5.5.1, encoded by hand per X.690 §8.19.
        let jpki = [0x2A, 0x83, 0x08, 0x8C, 0x9B, 0x55, 0x08, 0x05, 0x05, 0x01];
        assert_eq!(oid_string(&jpki).as_deref(), Some("1.2.392.200149.8.5.5.1"));
        assert_eq!(
            oid_string(&[0x55, 0x1D, 0x11]).as_deref(),
            Some("2.5.29.17")
        );
        assert_eq!(oid_string(&[0x2A, 0x83]), None);
        assert_eq!(oid_string(&[]), None);
        assert_eq!(oid_string(&[0x2A, 0x80, 0x01]), None);
        assert_eq!(oid_string(&[0xFF; 12]), None);
    }
}
