//! JPKI holder attributes of the signature certificate: subjectAltName
//! otherNames under 1.2.392.200149.8.5.5 (card-protocol.md §10.2).
//!
//! GeneralName's otherName is `[0] IMPLICIT SEQUENCE { type-id OBJECT
//! IDENTIFIER, value [0] EXPLICIT ANY }` (RFC 5280 §4.2.1.6). The SAN is
//! walked here with a length-checked DER reader rather than through
//! x509-parser's GeneralName, so that each JPKI value's type can be checked.

use super::der;
use super::CertError;
use serde::Serialize;
use time::Date;
use x509_parser::certificate::X509Certificate;

/// The holder's attributes as written in the certificate. Personal data:
/// `Debug` prints nothing of it.
#[derive(Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Holder {
    pub name: String,
    pub name_substitutes: Option<SubstituteFlags>,
    pub sex: Option<String>,
    pub date_of_birth: Option<BirthDate>,
    pub address: String,
    pub address_substitutes: Option<SubstituteFlags>,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Holder(REDACTED)")
    }
}

/// Date of birth, `EYYYYMMDD` (era code + Gregorian date; J-LIS 証明書
/// プロファイル仕様 as cited by card-protocol.md §10.2) or `YYYYMMDD`.
#[derive(Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BirthDate {
    pub raw: String,
    pub era_code: Option<char>,
    /// The era the code names ("明治" … "令和"); None without a known code.
    pub era: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// False when the code names an era the date is not in, or is unknown.
    pub era_consistent: bool,
}

impl std::fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BirthDate(REDACTED)")
    }
}

/// Substitute-character flags: one `0`/`1` per character of the value, `1`
/// where a character outside JIS level 1/2 + 補助漢字 was replaced
/// (soltia48/myna-sign's reading, card-protocol.md §15 item 14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SubstituteFlags {
    pub raw: String,
    /// 1-based character positions flagged `1`.
    pub positions: Vec<usize>,
}

use crate::protocol::oids::ATTRIBUTES;
const NAMES: [&str; 6] = [
    "name",
    "name substitute-character flags",
    "sex",
    "date of birth",
    "address",
    "address substitute-character flags",
];

/// The holder attributes of a DER certificate; Ok(None) when it has none.
pub fn holder_from_der(der: &[u8]) -> Result<Option<Holder>, CertError> {
    let x = super::parse_cert(der)?;
    Ok(holder_with_notes(&x)?.map(|(h, _)| h))
}

/// The holder attributes and English notes on anything odd about them.
pub(crate) fn holder_with_notes(
    x: &X509Certificate<'_>,
) -> Result<Option<(Holder, Vec<String>)>, CertError> {
    let mut found: [Option<String>; 6] = Default::default();
    let mut notes = Vec::new();
    let san_oid = x509_parser::oid_registry::OID_X509_EXT_SUBJECT_ALT_NAME;
    for ext in x.extensions().iter().filter(|e| e.oid == san_oid) {
        walk_san(ext.value, &mut found, &mut notes)?;
    }
    if found.iter().all(Option::is_none) {
        return Ok(None);
    }
    let [name, name_flags, sex, birth, address, address_flags] = found;
    for (v, what) in [(&name, "name"), (&address, "address")] {
        if v.is_none() {
            notes.push(format!("the JPKI {what} attribute is missing"));
        }
    }
    let name = name.unwrap_or_default();
    let address = address.unwrap_or_default();
    let name_substitutes = name_flags.map(|raw| flags(raw, &name, "name", &mut notes));
    let address_substitutes = address_flags.map(|raw| flags(raw, &address, "address", &mut notes));
    let date_of_birth = birth.and_then(|raw| match parse_birth(&raw) {
        Ok((b, note)) => {
            notes.extend(note);
            Some(b)
        }
        Err(note) => {
            notes.push(note);
            None
        }
    });
    Ok(Some((
        Holder {
            name,
            name_substitutes,
            sex,
            date_of_birth,
            address,
            address_substitutes,
        },
        notes,
    )))
}

fn bad(what: &str) -> CertError {
    CertError::HolderAttributes(what.to_string())
}

/// Collects the JPKI otherNames of one subjectAltName extension value.
fn walk_san(
    value: &[u8],
    found: &mut [Option<String>; 6],
    notes: &mut Vec<String>,
) -> Result<(), CertError> {
    let (seq, rest) = der::read(value)
        .map_err(|e| bad(&format!("the subjectAltName extension is malformed ({e})")))?;
    if seq.tag != 0x30 || !rest.is_empty() {
        return Err(bad(
            "the subjectAltName extension is not one SEQUENCE of GeneralNames",
        ));
    }
    let mut items = seq.content;
    while !items.is_empty() {
        let (gn, next) = der::read(items).map_err(|e| {
            bad(&format!(
                "a GeneralName in subjectAltName is malformed ({e})"
            ))
        })?;
        items = next;
        // otherName is [0], constructed.
        if gn.tag != 0xA0 {
            continue;
        }
        let (oid, after) =
            der::read(gn.content).map_err(|e| bad(&format!("an otherName is malformed ({e})")))?;
        let oid = match (oid.tag, der::oid_string(oid.content)) {
            (0x06, Some(s)) => s,
            _ => return Err(bad("an otherName does not start with an OBJECT IDENTIFIER")),
        };
        let Some(index) = attr_index(&oid) else {
            if oid
                .strip_prefix(ATTRIBUTES)
                .is_some_and(|r| r.starts_with('.'))
            {
                notes.push(format!("unknown JPKI attribute {oid} ignored"));
            }
            continue;
        };
        let what = NAMES.get(index).copied().unwrap_or("attribute");
        let text = other_name_text(after)
            .map_err(|e| bad(&format!("the {what} attribute ({oid}) {e}")))?;
        match found.get_mut(index) {
            Some(slot @ None) => *slot = Some(text),
            Some(Some(_)) => notes.push(format!(
                "the {what} attribute ({oid}) appears more than once; the first is shown"
            )),
            None => {}
        }
    }
    Ok(())
}

/// 0-based index of a JPKI holder attribute OID (`…8.5.5.1` → 0).
fn attr_index(oid: &str) -> Option<usize> {
    let n: usize = oid
        .strip_prefix(ATTRIBUTES)?
        .strip_prefix('.')?
        .parse()
        .ok()?;
    (1..=6).contains(&n).then(|| n - 1)
}

/// The string in `[0] EXPLICIT <string>`: UTF8String, PrintableString,
/// IA5String, or an OCTET STRING of UTF-8.
fn other_name_text(after_oid: &[u8]) -> Result<String, String> {
    let (wrap, rest) = der::read(after_oid).map_err(|e| format!("has a malformed value ({e})"))?;
    if wrap.tag != 0xA0 {
        return Err(format!(
            "value is not [0] EXPLICIT (tag 0x{:02X})",
            wrap.tag
        ));
    }
    if !rest.is_empty() {
        return Err("has bytes after its value".into());
    }
    let (inner, rest) =
        der::read(wrap.content).map_err(|e| format!("has a malformed value ({e})"))?;
    if !rest.is_empty() {
        return Err("has more than one value".into());
    }
    match inner.tag {
        // UTF8String, PrintableString, IA5String, OCTET STRING (X.680 tags 12, 19, 22, 4)
        0x0C | 0x13 | 0x16 | 0x04 => std::str::from_utf8(inner.content)
            .map(crate::protocol::text::printable)
            .map_err(|_| "is not valid UTF-8".to_string()),
        t => Err(format!("has an unsupported value type (tag 0x{t:02X})")),
    }
}

fn flags(raw: String, value: &str, what: &str, notes: &mut Vec<String>) -> SubstituteFlags {
    let well_formed = raw.chars().all(|c| c == '0' || c == '1');
    let positions: Vec<usize> = if well_formed {
        raw.chars()
            .enumerate()
            .filter(|(_, c)| *c == '1')
            .map(|(i, _)| i + 1)
            .collect()
    } else {
        Vec::new()
    };
    let (n_flags, n_chars) = (raw.chars().count(), value.chars().count());
    if !well_formed {
        notes.push(format!(
            "the {what} substitute-character attribute is not a string of 0/1 flags; kept as is"
        ));
    } else if n_flags != n_chars {
        notes.push(format!(
            "the {what} has {n_chars} characters but {n_flags} substitute-character flags"
        ));
    }
    if !positions.is_empty() {
        let list: Vec<String> = positions.iter().map(usize::to_string).collect();
        notes.push(format!(
            "substitute characters (代替文字) were used in the {what} at character position{} {}: \
             the original characters are outside JIS level 1/2 kanji and 補助漢字",
            if positions.len() == 1 { "" } else { "s" },
            list.join(", ")
        ));
    }
    SubstituteFlags { raw, positions }
}

fn digits(s: &str) -> Option<u32> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Parses the date of birth; a note goes with an inconsistent era code.
/// Err carries the note when the value is not a date at all.
fn parse_birth(raw: &str) -> Result<(BirthDate, Option<String>), String> {
    let not_form =
        || "the date of birth attribute is not in the EYYYYMMDD or YYYYMMDD form".to_string();
    let (code, ymd) = match raw.len() {
        9 => {
            let mut cs = raw.chars();
            let c = cs
                .next()
                .filter(char::is_ascii_digit)
                .ok_or_else(not_form)?;
            (Some(c), cs.as_str())
        }
        8 => (None, raw),
        _ => return Err(not_form()),
    };
    let (y, m, d) = match (ymd.get(0..4), ymd.get(4..6), ymd.get(6..8)) {
        (Some(y), Some(m), Some(d)) => (digits(y), digits(m), digits(d)),
        _ => return Err(not_form()),
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(not_form());
    };
    let date = i32::try_from(y)
        .ok()
        .zip(
            u8::try_from(m)
                .ok()
                .and_then(|m| time::Month::try_from(m).ok()),
        )
        .zip(u8::try_from(d).ok())
        .and_then(|((y, m), d)| Date::from_calendar_date(y, m, d).ok())
        .ok_or_else(|| "the date of birth attribute is not a valid calendar date".to_string())?;
    // Era codes and boundaries: J-LIS (card-protocol.md §10.2), in rules.
    let actual = crate::rules::era_of(date);
    let (actual_code, actual_name) = actual.map(|e| (e.code, e.name)).unwrap_or(('-', "no era"));
    let named = code.and_then(|c| crate::rules::era_by_code(c).map(|n| (c, n)));
    let (era, era_consistent, note) = match (code, named) {
        (None, _) => (None, true, None),
        (Some(c), None) => (
            None,
            false,
            Some(format!(
                "the date of birth has an unknown era code {c} (expected 1-5)"
            )),
        ),
        (Some(c), Some(e)) => {
            let ok = c == actual_code;
            let note = (!ok).then(|| {
                format!(
                    "the date of birth's era code {c} ({}) does not match its date, which is in {actual_name} (code {actual_code})",
                    e.1
                )
            });
            (Some(e.1.to_string()), ok, note)
        }
    };
    Ok((
        BirthDate {
            raw: raw.to_string(),
            era_code: code,
            era,
            date: format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            ),
            era_consistent,
        },
        note,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::testutil::{
        ee_with_san, fixtures, holder_san, other_name, seq, tlv, utf8, ADDRESS, DOB, NAME,
    };
    use proptest::prelude::*;

    fn walk(value: &[u8]) -> Result<([Option<String>; 6], Vec<String>), CertError> {
        let mut found: [Option<String>; 6] = Default::default();
        let mut notes = Vec::new();
        walk_san(value, &mut found, &mut notes)?;
        Ok((found, notes))
    }

    fn holder_of(san: Vec<u8>) -> (Holder, Vec<String>) {
        let der = ee_with_san(san);
        let x = crate::cert::parse_cert(&der).unwrap();
        holder_with_notes(&x).unwrap().unwrap()
    }

    #[test]
    fn six_attributes_from_the_signature_certificate() {
        let h = holder_from_der(&fixtures().sign_ee).unwrap().unwrap();
        let want = Holder {
            name: NAME.into(),
            name_substitutes: Some(SubstituteFlags {
                raw: "10000".into(),
                positions: vec![1],
            }),
            sex: Some("1".into()),
            date_of_birth: Some(BirthDate {
                raw: DOB.into(),
                era_code: Some('3'),
                era: Some("昭和".into()),
                date: "1980-02-17".into(),
                era_consistent: true,
            }),
            address: ADDRESS.into(),
            address_substitutes: Some(SubstituteFlags {
                raw: "0".repeat(17),
                positions: vec![],
            }),
        };
        assert_eq!(h, want);
        assert_eq!(h.name.chars().nth(2), Some('\u{3000}'));
        assert!(h.address.contains('２') && h.address.contains('１'));
        assert_eq!(format!("{h:?}"), "Holder(REDACTED)");
        assert_eq!(
            format!("{:?}", h.date_of_birth.unwrap()),
            "BirthDate(REDACTED)"
        );
    }

    #[test]
    fn none_without_attributes_error_on_bad_der() {
        let f = fixtures();
        assert_eq!(holder_from_der(&f.auth_ee).unwrap(), None);
        assert_eq!(holder_from_der(&f.ca).unwrap(), None);
        // A SAN with only non-JPKI names.
        let der = ee_with_san(seq(&[tlv(0x82, b"a.example"), other_name_foreign()]));
        assert_eq!(holder_from_der(&der).unwrap(), None);
        assert!(holder_from_der(b"junk").is_err());
        assert!(holder_from_der(&f.sign_ee[..100])
            .unwrap_err()
            .to_string()
            .contains("truncated"));
    }

    /// An otherName of another scheme (a Microsoft UPN), skipped.
    fn other_name_foreign() -> Vec<u8> {
        let id = crate::cert::testutil::oid(&[1, 3, 6, 1, 4, 1, 311, 20, 2, 3]);
        tlv(0xA0, &[id, tlv(0xA0, &utf8("user@example"))].concat())
    }

    #[test]
    fn accepted_string_types() {
        for tag in [0x13, 0x16, 0x04] {
            let (f, notes) = walk(&seq(&[other_name(1, tlv(tag, b"YAMADA TARO"))])).unwrap();
            assert_eq!(f[0].as_deref(), Some("YAMADA TARO"), "tag {tag:02X}");
            assert!(notes.is_empty());
        }
        let (f, _) = walk(&seq(&[other_name(5, tlv(0x04, "東京都".as_bytes()))])).unwrap();
        assert_eq!(f[4].as_deref(), Some("東京都"));
    }

    #[test]
    fn unreadable_attributes_are_errors() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (seq(&[other_name(1, tlv(0x1E, &[0, 0x41]))]), "the name attribute (1.2.392.200149.8.5.5.1) has an unsupported value type (tag 0x1E)"),
            (seq(&[other_name(5, tlv(0x0C, &[0xE3, 0x81]))]), "the address attribute (1.2.392.200149.8.5.5.5) is not valid UTF-8"),
            (tlv(0x31, &[]), "not one SEQUENCE of GeneralNames"),
            ([seq(&[]), vec![0]].concat(), "not one SEQUENCE of GeneralNames"),
            (vec![0x30, 0x05, 0xA0, 0x01], "subjectAltName extension is malformed (truncated"),
            (seq(&[vec![0xA0, 0x09, 0x06]]), "a GeneralName in subjectAltName is malformed"),
            (seq(&[tlv(0xA0, &tlv(0x04, b"x"))]), "does not start with an OBJECT IDENTIFIER"),
            (
                // value [1] instead of [0] EXPLICIT
                seq(&[tlv(0xA0, &[crate::cert::testutil::oid(&[1, 2, 392, 200149, 8, 5, 5, 3]), tlv(0xA1, &utf8("1"))].concat())]),
                "the sex attribute (1.2.392.200149.8.5.5.3) value is not [0] EXPLICIT (tag 0xA1)",
            ),
            (
                seq(&[tlv(0xA0, &[crate::cert::testutil::oid(&[1, 2, 392, 200149, 8, 5, 5, 4]), tlv(0xA0, &[utf8("1"), utf8("2")].concat())].concat())]),
                "has more than one value",
            ),
        ];
        for (san, want) in cases {
            let e = walk(&san).unwrap_err().to_string();
            assert!(
                e.starts_with("the JPKI holder attributes are unreadable"),
                "{e}"
            );
            assert!(e.contains(want), "want {want:?}, got {e:?}");
        }
        // Through parse_der the error becomes a note; the report still works.
        let der = ee_with_san(seq(&[other_name(1, tlv(0x1E, &[0, 0x41]))]));
        let r = crate::cert::parse_der(&der, time::macros::date!(2026 - 01 - 01)).unwrap();
        assert!(r.holder.is_none());
        assert!(r.notes.iter().any(|n| n.contains("unsupported value type")));
    }

    #[test]
    fn notes_on_odd_but_readable_attributes() {
        let san = seq(&[
            other_name(1, utf8("山田　花子")),
            other_name(1, utf8("duplicate")),
            other_name(2, utf8("0100")),
            other_name(4, utf8("19900102")),
            other_name(5, utf8("北海道")),
            other_name(6, utf8("〓〓")),
            other_name(9, utf8("?")),
        ]);
        let (h, notes) = holder_of(san);
        assert_eq!(h.name, "山田　花子");
        assert_eq!(h.sex, None);
        assert_eq!(h.name_substitutes.as_ref().unwrap().positions, vec![2]);
        let addr = h.address_substitutes.unwrap();
        assert_eq!((addr.raw.as_str(), addr.positions.len()), ("〓〓", 0));
        let b = h.date_of_birth.unwrap();
        assert_eq!(
            (b.era_code, b.era, b.date.as_str(), b.era_consistent),
            (None, None, "1990-01-02", true)
        );
        let all = notes.join("\n");
        for want in [
            "the name attribute (1.2.392.200149.8.5.5.1) appears more than once; the first is shown",
            "the name has 5 characters but 4 substitute-character flags",
            "substitute characters (代替文字) were used in the name at character position 2:",
            "the address substitute-character attribute is not a string of 0/1 flags",
            "unknown JPKI attribute 1.2.392.200149.8.5.5.9 ignored",
        ] {
            assert!(all.contains(want), "missing {want:?} in {all}");
        }
        assert_eq!(notes.len(), 5, "{all}");

        let (h, notes) = holder_of(seq(&[other_name(4, utf8("319900102"))]));
        assert_eq!(h.name, "");
        assert!(notes
            .iter()
            .any(|n| n == "the JPKI name attribute is missing"));
        assert!(notes
            .iter()
            .any(|n| n == "the JPKI address attribute is missing"));
        assert!(notes
            .iter()
            .any(|n| n
                .contains("era code 3 (昭和) does not match its date, which is in 平成 (code 4)")));
        assert!(!h.date_of_birth.unwrap().era_consistent);
    }

    #[test]
    fn birth_dates() {
        let ok = |raw: &str| parse_birth(raw).unwrap();
        // zkm's synthetic example: 平成 1990-01-02.
        let (b, note) = ok("419900102");
        assert_eq!(
            (
                b.era_code,
                b.era.as_deref(),
                b.date.as_str(),
                b.era_consistent
            ),
            (Some('4'), Some("平成"), "1990-01-02", true)
        );
        assert!(note.is_none());
        // Era boundaries, each side.
        for (raw, consistent) in [
            ("319890107", true),
            ("419890107", false),
            ("419890108", true),
            ("319890108", false),
            ("420190430", true),
            ("520190501", true),
            ("420190501", false),
            ("319261225", true),
            ("219261224", true),
            ("219120730", true),
            ("119120729", true),
            ("118680125", true),
            ("118680124", false),
            ("118000101", false),
            ("218000101", false),
        ] {
            let (b, note) = ok(raw);
            assert_eq!(b.era_consistent, consistent, "{raw}");
            assert_eq!(note.is_some(), !consistent, "{raw}");
        }
        let (b, note) = ok("919800217");
        assert_eq!(
            (b.era_code, b.era, b.era_consistent),
            (Some('9'), None, false)
        );
        assert!(note.unwrap().contains("unknown era code 9"));
        for bad in [
            "",
            "3198002",
            "3198002170",
            "x19800217",
            "3198O0217",
            "319800230",
            "319801317",
            "+1980021",
        ] {
            assert!(parse_birth(bad).is_err(), "{bad}");
        }
        assert!(parse_birth("319800230")
            .unwrap_err()
            .contains("not a valid calendar date"));
        assert!(parse_birth("３19800217").is_err());
    }

    #[test]
    fn era_table() {
        use crate::rules::era_of;
        use time::macros::date;
        assert_eq!(era_of(date!(1980 - 02 - 17)).unwrap().name, "昭和");
        assert_eq!(era_of(date!(2019 - 05 - 01)).unwrap().name, "令和");
        assert!(era_of(date!(1850 - 01 - 01)).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn san_walk_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = walk(&bytes);
            let _ = walk(&seq(&[bytes]));
        }

        #[test]
        fn mutated_san_never_panics(
            flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..5),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut d = holder_san();
            for (i, bit) in &flips {
                let i = i.index(d.len());
                d[i] ^= 1 << bit;
            }
            d.truncate(cut.index(d.len() + 1).max(d.len() / 2));
            let _ = walk(&d);
        }

        #[test]
        fn any_digits_birth_never_panics(s in "[0-9]{0,10}") {
            let _ = parse_birth(&s);
        }
    }
}
