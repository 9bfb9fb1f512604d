//! The visible stamp of a signature: the signer's name and the time in
//! Japanese and English, drawn by the widget's appearance stream (ISO
//! 32000-1 §12.5.5) with an embedded font subset to the characters used
//! (a Type 0 font, Identity-H, CID = glyph of the subset; `subsetter`
//! subsets, `ttf-parser` gives glyphs and widths; a ToUnicode map keeps
//! the text extractable). The default font is IPAex Gothic (Debian's
//! fonts-ipaexfont-gothic), whose IPA Font License allows embedding.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// IPAex Gothic where Debian installs it.
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";
/// A font file is read up to this size.
pub const FONT_LIMIT: u64 = 64 * 1024 * 1024;

const SIZE: f64 = 9.0;
const LEADING: f64 = 12.0;
const PAD: f64 = 5.0;

/// Where the stamp goes: a page (from 1) and its lower-left corner in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub page: u32,
    pub x: f64,
    pub y: f64,
}

impl std::str::FromStr for Place {
    type Err = String;
    /// `PAGE,X,Y`, e.g. `1,36,36`.
    fn from_str(s: &str) -> std::result::Result<Place, String> {
        let bad = || {
            format!(
                "{s:?}: give PAGE,X,Y (a page from 1, points from the lower left), e.g. 1,36,36"
            )
        };
        let p: Vec<&str> = s.split(',').map(str::trim).collect();
        let [page, x, y] = p[..] else {
            return Err(bad());
        };
        let page: u32 = page.parse().map_err(|_| bad())?;
        let x: f64 = x.parse().map_err(|_| bad())?;
        let y: f64 = y.parse().map_err(|_| bad())?;
        if page == 0 || !x.is_finite() || !y.is_finite() || x < 0.0 || y < 0.0 {
            return Err(bad());
        }
        Ok(Place { page, x, y })
    }
}

/// What `pdf sign --stamp` asks for: where, and in which font (its file's bytes).
pub struct Request {
    pub place: Place,
    pub font: Vec<u8>,
}

impl Request {
    /// Refused before any card work when the font does not parse.
    pub fn check(&self) -> Result<()> {
        ttf_parser::Face::parse(&self.font, 0)
            .map(drop)
            .map_err(|e| {
                Error::Pdf(format!(
                    "the stamp's font does not parse ({e}): give a TrueType or OpenType file"
                ))
            })
    }
}

/// The stamp, laid out, ready to be written as objects.
pub struct Stamp {
    /// The widget's rectangle on the page.
    pub rect: [f64; 4],
    width: f64,
    height: f64,
    /// Each line as CIDs.
    lines: Vec<Vec<u16>>,
    /// (CID, width in 1/1000 em, the characters it shows).
    glyphs: Vec<(u16, f64, String)>,
    font_file: Vec<u8>,
    base_font: String,
    bbox: [i64; 4],
    ascent: i64,
    descent: i64,
    cap_height: i64,
}

/// The text of the stamp: the signer and the time (`/M`, a PDF date in JST).
pub fn lines(signer: &str, pdf_date: &str) -> Vec<String> {
    let d: Vec<char> = pdf_date.trim_start_matches("D:").chars().collect();
    let part = |a: usize, b: usize| {
        d.get(a..b)
            .map(|c| c.iter().collect::<String>())
            .unwrap_or_default()
    };
    let when = format!(
        "{}-{}-{} {}:{}:{} JST",
        part(0, 4),
        part(4, 6),
        part(6, 8),
        part(8, 10),
        part(10, 12),
        part(12, 14)
    );
    vec![
        format!("電子署名 Digitally signed by {signer}"),
        format!("署名日時 Signed at {when}"),
    ]
}

fn real(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Lay out `text` at `place` in the font `font` (TrueType/OpenType), subset.
pub fn build(font: &[u8], text: &[String], place: Place) -> Result<Stamp> {
    let bad = |w: String| Error::Pdf(format!("the stamp's font {w}"));
    let face =
        ttf_parser::Face::parse(font, 0).map_err(|e| bad(format!("does not parse ({e})")))?;
    let em = f64::from(face.units_per_em());
    let mut remap = subsetter::GlyphRemapper::new();
    let mut glyphs: Vec<(u16, f64, String)> = Vec::new();
    let mut lines = Vec::new();
    let mut widest: f64 = 0.0;
    for line in text {
        let mut cids = Vec::new();
        let mut w = 0.0;
        for c in line.chars() {
            // A character the font lacks shows as its .notdef glyph.
            let gid = face.glyph_index(c).map_or(0, |g| g.0);
            let cid = remap.remap(gid);
            let adv = face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .map_or(1000.0, |a| f64::from(a) * 1000.0 / em);
            match glyphs.iter_mut().find(|g| g.0 == cid) {
                Some(g) if !g.2.contains(c) && gid != 0 => g.2.push(c),
                Some(_) => {}
                None => glyphs.push((
                    cid,
                    adv,
                    if gid == 0 {
                        String::new()
                    } else {
                        c.to_string()
                    },
                )),
            }
            w += adv * SIZE / 1000.0;
            cids.push(cid);
        }
        widest = widest.max(w);
        lines.push(cids);
    }
    let font_file =
        subsetter::subset(font, 0, &remap).map_err(|e| bad(format!("cannot be subset ({e})")))?;
    let name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .filter_map(|n| {
            n.to_string().or_else(|| {
                n.name
                    .is_ascii()
                    .then(|| String::from_utf8_lossy(n.name).into_owned())
            })
        })
        .find(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .unwrap_or_else(|| "Font".into());
    // A subset's name: a tag of six capitals from what it holds (ISO 32000-1 §9.6.4).
    let tag: String = Sha256::digest(&font_file)
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let scale = |v: i16| (f64::from(v) * 1000.0 / em).round() as i64;
    let b = face.global_bounding_box();
    let width = (widest + 2.0 * PAD).ceil();
    let height = (LEADING * text.len() as f64 + 2.0 * PAD).ceil();
    Ok(Stamp {
        rect: [place.x, place.y, place.x + width, place.y + height],
        width,
        height,
        lines,
        glyphs,
        font_file,
        base_font: format!("{tag}+{name}"),
        bbox: [
            scale(b.x_min),
            scale(b.y_min),
            scale(b.x_max),
            scale(b.y_max),
        ],
        ascent: scale(face.ascender()),
        descent: scale(face.descender()),
        cap_height: face.capital_height().map_or(700, scale),
    })
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<<{dict} /Length {}>>\nstream\r\n", data.len()).into_bytes();
    out.extend(data);
    out.extend(b"\r\nendstream");
    out
}

impl Stamp {
    /// The appearance stream's content: a white box, a red frame, the lines.
    fn content(&self) -> Vec<u8> {
        let (w, h) = (self.width, self.height);
        let mut c = format!(
            "q 1 1 1 rg 0 0 {} {} re f 0.75 0.1 0.1 RG 1 w 0.5 0.5 {} {} re S\nBT 0.6 0 0 rg /F1 {} Tf {} {} Td\n",
            real(w),
            real(h),
            real(w - 1.0),
            real(h - 1.0),
            real(SIZE),
            real(PAD),
            real(h - PAD - SIZE * 0.9)
        );
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                let _ = write!(c, "0 {} Td ", real(-LEADING));
            }
            c.push('<');
            for cid in line {
                let _ = write!(c, "{cid:04X}");
            }
            c.push_str("> Tj\n");
        }
        c.push_str("ET Q\n");
        c.into_bytes()
    }

    fn to_unicode(&self) -> Vec<u8> {
        let mut m = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let mapped: Vec<_> = self.glyphs.iter().filter(|g| !g.2.is_empty()).collect();
        for chunk in mapped.chunks(100) {
            let _ = writeln!(m, "{} beginbfchar", chunk.len());
            for (cid, _, text) in chunk {
                let u: String = text.encode_utf16().map(|x| format!("{x:04X}")).collect();
                let _ = writeln!(m, "<{cid:04X}> <{u}>");
            }
            m.push_str("endbfchar\n");
        }
        m.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        m.into_bytes()
    }

    /// The objects, numbered from `first`: the appearance (`first`, the
    /// widget's `/AP /N`), the Type 0 font, its CID font, its descriptor,
    /// the font file and the ToUnicode map.
    pub fn objects(&self, first: u32) -> Vec<(u32, Vec<u8>)> {
        let [ap, t0, cid, desc, file, uni] = [0, 1, 2, 3, 4, 5].map(|i| first + i);
        let mut widths = String::new();
        let mut g = self.glyphs.clone();
        g.sort_by_key(|x| x.0);
        for (c, w, _) in &g {
            let _ = write!(widths, "{c} [{}] ", real(*w));
        }
        let [x0, y0, x1, y1] = self.bbox;
        vec![
            (
                ap,
                stream(
                    &format!(
                        "/Type /XObject /Subtype /Form /BBox [0 0 {} {}] /Resources <</Font <</F1 {t0} 0 R>>>>",
                        real(self.width),
                        real(self.height)
                    ),
                    &self.content(),
                ),
            ),
            (
                t0,
                format!(
                    "<</Type /Font /Subtype /Type0 /BaseFont /{} /Encoding /Identity-H \
                     /DescendantFonts [{cid} 0 R] /ToUnicode {uni} 0 R>>",
                    self.base_font
                )
                .into_bytes(),
            ),
            (
                cid,
                format!(
                    "<</Type /Font /Subtype /CIDFontType2 /BaseFont /{} \
                     /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> \
                     /FontDescriptor {desc} 0 R /CIDToGIDMap /Identity /DW 1000 /W [{}]>>",
                    self.base_font,
                    widths.trim_end()
                )
                .into_bytes(),
            ),
            (
                desc,
                format!(
                    "<</Type /FontDescriptor /FontName /{} /Flags 4 /FontBBox [{x0} {y0} {x1} {y1}] \
                     /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {file} 0 R>>",
                    self.base_font, self.ascent, self.descent, self.cap_height
                )
                .into_bytes(),
            ),
            (
                file,
                stream(&format!("/Length1 {}", self.font_file.len()), &self.font_file),
            ),
            (uni, stream("", &self.to_unicode())),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_page_x_y() {
        assert_eq!(
            "2, 36,40.5".parse::<Place>(),
            Ok(Place {
                page: 2,
                x: 36.0,
                y: 40.5
            })
        );
        for bad in ["0,1,1", "1,1", "a,1,1", "1,-1,1", "1,1,nan"] {
            assert!(bad.parse::<Place>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_lines_name_the_signer_and_the_time_in_both_languages() {
        let l = lines("黒桐　幹也", "D:20261206142019+09'00'");
        assert_eq!(l[0], "電子署名 Digitally signed by 黒桐　幹也");
        assert_eq!(l[1], "署名日時 Signed at 2026-12-06 14:20:19 JST");
    }

    #[test]
    fn a_font_that_is_not_one_is_refused() {
        let e = build(
            b"not a font",
            &["a".into()],
            Place {
                page: 1,
                x: 0.0,
                y: 0.0,
            },
        );
        assert!(e.is_err());
    }
}
