//! A PDF read for its structure without holding it: one pass over the
//! file (a bounded buffer) copies everything but the data of large streams
//! into a buffer of the file's length, allocated zeroed so that the pages
//! left out are never touched (they cost no memory); `stream` … `endstream`
//! of a large stream stays zero — NUL is white space to a PDF parser, so
//! lopdf reads that object as its dictionary alone, at its own offset. The
//! same pass hashes the whole file; the byte ranges of a signature are
//! hashed from the file again (`hash_ranges`), and a signed copy is
//! written from it (`copy_checked`). Object and cross-reference streams are
//! always kept: the structure is in them.

use crate::platform::files::stream_regular;
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::path::Path;

/// A stream's data longer than this is left out (its pages never touched).
const KEEP_UNDER: usize = 256 * 1024;

/// The file's structure, at its offsets.
pub struct Skeleton {
    /// The file's length; every byte as in the file but those of large
    /// streams (from `stream` to the end of `endstream`), which are zero.
    pub bytes: Vec<u8>,
    /// Where large streams were left out: (start, end) of each.
    pub blanked: Vec<(usize, usize)>,
    /// The hash of the whole file as read, to continue (the signed ranges
    /// of a new signature start with the whole input).
    pub sha256: Sha256,
}

impl Skeleton {
    /// A skeleton of bytes already in memory (nothing left out).
    pub fn of(bytes: Vec<u8>) -> Skeleton {
        let mut sha256 = Sha256::new();
        sha256.update(&bytes);
        Skeleton {
            bytes,
            blanked: Vec::new(),
            sha256,
        }
    }

    /// SHA-256 of the whole file, as read.
    pub fn digest(&self) -> [u8; 32] {
        self.sha256.clone().finalize().into()
    }

    /// The PDF (up to `end`) parsed, refused when the cross-references
    /// put an object inside what was taken for a large stream's data: the
    /// skeleton would not show it (a string that looked like a stream's
    /// start), and a verdict on what is not seen is never given.
    pub fn load(&self, end: usize) -> crate::error::Result<lopdf::Document> {
        let doc = super::parse::load(&self.bytes[..end.min(self.bytes.len())])?;
        let hidden = doc
            .reference_table
            .entries
            .iter()
            .find_map(|(id, e)| match e {
                lopdf::xref::XrefEntry::Normal { offset, .. } => {
                    let o = *offset as usize;
                    let i = self.blanked.partition_point(|(s, _)| *s <= o);
                    (i > 0 && o < self.blanked[i - 1].1).then_some((*id, o))
                }
                _ => None,
            });
        match hidden {
            Some((id, o)) => Err(crate::error::Error::Pdf(format!(
                "object {id} (at byte {o}) lies inside what reads as a large stream's data: \
                 mynacard cannot read this PDF's structure without holding it whole"
            ))),
            None => Ok(doc),
        }
    }

    /// Whether the object at `offset` is a stream whose data was left out:
    /// a blanked range starts after it, before its `endobj`.
    pub fn is_blanked(&self, offset: usize) -> bool {
        let i = self.blanked.partition_point(|(s, _)| *s < offset);
        let Some((start, _)) = self.blanked.get(i) else {
            return false;
        };
        self.bytes
            .get(offset..*start)
            .is_some_and(|head| head.len() < 1 << 20 && !contains(head, b"endobj"))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

enum State {
    /// Copying, looking for the next `stream` keyword from `from`.
    Scan { from: usize },
    /// Copying a stream's data (keyword at `kw`, data from `data`), looking
    /// for `endstream` from `from`.
    Stream {
        kw: usize,
        data: usize,
        from: usize,
        keep: bool,
    },
    /// Not copying: a large stream from `kw`, its `endstream` looked for
    /// from `from`; `carry` the last bytes seen.
    Blank {
        kw: usize,
        from: usize,
        carry: Vec<u8>,
    },
}

struct Builder {
    bytes: Vec<u8>,
    blanked: Vec<(usize, usize)>,
    state: State,
    sha256: Sha256,
}

impl Builder {
    /// A `stream` keyword at `k` (the bytes up to `end` are copied): after a
    /// dictionary, followed by an end of line. Returns where its data starts.
    fn stream_at(&self, k: usize, end: usize) -> Option<Option<usize>> {
        let b = &self.bytes;
        let before = &b[k.saturating_sub(256)..k];
        let trimmed = before.len()
            - before
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_whitespace() || **c == 0)
                .count();
        if !before[..trimmed].ends_with(b">>") {
            return Some(None);
        }
        if k + 8 > end {
            return None; // wait for the end of line
        }
        Some(match (b[k + 6], b[k + 7]) {
            (b'\r', b'\n') => Some(k + 8),
            (b'\n' | b'\r', _) => Some(k + 7),
            _ => None,
        })
    }

    /// The dictionary before the keyword at `k` (from its `obj`).
    fn dict_before(&self, k: usize) -> &[u8] {
        let head = &self.bytes[k.saturating_sub(64 * 1024)..k];
        let from = head.windows(3).rposition(|w| w == b"obj").unwrap_or(0);
        &head[from..]
    }

    /// An object or cross-reference stream's (the structure: always kept).
    fn structural(&self, k: usize) -> bool {
        let d = self.dict_before(k);
        contains(d, b"/ObjStm") || contains(d, b"/XRef")
    }

    /// The stream's `/Length`, when it is written directly (not a reference).
    fn direct_length(&self, k: usize) -> Option<usize> {
        let d = self.dict_before(k);
        let at = d.windows(7).rposition(|w| w == b"/Length")? + 7;
        let rest = &d[at..];
        let skip = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        let digits = rest[skip..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let n: usize = std::str::from_utf8(&rest[skip..skip + digits])
            .ok()?
            .parse()
            .ok()?;
        // `/Length 12 0 R` is a reference.
        let after: Vec<&[u8]> = rest[skip + digits..]
            .split(|c| c.is_ascii_whitespace())
            .filter(|t| !t.is_empty())
            .take(2)
            .collect();
        let reference = after.len() == 2
            && after[0].iter().all(u8::is_ascii_digit)
            && after[1].first() == Some(&b'R');
        (!reference).then_some(n)
    }

    /// Scan what is copied, up to `end`; returns up to where the copy
    /// stands (a large stream's data from there on is not to be kept).
    fn advance(&mut self, end: usize) -> usize {
        loop {
            match self.state {
                State::Scan { from } => {
                    let Some(p) = find(&self.bytes[from..end], b"stream") else {
                        self.state = State::Scan {
                            from: end.saturating_sub(5).max(from),
                        };
                        return end;
                    };
                    let k = from + p;
                    match self.stream_at(k, end) {
                        None => {
                            self.state = State::Scan { from: k };
                            return end;
                        }
                        Some(None) => self.state = State::Scan { from: k + 6 },
                        Some(Some(data)) => {
                            let keep = self.structural(k);
                            match self.direct_length(k) {
                                // Known large: left out from its keyword on.
                                Some(n) if !keep && n > KEEP_UNDER => {
                                    self.bytes[k..end].fill(0);
                                    self.state = State::Blank {
                                        kw: k,
                                        from: data + n,
                                        carry: Vec::new(),
                                    };
                                    return data.min(end);
                                }
                                _ => {
                                    self.state = State::Stream {
                                        kw: k,
                                        data,
                                        from: data,
                                        keep,
                                    }
                                }
                            }
                        }
                    }
                }
                State::Stream {
                    kw,
                    data,
                    from,
                    keep,
                } => {
                    if let Some(p) = find(&self.bytes[from..end], b"endstream") {
                        let after = from + p + 9;
                        if !keep && from + p - data > KEEP_UNDER {
                            // Large, though copied whole in one chunk.
                            self.bytes[kw..after].fill(0);
                            self.blanked.push((kw, after));
                        }
                        self.state = State::Scan { from: after };
                        continue;
                    }
                    if !keep && end - data > KEEP_UNDER {
                        let carry = self.bytes[end.saturating_sub(8).max(data)..end].to_vec();
                        self.bytes[kw..end].fill(0);
                        self.state = State::Blank {
                            kw,
                            from: end,
                            carry,
                        };
                    } else {
                        self.state = State::Stream {
                            kw,
                            data,
                            from: end.saturating_sub(8).max(data),
                            keep,
                        };
                    }
                    return end;
                }
                State::Blank { .. } => return end,
            }
        }
    }

    /// The chunk of the file that starts at `start`.
    fn feed(&mut self, chunk: &[u8], start: usize) {
        self.sha256.update(chunk);
        let mut i = 0;
        while i < chunk.len() {
            if let State::Blank { kw, from, carry } = &mut self.state {
                let (kw, from) = (*kw, *from);
                let mut window = std::mem::take(carry);
                let w0 = start + i - window.len();
                window.extend_from_slice(&chunk[i..]);
                let skip = from.saturating_sub(w0).min(window.len());
                match find(&window[skip..], b"endstream") {
                    Some(p) => {
                        let after = w0 + skip + p + 9;
                        self.blanked.push((kw, after));
                        self.state = State::Scan { from: after };
                        i = after - start;
                    }
                    None => {
                        let keep = window.len().min(8);
                        let carry = window[window.len() - keep..].to_vec();
                        self.state = State::Blank { kw, from, carry };
                        i = chunk.len();
                    }
                }
                continue;
            }
            let at = start + i;
            // Stream data is copied only up to where it would be left out.
            let end = match self.state {
                State::Stream {
                    data, keep: false, ..
                } => (start + chunk.len()).min((data + KEEP_UNDER + 1).max(at + 1)),
                _ => start + chunk.len(),
            };
            self.bytes[at..end].copy_from_slice(&chunk[i..end - start]);
            let upto = self.advance(end);
            // Progress: a large stream's data is taken up by `Blank`.
            i = if upto > at || matches!(self.state, State::Blank { .. }) {
                upto
            } else {
                end
            } - start;
        }
    }
}

/// Read `path` (a regular file of at most `limit` bytes) as a skeleton.
pub fn read(path: &Path, limit: u64) -> io::Result<Skeleton> {
    let too_big = |n: u64| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("is {n} bytes; at most {limit} are read"),
        )
    };
    let n = std::fs::metadata(path)?.len();
    if n > limit {
        return Err(too_big(n));
    }
    let mut b: Option<Builder> = None;
    let mut over = None;
    stream_regular(path, |chunk, done, total| {
        if total > limit {
            over = Some(total);
            return;
        }
        let b = b.get_or_insert_with(|| Builder {
            // Zeroed by the allocator: pages never written stay untouched.
            bytes: vec![0u8; total as usize],
            blanked: Vec::new(),
            state: State::Scan { from: 0 },
            sha256: Sha256::new(),
        });
        b.feed(chunk, (done as usize) - chunk.len());
    })?;
    if let Some(n) = over {
        return Err(too_big(n));
    }
    Ok(match b {
        Some(b) => Skeleton {
            bytes: b.bytes,
            blanked: b.blanked,
            sha256: b.sha256,
        },
        None => Skeleton::of(Vec::new()),
    })
}

/// SHA-256 of `ranges` (offset, length; in order, not overlapping) of the file.
pub fn hash_ranges(path: &Path, ranges: &[(usize, usize)]) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    stream_regular(path, |chunk, done, _| {
        let start = done as usize - chunk.len();
        let end = done as usize;
        for (a, l) in ranges {
            let (s, e) = ((*a).max(start), (a + l).min(end));
            if s < e {
                h.update(&chunk[s - start..e - start]);
            }
        }
    })?;
    Ok(h.finalize().into())
}

/// Copy the file to `w`, checking that it is still the one read (`sha256`
/// of the whole): a file changed meanwhile is an error, not a signed copy
/// of other bytes.
pub fn copy_checked(path: &Path, sha256: &[u8; 32], w: &mut dyn Write) -> io::Result<()> {
    let mut h = Sha256::new();
    let mut failed = None;
    stream_regular(path, |chunk, _, _| {
        h.update(chunk);
        if failed.is_none() {
            failed = w.write_all(chunk).err();
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    if h.finalize().as_slice() != sha256 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "changed while it was being signed; nothing was written",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_hidden_in_what_reads_as_a_stream_is_refused_not_missed() {
        // A string that reads as a stream's start; the next `endstream` is
        // in another string, past a page tree the skeleton would not show.
        let mut f = b"%PDF-1.7\n".to_vec();
        let o1 = f.len();
        f.extend(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X (>> stream\n");
        f.extend(vec![b'a'; KEEP_UNDER + 10]);
        f.extend(b") >>\nendobj\n");
        let o2 = f.len();
        f.extend(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 /Y (endstream) >>\nendobj\n");
        let x = f.len();
        f.extend(
            format!("xref\n0 3\n0000000000 65535 f \n{o1:010} 00000 n \n{o2:010} 00000 n \n")
                .as_bytes(),
        );
        f.extend(format!("trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n").as_bytes());
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.pdf");
        std::fs::write(&p, &f).unwrap();
        let s = read(&p, 1 << 30).unwrap();
        assert_eq!(s.blanked.len(), 1);
        let e = s
            .load(f.len())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("object 2"), "{e}");
        assert!(Skeleton::of(f.clone()).load(f.len()).is_ok());
    }

    #[test]
    fn a_large_stream_is_left_out_and_the_rest_kept_at_its_offsets() {
        let big = vec![b'x'; KEEP_UNDER + 10];
        let mut f =
            b"%PDF-1.7\n1 0 obj\n<< /Length 3 >>\nstream\nabc\nendstream\nendobj\n".to_vec();
        let at = f.len();
        f.extend(format!("2 0 obj\n<< /Length {} >>\nstream\r\n", big.len()).as_bytes());
        let kw = f.len() - 8;
        f.extend(&big);
        f.extend(b"\nendstream\nendobj\n3 0 obj\n<< /Type /ObjStm /N 0 /First 0 /Length ");
        f.extend(format!("{} >>\nstream\n", big.len()).as_bytes());
        f.extend(&big);
        f.extend(b"\nendstream\nendobj\n4 0 obj\n<< /Length 9 0 R >>\nstream\n");
        let kw2 = f.len() - 7;
        f.extend(&big);
        f.extend(b"\nendstream\nendobj\ntrailer\n%%EOF\n");
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.pdf");
        std::fs::write(&p, &f).unwrap();
        let s = read(&p, 1 << 30).unwrap();
        assert_eq!(s.bytes.len(), f.len());
        let end = kw + 8 + big.len() + 10;
        let end2 = kw2 + 7 + big.len() + 10;
        assert_eq!(s.blanked, vec![(kw, end), (kw2, end2)]);
        assert!(s.bytes[kw..end].iter().all(|b| *b == 0));
        assert!(s.bytes[kw2..end2].iter().all(|b| *b == 0));
        assert_eq!(&s.bytes[..kw], &f[..kw]);
        assert_eq!(
            &s.bytes[end..kw2],
            &f[end..kw2],
            "the object stream is kept"
        );
        assert_eq!(&s.bytes[end2..], &f[end2..]);
        assert!(s.is_blanked(at) && !s.is_blanked(9));
        let whole: [u8; 32] = Sha256::digest(&f).into();
        assert_eq!(<[u8; 32]>::from(s.sha256.clone().finalize()), whole);
        let r = [(0, 5), (kw, 20)];
        let want: [u8; 32] = Sha256::new()
            .chain_update(&f[..5])
            .chain_update(&f[kw..kw + 20])
            .finalize()
            .into();
        assert_eq!(hash_ranges(&p, &r).unwrap(), want);
        let mut out = Vec::new();
        copy_checked(&p, &whole, &mut out).unwrap();
        assert_eq!(out, f);
        assert!(copy_checked(&p, &[0; 32], &mut Vec::new()).is_err());
    }
}
