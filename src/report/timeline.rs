//! The expiry timeline as one line of text: today at the left, the latest
//! expiry at the right, each certificate's and the card's last day marked
//! by a letter and its renewal window by `=`. ASCII only, so that it keeps
//! its width in a Japanese terminal (box-drawing characters are
//! East-Asian-ambiguous and may take two columns there).

use crate::i18n::Lang;
use crate::protocol::CertSlot;
use crate::rules;
use time::Date;

/// One thing that expires: its letter and its last valid day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub key: char,
    pub last_day: Date,
}

/// `|--==a----==s---==C|` across `width` columns (at least 8): today is
/// the first column, the latest last day the last. A last day already past
/// is drawn at the left as `!`; marks on the same column keep the later
/// one in the list.
pub fn bar(today: Date, marks: &[Mark], width: usize) -> String {
    let inner = width.max(8) - 2;
    let end = marks
        .iter()
        .map(|m| m.last_day)
        .max()
        .unwrap_or(today)
        .max(today);
    let span = rules::days_between(today, end).max(1) as f64;
    let col = |d: Date| -> usize {
        let days = rules::days_between(today, d).max(0) as f64;
        ((days / span) * (inner - 1) as f64).round() as usize
    };
    let mut cells = vec!['-'; inner];
    for m in marks {
        if m.last_day < today {
            continue;
        }
        let from = col(rules::renewal_opens(m.last_day).max(today));
        let to = col(m.last_day);
        for c in cells.iter_mut().take(to).skip(from) {
            *c = '=';
        }
    }
    for m in marks {
        if m.last_day < today {
            cells[0] = '!';
        } else {
            cells[col(m.last_day)] = m.key;
        }
    }
    format!("|{}|", cells.into_iter().collect::<String>())
}

/// The report's marks: `a` the user-authentication certificate's last day,
/// `s` the signature certificate's (when read), `C` the card's; and the
/// legend of a bar drawn from them, in `lang` (one name and date per mark,
/// then what `=` and `!` mean).
pub fn marks(inp: &super::Input, lang: Lang) -> (Vec<Mark>, Vec<String>) {
    let mut marks = Vec::new();
    let mut legend = Vec::new();
    for (key, name, d) in [
        (
            'a',
            crate::i18n::cert_name(CertSlot::Auth, lang),
            inp.auth.as_ref().map(|f| f.not_after),
        ),
        (
            's',
            crate::i18n::cert_name(CertSlot::Sign, lang),
            inp.sign.as_ref().map(|f| f.not_after),
        ),
        ('C', lang.pick("カード", "card"), inp.card_expiry),
    ] {
        if let Some(d) = d {
            marks.push(Mark { key, last_day: d });
            legend.push(format!("{key} {name} {d}"));
        }
    }
    if !marks.is_empty() {
        legend.push(lang.pick("= 更新受付期間", "= renewal window").to_string());
        if marks.iter().any(|m| m.last_day < inp.today) {
            legend.push(lang.pick("! 期限切れ", "! expired").to_string());
        }
    }
    (marks, legend)
}

/// The last column's day: the latest last day, or today.
pub fn end(today: Date, marks: &[Mark]) -> Date {
    marks
        .iter()
        .map(|m| m.last_day)
        .max()
        .unwrap_or(today)
        .max(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn marks_sit_where_their_days_fall_with_their_renewal_windows_before_them() {
        let today = date!(2026 - 12 - 02);
        let marks = [
            Mark {
                key: 'a',
                last_day: date!(2030 - 02 - 17),
            },
            Mark {
                key: 'C',
                last_day: date!(2035 - 02 - 17),
            },
        ];
        let b = bar(today, &marks, 42);
        assert_eq!(b.chars().count(), 42);
        assert!(b.starts_with("|-") && b.ends_with("C|"), "{b}");
        let a = b.find('a').unwrap();
        // 2030-02-17 is 3 y 2.5 m of 8 y 2.5 m: about 39% of the way.
        assert!((14..=17).contains(&a), "{b}");
        // The renewal window (3 months before) is just before the letter.
        assert_eq!(&b[a - 1..a], "=");
        assert_eq!(b[1..a].matches('=').count(), 1, "{b}");
    }

    #[test]
    fn a_past_day_is_at_the_left_and_an_open_window_starts_today() {
        let today = date!(2026 - 12 - 02);
        let marks = [
            Mark {
                key: 's',
                last_day: date!(2026 - 11 - 30),
            },
            Mark {
                key: 'C',
                last_day: date!(2027 - 01 - 10),
            },
        ];
        let b = bar(today, &marks, 20);
        assert_eq!(b, format!("|!{}C|", "=".repeat(16)));
        // Nothing to show still gives a bar of the width asked.
        assert_eq!(bar(today, &[], 10), "|--------|");
    }
}
