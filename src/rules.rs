//! Calendar rules of the card and its certificates (from the public guidance
//! in `shared/seeds`), shared by the report and the virtual card's profile
//! derivation. Pure functions; all dates are calendar dates in JST.
//!
//! - Card: holders who are adults at issuance (18+, or 20+ for applications
//!   before 2022-04-01) until the 10th birthday after issuance, minors until
//!   the 5th.
//! - Certificates: until the 5th birthday after issuance, never past the
//!   card's own expiry.
//! - Renewal opens 3 months before expiry.
//!
//! These numbers are one row (`CURRENT`) of the table of card generations.
//!
//! Choices (documented in `docs/cli.md`, status): "the Nth birthday after
//! issuance" counts birthdays strictly after the issue date; a 29 February
//! birthday falls on 28 February in common years (the last day of the month,
//! as the Civil Code's period rule, art. 143, gives when the day is missing).

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

/// Japan Standard Time, UTC+9, no daylight saving.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("JST offset"),
};

/// The current time in JST, `YYYY-MM-DD HH:MM:SS`.
/// Now in JST as RFC 3339 (`2026-12-02T12:34:56+09:00`).
pub fn now_jst_rfc3339() -> String {
    let t = OffsetDateTime::now_utc().to_offset(JST);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn now_jst_string() -> String {
    let t = OffsetDateTime::now_utc().to_offset(JST);
    format!(
        "{} {:02}:{:02}:{:02}",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Today's date in JST.
pub fn today_jst() -> Date {
    OffsetDateTime::now_utc().to_offset(JST).date()
}

fn last_day_of_month(year: i32, month: Month) -> u8 {
    time::util::days_in_month(month, year)
}

/// The birthday of someone born on `birth`, in `year` (29 Feb → 28 Feb in
/// common years).
pub fn birthday_in(birth: Date, year: i32) -> Date {
    let day = birth.day().min(last_day_of_month(year, birth.month()));
    Date::from_calendar_date(year, birth.month(), day).unwrap_or(birth)
}

/// The `n`th birthday strictly after `after` (n ≥ 1).
pub fn nth_birthday_after(birth: Date, after: Date, n: u32) -> Date {
    let this_year = birthday_in(birth, after.year());
    let first_year = if this_year > after {
        after.year()
    } else {
        after.year() + 1
    };
    birthday_in(birth, first_year + n as i32 - 1)
}

/// Age in whole years on `on`, counting the birthday itself as the day the
/// age increases (everyday usage; the legal increase the day before only
/// matters at midnight).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if on < birthday_in(birth, on.year()) {
        age -= 1;
    }
    age.max(0)
}

/// The first day on which someone born on `birth` is `n` years old, as the
/// law counts it (年齢計算ニ関スル法律, the day of birth counted; Civil Code
/// art. 143): the years end with the day before the birthday, so the age
/// is reached on the birthday; for 29 February in a common year they end
/// with 28 February (the month's last day), so it is reached on 1 March.
/// This is the rule `age-check` answers with (not `birthday_in`'s 28 Feb,
/// which is the card's validity rule).
pub fn age_reached_on(birth: Date, n: u16) -> Option<Date> {
    let year = birth.year().checked_add(i32::from(n))?;
    Date::from_calendar_date(year, birth.month(), birth.day())
        .ok()
        .or_else(|| Date::from_calendar_date(year, Month::March, 1).ok())
}

/// Age from which the card is issued for 10 years: 18 since 2022-04-01,
/// 20 for applications made before.
pub fn adult_age(application: Date) -> i32 {
    if application < time::macros::date!(2022 - 04 - 01) {
        20
    } else {
        18
    }
}

/// The validity rules of one generation of the card: one row per
/// generation, so that the next card (announced with 10-year certificates
/// and renewal from one year before expiry, its date not fixed) is one new
/// row, not new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    pub name: &'static str,
    /// The card, for holders who are adults at issuance: until this
    /// birthday after issuance.
    pub card_years_adult: u32,
    /// The card for minors.
    pub card_years_minor: u32,
    /// The certificates: until this birthday after issuance (never past
    /// the card).
    pub cert_years: u32,
    /// A certificate renewed within `renewal_months` before the old one
    /// expired runs to this birthday instead (J-LIS; card-protocol.md §17).
    pub cert_years_renewed_early: u32,
    /// Renewal can be applied for from this many months before expiry.
    pub renewal_months: u32,
}

/// The cards issued since 2016 (RSA-2048, five applications).
pub const CURRENT: Generation = Generation {
    name: "2016",
    card_years_adult: 10,
    card_years_minor: 5,
    cert_years: 5,
    cert_years_renewed_early: 6,
    renewal_months: 3,
};

/// Every generation this version knows, oldest first.
pub const GENERATIONS: &[Generation] = &[CURRENT];

impl Generation {
    /// The card's expiry by the rule, for a holder born `birth` whose card
    /// was applied for on `application` and issued on `issue`.
    pub fn card_expiry(&self, birth: Date, application: Date, issue: Date) -> Date {
        let years = if age_on(birth, issue) >= adult_age(application) {
            self.card_years_adult
        } else {
            self.card_years_minor
        };
        nth_birthday_after(birth, issue, years)
    }

    /// A certificate's expiry by the rule, capped by the card's expiry.
    pub fn cert_expiry(&self, birth: Date, issue: Date, card_expiry: Date) -> Date {
        nth_birthday_after(birth, issue, self.cert_years).min(card_expiry)
    }

    /// The same for a certificate renewed early (within the renewal window).
    pub fn cert_expiry_renewed(&self, birth: Date, issue: Date, card_expiry: Date) -> Date {
        nth_birthday_after(birth, issue, self.cert_years_renewed_early).min(card_expiry)
    }

    /// The first day on which renewal of something expiring on `expiry`
    /// can be applied for.
    pub fn renewal_opens(&self, expiry: Date) -> Date {
        months_before(expiry, self.renewal_months)
    }
}

/// [`Generation::card_expiry`] of today's cards.
pub fn card_expiry(birth: Date, application: Date, issue: Date) -> Date {
    CURRENT.card_expiry(birth, application, issue)
}

/// [`Generation::cert_expiry`] of today's cards.
pub fn cert_expiry(birth: Date, issue: Date, card_expiry: Date) -> Date {
    CURRENT.cert_expiry(birth, issue, card_expiry)
}

/// [`Generation::cert_expiry_renewed`] of today's cards.
pub fn cert_expiry_renewed(birth: Date, issue: Date, card_expiry: Date) -> Date {
    CURRENT.cert_expiry_renewed(birth, issue, card_expiry)
}

/// `date` moved back by `months` calendar months, clamping the day to the
/// month's end (31 May − 3 months = 28/29 Feb).
pub fn months_before(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) - months as i32;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let day = date.day().min(last_day_of_month(year, month));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// [`Generation::renewal_opens`] of today's cards: three months before.
pub fn renewal_opens(expiry: Date) -> Date {
    CURRENT.renewal_opens(expiry)
}

/// Days from `today` to `until` (negative when past).
pub fn days_between(today: Date, until: Date) -> i64 {
    (until - today).whole_days()
}

/// The last instant of `date` in JST, as X.509 certificates of the JPKI
/// express "valid until" (23:59:59 JST = 14:59:59 UTC).
pub fn end_of_day_jst(date: Date) -> OffsetDateTime {
    date.with_hms(23, 59, 59)
        .map(|dt| dt.assume_offset(JST))
        .unwrap_or_else(|_| OffsetDateTime::UNIX_EPOCH)
}

/// The JST calendar date of an instant, saturating where `time`'s range
/// ends (a certificate's "no expiry" 9999-12-31T23:59:59Z is past it in JST).
pub fn jst_date(t: OffsetDateTime) -> Date {
    match t.checked_to_offset(JST) {
        Some(j) => j.date(),
        None if t.year() > 0 => Date::MAX,
        None => Date::MIN,
    }
}

/// One day after `d` (saturating at the calendar's end).
pub fn next_day(d: Date) -> Date {
    d.checked_add(Duration::days(1)).unwrap_or(d)
}

/// A date as 8 digits YYYYMMDD (the card's date fields).
pub fn yyyymmdd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
}

/// Parse an 8-digit YYYYMMDD date.
pub fn parse_yyyymmdd(s: &str) -> Option<Date> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u8 = s[4..6].parse().ok()?;
    let d: u8 = s[6..8].parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// The check digit (12th digit) of an individual number from its first 11
/// ASCII digits (the rule of the 行政手続における特定の個人を識別するための番号
/// の利用等に関する法律施行令 art. 8).
pub fn number_check_digit(first11: &[u8]) -> Option<u8> {
    if first11.len() != 11 || !first11.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut sum = 0u32;
    for n in 1..=11u32 {
        let p = (first11[11 - n as usize] - b'0') as u32;
        let q = if n <= 6 { n + 1 } else { n - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    Some(if r <= 1 { 0 } else { (11 - r) as u8 })
}

/// A Japanese era (元号) and the year within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era {
    /// The J-LIS era code: 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和.
    pub code: char,
    pub name: &'static str,
    /// Year of the era (元年 = 1).
    pub year: i32,
}

/// First day (Gregorian), J-LIS era code, name and the year before 元年.
/// 明治元年1月1日 is 1868-01-25; 平成 and 令和 began on the days the 元号を
/// 改める政令 of 1989 and 2019 name.
const ERAS: [(Date, char, &str, i32); 5] = [
    (time::macros::date!(2019 - 05 - 01), '5', "令和", 2018),
    (time::macros::date!(1989 - 01 - 08), '4', "平成", 1988),
    (time::macros::date!(1926 - 12 - 25), '3', "昭和", 1925),
    (time::macros::date!(1912 - 07 - 30), '2', "大正", 1911),
    (time::macros::date!(1868 - 01 - 25), '1', "明治", 1867),
];

/// The era of a date (None before 明治).
pub fn era_of(d: Date) -> Option<Era> {
    ERAS.iter()
        .find(|(start, ..)| d >= *start)
        .map(|&(_, code, name, base)| Era {
            code,
            name,
            year: d.year() - base,
        })
}

/// The era a J-LIS era code names.
pub fn era_by_code(code: char) -> Option<&'static str> {
    ERAS.iter().find(|e| e.1 == code).map(|e| e.2)
}

/// 和暦 `YYMMDD` (era year, month, day), as the 券面AP keys take a birth date.
pub fn wareki_yymmdd(d: Date) -> String {
    let y = era_of(d).map(|e| e.year).unwrap_or(0);
    format!("{:02}{:02}{:02}", y % 100, d.month() as u8, d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn test_card_from_card_protocol() {
        // Holder born 1980-02-17, certificate issued 2025-10-27: ends 2030-02-17;
        // the card (adult) ends 2035-02-17.
        let b = date!(1980 - 02 - 17);
        let issue = date!(2025 - 10 - 27);
        let card = card_expiry(b, issue, issue);
        assert_eq!(card, date!(2035 - 02 - 17));
        assert_eq!(cert_expiry(b, issue, card), date!(2030 - 02 - 17));
    }

    #[test]
    fn birthday_on_issue_day_is_not_counted() {
        let b = date!(1990 - 05 - 01);
        assert_eq!(
            nth_birthday_after(b, date!(2024 - 05 - 01), 1),
            date!(2025 - 05 - 01)
        );
        assert_eq!(
            nth_birthday_after(b, date!(2024 - 04 - 30), 1),
            date!(2024 - 05 - 01)
        );
    }

    #[test]
    fn an_age_is_reached_on_the_birthday_and_on_1_march_for_29_february() {
        let b = date!(1980 - 02 - 17);
        assert_eq!(age_reached_on(b, 20), Some(date!(2000 - 02 - 17)));
        let leap = date!(2004 - 02 - 29);
        assert_eq!(age_reached_on(leap, 18), Some(date!(2022 - 03 - 01)));
        assert_eq!(age_reached_on(leap, 20), Some(date!(2024 - 02 - 29)));
    }

    #[test]
    fn leap_day_birthday() {
        let b = date!(2000 - 02 - 29);
        assert_eq!(birthday_in(b, 2023), date!(2023 - 02 - 28));
        assert_eq!(birthday_in(b, 2024), date!(2024 - 02 - 29));
        assert_eq!(
            nth_birthday_after(b, date!(2023 - 06 - 01), 5),
            date!(2028 - 02 - 29)
        );
        assert_eq!(
            nth_birthday_after(b, date!(2024 - 06 - 01), 5),
            date!(2029 - 02 - 28)
        );
        assert_eq!(age_on(b, date!(2023 - 02 - 28)), 23);
        assert_eq!(age_on(b, date!(2023 - 02 - 27)), 22);
    }

    #[test]
    fn minors_and_the_2022_age_change() {
        let b = date!(2005 - 06 - 10);
        // 19 at issuance: adult since 2022-04-01, minor before.
        let issue = date!(2024 - 07 - 01);
        assert_eq!(card_expiry(b, issue, issue), date!(2034 - 06 - 10));
        assert_eq!(
            card_expiry(b, date!(2022 - 03 - 01), issue),
            date!(2029 - 06 - 10)
        );
        // A child: 5 years.
        let c = date!(2015 - 01 - 20);
        assert_eq!(card_expiry(c, issue, issue), date!(2029 - 01 - 20));
        assert_eq!(
            cert_expiry(c, issue, date!(2029 - 01 - 20)),
            date!(2029 - 01 - 20)
        );
    }

    #[test]
    fn renewal_window() {
        assert_eq!(renewal_opens(date!(2030 - 02 - 17)), date!(2029 - 11 - 17));
        assert_eq!(renewal_opens(date!(2030 - 05 - 31)), date!(2030 - 02 - 28));
        assert_eq!(renewal_opens(date!(2030 - 02 - 10)), date!(2029 - 11 - 10));
        assert_eq!(
            days_between(date!(2030 - 01 - 01), date!(2030 - 01 - 31)),
            30
        );
    }

    #[test]
    fn eras() {
        let e = era_of(date!(1980 - 02 - 17)).unwrap();
        assert_eq!((e.code, e.name, e.year), ('3', "昭和", 55));
        assert_eq!(wareki_yymmdd(date!(1980 - 02 - 17)), "550217");
        assert_eq!(era_of(date!(1989 - 01 - 07)).unwrap().name, "昭和");
        assert_eq!(era_of(date!(1989 - 01 - 08)).unwrap().year, 1);
        assert_eq!(era_of(date!(2020 - 02 - 24)).unwrap().year, 2);
        assert_eq!(era_of(date!(1990 - 01 - 02)).unwrap().code, '4');
        assert!(era_of(date!(1868 - 01 - 24)).is_none());
        assert_eq!(era_of(date!(1868 - 01 - 25)).unwrap().name, "明治");
        assert_eq!(era_by_code('5'), Some("令和"));
        assert_eq!(era_by_code('9'), None);
    }

    #[test]
    fn jst_end_of_day() {
        let t = end_of_day_jst(date!(2030 - 02 - 17));
        let utc = t.to_offset(UtcOffset::UTC);
        assert_eq!((utc.hour(), utc.minute(), utc.second()), (14, 59, 59));
        assert_eq!(jst_date(t), date!(2030 - 02 - 17));
    }

    #[test]
    fn a_second_generation_is_one_row() {
        use time::macros::date;
        // The announced next card: 10-year certificates, renewal from a
        // year before expiry (its row will be added when it is fixed).
        let next = Generation {
            name: "next",
            cert_years: 10,
            cert_years_renewed_early: 11,
            renewal_months: 12,
            ..CURRENT
        };
        let birth = date!(1980 - 02 - 17);
        let issue = date!(2030 - 06 - 01);
        let card = next.card_expiry(birth, issue, issue);
        assert_eq!(card, date!(2040 - 02 - 17));
        assert_eq!(next.cert_expiry(birth, issue, card), date!(2040 - 02 - 17));
        assert_eq!(next.renewal_opens(card), date!(2039 - 02 - 17));
        assert_eq!(CURRENT.renewal_opens(card), date!(2039 - 11 - 17));
        assert_eq!(GENERATIONS, &[CURRENT]);
        assert_eq!(renewal_opens(card), CURRENT.renewal_opens(card));
    }
}
