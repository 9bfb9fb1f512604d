//! The user's language for messages and reports.

mod terms;

pub use terms::{cert_name, describe_token, format_problem, key_name, sex_label, PinText};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese when the locale is ja_*: LANGUAGE (its first entry, as
    /// gettext reads it), then LC_ALL, LC_MESSAGES, LANG.
    pub fn from_env() -> Lang {
        if let Ok(v) = std::env::var("LANGUAGE") {
            if let Some(first) = v.split(':').find(|s| !s.is_empty()) {
                return if first.starts_with("ja") {
                    Lang::Ja
                } else {
                    Lang::En
                };
            }
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if v.is_empty() {
                    continue;
                }
                return if v.starts_with("ja") {
                    Lang::Ja
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// How many terminal columns `s` takes (East Asian wide characters two):
/// the one display-width rule of every aligned column.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` padded with spaces to `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// `--wareki`: Japanese dates also in the Japanese era (和暦). Set once at
/// start-up; a presentation choice, like the language.
static WAREKI: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_wareki(on: bool) {
    WAREKI.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// A date as a Japanese text shows it: 2035年2月17日, and with `--wareki`
/// 2035年2月17日 (令和17年).
pub fn jp_date(d: time::Date) -> String {
    let g = format!("{}年{}月{}日", d.year(), d.month() as u8, d.day());
    if !WAREKI.load(std::sync::atomic::Ordering::Relaxed) {
        return g;
    }
    match crate::rules::era_of(d) {
        Some(e) if e.year == 1 => format!("{g} ({}元年)", e.name),
        Some(e) => format!("{g} ({}{}年)", e.name, e.year),
        None => g,
    }
}

/// With `--wareki`, in Japanese: ` (令和12年)` for a text starting with an
/// ISO date (`2030-02-17 23:59:59 JST`, `1980-02-17`), so that every command
/// that shows a date shows the era; else nothing.
pub fn era_note(iso: &str, lang: Lang) -> String {
    if lang != Lang::Ja || !WAREKI.load(std::sync::atomic::Ordering::Relaxed) {
        return String::new();
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let Some(d) = iso.get(..10).and_then(|s| time::Date::parse(s, &fmt).ok()) else {
        return String::new();
    };
    match crate::rules::era_of(d) {
        Some(e) if e.year == 1 => format!(" ({}元年)", e.name),
        Some(e) => format!(" ({}{}年)", e.name, e.year),
        None => String::new(),
    }
}

/// "in 3 days" / "today" / "3 days ago", for "expires …": あと 3 日で / 本日 /
/// 3 日前に. One home for the plural and for the last day.
pub fn days_left(days: i64, lang: Lang) -> String {
    match (lang, days) {
        (Lang::Ja, 0) => "本日が".into(),
        (Lang::Ja, d) if d > 0 => format!("あと {d} 日で"),
        (Lang::Ja, d) => format!("{} 日前に", -d),
        (Lang::En, 0) => "today".into(),
        (Lang::En, 1) => "in 1 day".into(),
        (Lang::En, d) if d > 0 => format!("in {d} days"),
        (Lang::En, -1) => "1 day ago".into(),
        (Lang::En, d) => format!("{} days ago", -d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates() {
        assert_eq!(days_left(0, Lang::En), "today");
        assert_eq!(days_left(1, Lang::En), "in 1 day");
        assert_eq!(days_left(-1, Lang::En), "1 day ago");
        assert_eq!(days_left(0, Lang::Ja), "本日が");
        assert_eq!(
            jp_date(time::macros::date!(2035 - 02 - 17)),
            "2035年2月17日"
        );
    }
}
