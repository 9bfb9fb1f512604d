//! PDF signatures: reading a PDF's structure (`parse`), the incremental
//! update that carries a new signature (`write`), and the check of every
//! signature a PDF holds (`verify`). PDF objects are parsed with `lopdf`;
//! the update is written here as appended bytes, never by rewriting the
//! file. The card work is `usecase::pdf`'s.

pub mod diff;
pub mod parse;
pub mod source;
pub mod stamp;
pub mod syntax;
pub mod verify;
pub mod write;

/// A PDF date in JST (`D:YYYYMMDDHHmmSS+09'00'`, ISO 32000-1 §7.9.4).
pub fn pdf_date(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(crate::rules::JST);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+09'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
