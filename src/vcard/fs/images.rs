//! The card's pictures as blank placeholders of the right kind: a PNG for
//! the 入力補助AP and 券面AP images; the photo a small synthetic JPEG 2000.

/// A blank greyscale PNG of `w`×`h` pixels (stored deflate blocks): the
/// card's images are pictures of text; ours are blank placeholders of the
/// right kind.
pub fn blank_png(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    }
    // 1-bit greyscale, all white: a filter byte and ceil(w/8) bytes per row.
    let row = 1 + w.div_ceil(8) as usize;
    let mut raw = Vec::with_capacity(row * h as usize);
    for _ in 0..h {
        raw.push(0);
        raw.extend(std::iter::repeat_n(0xFF, row - 1));
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        z.extend_from_slice(&(b.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(b.len() as u16)).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The photo: a synthetic face (no real person), JPEG 2000 in the JP2
/// container, greyscale, as a real card's `DF27` (fixtures/vcard-photo/
/// says how it was made). Kept as bytes so the signed face never changes.
pub(super) fn photo_jp2() -> Vec<u8> {
    include_bytes!("../../../fixtures/vcard-photo/photo.jp2").to_vec()
}
