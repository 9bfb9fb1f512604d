//! The card face's pictures, for the eye of the person at the counter: the
//! photo (券面AP `DF27`, JPEG 2000) and the name and address images (`DF25`,
//! `DF26`, PNG) decoded to greyscale, and drawn as Unicode half-blocks — one
//! character cell holds two pixels, one above the other (`▀` with the upper
//! pixel as its colour and the lower as its background, or, without colour,
//! a dithered choice of ` ▀▄█`). Pure: bytes in, pixels and cells out; the
//! presenters put them on a terminal or in a file. The pixels are personal
//! data: wiped when dropped, never in `Debug`.

use zeroize::Zeroize;

/// The largest picture decoded: a card's photo is a few hundred pixels a
/// side; anything far larger is not a card's, and is refused before its
/// pixels are allocated.
pub const MAX_SIDE: u32 = 2048;

/// Why a picture could not be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// Not a JPEG 2000 image the decoder reads (its message).
    Jpeg2000(String),
    /// Not a PNG image (its message).
    Png(String),
    /// Larger than [`MAX_SIDE`] on a side.
    TooLarge { width: u32, height: u32 },
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageError::Jpeg2000(e) => write!(f, "the photo is not a JPEG 2000 image mynacard can decode ({e})"),
            ImageError::Png(e) => write!(f, "the image is not a PNG mynacard can decode ({e})"),
            ImageError::TooLarge { width, height } => write!(
                f,
                "the image is {width}×{height} pixels, larger than a card's ({MAX_SIDE} a side at most)"
            ),
        }
    }
}

/// A greyscale picture, 8 bits a pixel, row by row (0 black, 255 white).
#[derive(Clone, PartialEq, Eq)]
pub struct Grey {
    pub width: u32,
    pub height: u32,
    pixels: Vec<u8>,
}

impl Drop for Grey {
    fn drop(&mut self) {
        self.pixels.zeroize();
    }
}

impl std::fmt::Debug for Grey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Grey({}×{}, REDACTED)", self.width, self.height)
    }
}

impl Grey {
    /// `pixels` must hold `width × height` values (it is cut or padded).
    pub fn new(width: u32, height: u32, mut pixels: Vec<u8>) -> Grey {
        pixels.resize(width as usize * height as usize, 255);
        Grey {
            width,
            height,
            pixels,
        }
    }

    /// The pixel at (x, y); white outside.
    pub fn at(&self, x: u32, y: u32) -> u8 {
        if x >= self.width || y >= self.height {
            return 255;
        }
        self.pixels
            .get(y as usize * self.width as usize + x as usize)
            .copied()
            .unwrap_or(255)
    }

    /// Scaled to `w`×`h` by averaging the pixels each new one covers (a
    /// box filter: a photo shrunk by ten keeps its shapes, not its noise).
    pub fn resized(&self, w: u32, h: u32) -> Grey {
        let (w, h) = (w.max(1), h.max(1));
        let mut out = Vec::with_capacity(w as usize * h as usize);
        for y in 0..h {
            let (y0, y1) = span(y, h, self.height);
            for x in 0..w {
                let (x0, x1) = span(x, w, self.width);
                let (mut sum, mut n) = (0u64, 0u64);
                for yy in y0..y1 {
                    for xx in x0..x1 {
                        sum += u64::from(self.at(xx, yy));
                        n += 1;
                    }
                }
                out.push(u8::try_from(sum / n.max(1)).unwrap_or(255));
            }
        }
        Grey::new(w, h, out)
    }
}

impl Grey {
    /// Contrast stretched so the darkest 2 % are black and the lightest
    /// 2 % white: a pale photo keeps its shapes when dithered to two tones.
    fn stretch(&mut self) {
        let mut sorted = self.pixels.clone();
        sorted.sort_unstable();
        let n = sorted.len();
        if n == 0 {
            return;
        }
        let lo = u32::from(sorted[n / 50]);
        let hi = u32::from(sorted[(n - 1) - n / 50]);
        sorted.zeroize();
        if hi <= lo + 16 {
            return;
        }
        for p in &mut self.pixels {
            let v = u32::from(*p).clamp(lo, hi);
            *p = u8::try_from((v - lo) * 255 / (hi - lo)).unwrap_or(255);
        }
    }
}

/// The source rows (or columns) that new row `i` of `new` covers, of `old`.
fn span(i: u32, new: u32, old: u32) -> (u32, u32) {
    let a = (u64::from(i) * u64::from(old) / u64::from(new)) as u32;
    let b = (u64::from(i + 1) * u64::from(old)).div_ceil(u64::from(new)) as u32;
    (a, b.max(a + 1).min(old.max(1)))
}

fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok(())
}

/// Interleaved 8-bit samples of `channels` (colour first, then alpha) to
/// grey: one channel as it is, three as luma (ITU-R BT.601), alpha over
/// white.
fn to_grey(samples: &[u8], channels: usize, colour: usize) -> Vec<u8> {
    samples
        .chunks(channels.max(1))
        .map(|p| {
            let g = if colour >= 3 && p.len() >= 3 {
                (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000
            } else {
                u32::from(p.first().copied().unwrap_or(255))
            };
            let a = if channels > colour {
                u32::from(p.get(colour).copied().unwrap_or(255))
            } else {
                255
            };
            u8::try_from((g * a + 255 * (255 - a)) / 255).unwrap_or(255)
        })
        .collect()
}

/// The photo (`DF27`): JPEG 2000, in the JP2 container or a bare
/// codestream, decoded in pure Rust (hayro-jpeg2000).
pub fn decode_photo(jp2: &[u8]) -> Result<Grey, ImageError> {
    use hayro_jpeg2000::{DecodeSettings, Image};
    let img = Image::new(jp2, &DecodeSettings::default())
        .map_err(|e| ImageError::Jpeg2000(format!("{e:?}")))?;
    check_size(img.width(), img.height())?;
    let colour = usize::from(img.color_space().num_channels());
    let channels = colour + usize::from(img.has_alpha());
    // The decoder is young: a fault in it on a hostile file is an error
    // here, never a crash of the counter screen.
    let mut samples = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| img.decode()))
        .map_err(|_| ImageError::Jpeg2000("the decoder failed".into()))?
        .map_err(|e| ImageError::Jpeg2000(format!("{e:?}")))?;
    let grey = to_grey(&samples, channels, colour);
    samples.zeroize();
    Ok(Grey::new(img.width(), img.height(), grey))
}

/// A name or address image (`DF25`, `DF26`): PNG, any bit depth.
pub fn decode_png(bytes: &[u8]) -> Result<Grey, ImageError> {
    let bad = |e: png::DecodingError| ImageError::Png(e.to_string());
    let limits = png::Limits { bytes: 16 << 20 };
    let mut d = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits);
    d.set_transformations(png::Transformations::normalize_to_color8());
    let mut r = d.read_info().map_err(bad)?;
    let (w, h) = (r.info().width, r.info().height);
    check_size(w, h)?;
    let size = r
        .output_buffer_size()
        .ok_or_else(|| ImageError::Png("too large".into()))?;
    let mut buf = vec![0; size];
    let info = r.next_frame(&mut buf).map_err(bad)?;
    let (colour, channels) = match info.color_type {
        png::ColorType::Grayscale | png::ColorType::Indexed => (1, 1),
        png::ColorType::GrayscaleAlpha => (1, 2),
        png::ColorType::Rgb => (3, 3),
        png::ColorType::Rgba => (3, 4),
    };
    let rows: Vec<u8> = buf
        .chunks(info.line_size.max(1))
        .take(h as usize)
        .flat_map(|row| row.iter().take(w as usize * channels).copied())
        .collect();
    buf.zeroize();
    let grey = to_grey(&rows, channels, colour);
    Ok(Grey::new(w, h, grey))
}

/// The picture as an 8-bit greyscale PNG (the photo written as a file any
/// viewer opens).
pub fn encode_png(g: &Grey) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, g.width, g.height);
        e.set_color(png::ColorType::Grayscale);
        e.set_depth(png::BitDepth::Eight);
        let bad = |e: png::EncodingError| ImageError::Png(e.to_string());
        let mut w = e.write_header().map_err(bad)?;
        w.write_image_data(&g.pixels).map_err(bad)?;
        w.finish().map_err(bad)?;
    }
    Ok(out)
}

/// The cells a `w`×`h` picture takes at most `cols`×`rows`, its shape kept
/// (a cell is about twice as tall as wide, and holds two pixels one above
/// the other, so each pixel is about square).
pub fn fit(w: u32, h: u32, cols: u16, rows: u16) -> (u16, u16) {
    if w == 0 || h == 0 || cols == 0 || rows == 0 {
        return (0, 0);
    }
    let (w, h) = (f64::from(w), f64::from(h));
    let scale = (f64::from(cols) / w).min(f64::from(rows) * 2.0 / h);
    let c = (w * scale).round().clamp(1.0, f64::from(cols)) as u16;
    let r = (h * scale / 2.0).ceil().clamp(1.0, f64::from(rows)) as u16;
    (c, r)
}

/// One character cell: the character, and the grey of its upper and lower
/// half (for the colours of `▀`: foreground the upper, background the
/// lower).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub ch: char,
    pub top: u8,
    pub bottom: u8,
}

/// A 4×4 ordered-dither matrix (Bayer), thresholds 8..248.
const BAYER: [[u8; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];

/// Whether the pixel at (x, y) is drawn lit without colour.
fn lit(v: u8, x: u32, y: u32) -> bool {
    let t = BAYER[(y % 4) as usize][(x % 4) as usize] * 16 + 8;
    v > t
}

/// The picture in `cols`×`rows` half-block cells. With `colour`, every
/// cell is `▀` and its two greys are the colours; without, light pixels
/// are drawn (the terminal's text colour) and dark ones left blank,
/// dithered, so the shapes show in any terminal.
pub fn half_blocks(g: &Grey, cols: u16, rows: u16, colour: bool) -> Vec<Vec<Cell>> {
    let mut small = g.resized(u32::from(cols), u32::from(rows) * 2);
    if !colour {
        small.stretch();
    }
    (0..u32::from(rows))
        .map(|r| {
            (0..u32::from(cols))
                .map(|x| {
                    let (top, bottom) = (small.at(x, 2 * r), small.at(x, 2 * r + 1));
                    let ch = if colour {
                        '▀'
                    } else {
                        match (lit(top, x, 2 * r), lit(bottom, x, 2 * r + 1)) {
                            (false, false) => ' ',
                            (true, false) => '▀',
                            (false, true) => '▄',
                            (true, true) => '█',
                        }
                    };
                    Cell { ch, top, bottom }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
