//! The contradiction checker: generated card situations (holder age and
//! birthday, 29 February included; issue dates; card and certificate
//! validity, a period of stay among them; certificates present, absent,
//! damaged, invalidated or renewed; every counter; each kind of token; with
//! and without the signature password) on dates around every boundary. The
//! report is made for each and held to invariants written as data below:
//! findings that must not stand together, advice another finding makes
//! wrong, dates and days that must be true. A failing case is printed as a
//! profile and a date that reproduce it (`mynacard --virtual=FILE status
//! --today DATE`). docs/contradictions.md says how to add a pair.
//!
//! The model cases build the report's facts straight from the situation
//! (thousands, in well under a second); the end-to-end cases run the same
//! situations through the virtual card and the binary, and check that the
//! card gives the same findings as the model (so the model cannot drift from
//! what a card says), that text and JSON agree, that the JSON validates,
//! and that every command the report advises works on that card.

use crate::common;

use common::{bin, json};
use mynacard::card::pin::{state_of, PinStatus, RefStatus, Retries};
use mynacard::cert::chain::ChainStatus;
use mynacard::cert::roots::{Ca, Provenance};
use mynacard::protocol::keys::RefId;
use mynacard::protocol::{KeyRef, PinKind, TokenType};
use mynacard::report::{self, CertFacts, Finding, Input, Severity, Subject, Words};
use mynacard::rules;
use time::{Date, Duration};

/// Findings that must never stand together on the same subject.
const EXCLUSIVE: &[(&str, &str)] = &[
    ("CERT_EXPIRED", "CERT_EXPIRES_SOON"),
    ("CERT_EXPIRED", "CERT_RENEWAL_OPENS"),
    ("CERT_EXPIRED", "CERT_ENDS_BEFORE_CARD"),
    ("CERT_EXPIRED", "CERT_NOT_YET_VALID"),
    ("CERT_EXPIRES_SOON", "CERT_RENEWAL_OPENS"),
    ("CERT_ENDS_BEFORE_CARD", "CERT_CAPPED_BY_CARD"),
    ("CARD_EXPIRED", "CARD_EXPIRES_SOON"),
    ("CARD_EXPIRED", "CARD_RENEWAL_OPENS"),
    ("CARD_EXPIRES_SOON", "CARD_RENEWAL_OPENS"),
    ("PIN_LOCKED", "PIN_LAST_TRY"),
    ("PIN_LOCKED", "PIN_TRIES_USED"),
    ("PIN_LAST_TRY", "PIN_TRIES_USED"),
    ("SIGN_CERT_ABSENT", "SIGN_CERT_NOT_READ"),
    ("SIGN_CERT_ABSENT", "SIGN_CERT_MISMATCH"),
    ("SIGN_CERT_MISMATCH", "CERT_EXPIRES_SOON"),
    ("SIGN_CERT_MISMATCH", "CERT_RENEWAL_OPENS"),
    ("SIGN_CERT_MISMATCH", "CERT_ENDS_BEFORE_CARD"),
    ("SIGN_CERT_MISMATCH", "CERT_CAPPED_BY_CARD"),
    ("SIGN_CERT_MISMATCH", "CERT_END_NOT_BY_RULE"),
    ("AUTH_CERT_ABSENT", "CERT_EXPIRED"),
    ("AUTH_CERT_ABSENT", "CERT_EXPIRES_SOON"),
];

/// Where a finding is, relative to another: on the same subject, or anywhere.
#[derive(Clone, Copy)]
enum On {
    Anywhere,
    /// The PIN that opens the certificate the other finding is about.
    PinOfCert,
}

/// Advice another finding makes wrong: when the first finding stands, the
/// second's next step must not say the phrase (English).
const SUPERSEDED: &[(&str, On, &str, &str)] = &[
    // Renewal sets new PINs: no reset.
    ("CARD_EXPIRED", On::Anywhere, "PIN_LOCKED", "reset at"),
    ("CARD_EXPIRED", On::Anywhere, "PIN_LAST_TRY", "reset at"),
    ("CERT_EXPIRED", On::PinOfCert, "PIN_LOCKED", "reset at"),
    (
        "SIGN_CERT_MISMATCH",
        On::PinOfCert,
        "PIN_LOCKED",
        "reset at",
    ),
    ("AUTH_CERT_ABSENT", On::PinOfCert, "PIN_LOCKED", "reset at"),
    // The card is being renewed: no certificate is renewed "without the card".
    (
        "CARD_EXPIRED",
        On::Anywhere,
        "CERT_EXPIRED",
        "need not be renewed",
    ),
    (
        "CARD_EXPIRES_SOON",
        On::Anywhere,
        "CERT_EXPIRED",
        "need not be renewed",
    ),
    (
        "CARD_EXPIRES_SOON",
        On::Anywhere,
        "CERT_EXPIRES_SOON",
        "need not be renewed",
    ),
    (
        "CARD_EXPIRED",
        On::Anywhere,
        "CERT_EXPIRES_SOON",
        "need not be renewed",
    ),
];

/// A small deterministic generator (xorshift64*), so that a seed reproduces a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn day_in(&mut self, from: Date, to: Date) -> Date {
        let span = (to - from).whole_days().max(0) as u64;
        from + Duration::days(self.below(span + 1) as i64)
    }
}

#[derive(Debug, Clone, Copy)]
struct CertSit {
    present: bool,
    issued: Date,
    expires: Date,
    /// Signed by an unrelated key under the CA's name.
    damaged: bool,
}

#[derive(Debug, Clone)]
struct Situation {
    token: TokenType,
    birth: Date,
    card_issued: Date,
    card_expiry: Date,
    auth: CertSit,
    sign: CertSit,
    /// A move: the signature certificate's address differs from the card's.
    moved: bool,
    tries: [u8; 4],
    /// `--with-sign` (and `--with-card-info` with it), with the right password.
    with_sign: bool,
    today: Date,
}

const MAX: [u8; 4] = [5, 3, 3, 3];

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
}

fn generate(r: &mut Rng) -> Situation {
    let token = match r.below(10) {
        0 => TokenType::SmartphoneAndroid,
        1 => TokenType::SmartphoneIos,
        2 => TokenType::JukiCard,
        _ => TokenType::Card,
    };
    let leap_day = r.chance(8);
    let birth = if leap_day {
        date(1940 + 4 * r.below(20) as i32, 2, 29)
    } else {
        r.day_in(date(1935, 1, 1), date(2022, 12, 31))
    };
    let card_issued = r.day_in(
        (birth + Duration::days(30)).max(date(2016, 1, 1)),
        date(2026, 11, 30),
    );
    let derived = rules::card_expiry(birth, card_issued, card_issued);
    // A period of stay ends some cards early.
    let card_expiry = if r.chance(10) {
        r.day_in(card_issued + Duration::days(200), derived)
    } else {
        derived
    };
    let cert = |r: &mut Rng, present: bool| {
        // Renewed: issued later than the card, within its term.
        let issued = if r.chance(20) {
            r.day_in(
                card_issued,
                (card_expiry - Duration::days(30)).max(card_issued),
            )
        } else {
            card_issued
        };
        let by_rule = rules::cert_expiry(birth, issued, card_expiry);
        let expires = if r.chance(8) {
            r.day_in(
                issued + Duration::days(30),
                by_rule.max(issued + Duration::days(30)),
            )
        } else {
            by_rule
        };
        CertSit {
            present,
            issued,
            expires,
            damaged: r.chance(4),
        }
    };
    let adult_at_issue = rules::age_on(birth, card_issued) >= 15;
    let auth_present = !r.chance(5);
    let auth = cert(r, auth_present);
    let sign_present = adult_at_issue && !r.chance(10);
    let sign = cert(r, sign_present);
    let mut tries = [0u8; 4];
    for (i, t) in tries.iter_mut().enumerate() {
        *t = match r.below(10) {
            0 => 0,
            1 => 1,
            2 => r.below(MAX[i] as u64 + 1) as u8,
            _ => MAX[i],
        };
    }
    let with_sign = sign.present && tries[0] > 1 && r.chance(25);
    let mut marks = vec![card_expiry, auth.expires, sign.expires, auth.issued];
    marks.push(rules::renewal_opens(card_expiry));
    marks.push(rules::renewal_opens(auth.expires));
    marks.push(rules::renewal_opens(sign.expires));
    marks.push(rules::birthday_in(birth, 2028));
    let mark = marks[r.below(marks.len() as u64) as usize];
    let today = match r.below(5) {
        0 => mark - Duration::days(1),
        1 => mark,
        2 => mark + Duration::days(1),
        3 => mark + Duration::days(r.below(400) as i64 - 200),
        _ => r.day_in(card_issued, card_expiry + Duration::days(400)),
    };
    let moved = sign.present && with_sign && r.chance(30);
    Situation {
        token,
        birth,
        card_issued,
        card_expiry,
        auth,
        sign,
        moved,
        tries,
        with_sign,
        today,
    }
}

fn token_id(t: &TokenType) -> &'static str {
    match t {
        TokenType::Card => "card",
        TokenType::SmartphoneAndroid => "smartphone_android",
        TokenType::SmartphoneIos => "smartphone_ios",
        TokenType::JukiCard => "juki_card",
        TokenType::Unknown(_) => "other",
    }
}

/// The profile that gives the situation (and the date to report on).
fn profile(s: &Situation) -> String {
    let cert = |name: &str, c: &CertSit| {
        format!(
            "[certificates.{name}]\npresent = {}\nissued = \"{}\"\nexpires = \"{}\"\nwrong_issuer = {}\n",
            c.present, c.issued, c.expires, c.damaged
        )
    };
    let mut p = format!(
        "# mynacard --virtual=THIS status --today {}{}\nbase = \"builtin\"\n[holder]\nbirth_date = \"{}\"\n\
         [card]\ntoken = \"{}\"\nissued = \"{}\"\nexpiry = \"{}\"\n",
        s.today,
        if s.with_sign {
            " --with-sign --with-card-info (password TEST1234, card-info PIN 1234)"
        } else {
            ""
        },
        s.birth,
        token_id(&s.token),
        s.card_issued,
        s.card_expiry
    );
    for (i, kind) in ["sign", "auth", "card_info", "resident"].iter().enumerate() {
        p.push_str(&format!("[pins.{kind}]\ntries = {}\n", s.tries[i]));
    }
    p.push_str(&cert("auth", &s.auth));
    p.push_str(&cert("sign", &s.sign));
    if s.moved {
        p.push_str("address = \"東京都千代田区霞が関２－１－２\"\n");
    }
    p
}

fn pin_status(kind: PinKind, refs: &[KeyRef], left: u8, max: u8, present: bool) -> PinStatus {
    let retries = present.then_some(if left == 0 {
        Retries::Blocked
    } else {
        Retries::Remaining { left }
    });
    let (remaining, state) = state_of(retries, max);
    PinStatus {
        kind,
        max,
        remaining,
        state,
        references: refs
            .iter()
            .map(|&r| RefStatus {
                reference: RefId(r),
                remaining,
                state,
                error: None,
            })
            .collect(),
        references_agree: true,
    }
}

fn facts(s: &Situation, c: &CertSit, ca: Ca, birth: Option<Date>) -> CertFacts {
    let chain = if c.damaged {
        ChainStatus::BadSignature
    } else if s.today > c.expires {
        ChainStatus::Expired
    } else if s.today < c.issued {
        ChainStatus::NotYetValid
    } else {
        ChainStatus::Valid
    };
    CertFacts {
        not_before: c.issued,
        not_after: c.expires,
        chain: Some(chain),
        birth,
        provenance: if c.damaged {
            Provenance::NotJlis {
                claims_jlis: true,
                claims_test_pki: false,
            }
        } else {
            Provenance::TestPki { ca }
        },
        card_ca_is_root: None,
    }
}

/// The report's facts as a card in this situation gives them.
fn input(s: &Situation) -> Input {
    let card = s.token == TokenType::Card;
    let android = s.token == TokenType::SmartphoneAndroid;
    let sign_read = s.with_sign && s.sign.present;
    // A PIN this run verified is shown as the card has it after: full.
    // The card-info PIN is used only when it is not locked nor at its last try.
    let compared = sign_read && card && s.tries[2] > 1;
    let sign_tries = if sign_read { 5 } else { s.tries[0] };
    let info_tries = if compared { 3 } else { s.tries[2] };
    let pins = vec![
        pin_status(PinKind::Sign, &[KeyRef::Sign], sign_tries, 5, true),
        pin_status(PinKind::Auth, &[KeyRef::Auth], s.tries[1], 3, true),
        pin_status(PinKind::CardInfo, &[KeyRef::CardInfo], info_tries, 3, card),
        pin_status(
            PinKind::Resident,
            &[KeyRef::Juki, KeyRef::Common],
            s.tries[3],
            3,
            card,
        ),
    ];
    let sign = sign_read.then(|| facts(s, &s.sign, Ca::Sign, Some(s.birth)));
    Input {
        today: s.today,
        token: s.token.clone(),
        card_expiry: card.then_some(s.card_expiry),
        auth_present: s.auth.present,
        auth: (s.auth.present && !android).then(|| facts(s, &s.auth, Ca::Auth, None)),
        sign_present: s.sign.present,
        birth: sign.as_ref().and_then(|f| f.birth),
        sign,
        pins,
        unreadable: Vec::new(),
        sign_refused: None,
        holder_differs: compared.then(|| {
            if s.moved {
                vec![report::HolderField::Address]
            } else {
                Vec::new()
            }
        }),
        holder_refused: (sign_read && !compared).then(|| Words::new("-", "-")),
    }
}

fn words_ok(w: &Words) -> bool {
    let ok = |t: &str| !t.trim().is_empty() && !t.contains('{') && !t.contains('}');
    ok(&w.en) && ok(&w.ja)
}

/// The PIN that opens a certificate.
fn pin_of(subject: Subject) -> Option<Subject> {
    match subject {
        Subject::AuthCert => Some(Subject::Pin(PinKind::Auth)),
        Subject::SignCert => Some(Subject::Pin(PinKind::Sign)),
        _ => None,
    }
}

/// Every invariant on one report; the first broken one, in words.
fn check(s: &Situation, inp: &Input, f: &[Finding]) -> Result<(), String> {
    let code = |x: &Finding| x.code.as_str();
    for x in f {
        if !words_ok(&x.message) || !words_ok(&x.next_step) {
            return Err(format!("{}: empty or unfilled words: {x:?}", code(x)));
        }
    }
    for w in f.windows(2) {
        if w[0].severity < w[1].severity {
            return Err("findings are not sorted by severity".into());
        }
    }
    if report::worst(f) != f.iter().map(|x| x.severity).max() {
        return Err("worst is not the highest severity".into());
    }
    for (a, b) in EXCLUSIVE {
        for x in f.iter().filter(|x| code(x) == *a) {
            if f.iter().any(|y| code(y) == *b && y.subject == x.subject) {
                return Err(format!("{a} and {b} on {:?}", x.subject));
            }
        }
    }
    for (a, on, b, phrase) in SUPERSEDED {
        for x in f.iter().filter(|x| code(x) == *a) {
            for y in f.iter().filter(|y| code(y) == *b) {
                let related = match on {
                    On::Anywhere => true,
                    On::PinOfCert => pin_of(x.subject) == Some(y.subject),
                };
                if related && y.next_step.en.contains(phrase) {
                    return Err(format!(
                        "{b} on {:?} says {phrase:?} beside {a}: {:?}",
                        y.subject, y.next_step.en
                    ));
                }
            }
        }
    }
    // What a finding says of a date is true on `today`.
    let expiry_of = |subject: Subject| match subject {
        Subject::Card => inp.card_expiry,
        Subject::AuthCert => inp.auth.as_ref().map(|c| c.not_after),
        Subject::SignCert => inp.sign.as_ref().map(|c| c.not_after),
        _ => None,
    };
    for x in f {
        let Some(end) = expiry_of(x.subject) else {
            continue;
        };
        let opens = rules::renewal_opens(end);
        let truth = match code(x) {
            "CARD_EXPIRED" | "CERT_EXPIRED" => s.today > end && x.date == Some(end),
            "CARD_EXPIRES_SOON" | "CERT_EXPIRES_SOON" => {
                s.today >= opens && s.today <= end && x.date == Some(end)
            }
            "CARD_RENEWAL_OPENS" | "CERT_RENEWAL_OPENS" => s.today < opens && x.date == Some(opens),
            _ => true,
        };
        if !truth {
            return Err(format!(
                "{} on {:?} is not true on {} (last day {end}, renewal from {opens}, date {:?})",
                code(x),
                x.subject,
                s.today,
                x.date
            ));
        }
    }
    // A reason shown is true for the card: "under 15" never on an adult's 10-year card.
    if let Some(x) = f.iter().find(|x| code(x) == "SIGN_CERT_ABSENT") {
        let ten_year = (s.card_expiry - s.auth.issued).whole_days() > 6 * 366
            && s.auth.present
            && s.token == TokenType::Card;
        if ten_year && x.message.en.contains("under 15") {
            return Err("an adult's 10-year card is given the under-15 reason".into());
        }
    }
    // Nothing is said to be missing that is there, nor silence on what is missing.
    let says = |c: &str| f.iter().any(|x| code(x) == c);
    if !s.auth.present && s.token == TokenType::Card && !says("AUTH_CERT_ABSENT") {
        return Err(
            "a card without a user-authentication certificate, and no finding says so".into(),
        );
    }
    if s.auth.present && says("AUTH_CERT_ABSENT") {
        return Err("AUTH_CERT_ABSENT with the certificate present".into());
    }
    for (i, kind) in [
        PinKind::Sign,
        PinKind::Auth,
        PinKind::CardInfo,
        PinKind::Resident,
    ]
    .into_iter()
    .enumerate()
    {
        let locked = f
            .iter()
            .any(|x| code(x) == "PIN_LOCKED" && x.subject == Subject::Pin(kind));
        let present = s.token == TokenType::Card || i < 2;
        if locked != (present && s.tries[i] == 0) {
            return Err(format!(
                "PIN_LOCKED for {kind:?} is {locked} with {} tries",
                s.tries[i]
            ));
        }
    }
    Ok(())
}

fn seed() -> u64 {
    std::env::var("MYNACARD_SITUATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        })
}

fn cases() -> usize {
    std::env::var("MYNACARD_SITUATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000)
}

#[test]
fn no_report_contradicts_itself_in_thousands_of_situations() {
    let seed = seed();
    let mut r = Rng(seed);
    let n = cases();
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..n {
        let s = generate(&mut r);
        let inp = input(&s);
        let f = report::findings(&inp);
        codes.extend(f.iter().map(|x| x.code.as_str()));
        if let Err(why) = check(&s, &inp, &f) {
            panic!(
                "situation {i} of seed {seed} (MYNACARD_SITUATION_SEED={seed}): {why}\n\
                 --- profile ---\n{}--- findings ---\n{:#?}",
                profile(&s),
                f.iter()
                    .map(|x| (x.code.as_str(), x.subject, &x.message.en, &x.next_step.en))
                    .collect::<Vec<_>>()
            );
        }
    }
    // The generator reaches the situations the invariants are about.
    for c in [
        "CARD_EXPIRED",
        "CARD_EXPIRES_SOON",
        "CERT_EXPIRED",
        "CERT_EXPIRES_SOON",
        "CERT_RENEWAL_OPENS",
        "PIN_LOCKED",
        "PIN_LAST_TRY",
        "SIGN_CERT_ABSENT",
        "AUTH_CERT_ABSENT",
        "SIGN_CERT_MISMATCH",
        "CERT_CHAIN_INVALID",
        "NOT_PHYSICAL_CARD",
    ] {
        assert!(
            n < 2000 || codes.contains(c),
            "seed {seed}: no situation gave {c}: {codes:?}"
        );
    }
}

/// The PIN rows of the text report: `name  n/max  state`.
fn text_counters(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| {
                    w.contains('/') && w.split('/').all(|p| p == "-" || p.parse::<u8>().is_ok())
                })
                .map(str::to_string)
        })
        .collect()
}

/// The same situations through the virtual card and the binary.
#[test]
fn the_card_gives_what_the_model_gives_and_every_advised_command_works() {
    let seed = seed();
    let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
    let dir = tempfile::tempdir().unwrap();
    let n = std::env::var("MYNACARD_SITUATIONS_E2E")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut advised = 0;
    for i in 0..n {
        let s = generate(&mut r);
        let path = dir.path().join(format!("s{i}.toml"));
        std::fs::write(&path, profile(&s)).unwrap();
        let v = format!("--virtual={}", path.display());
        let today = s.today.to_string();
        let mut args = vec![v.as_str(), "--no-cache", "status", "--today", &today];
        if s.with_sign {
            args.extend([
                "--with-sign",
                "--pin-env",
                "P_SIGN",
                "--with-card-info",
                "--card-info-pin-env",
                "P_INFO",
            ]);
        }
        let run = |extra: &[&str]| {
            bin()
                .args(extra)
                .args(&args)
                .env("P_SIGN", "TEST1234")
                .env("P_INFO", "1234")
                .output()
                .unwrap()
        };
        let fail = |why: String| -> ! {
            panic!(
                "situation {i} of seed {seed} (MYNACARD_SITUATION_SEED={seed}): {why}\n--- profile ---\n{}",
                profile(&s)
            )
        };
        let out = run(&["--json"]);
        if out.status.code() != Some(0) {
            fail(format!(
                "status failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let doc = json(&out.stdout);
        common::assert_schema(&doc, &format!("situation {i}"));
        // The card says what the model says.
        let model = report::findings(&input(&s));
        let mut want: Vec<String> = model
            .iter()
            .map(|x| {
                format!(
                    "{} {}",
                    x.code.as_str(),
                    serde_json::to_value(x.subject).unwrap()
                )
            })
            .collect();
        let mut got: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| format!("{} {}", x["code"].as_str().unwrap(), x["subject"]))
            .collect();
        want.sort();
        got.sort();
        if want != got {
            fail(format!(
                "the card's findings {got:?} are not the model's {want:?}"
            ));
        }
        // Text and JSON show the same counters.
        let text = String::from_utf8_lossy(&run(&["--lang=en"]).stdout).into_owned();
        let json_counters: Vec<String> = doc["pins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let n = p["remaining"]
                    .as_u64()
                    .map_or("-".to_string(), |n| n.to_string());
                format!("{n}/{}", p["max"])
            })
            .collect();
        if text_counters(&text) != json_counters {
            fail(format!(
                "text counters {:?} vs JSON {json_counters:?}\n{text}",
                text_counters(&text)
            ));
        }
        // Every command the report advises runs on this card.
        let advice: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["next_step"].as_str().unwrap().to_string())
            .chain(
                ["auth_cert", "sign_cert"]
                    .iter()
                    .filter_map(|c| doc[c]["note"].as_str().map(str::to_string)),
            )
            .collect();
        for a in advice {
            let Some(at) = a.find("mynacard ") else {
                continue;
            };
            let cmd: Vec<&str> = a[at + 9..]
                .split([')', ';', ','])
                .next()
                .unwrap()
                .split_whitespace()
                .filter(|w| !w.starts_with("--trace"))
                .collect();
            const COMMANDS: &[&str] =
                &["status", "pin", "cert", "prove", "info", "sign", "readers"];
            if !cmd.first().is_some_and(|c| COMMANDS.contains(c)) {
                continue;
            }
            let takes_pin = !cmd.starts_with(&["pin", "status"]) && cmd.first() != Some(&"status");
            advised += 1;
            let out = bin()
                .arg(&v)
                .arg("--no-cache")
                .args(&cmd)
                .args(if takes_pin {
                    &["--pin-env", "P_PIN"][..]
                } else {
                    &[]
                })
                .env(
                    "P_PIN",
                    if cmd.contains(&"sign") {
                        "TEST1234"
                    } else {
                        "1234"
                    },
                )
                .output()
                .unwrap();
            let code = out.status.code();
            let err = String::from_utf8_lossy(&out.stderr);
            // A refusal the advice did not mention (a locked PIN, a last try)
            // is the card's state, not the advice's fault: the report says so.
            if !matches!(code, Some(0) | Some(10) | Some(17)) || err.contains("reseat") {
                fail(format!(
                    "advised `mynacard {}` ended {code:?}: {err}",
                    cmd.join(" ")
                ));
            }
        }
    }
    assert!(
        n < 40 || advised > 0,
        "seed {seed}: no advised command was tried"
    );
}

#[test]
fn the_checker_catches_a_planted_contradiction() {
    let mut r = Rng(7);
    let s = generate(&mut r);
    let inp = input(&s);
    let mut f = report::findings(&inp);
    let bad = |code: &str| Finding {
        code: mynacard::report::FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
            .unwrap(),
        severity: Severity::Error,
        subject: Subject::Card,
        message: Words::new("x", "x"),
        next_step: Words::new("x", "x"),
        date: None,
    };
    f.insert(0, bad("CARD_EXPIRED"));
    f.insert(0, bad("CARD_EXPIRES_SOON"));
    assert!(check(&s, &inp, &f).is_err());
}
