//! `mynacard status`: the card, its certificates, all four PIN counters and
//! findings, in one screen. No PIN is ever sent unless `--with-sign`.

use super::cert::{check_instant, parse_today};
use super::pin::{render_rows, to_json, PinJson};
use super::{read_with_ca, require_my_number_card, with_card, Ctx};
use crate::card::common::{self, CardInfo};
use crate::card::jpki::{self, CertSlot, TokenType};
use crate::card::pin::{self, Pin, PinKind, PinStatus};
use crate::card::policy;
use crate::card::Session;
use crate::cert::chain::check_chain;
use crate::cli::input::{PinInput, PinSource};
use crate::cli::output::{paint, print_json, Tone};
use crate::error::{exit, Error, Result};
use crate::i18n::Lang;
use crate::protocol::KeyRef;
use crate::report::{self, CertFacts, Expiry, Finding, Severity};
use crate::rules;
use crate::usecase::cache::CaCache;
use crate::usecase::connect::CardMeta;
use crate::usecase::pins::{with_pins, Need, Which};
use clap::Args;
use serde::Serialize;
use time::Date;

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Also read the signature certificate (asks for the signature password; a wrong entry costs a try)
    #[arg(long)]
    pub with_sign: bool,
    /// Exit non-zero (20 warning, 21 error) when a finding of this severity or worse exists
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// The date to report against (YYYY-MM-DD, JST; default today)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    #[command(flatten)]
    pub last: super::pin::LastTry,
    /// For counter staff: report on every card put on the reader, until interrupted
    /// (with --json: one JSON object per line)
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub pin: PinSource,
}

/// Everything read from the card for the report.
struct Read {
    token: TokenType,
    card: Option<CardInfo>,
    sign_present: bool,
    auth_present: bool,
    auth: Option<crate::usecase::connect::CertAndCa>,
    sign: Option<crate::usecase::connect::CertAndCa>,
    pins: Vec<PinStatus>,
    /// Parts the card would not give: (subject, what went wrong).
    unreadable: Vec<(String, String)>,
}

/// A part of the report that failed because of the card's data or an
/// unexpected status word is left out (and reported) instead of losing the
/// whole report; a pulled card, a timeout or a PC/SC failure still ends it.
fn part<T>(r: Result<T>, subject: &str, bad: &mut Vec<(String, String)>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e @ (Error::UnexpectedStatus { .. } | Error::Data(_))) => {
            bad.push((subject.to_string(), e.to_string()));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct CardJson {
    token_type: String,
    description: String,
    serial: Option<String>,
    municipality: Option<String>,
    expiry: Option<Expiry>,
}

#[derive(Serialize)]
struct CertJson {
    present: bool,
    read: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    not_before: Option<String>,
    not_after: Option<String>,
    expiry: Option<Expiry>,
    chain: Option<String>,
    subject: Option<String>,
    sha256_fingerprint: Option<String>,
}

#[derive(Serialize)]
struct StatusJson<'a> {
    today: String,
    card: &'a CardJson,
    auth_cert: &'a CertJson,
    sign_cert: &'a CertJson,
    pins: Vec<PinJson<'a>>,
    findings: &'a [Finding],
    worst: Option<Severity>,
}

fn cert_facts(
    ee: &[u8],
    ca: Option<&[u8]>,
    at: time::OffsetDateTime,
) -> Result<(CertFacts, CertJson)> {
    let (_, x) = x509_parser::parse_x509_certificate(ee)
        .map_err(|e| Error::Data(format!("certificate on the card does not parse: {e}")))?;
    let nb = rules::jst_date(x.validity().not_before.to_datetime());
    let na = rules::jst_date(x.validity().not_after.to_datetime());
    let chain = match ca {
        Some(ca) => {
            let r = check_chain(ee, &[ca.to_vec()], at).map_err(|e| Error::Data(e.to_string()))?;
            serde_json::to_value(r.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
        }
        None => None,
    };
    use sha2::Digest;
    let fp = hex::encode_upper(sha2::Sha256::digest(ee));
    Ok((
        CertFacts {
            not_before: nb,
            not_after: na,
            chain: chain.clone(),
        },
        CertJson {
            present: true,
            read: true,
            note: None,
            not_before: Some(nb.to_string()),
            not_after: Some(na.to_string()),
            expiry: None,
            chain,
            subject: Some(x.subject().to_string()),
            sha256_fingerprint: Some(fp),
        },
    ))
}

fn absent(present: bool, note: Option<String>) -> CertJson {
    CertJson {
        present,
        read: false,
        note,
        not_before: None,
        not_after: None,
        expiry: None,
        chain: None,
        subject: None,
        sha256_fingerprint: None,
    }
}

fn birth_from_sign(der: &[u8]) -> Option<Date> {
    let h = crate::cert::jpki_attrs::holder_from_der(der).ok()??;
    let dob = h.date_of_birth?;
    common::parse_yyyymmdd(&dob.date.replace('-', ""))
}

pub fn run(ctx: &Ctx, a: StatusArgs) -> Result<i32> {
    if a.watch {
        return watch(ctx, &a);
    }
    let r = report_once(ctx, &a)?;
    r.print(ctx);
    Ok(r.exit_code(a.fail_on))
}

/// One report, as printed.
struct Report {
    today: Date,
    card: CardJson,
    auth_cert: CertJson,
    sign_cert: CertJson,
    pins: Vec<PinStatus>,
    findings: Vec<Finding>,
    worst: Option<Severity>,
}

impl Report {
    fn print(&self, ctx: &Ctx) {
        if ctx.g.json {
            print_json(
                "status",
                &StatusJson {
                    today: self.today.to_string(),
                    card: &self.card,
                    auth_cert: &self.auth_cert,
                    sign_cert: &self.sign_cert,
                    pins: self.pins.iter().map(|p| to_json(p, ctx.lang)).collect(),
                    findings: &self.findings,
                    worst: self.worst,
                },
            );
        } else {
            print!(
                "{}",
                render(
                    ctx,
                    &self.card,
                    &self.auth_cert,
                    &self.sign_cert,
                    &self.pins,
                    &self.findings
                )
            );
        }
    }

    fn exit_code(&self, fail_on: Option<Severity>) -> i32 {
        match (fail_on, self.worst) {
            (Some(th), Some(w)) if w >= th => {
                if w == Severity::Error {
                    exit::FINDING_ERROR
                } else {
                    exit::FINDING_WARNING
                }
            }
            _ => exit::OK,
        }
    }
}

/// Read the card once and make the report.
fn report_once(ctx: &Ctx, a: &StatusArgs) -> Result<Report> {
    let today = parse_today(a.today.as_deref())?;
    let at = check_instant(a.today.as_deref(), today);
    let cache = CaCache::open(ctx.g.no_cache);
    let read_card = |s: &mut Session, meta: &CardMeta, password: Option<&Pin>| {
        let token = require_my_number_card(s, meta)?;
        let avail = jpki::availability(s)?;
        // The Android smartphone token wants the auth PIN before the
        // certificate; status sends no PIN, so it says so instead.
        let mut bad = Vec::new();
        let auth = if avail.auth && token != TokenType::SmartphoneAndroid {
            part(
                read_with_ca(s, CertSlot::Auth, &cache),
                "auth_cert",
                &mut bad,
            )?
            .flatten()
        } else {
            None
        };
        let sign = match (password, avail.sign) {
            (Some(p), true) => {
                policy::verify(s, KeyRef::Sign, p)?;
                part(
                    read_with_ca(s, CertSlot::Sign, &cache),
                    "sign_cert",
                    &mut bad,
                )?
                .flatten()
            }
            _ => None,
        };
        let pins = part(pin::read_all(s), "pins", &mut bad)?.unwrap_or_default();
        // read_all leaves the 共通AP selected: the record costs one APDU.
        let card = part(common::read_card_info(s), "card", &mut bad)?.flatten();
        Ok(Read {
            token,
            card,
            sign_present: avail.sign,
            auth_present: avail.auth,
            auth,
            sign,
            pins,
            unreadable: bad,
        })
    };
    let read = if a.with_sign {
        let mut input = PinInput::new(ctx.lang).with(PinKind::Sign, Which::Current, a.pin.source());
        with_pins(
            &ctx.card,
            a.last.force_last_try,
            &[Need::verify(PinKind::Sign)],
            &mut input,
            |_| Ok(()),
            |s, meta, pins, _| read_card(s, meta, Some(pins.get(PinKind::Sign, Which::Current)?)),
        )?
    } else {
        with_card(ctx, false, |s, meta| read_card(s, meta, None))?
    };
    let mut unreadable = read.unreadable.clone();

    for (ee, ca) in read.auth.iter().chain(read.sign.iter()) {
        if let Some(ca) = ca {
            cache.store(ca, ee);
        }
    }
    let mut auth_json = absent(
        read.auth_present,
        (read.auth_present && read.token == TokenType::SmartphoneAndroid).then(|| {
            ctx.lang
                .pick(
                    "スマホ用電子証明書では、読むのに利用者証明用電子証明書暗証番号が必要です (mynacard cert show auth)",
                    "on a smartphone certificate reading it needs the user-authentication PIN (mynacard cert show auth)",
                )
                .to_string()
        }),
    );
    let mut auth_facts = None;
    if let Some((ee, ca)) = &read.auth {
        if let Some((f, mut j)) = part(
            cert_facts(ee, ca.as_deref(), at),
            "auth_cert",
            &mut unreadable,
        )? {
            j.expiry = Some(report::expiry(today, f.not_after));
            auth_facts = Some(f);
            auth_json = j;
        }
    }
    let mut sign_json = absent(
        read.sign_present,
        read.sign_present.then(|| {
            ctx.lang
                .pick(
                    "読むには署名用電子証明書パスワードが必要です (--with-sign)。誤入力は試行回数を1回消費します",
                    "reading it needs the signature password (--with-sign); a wrong entry costs one try, nothing else",
                )
                .to_string()
        }),
    );
    let mut sign_facts = None;
    let mut birth = None;
    if let Some((ee, ca)) = &read.sign {
        if let Some((f, mut j)) = part(
            cert_facts(ee, ca.as_deref(), at),
            "sign_cert",
            &mut unreadable,
        )? {
            j.expiry = Some(report::expiry(today, f.not_after));
            birth = birth_from_sign(ee);
            sign_facts = Some(f);
            sign_json = j;
        }
    }
    for (subject, why) in &unreadable {
        let j = match subject.as_str() {
            "auth_cert" => &mut auth_json,
            "sign_cert" => &mut sign_json,
            _ => continue,
        };
        j.read = false;
        j.note = Some(why.clone());
    }
    let input = report::Input {
        today,
        token: read.token.clone(),
        card_expiry: read.card.as_ref().map(|c| c.expiry),
        auth: auth_facts,
        sign_present: read.sign_present,
        sign: sign_facts,
        pins: read.pins.clone(),
        birth,
        unreadable,
    };
    let findings = report::findings(&input, ctx.lang);
    let worst = report::worst(&findings);
    let card_json = CardJson {
        token_type: read.token.id().to_string(),
        description: crate::i18n::describe_token(&read.token, ctx.lang),
        serial: read.card.as_ref().map(|c| c.serial.clone()),
        municipality: read.card.as_ref().map(|c| c.municipality.clone()),
        expiry: read.card.as_ref().map(|c| report::expiry(today, c.expiry)),
    };
    Ok(Report {
        today,
        card: card_json,
        auth_cert: auth_json,
        sign_cert: sign_json,
        pins: read.pins,
        findings,
        worst,
    })
}

/// `--watch`: for a counter checking card after card. Waits for a card,
/// prints its report, waits for its removal, and again, until SIGINT or
/// SIGTERM. A card pulled mid-report gives one short line; the loop goes
/// on. With `--json`, one JSON object per line (JSON Lines).
#[cfg(feature = "pcsc")]
fn watch(ctx: &Ctx, a: &StatusArgs) -> Result<i32> {
    use crate::transport::agent::Agent;
    use std::time::Duration;
    if ctx.g.virtual_card.is_some() {
        return Err(Error::Usage(
            "--watch follows a reader for cards coming and going; it cannot be used with --virtual (serve the virtual card with mynacard vcard serve)".into(),
        ));
    }
    if a.with_sign {
        return Err(Error::Usage(
            "--watch reads card after card; --with-sign would send one password to all of them"
                .into(),
        ));
    }
    // SIGINT/SIGTERM end the loop at any point (cli::signals), with exit 0.
    crate::cli::signals::set_watching();
    crate::cli::output::set_json_lines(true);
    let mut p = Agent::spawn(ctx.card.budget())?;
    let names: Vec<String> = p.readers()?.into_iter().map(|r| r.name).collect();
    let reader = match (&ctx.g.reader, names.len()) {
        (Some(q), _) => crate::usecase::connect::choose_reader(&names, q)?,
        (None, 0) => return Err(Error::NoReader),
        (None, 1) => names[0].clone(),
        (None, _) => {
            return Err(Error::AmbiguousReader {
                query: "(--watch needs one reader: give --reader)".into(),
                matches: names,
            })
        }
    };
    let mut g = ctx.g.clone();
    g.reader = Some(reader.clone());
    g.wait = None;
    let one = ctx.with_global(g);
    let tick = Duration::from_millis(250);
    if !ctx.g.json {
        eprintln!(
            "{}",
            match ctx.lang {
                Lang::Ja => format!("{reader} を監視しています (Ctrl-C で終了)"),
                Lang::En => format!("watching {reader} (Ctrl-C to stop)"),
            }
        );
    }
    loop {
        // Wait for a card, waking to look at the stop flag.
        loop {
            match p.wait_for_card(&reader, tick) {
                Ok(()) => break,
                Err(Error::NoCard { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        let (_, seen) = p.card_event(&reader)?;
        match report_once(&one, a) {
            Ok(r) => {
                if !ctx.g.json {
                    println!("── {} ──", crate::rules::now_jst_string());
                }
                r.print(&one);
            }
            Err(Error::CardRemoved) if !ctx.g.json => println!(
                "{}",
                paint(
                    ctx,
                    Tone::Warn,
                    ctx.lang.pick(
                        "カードが取り外されました (読み取りは完了していません)",
                        "card removed (the report was not finished)"
                    )
                )
            ),
            Err(e) => crate::cli::output::print_error(ctx, &e),
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // Wait for the card to go.
        loop {
            if p.wait_for_removal(&reader, seen, tick)? {
                break;
            }
        }
    }
}

#[cfg(not(feature = "pcsc"))]
fn watch(_ctx: &Ctx, _a: &StatusArgs) -> Result<i32> {
    Err(Error::Unsupported(
        "--watch needs PC/SC (this build has none)".into(),
    ))
}

fn expiry_line(ctx: &Ctx, e: &Expiry) -> String {
    let tone = if e.expired {
        Tone::Bad
    } else if e.renewal_open {
        Tone::Warn
    } else {
        Tone::Ok
    };
    let s = match (ctx.lang, e.expired) {
        (Lang::Ja, true) => format!("{} (期限切れ、{} 日経過)", e.expires, -e.days_left),
        (Lang::Ja, false) => format!("{} (残り {} 日)", e.expires, e.days_left),
        (Lang::En, true) => format!("{} (expired {} days ago)", e.expires, -e.days_left),
        (Lang::En, false) => format!("{} ({} days left)", e.expires, e.days_left),
    };
    paint(ctx, tone, &s)
}

/// The chain status in words.
fn chain_label(status: &str, l: Lang) -> &str {
    match (status, l) {
        ("valid", Lang::Ja) => "有効",
        ("expired", Lang::Ja) => "期限切れ",
        ("not_yet_valid", Lang::Ja) => "有効期間前",
        ("bad_signature", Lang::Ja) => "署名が一致しません",
        ("unknown_issuer", Lang::Ja) => "発行者が不明",
        ("issuer_not_ca", Lang::Ja) => "発行者が CA ではありません",
        ("valid", Lang::En) => "valid",
        ("expired", Lang::En) => "expired",
        ("not_yet_valid", Lang::En) => "not yet valid",
        ("bad_signature", Lang::En) => "bad signature",
        ("unknown_issuer", Lang::En) => "unknown issuer",
        ("issuer_not_ca", Lang::En) => "issuer is not a CA",
        (other, _) => other,
    }
}

/// "renewal opens on …" / "renewal is open", when not yet expired.
fn renewal_row(ctx: &Ctx, o: &mut String, e: &Expiry) {
    if e.expired {
        return;
    }
    let l = ctx.lang;
    let v = if e.renewal_open {
        paint(
            ctx,
            Tone::Warn,
            &match l {
                Lang::Ja => format!("受付中 ({} から)", e.renewal_opens),
                Lang::En => format!("open now (since {})", e.renewal_opens),
            },
        )
    } else {
        e.renewal_opens.clone()
    };
    o.push_str(&format!(
        "  {} {v}\n",
        super::pin::pad(l.pick("更新の受付開始", "renewal opens"), 24)
    ));
}

fn render(
    ctx: &Ctx,
    card: &CardJson,
    auth: &CertJson,
    sign: &CertJson,
    pins: &[PinStatus],
    findings: &[Finding],
) -> String {
    use super::pin::pad;
    let l = ctx.lang;
    let mut o = String::new();
    let w = 24;
    let row = |o: &mut String, k: &str, v: &str| o.push_str(&format!("  {} {v}\n", pad(k, w)));
    o.push_str(&format!(
        "{}: {}\n",
        l.pick("カード", "Card"),
        card.description
    ));
    if let Some(s) = &card.serial {
        row(&mut o, l.pick("製造番号", "serial"), s);
    }
    if let Some(m) = &card.municipality {
        row(&mut o, l.pick("市区町村コード", "municipality code"), m);
    }
    match &card.expiry {
        Some(e) => {
            row(&mut o, l.pick("有効期限", "expires"), &expiry_line(ctx, e));
            renewal_row(ctx, &mut o, e);
        }
        None => row(
            &mut o,
            l.pick("有効期限", "expires"),
            l.pick("(読めません)", "(not readable)"),
        ),
    }
    for (name, c) in [
        (crate::i18n::cert_name(CertSlot::Auth, l), auth),
        (crate::i18n::cert_name(CertSlot::Sign, l), sign),
    ] {
        o.push_str(&format!("{name}:\n"));
        if !c.present {
            row(
                &mut o,
                l.pick("状態", "state"),
                l.pick("搭載されていません", "not on the card"),
            );
            continue;
        }
        if !c.read {
            row(
                &mut o,
                l.pick("状態", "state"),
                l.pick("搭載 (未読取)", "present (not read)"),
            );
            if let Some(n) = &c.note {
                row(&mut o, "", &paint(ctx, Tone::Dim, n));
            }
            continue;
        }
        if let Some(e) = &c.expiry {
            row(&mut o, l.pick("有効期限", "expires"), &expiry_line(ctx, e));
            renewal_row(ctx, &mut o, e);
        }
        if let Some(ch) = &c.chain {
            let tone = if ch == "valid" { Tone::Ok } else { Tone::Bad };
            row(
                &mut o,
                l.pick("CA による検証", "chain (card CA)"),
                &paint(ctx, tone, chain_label(ch, l)),
            );
        }
    }
    o.push_str(&format!(
        "{}:\n",
        l.pick("暗証番号 (残り回数)", "PINs (tries left)")
    ));
    for line in render_rows(ctx, pins) {
        o.push_str(&format!("  {line}\n"));
    }
    if findings.is_empty() {
        o.push_str(&format!(
            "{}\n",
            paint(
                ctx,
                Tone::Ok,
                l.pick("問題は見つかりませんでした", "no findings")
            )
        ));
    } else {
        o.push_str(&format!("{}:\n", l.pick("所見", "Findings")));
        for f in findings {
            let (tone, tag) = match f.severity {
                Severity::Error => (Tone::Bad, l.pick("エラー", "ERROR")),
                Severity::Warning => (Tone::Warn, l.pick("警告", "WARN ")),
                Severity::Info => (Tone::Dim, l.pick("情報", "info ")),
            };
            o.push_str(&format!("  {} {}\n", paint(ctx, tone, tag), f.message));
            o.push_str(&format!("        → {}\n", f.next_step));
        }
    }
    o
}
