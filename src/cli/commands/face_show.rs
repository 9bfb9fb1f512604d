//! `face-check --show` and `--images DIR`: the face for comparison, only
//! when asked. On a terminal the photo and the name and address images are
//! drawn as Unicode half-blocks, or with the terminal's own graphics where
//! it says it has them (kitty's protocol, iTerm2's inline images); the
//! birth date and sex as text. `--images DIR` writes them as files (0600,
//! atomic, an existing file refused unless `--force`). Shown and written
//! only when the face data are J-LIS's and unaltered (levels 1 and 2).

use super::Ctx;
use crate::cli::output::{paint, Tone};
use crate::error::Result;
use crate::i18n::{pad, sex_label, Lang};
use crate::report::face_image::{self, Cell, Grey};
use crate::usecase::face::FaceCheck;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone, Default)]
pub struct ShowArgs {
    /// Show the face for comparison: the photo and the name and address images, the birth date and sex (in --json only the birth date and sex, and only with this option)
    #[arg(long)]
    pub show: bool,
    /// Write the photo (photo.jp2 as the chip holds it, and photo.png), the name and address images (name.png, address.png) to the folder DIR, readable by you only
    #[arg(short = 'o', long = "images", value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// Replace image files already in DIR
    #[arg(long, requires = "images")]
    pub force: bool,
}

/// The files `--images` writes, in order.
pub const FILES: [&str; 4] = ["photo.jp2", "photo.png", "name.png", "address.png"];

/// What `--json` adds when asked: the signed birth date and sex with
/// `--show`, the files written with `--images`.
#[derive(serde::Serialize, schemars::JsonSchema, Default)]
pub struct FaceShown {
    /// 生年月日 as signed (`DF22`), `YYYY-MM-DD` (only with `--show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// 性別 as signed (`DF23`), ISO/IEC 5218: 1 male, 2 female, 9 not
    /// applicable (only with `--show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex_code: Option<String>,
    /// The files written (`--images DIR`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

fn targets(dir: &Path) -> Vec<PathBuf> {
    FILES.iter().map(|f| dir.join(f)).collect()
}

/// Before any card work: may every file be written? (A refusal never
/// costs a try.)
pub fn check(a: &ShowArgs) -> Result<()> {
    let Some(dir) = &a.images else { return Ok(()) };
    for p in targets(dir) {
        super::cert::check_output(Some(&p), a.force)?;
    }
    Ok(())
}

/// Write the files (`--images`); the paths written.
pub fn write(a: &ShowArgs, c: &FaceCheck) -> Result<Vec<String>> {
    let Some(dir) = &a.images else {
        return Ok(Vec::new());
    };
    if !c.face_signed() {
        return Ok(Vec::new());
    }
    let p = &c.personal;
    let photo_png = face_image::decode_photo(&p.photo)
        .and_then(|g| face_image::encode_png(&g))
        .map_err(|e| crate::error::Error::Data(format!("券面AP EF 0002 DF27: {e}")))?;
    let bodies: [&[u8]; 4] = [&p.photo, &photo_png, &p.name_image, &p.address_image];
    let mut written = Vec::new();
    for (path, body) in targets(dir).iter().zip(bodies) {
        super::cert::write_out(Some(path), body, a.force, true)?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// `--json`'s addition, when anything was asked.
pub fn json(a: &ShowArgs, c: &FaceCheck, files: Vec<String>) -> Option<FaceShown> {
    if !a.show && files.is_empty() {
        return None;
    }
    let signed = a.show && c.face_signed();
    Some(FaceShown {
        birth_date: signed.then(|| c.personal.birth_date.clone()),
        sex_code: signed.then(|| c.personal.sex_code.clone()),
        files,
    })
}

/// Terminal graphics the terminal says it has (its environment), when
/// standard output is that terminal. `MYNACARD_GRAPHICS=blocks` keeps to
/// half-blocks; `kitty` or `iterm` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Graphics {
    Blocks,
    Kitty,
    Iterm,
}

pub fn graphics(env: &dyn Fn(&str) -> Option<String>, terminal: bool) -> Graphics {
    let is = |k: &str, v: &[&str]| env(k).is_some_and(|x| v.contains(&x.as_str()));
    match env("MYNACARD_GRAPHICS").as_deref() {
        Some("blocks") => return Graphics::Blocks,
        Some("kitty") if terminal => return Graphics::Kitty,
        Some("iterm") if terminal => return Graphics::Iterm,
        _ => {}
    }
    if !terminal {
        Graphics::Blocks
    } else if env("KITTY_WINDOW_ID").is_some()
        || is("TERM", &["xterm-kitty", "xterm-ghostty"])
        || is("TERM_PROGRAM", &["ghostty"])
    {
        Graphics::Kitty
    } else if is("TERM_PROGRAM", &["iTerm.app", "WezTerm"]) || is("LC_TERMINAL", &["iTerm2"]) {
        Graphics::Iterm
    } else {
        Graphics::Blocks
    }
}

/// A PNG as terminal graphics `cols`×`rows` cells: kitty's protocol (the
/// payload in chunks of 4096) or iTerm2's inline image.
pub fn graphic(g: Graphics, png: &[u8], cols: u16, rows: u16) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(png);
    match g {
        Graphics::Kitty => {
            let chunks: Vec<&[u8]> = b64.as_bytes().chunks(4096).collect();
            let mut out = String::new();
            for (i, ch) in chunks.iter().enumerate() {
                let more = u8::from(i + 1 < chunks.len());
                let head = if i == 0 {
                    format!("a=T,f=100,c={cols},r={rows},m={more}")
                } else {
                    format!("m={more}")
                };
                out.push_str(&format!(
                    "\x1b_G{head};{}\x1b\\",
                    String::from_utf8_lossy(ch)
                ));
            }
            out + "\n"
        }
        Graphics::Iterm => format!(
            "\x1b]1337;File=inline=1;size={};width={cols};height={rows};preserveAspectRatio=1:{b64}\x07\n",
            png.len()
        ),
        Graphics::Blocks => String::new(),
    }
}

/// Half-block cells as text lines: with colour, 24-bit grey foreground and
/// background per cell; without, the dithered characters alone.
pub fn lines(cells: &[Vec<Cell>], colour: bool) -> Vec<String> {
    cells
        .iter()
        .map(|row| {
            let mut s = String::new();
            for c in row {
                if colour {
                    s.push_str(&format!(
                        "\x1b[38;2;{t};{t};{t}m\x1b[48;2;{b};{b};{b}m{ch}",
                        t = c.top,
                        b = c.bottom,
                        ch = c.ch
                    ));
                } else {
                    s.push(c.ch);
                }
            }
            if colour {
                s.push_str("\x1b[0m");
            }
            s
        })
        .collect()
}

/// One picture on the terminal, at most `cols`×`rows` cells.
fn picture(ctx: &Ctx, g: &Grey, cols: u16, rows: u16, how: Graphics) {
    let (c, r) = face_image::fit(g.width, g.height, cols, rows);
    if how != Graphics::Blocks {
        if let Ok(png) = face_image::encode_png(g) {
            print!("{}", graphic(how, &png, c, r));
            return;
        }
    }
    for l in lines(&face_image::half_blocks(g, c, r, ctx.color), ctx.color) {
        println!("  {l}");
    }
}

/// `--show` in text: the photo, the name and address images, the birth
/// date and sex; or why they are not shown.
pub fn print(ctx: &Ctx, c: &FaceCheck) {
    let l = ctx.lang;
    if !c.face_signed() {
        println!(
            "{}",
            paint(
                ctx,
                Tone::Bad,
                l.pick(
                    "券面は表示しません: J-LIS が署名したままのデータではありません",
                    "the face is not shown: the data are not as J-LIS signed them"
                )
            )
        );
        return;
    }
    let p = &c.personal;
    let how = graphics(
        &|k| std::env::var(k).ok(),
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    );
    let show = |label: &str, r: std::result::Result<Grey, face_image::ImageError>, cols, rows| {
        println!("{label}");
        match r {
            Ok(g) => picture(ctx, &g, cols, rows, how),
            Err(e) => println!("  {}", paint(ctx, Tone::Warn, &e.to_string())),
        }
    };
    show(
        l.pick("顔写真:", "photo:"),
        face_image::decode_photo(&p.photo),
        24,
        14,
    );
    show(
        l.pick("氏名 (券面の画像):", "name (the card's image):"),
        face_image::decode_png(&p.name_image),
        76,
        4,
    );
    show(
        l.pick("住所 (券面の画像):", "address (the card's image):"),
        face_image::decode_png(&p.address_image),
        76,
        6,
    );
    println!(
        "  {} {}{}  {} {}",
        pad(l.pick("生年月日 (署名付き)", "birth date (signed)"), 24),
        p.birth_date,
        crate::i18n::era_note(&p.birth_date.to_string(), l),
        l.pick("性別", "sex"),
        sex_label(&p.sex_code, l)
    );
}

/// Where the files went (text), or why none was written.
pub fn print_written(ctx: &Ctx, a: &ShowArgs, files: &[String]) {
    let l = ctx.lang;
    if a.images.is_some() && files.is_empty() {
        println!(
            "{}",
            paint(
                ctx,
                Tone::Bad,
                l.pick(
                    "画像は書き出していません: J-LIS が署名したままのデータではありません",
                    "no image written: the data are not as J-LIS signed them"
                )
            )
        );
    }
    for f in files {
        println!(
            "{}",
            paint(
                ctx,
                Tone::Dim,
                &match l {
                    Lang::Ja => format!("書き出しました: {f}"),
                    Lang::En => format!("written: {f}"),
                }
            )
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphics_only_where_the_terminal_says_so() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let g = |p: &'static [(&'static str, &'static str)], t| graphics(&env(p), t);
        assert_eq!(g(&[], true), Graphics::Blocks);
        assert_eq!(g(&[("TERM", "xterm-256color")], true), Graphics::Blocks);
        assert_eq!(g(&[("KITTY_WINDOW_ID", "1")], true), Graphics::Kitty);
        assert_eq!(g(&[("TERM", "xterm-kitty")], false), Graphics::Blocks);
        assert_eq!(g(&[("TERM_PROGRAM", "iTerm.app")], true), Graphics::Iterm);
        assert_eq!(
            g(
                &[
                    ("TERM_PROGRAM", "iTerm.app"),
                    ("MYNACARD_GRAPHICS", "blocks")
                ],
                true
            ),
            Graphics::Blocks
        );
        assert_eq!(g(&[("MYNACARD_GRAPHICS", "kitty")], true), Graphics::Kitty);
    }

    #[test]
    fn kitty_chunks_and_iterm_inline() {
        let png = vec![7u8; 5000];
        let k = graphic(Graphics::Kitty, &png, 20, 10);
        assert!(k.starts_with("\x1b_Ga=T,f=100,c=20,r=10,m=1;"), "{k:.40}");
        assert_eq!(k.matches("\x1b_G").count(), 2);
        assert!(k.contains("\x1b_Gm=0;"));
        let i = graphic(Graphics::Iterm, &png, 20, 10);
        assert!(i.starts_with("\x1b]1337;File=inline=1;size=5000;width=20;height=10;"));
        assert!(i.ends_with("\x07\n"));
    }
}
