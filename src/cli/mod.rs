//! Command-line interface: argument parsing (clap), connection set-up,
//! rendering and exit codes.

mod combos;
pub mod commands;
pub mod completion;
mod help_ja;
pub mod input;
pub mod manual;
pub mod output;
pub mod schema;
pub mod signals;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use clap::{Args, Parser, Subcommand, ValueEnum};

use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "mynacard",
    version = crate::VERSION,
    about = "Read Japan's My Number Card (個人番号カード) over PC/SC: PIN counters without spending a try, certificates and expiry",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Reader to use: a unique part of its name, or its index from `mynacard readers`
    #[arg(
        long,
        global = true,
        value_name = "NAME|INDEX",
        conflicts_with = "virtual_card"
    )]
    pub reader: Option<String>,
    /// Wait up to SECS for a card to be inserted (default: do not wait)
    #[arg(long, global = true, value_name = "SECS", value_parser = seconds,
          conflicts_with = "virtual_card")]
    pub wait: Option<f64>,
    /// Print JSON (an object with schema_version) instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Print every APDU and answer in hex to stderr, with timings (PINs are masked)
    #[arg(long, global = true)]
    pub trace: bool,
    /// Language of messages (default: from LC_ALL/LC_MESSAGES/LANG)
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// Colour in text output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Use the built-in virtual card, or the one described by PROFILE (TOML), in-process
    #[arg(long = "virtual", global = true, value_name = "PROFILE", num_args = 0..=1,
          require_equals = true, default_missing_value = "")]
    pub virtual_card: Option<String>,
    /// With --virtual or vcard serve|sandbox: keep the virtual card's counters and PINs in FILE across runs
    #[arg(long, global = true, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Give up after SECS on a card that is busy (held by another program) or does not answer
    #[arg(long, global = true, value_name = "SECS", default_value_t = 10.0, value_parser = seconds)]
    pub timeout: f64,
    /// Do not use or fill the caches (CA certificates, extended-length support) under ~/.cache/mynacard
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// In Japanese text, dates also in the Japanese era (2035年2月17日 (令和17年))
    #[arg(long, global = true)]
    pub wareki: bool,
    /// Try one extended-length READ BINARY per certificate (falls back to short reads on 6700;
    /// a reader and card that take it are remembered)
    #[arg(long, global = true)]
    pub extended_length: bool,
}

/// A number of seconds: finite, more than 0, at most a day.
fn seconds(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        Ok(_) => Err(format!("{s} is not between 0 and 86400 seconds")),
        Err(_) => Err(format!("{s:?} is not a number of seconds")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Commands {
    /// The report: card and certificate expiry, renewal windows, all PIN counters, findings (no PIN sent)
    Status(commands::status::StatusArgs),
    /// For counter staff: a full-screen view of the card on the reader, card after card (q to quit)
    ///
    /// By itself it sends no PIN and shows no personal data: PIN counters, expiry and findings,
    /// as `status` reads them. Keys: q (or Esc, Ctrl-C) quits; l switches 日本語/English; f, with a
    /// card's report on screen, opens the face check.
    ///
    /// The face check sends one 照合番号B VERIFY to the card only after the staff press f and
    /// type what is printed on the card (birth date as printed, expiry year, security code; shown
    /// masked), under the same guard as every PIN: the counter is read first, a locked code is
    /// refused, and the last try is never spent from this screen (use `face-check
    /// --force-last-try`). It then shows the verdict, its four levels and the face (the photo and
    /// the name and address images as half-blocks, the signed birth date and sex) only until the
    /// card leaves the reader, Esc is pressed, or 60 seconds pass.
    Watch,
    /// Name, address, date of birth and sex from the card (card-info PIN); the number only on request
    Info(commands::info::InfoArgs),
    /// List readers: card present, ATR, and what the card is
    Readers,
    /// Check each step from USB to the card (PC/SC service, readers, card, applications) and say which fails and how to fix it (no PIN sent)
    Doctor(commands::doctor::DoctorArgs),
    /// Is this card genuine? The card signs a fresh challenge with its
    /// user-authentication key (needs that PIN), checked with the certificate
    /// and the built-in J-LIS roots
    Prove(commands::prove::ProveArgs),
    /// For counter staff: is this chip genuine, and does it match the card's
    /// face? From what is printed on the card (照合番号B: birth date, expiry
    /// year, security code), never the resident's PIN
    #[command(name = "face-check", alias = "face")]
    FaceCheck(commands::face::FaceCheckArgs),
    /// For shops: is the holder N years or older on a day? Asks only the
    /// birth date printed on the card (the 券面AP's birth-date key); prints
    /// yes or no with the chip's genuineness, nothing else about the holder
    #[command(name = "age-check", alias = "age")]
    AgeCheck(commands::age::AgeCheckArgs),
    /// Sign FILE with the card: a detached CMS signature (or --digest-only: a raw signature)
    Sign(commands::sign::SignArgs),
    /// Check a detached CMS signature of FILE (the file, the signature, the signer's certificate)
    Verify(commands::sign::VerifyArgs),
    /// Sign a PDF with the card (登記 or PAdES), or check a signed PDF's signatures
    #[command(subcommand)]
    Pdf(commands::pdf::PdfCmd),
    /// PIN counters (no try spent), verify and change
    #[command(subcommand)]
    Pin(commands::pin::PinCmd),
    /// Read, show and export the card's certificates, or inspect a certificate file
    #[command(subcommand)]
    Cert(commands::cert::CertCmd),
    /// The virtual My Number Card
    #[command(subcommand)]
    Vcard(commands::vcard::VcardCmd),
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The names of the readers connected now, one per line, for the shell
    /// completion of `--reader` (no card is touched)
    #[command(hide = true, name = "complete-readers")]
    CompleteReaders,
    /// Print the man page (roff), or write one per subcommand into DIR
    Man {
        /// Write mynacard.1 and mynacard-SUBCOMMAND.1 for every subcommand here
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Settings derived from the global options.
pub struct Ctx {
    pub g: Global,
    pub lang: Lang,
    pub color: bool,
    /// How to reach the card.
    pub card: crate::usecase::CardOptions,
}

impl Ctx {
    pub fn new(g: Global) -> Ctx {
        let lang = g.lang.unwrap_or_else(Lang::from_env);
        crate::i18n::set_wareki(g.wareki);
        let color = output::use_color(g.color);
        let card = crate::usecase::CardOptions {
            reader: g.reader.clone(),
            wait: g.wait,
            timeout: g.timeout,
            virtual_card: g.virtual_card.clone(),
            state: g.state.clone(),
            trace: g.trace,
            no_cache: g.no_cache,
            extended_length: g.extended_length,
        };
        Ctx {
            g,
            lang,
            color,
            card,
        }
    }

    /// The same settings with other global options (`status --watch`).
    pub fn with_global(&self, g: Global) -> Ctx {
        let mut c = Ctx::new(g);
        c.lang = self.lang;
        c.color = self.color;
        c
    }
}

/// Whether an argument looks like a PIN (4 or more digits, or a possible
/// signature password): such a value is never echoed back.
fn looks_like_pin(arg: &str) -> bool {
    let a = arg.rsplit('=').next().unwrap_or(arg);
    let digits = a.len() >= 4 && a.bytes().all(|b| b.is_ascii_digit());
    let password = crate::protocol::PinFormat::PASSWORD_LEN.contains(&a.len())
        && a.bytes().all(|b| b.is_ascii_alphanumeric())
        && a.bytes().any(|b| b.is_ascii_digit())
        && a.bytes().any(|b| b.is_ascii_alphabetic());
    digits || password
}

/// The language named by `--lang` on the command line (it is read before
/// the arguments parse, for the argument errors), else the locale's.
fn lang_of_args(args: &[std::ffi::OsString]) -> Lang {
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        let v = match a.strip_prefix("--lang") {
            Some("") => it.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        match v {
            Some("ja") => return Lang::Ja,
            Some("en") => return Lang::En,
            _ => {}
        }
    }
    Lang::from_env()
}

/// Parse the command line. An argument error is printed with every
/// PIN-like value masked (a PIN typed as an argument must not be echoed),
/// and under `--json` also as the JSON error object; exit code 2.
pub fn parse_args() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The plain command parses (the fast path of every run); help and
    // errors come from the one people read, with the globals shown once.
    let parsed = Cli::try_parse_from(&args).or_else(|_| {
        manual::command()
            .try_get_matches_from(&args)
            .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
    });
    match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let lang = lang_of_args(&args);
            // In Japanese, the same arguments against the translated tree
            // give the same error (or help) in Japanese words.
            let wants_json = args.iter().any(|a| a == "--json");
            let ja_err = (lang == Lang::Ja || wants_json)
                .then(|| {
                    help_ja::localize(manual::command())
                        .try_get_matches_from(&args)
                        .err()
                })
                .flatten()
                .filter(|j| j.kind() == e.kind());
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = ja_err.as_ref().unwrap_or(&e).print();
                std::process::exit(0);
            }
            let mut english = e.render().to_string();
            let mut japanese = match &ja_err {
                Some(j) if j.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    j.render().to_string()
                }
                Some(j) => help_ja::error_text(j),
                None => english.clone(),
            };
            for a in args.iter().skip(1).filter_map(|a| a.to_str()) {
                let v = a.rsplit('=').next().unwrap_or(a);
                if looks_like_pin(v) {
                    japanese = japanese.replace(v, "****");
                    english = english.replace(v, "****");
                }
            }
            let text = match lang {
                Lang::Ja => &japanese,
                Lang::En => &english,
            };
            use std::io::Write;
            let _ = write!(std::io::stderr(), "{text}");
            if wants_json {
                // The same JSON under any language (docs/json.md).
                let first = |t: &str| {
                    t.lines()
                        .next()
                        .unwrap_or("")
                        .trim_start_matches("error: ")
                        .trim_start_matches("エラー: ")
                        .to_string()
                };
                output::print_json(&output::ErrorDoc {
                    error: output::JsonError {
                        code: crate::error::ErrorCode::Usage,
                        exit_code: crate::error::exit::USAGE,
                        message: first(&english),
                        message_ja: first(&japanese),
                        remedy: "see mynacard --help".into(),
                        remedy_ja: "mynacard --help を参照してください".into(),
                    },
                });
            }
            std::process::exit(crate::error::exit::USAGE);
        }
    }
}

/// Run a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let ctx = Ctx::new(cli.global.clone());
    // `vcard serve` and `vcard sandbox` handle their own signals (they
    // stop their servers and pcscd in order).
    if !matches!(cli.command, Commands::Vcard(_)) {
        signals::install(&ctx);
    }
    crate::platform::protect_memory();
    if let Err(e) = combos::refuse_nonsense(&cli) {
        output::print_error(&ctx, &e);
        return e.exit_code();
    }
    let r: Result<i32> = match cli.command {
        Commands::Status(a) => commands::status::run(&ctx, a),
        Commands::Info(a) => commands::info::run(&ctx, a),
        Commands::Readers => commands::readers::run(&ctx),
        Commands::Doctor(a) => commands::doctor::run(&ctx, a),
        Commands::Watch => commands::watch::run(&ctx),
        Commands::Pin(c) => commands::pin::run(&ctx, c),
        Commands::Prove(a) => commands::prove::run(&ctx, a),
        Commands::FaceCheck(a) => commands::face::run(&ctx, a),
        Commands::AgeCheck(a) => commands::age::run(&ctx, a),
        Commands::Sign(a) => commands::sign::sign(&ctx, a),
        Commands::Verify(a) => commands::sign::verify(&ctx, a),
        Commands::Pdf(c) => commands::pdf::run(&ctx, c),
        Commands::Cert(c) => commands::cert::run(&ctx, c),
        Commands::Vcard(c) => commands::vcard::run(&ctx, c),
        Commands::Completions { shell } => {
            print!("{}", completion::script(shell));
            Ok(0)
        }
        Commands::CompleteReaders => {
            for name in crate::usecase::readers::names(&ctx.card) {
                println!("{name}");
            }
            Ok(0)
        }
        Commands::Man { dir: None } => manual::top_page().and_then(|page| {
            use std::io::Write;
            std::io::stdout()
                .write_all(&page)
                .map(|()| 0)
                .map_err(|e| Error::io("stdout", e))
        }),
        Commands::Man { dir: Some(dir) } => manual::write_pages(&dir).map(|written| {
            for p in written {
                println!("{}", p.display());
            }
            0
        }),
    };
    signals::let_a_signal_finish();
    match r {
        Ok(code) => code,
        // The reader of our output went away (`| head -1`): end quietly,
        // as a program killed by SIGPIPE would.
        Err(e) if e.is_closed_output() => signals::CLOSED_PIPE_EXIT,
        Err(e) => {
            output::print_error(&ctx, &e);
            e.exit_code()
        }
    }
}
