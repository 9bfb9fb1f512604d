//! `mynacard status`: the card, its certificates, all four PIN counters and
//! findings, in one screen. No PIN is ever sent unless `--with-sign`. The
//! work is `usecase::status`; this is the command line and the two
//! presenters (text and JSON) of its model.

use super::cert::{check_instant, parse_today};
use super::pin::{render_rows, to_json, PinJson};
use super::Ctx;
use crate::cli::input::{PinInput, PinSource};
use crate::cli::output::Document;
use crate::cli::output::{paint, print_json, Tone};
use crate::error::{exit, Error, Result};
use crate::i18n::Lang;
use crate::protocol::CertSlot;
use crate::protocol::PinKind;
use crate::protocol::TokenKind;
use crate::report::day;
use crate::report::{self, Expiry, Finding, Severity};
use crate::usecase::pins::{Asker, Which};
use crate::usecase::status::{Against, CertPart, Note, Request, Status};
use clap::Args;
use serde::Serialize;
use time::Date;

mod text;
use text::render;

/// The signature password's sources and `--force-last-try` are for
/// `--with-sign` only (else nothing would use them); `--watch` reports, it
/// does not end on a finding.
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("sign_password")
    .args(["pin_file", "pin_stdin", "pin_env", "force_last_try"])
    .multiple(true)
    .requires("with_sign"))]
pub struct StatusArgs {
    /// Also read the signature certificate (asks for the signature password; a wrong entry costs a try)
    #[arg(long)]
    pub with_sign: bool,
    /// Exit non-zero (20 warning, 21 error) when a finding of this severity or worse exists
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
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
    /// With --with-sign: compare the signature certificate's name and address with the card's (needs the card-info PIN)
    #[arg(long, requires = "with_sign")]
    pub with_card_info: bool,
    #[command(flatten)]
    pub card_info_pin: CardInfoPinSource,
}

/// Where the card-info PIN of `--with-card-info` comes from (else a prompt).
#[derive(Args, Debug, Clone, Default)]
#[group(id = "card_info_pin_source", multiple = false)]
pub struct CardInfoPinSource {
    /// Read the card-info PIN from the first line of FILE (--with-card-info)
    #[arg(long, value_name = "FILE", requires = "with_card_info")]
    pub card_info_pin_file: Option<std::path::PathBuf>,
    /// Read the card-info PIN from the environment variable NAME (--with-card-info)
    #[arg(long, value_name = "NAME", requires = "with_card_info")]
    pub card_info_pin_env: Option<String>,
}

impl CardInfoPinSource {
    fn source(&self) -> crate::cli::input::Source {
        crate::cli::input::Source::file_or_env(&self.card_info_pin_file, &self.card_info_pin_env)
    }
}

/// The severities `--fail-on` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Warning,
    Error,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        }
    }
}

/// The card in `status --json`.
#[derive(Serialize, schemars::JsonSchema)]
struct CardJson {
    token_type: TokenKind,
    /// The token in English; `description_ja` in Japanese.
    description: String,
    description_ja: String,
    serial: Option<String>,
    municipality: Option<String>,
    expiry: Option<Expiry>,
}

/// Where a certificate shown was read from.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum ReadFrom {
    /// Read whole from the card (every time: nothing kept between runs
    /// stands in for the card's answer).
    Card,
}

/// One certificate in `status --json`.
#[derive(Serialize, schemars::JsonSchema)]
struct CertJson {
    present: bool,
    read: bool,
    /// Why it was not read (English; `note_ja` in Japanese).
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note_ja: Option<String>,
    #[serde(serialize_with = "day::iso_opt")]
    #[schemars(with = "Option<day::IsoDate>")]
    not_before: Option<Date>,
    #[serde(serialize_with = "day::iso_opt")]
    #[schemars(with = "Option<day::IsoDate>")]
    not_after: Option<Date>,
    expiry: Option<Expiry>,
    chain: Option<crate::cert::chain::ChainStatus>,
    issued_by: Option<crate::cert::roots::Provenance>,
    card_ca_is_root: Option<bool>,
    subject: Option<String>,
    sha256_fingerprint: Option<String>,
    /// Null when not read.
    source: Option<ReadFrom>,
    /// What `chain` was checked against; null when not checked.
    chain_against: Option<Against>,
}

/// A finding in JSON: English `message`/`next_step`, the same in Japanese
/// in the `_ja` fields.
#[derive(Serialize, schemars::JsonSchema)]
pub struct FindingJson {
    pub code: report::FindingCode,
    pub severity: Severity,
    pub subject: report::Subject,
    pub message: String,
    pub message_ja: String,
    pub next_step: String,
    pub next_step_ja: String,
    #[serde(
        serialize_with = "day::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<day::IsoDate>")]
    pub date: Option<Date>,
}

impl FindingJson {
    pub fn of(f: &Finding) -> FindingJson {
        FindingJson {
            code: f.code,
            severity: f.severity,
            subject: f.subject,
            message: f.message.en.clone(),
            message_ja: f.message.ja.clone(),
            next_step: f.next_step.en.clone(),
            next_step_ja: f.next_step.ja.clone(),
            date: f.date,
        }
    }
}

/// `status --json` (and each line of `status --watch --json`).
#[derive(Serialize, schemars::JsonSchema)]
pub struct StatusDoc<'a> {
    #[serde(serialize_with = "day::iso")]
    #[schemars(with = "day::IsoDate")]
    today: Date,
    card: CardJson,
    auth_cert: CertJson,
    sign_cert: CertJson,
    pins: Vec<PinJson<'a>>,
    findings: Vec<FindingJson>,
    /// The worst severity among the findings; null when there are none.
    worst: Option<Severity>,
    /// `--with-card-info`: whether the signature certificate's name and
    /// address match the card's record; null when not compared.
    sign_cert_matches_card: Option<bool>,
}

impl Document for StatusDoc<'_> {
    const COMMAND: &'static str = "status";
}

/// A line of `status --watch --json` that is not a report.
#[derive(Serialize, schemars::JsonSchema)]
pub struct WatchEvent {
    pub event: WatchEventKind,
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchEventKind {
    /// The card was taken off the reader.
    CardRemoved,
}

impl Document for WatchEvent {
    const COMMAND: &'static str = "watch";
}

/// Why a certificate was not read, in words.
fn note_text(n: &Note, lang: Lang) -> String {
    match n {
        Note::NeedsAuthPin => lang
            .pick(
                "スマホ用電子証明書では、読むのに利用者証明用電子証明書の暗証番号が必要です (mynacard cert show auth)",
                "on a smartphone certificate reading it needs the user-authentication PIN (mynacard cert show auth)",
            )
            .into(),
        Note::NeedsSignPassword => lang
            .pick(
                "読むには署名用電子証明書のパスワードが必要です (--with-sign)。間違えると残り回数が1回減ります",
                "reading it needs the signature password (--with-sign); a wrong entry costs one try, nothing else",
            )
            .into(),
        Note::Unreadable(why) => why.clone(),
        Note::PasswordNotUsed(e) => e.message(lang),
    }
}

fn cert_json(p: &CertPart, st: &Status) -> CertJson {
    let f = p.facts.as_ref();
    CertJson {
        present: p.present,
        read: p.read(),
        note: p.note.as_ref().map(|n| note_text(n, Lang::En)),
        note_ja: p.note.as_ref().map(|n| note_text(n, Lang::Ja)),
        not_before: f.map(|f| f.not_before),
        not_after: f.map(|f| f.not_after),
        expiry: f.map(|f| report::expiry(st.today, f.not_after)),
        chain: f.and_then(|f| f.chain),
        issued_by: f.map(|f| f.provenance.clone()),
        card_ca_is_root: f.and_then(|f| f.card_ca_is_root),
        subject: p.subject.clone(),
        sha256_fingerprint: p.sha256_fingerprint.clone(),
        source: p.read().then_some(ReadFrom::Card),
        chain_against: p.chain_against,
    }
}

fn card_json(st: &Status) -> CardJson {
    CardJson {
        token_type: st.token.kind(),
        description: crate::i18n::describe_token(&st.token, Lang::En),
        description_ja: crate::i18n::describe_token(&st.token, Lang::Ja),
        serial: st.card.as_ref().map(|c| c.serial.clone()),
        municipality: st.card.as_ref().map(|c| c.municipality.clone()),
        expiry: st.card.as_ref().map(|c| report::expiry(st.today, c.expiry)),
    }
}

pub fn run(ctx: &Ctx, a: StatusArgs) -> Result<i32> {
    if a.watch {
        return watch(ctx, &a);
    }
    let st = report_once(ctx, &a)?;
    print(ctx, &st);
    Ok(exit_code(&st, a.fail_on))
}

fn print(ctx: &Ctx, st: &Status) {
    if ctx.g.json {
        print_json(&StatusDoc {
            today: st.today,
            card: card_json(st),
            auth_cert: cert_json(&st.auth, st),
            sign_cert: cert_json(&st.sign, st),
            pins: st.pins.iter().map(to_json).collect(),
            findings: st.findings.iter().map(FindingJson::of).collect(),
            worst: st.worst,
            sign_cert_matches_card: st.sign_matches_card,
        });
    } else {
        print!("{}", render(ctx, st));
    }
}

fn exit_code(st: &Status, fail_on: Option<FailOn>) -> i32 {
    match (fail_on.map(FailOn::severity), st.worst) {
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

/// Read the card once and make the report.
fn report_once(ctx: &Ctx, a: &StatusArgs) -> Result<Status> {
    let today = parse_today(a.today.as_deref())?;
    let at = check_instant(a.today.as_deref(), today);
    let mut input = PinInput::new(ctx.lang)
        .with(PinKind::Sign, Which::Current, a.pin.source())
        .with(PinKind::CardInfo, Which::Current, a.card_info_pin.source());
    crate::usecase::status::status(
        &ctx.card,
        Request {
            today,
            at,
            sign: a
                .with_sign
                .then_some((&mut input as &mut dyn Asker, a.last.force_last_try)),
            compare_holder: a.with_card_info,
            lang: ctx.lang,
        },
    )
}

/// `--watch`: for a counter checking card after card. Waits for a card,
/// prints its report, waits for its removal, and again, until SIGINT or
/// SIGTERM. A card pulled mid-report gives one short line; the loop goes
/// on. With `--json`, one JSON object per line (JSON Lines).
#[cfg(feature = "pcsc")]
fn watch(ctx: &Ctx, a: &StatusArgs) -> Result<i32> {
    use crate::usecase::follow::{Event, Mode};
    // Every line from the first one, an error included, is one JSON object.
    crate::cli::output::set_json_lines(None);
    if ctx.g.virtual_card.is_some() {
        return Err(Error::Usage(crate::error::Misuse::WatchVirtual));
    }
    if a.with_sign {
        return Err(Error::Usage(crate::error::Misuse::WatchWithSign));
    }
    if a.fail_on.is_some() || ctx.g.wait.is_some() {
        return Err(Error::Usage(crate::error::Misuse::WatchOnce));
    }
    // SIGINT/SIGTERM end the loop at any point (cli::signals), with exit 0.
    crate::cli::signals::set_watching();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mode = Mode {
        recover: false,
        by_card: true,
    };
    let mut read = |one: &crate::usecase::CardOptions| {
        let mut g = ctx.g.clone();
        g.reader = one.reader.clone();
        g.wait = None;
        report_once(&ctx.with_global(g), a)
    };
    let mut on = |e: Event| -> bool {
        use std::io::Write;
        match e {
            Event::Following { reader, by_card } => {
                crate::cli::output::set_json_lines(Some(&reader));
                // One line on stderr, also under --json (stdout stays JSON
                // Lines); a closed stderr does not stop the watch.
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    match (ctx.lang, by_card) {
                        (Lang::Ja, false) => format!("{reader} を監視しています (Ctrl-C で終了)"),
                        (Lang::En, false) => format!("watching {reader} (Ctrl-C to stop)"),
                        (Lang::Ja, true) => format!(
                            "{reader} を監視しています (カードが置かれたリーダー。Ctrl-C で終了)"
                        ),
                        (Lang::En, true) =>
                            format!("watching {reader}, the reader holding a card (Ctrl-C to stop)"),
                    }
                );
            }
            Event::Report { status, .. } => {
                if !ctx.g.json {
                    println!("── {} ──", crate::rules::now_jst_string());
                }
                print(ctx, &status);
            }
            Event::Failed {
                error: Error::CardRemoved,
                ..
            } if !ctx.g.json => println!(
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
            Event::Failed { error, .. } => crate::cli::output::print_error(ctx, &error),
            // Say so, so that the last holder's report never stays on
            // screen as if current.
            Event::Removed { .. } if ctx.g.json => print_json(&WatchEvent {
                event: WatchEventKind::CardRemoved,
            }),
            Event::Removed { .. } => println!(
                "{}",
                paint(
                    ctx,
                    Tone::Dim,
                    ctx.lang.pick(
                        "── カードが取り外されました。次のカードを置いてください ──",
                        "── card removed: waiting for the next card ──"
                    )
                )
            ),
            Event::Choosing { readers } => {
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    match ctx.lang {
                        Lang::Ja => format!(
                            "{} 台のリーダーのどれかにカードを置いてください (Ctrl-C で終了): {}",
                            readers.len(),
                            readers.join(", ")
                        ),
                        Lang::En => format!(
                            "waiting for a card on any of {} readers (Ctrl-C to stop): {}",
                            readers.len(),
                            readers.join(", ")
                        ),
                    }
                );
            }
            Event::NoService | Event::NoReader | Event::Waiting { .. } | Event::Reading { .. } => {}
        }
        let _ = std::io::stdout().flush();
        true
    };
    crate::usecase::follow::follow(&ctx.card, mode, &stop, &mut read, &mut on)?;
    Ok(0)
}

#[cfg(not(feature = "pcsc"))]
fn watch(_ctx: &Ctx, _a: &StatusArgs) -> Result<i32> {
    Err(Error::NoPcscBuild)
}
