use super::*;
use time::macros::date;

#[test]
fn builtin_profile() {
    let p = Profile::builtin();
    assert_eq!(p.holder.birth_date, date!(1980 - 02 - 17));
    assert_eq!(p.card.expiry, date!(2035 - 02 - 17));
    assert_eq!(p.auth_cert.expires, date!(2030 - 02 - 17));
    assert_eq!(p.pins.sign.tries, 5);
    assert_eq!(p.pins.resident_common.value, p.pins.resident.value);
    assert_eq!(format!("{p:?}"), "Profile(REDACTED)");
}

fn with(from: &str, to: &str) -> Result<Profile, ProfileError> {
    assert!(BUILTIN_PROFILE_TOML.contains(from), "{from}");
    Profile::from_toml(&BUILTIN_PROFILE_TOML.replacen(from, to, 1))
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (
            "birth_date = \"1980-02-17\"",
            "birth_date = \"1980/02/17\"",
            "holder.birth_date",
        ),
        (
            "number = \"537686677188\"",
            "number = \"537686677189\"",
            "check digit",
        ),
        (
            "number = \"537686677188\"",
            "number = \"5376\"",
            "holder.number",
        ),
        ("sex = \"1\"", "sex = \"male\"", "holder.sex"),
        ("token = \"card\"", "token = \"phone\"", "card.token"),
        (
            "serial = \"400000012719843\"",
            "serial = \"12\"",
            "card.serial",
        ),
        (
            "municipality = \"13221\"",
            "municipality = \"1322x\"",
            "card.municipality",
        ),
        (
            "value = \"TEST1234\"",
            "value = \"test\"",
            "pins.sign.value",
        ),
        (
            "value = \"1234\"\ntries = 3",
            "value = \"12345\"\ntries = 3",
            "pins.auth.value",
        ),
        ("tries = 5", "tries = 6", "pins.sign.tries"),
        (
            "expiry = \"derived\"",
            "expiry = \"2020-01-01\"",
            "card.expiry",
        ),
        ("[card]", "[card]\ncolour = \"red\"", "colour"),
        (
            "[holder]",
            "[ef_overrides]\n\"jpki:00ZZ\" = \"00\"\n[holder]",
            "FID",
        ),
        (
            "[holder]",
            "[ef_overrides]\n\"xx:0001\" = \"00\"\n[holder]",
            "APP",
        ),
        (
            "[holder]",
            "[ef_overrides]\n\"jpki:0006\" = \"0G\"\n[holder]",
            "not hex",
        ),
    ];
    for (from, to, want) in cases {
        let e = with(from, to).unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
        assert!(!e.contains("TEST1234"), "a PIN in an error: {e}");
    }
    assert!(Profile::from_toml("").is_err());
    assert!(Profile::from_toml("[holder\n").is_err());
}

#[test]
fn a_profile_can_extend_another() {
    let p = Profile::from_toml(
        "base = \"builtin\"\n[pins.auth]\ntries = 1\n[card]\ntoken = \"smartphone_ios\"\n",
    )
    .unwrap();
    assert_eq!(p.pins.auth.tries, 1);
    assert_eq!(p.pins.auth.value, Profile::builtin().pins.auth.value);
    assert_eq!(p.card.token, Token::SmartphoneIos);
    assert_eq!(p.card.serial, "400000012719843");
    let e = Profile::from_toml("base = \"other.toml\"").unwrap_err();
    assert!(e.to_string().contains("base"), "{e}");
}

#[test]
fn every_fixture_profile_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            Profile::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 1);
}

proptest::proptest! {
    #[test]
    fn random_profiles_never_panic(s in "\\PC{0,200}") {
        let _ = Profile::from_toml(&s);
    }

    #[test]
    fn mutated_profiles_never_panic(i in 0usize..2000, c in proptest::char::any()) {
        let mut chars: Vec<char> = BUILTIN_PROFILE_TOML.chars().collect();
        let n = chars.len();
        chars[i % n] = c;
        let s: String = chars.into_iter().collect();
        let _ = Profile::from_toml(&s);
    }
}

#[test]
fn derived_dates_follow_the_rules() {
    // A 12-year-old: the card for 5 years (5th birthday after issuance).
    let p = with("birth_date = \"1980-02-17\"", "birth_date = \"2013-02-17\"").unwrap();
    assert_eq!(p.card.expiry, date!(2030 - 02 - 17));
    assert_eq!(p.auth_cert.expires, date!(2030 - 02 - 17));
}
