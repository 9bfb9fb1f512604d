//! 照合番号B from what is printed on the card (card-protocol.md §5.3): the
//! birth date as printed (西暦 or 和暦, any usual spelling), the card's
//! expiry year and the 4-digit security code, into the 14 digits the card
//! takes: 和暦 `YYMMDD` ‖ expiry year `YYYY` ‖ code. Counter staff never
//! convert eras by hand. The parts are secrets: no error names them.

use crate::card::pin::Pin;
use time::{Date, Month};
use zeroize::Zeroize;

/// What is wrong with the typed parts (never the parts themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Not three parts (birth date, expiry year, security code).
    Parts { got: usize },
    /// The birth date is not a date in a spelling mynacard reads.
    BirthDate,
    /// The expiry year is not a 4-digit year (西暦).
    ExpiryYear,
    /// The security code is not 4 digits.
    SecurityCode,
}

impl Problem {
    /// In English, for `Error::PinInput` (technical detail).
    pub fn text(self) -> String {
        match self {
            Problem::Parts { got } => format!(
                "照合番号B needs three parts — birth date, expiry year, security code — separated by spaces or on three lines; got {got}"
            ),
            Problem::BirthDate => "the birth date is not one mynacard can read (1980-02-17, 1980/2/17, 昭和55年2月17日, S55.2.17 or 和暦 YYMMDD are)".into(),
            Problem::ExpiryYear => "the expiry year must be the 4-digit year printed on the card (e.g. 2035)".into(),
            Problem::SecurityCode => "the security code must be the 4 digits printed on the card".into(),
        }
    }
}

/// Full-width digits and separators to ASCII; NFKC-like for the few
/// characters a date is typed with.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '／' => '/',
            '－' | 'ー' | '―' | '‐' => '-',
            '\u{3000}' => ' ',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The eras a printed date may name: (names and letters, year before 元年).
const ERAS: [(&[&str], i32); 5] = [
    (&["令和", "R"], 2018),
    (&["平成", "H"], 1988),
    (&["昭和", "S"], 1925),
    (&["大正", "T"], 1911),
    (&["明治", "M"], 1867),
];

fn numbers(s: &str) -> Vec<i32> {
    s.replace("元", "1")
        .split(|c: char| !c.is_ascii_digit())
        .filter(|x| !x.is_empty())
        .filter_map(|x| x.parse().ok())
        .collect()
}

fn date(y: i32, m: i32, d: i32) -> Option<Date> {
    let m = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(y, m, u8::try_from(d).ok()?).ok()
}

/// A birth date as printed or typed: `1980-02-17`, `1980/2/17`,
/// `1980年2月17日`, `19800217`, `昭和55年2月17日`, `S55.2.17`, `S550217`,
/// `令和元年5月1日`, or the 和暦 `YYMMDD` itself (`550217`, era unknown).
/// Returns the 和暦 `YYMMDD` the card takes.
pub fn wareki_of(birth: &str) -> Option<String> {
    // A birth date is personal data: the folded copy is wiped too.
    let folded = zeroize::Zeroizing::new(fold(birth));
    let s = folded.trim();
    for (names, base) in ERAS {
        let Some(rest) = names.iter().find_map(|n| s.strip_prefix(n)) else {
            continue;
        };
        let (y, m, d) = match numbers(rest).as_slice() {
            [y, m, d] => (*y, *m, *d),
            [ymd] if rest.trim().len() == 6 => (ymd / 10000, ymd / 100 % 100, ymd % 100),
            _ => return None,
        };
        let g = date(base + y, m, d)?;
        // The era must be the date's own (平成31年5月1日 is 令和元年).
        if crate::rules::era_of(g).map(|e| e.year) != Some(y) {
            return None;
        }
        return Some(crate::rules::wareki_yymmdd(g));
    }
    let g = match numbers(s).as_slice() {
        [y, m, d] if *y >= 1868 => date(*y, *m, *d)?,
        [ymd] if s.len() == 8 => date(ymd / 10000, ymd / 100 % 100, ymd % 100)?,
        // Already 和暦 YYMMDD: checked to be a month and day.
        [_] if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) => {
            let (m, d) = (s[2..4].parse().ok()?, s[4..].parse().ok()?);
            date(2000, m, d)?;
            return Some(s.to_string());
        }
        _ => return None,
    };
    crate::rules::era_of(g).map(|_| crate::rules::wareki_yymmdd(g))
}

/// Build 照合番号B from the typed text: one line `BIRTH EXPIRY-YEAR CODE`,
/// or the three on three lines. The input is wiped.
pub fn code_b(mut typed: String) -> Result<Pin, Problem> {
    let r = build(&typed);
    typed.zeroize();
    r
}

fn build(typed: &str) -> Result<Pin, Problem> {
    let mut folded = fold(typed);
    let parts: Vec<&str> = folded.split_whitespace().collect();
    let n = parts.len();
    let r = if n < 3 {
        Err(Problem::Parts { got: n })
    } else {
        // A birth date typed with spaces ("昭和 55年 2月 17日"): all but
        // the last two parts.
        let mut birth: String = parts[..n - 2].concat();
        let r = finish(&birth, parts[n - 2], parts[n - 1]);
        birth.zeroize();
        r
    };
    folded.zeroize();
    r
}

fn finish(birth: &str, year: &str, code: &str) -> Result<Pin, Problem> {
    let mut yymmdd = wareki_of(birth).ok_or(Problem::BirthDate)?;
    let year = year.trim_end_matches('年');
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::ExpiryYear);
    }
    if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::SecurityCode);
    }
    let pin = Pin::new(format!("{yymmdd}{year}{code}"));
    yymmdd.zeroize();
    Ok(pin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> String {
        code_b(s.to_string()).unwrap().expose().to_string()
    }

    #[test]
    fn every_usual_spelling_gives_myna_cards_example() {
        // myna-card: born 1980-02-17 (昭和55), expiry 2035, code 2285.
        for birth in [
            "1980-02-17",
            "1980/2/17",
            "1980.2.17",
            "19800217",
            "1980年2月17日",
            "昭和55年2月17日",
            "昭和５５年２月１７日",
            "S55.2.17",
            "s55.02.17",
            "S550217",
            "550217",
        ] {
            assert_eq!(
                b(&format!("{birth} 2035 2285")),
                "55021720352285",
                "{birth}"
            );
        }
        assert_eq!(b("1980-02-17\n2035\n2285\n"), "55021720352285");
        assert_eq!(b("昭和 55年 2月 17日 2035 2285"), "55021720352285");
        assert_eq!(b("令和元年5月1日 2030 0001"), "01050120300001");
        assert_eq!(b("2020-02-24 2030 1234"), "02022420301234");
    }

    #[test]
    fn wrong_parts_say_which_without_echoing_them() {
        let e = |s: &str| code_b(s.to_string()).unwrap_err();
        assert_eq!(e("1980-02-17 2035"), Problem::Parts { got: 2 });
        assert_eq!(e("1980-02-30 2035 2285"), Problem::BirthDate);
        assert_eq!(e("平成31年5月1日 2035 2285"), Problem::BirthDate);
        assert_eq!(e("1980-02-17 35 2285"), Problem::ExpiryYear);
        assert_eq!(e("1980-02-17 2035 228"), Problem::SecurityCode);
        for p in [Problem::BirthDate, Problem::SecurityCode] {
            assert!(!p.text().contains("2285"));
        }
    }
}
