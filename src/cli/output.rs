//! Rendering: JSON with `schema_version`, colour, error lines.

use super::{ColorChoice, Ctx};
use crate::error::Error;
use crate::i18n::Lang;
use serde::Serialize;
use std::io::IsTerminal;

pub use super::schema::{Document, SCHEMA_VERSION};

pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Bad,
    Dim,
}

pub fn paint(ctx: &Ctx, tone: Tone, s: &str) -> String {
    if !ctx.color {
        return s.to_string();
    }
    let code = match tone {
        Tone::Ok => "32",
        Tone::Warn => "33",
        Tone::Bad => "31;1",
        Tone::Dim => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

static JSON_LINES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `status --watch`: the reader every JSON line is about.
static WATCHED: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// One JSON object per line from now on (`status --watch --json`), each
/// carrying `reader` and the time it was written (`at`, JST).
/// `None`: JSON Lines before a reader is chosen.
pub fn set_json_lines(reader: Option<&str>) {
    JSON_LINES.store(true, std::sync::atomic::Ordering::SeqCst);
    if let (Some(r), Ok(mut w)) = (reader, WATCHED.lock()) {
        *w = Some(r.to_string());
    }
}

/// A JSON document: `{"schema_version": N, "command": NAME, ...body}`.
pub fn json_document<D: Document>(body: &D) -> serde_json::Value {
    let command = D::COMMAND;
    let mut v = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
    let mut obj = serde_json::Map::new();
    obj.insert("schema_version".into(), SCHEMA_VERSION.into());
    obj.insert("command".into(), command.into());
    if let Ok(Some(r)) = WATCHED.lock().as_deref() {
        obj.insert("reader".into(), r.clone().into());
        obj.insert("at".into(), crate::rules::now_jst_rfc3339().into());
    }
    match v.take() {
        serde_json::Value::Object(m) => obj.extend(m),
        other => {
            obj.insert("result".into(), other);
        }
    }
    serde_json::Value::Object(obj)
}

/// Print a JSON document (see `json_document`).
pub fn print_json<D: Document>(body: &D) {
    let v = json_document(body);
    let text = if JSON_LINES.load(std::sync::atomic::Ordering::SeqCst) {
        serde_json::to_string(&v)
    } else {
        serde_json::to_string_pretty(&v)
    };
    println!("{}", text.unwrap_or_default());
}

/// What went wrong, for scripts: `message` and `remedy` are English
/// whatever the language (`_ja`: the same in Japanese).
#[derive(Serialize, schemars::JsonSchema)]
pub struct JsonError {
    pub code: crate::error::ErrorCode,
    /// The process's exit status.
    #[schemars(range(min = 1))]
    pub exit_code: i32,
    pub message: String,
    pub message_ja: String,
    pub remedy: String,
    pub remedy_ja: String,
}

impl JsonError {
    pub fn of(e: &Error) -> JsonError {
        let (code, exit_code) = e.class();
        JsonError {
            code,
            exit_code,
            message: e.message(Lang::En),
            message_ja: e.message(Lang::Ja),
            remedy: e.remedy(Lang::En),
            remedy_ja: e.remedy(Lang::Ja),
        }
    }
}

/// The document printed (with `--json`) when a command fails.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ErrorDoc {
    pub error: JsonError,
}

impl Document for ErrorDoc {
    const COMMAND: &'static str = "error";
}

/// Taken by the signal thread: it prints the last word and ends the
/// process; the main thread, whose card work it just stopped, keeps quiet.
static LAST_WORD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn take_last_word() {
    LAST_WORD.store(true, std::sync::atomic::Ordering::SeqCst);
}

pub fn last_word_taken() -> bool {
    LAST_WORD.load(std::sync::atomic::Ordering::SeqCst)
}

/// Errors go to stderr as two lines (what happened, what to do); with
/// `--json` a JSON object also goes to stdout so scripts can read it.
pub fn print_error(ctx: &Ctx, e: &Error) {
    // The error that stopping the card work caused here is not the
    // user's news: the signal thread says why the command ended.
    if last_word_taken() && !matches!(e, Error::Interrupted { .. } | Error::LeftPowered { .. }) {
        return;
    }
    let head = match ctx.lang {
        Lang::Ja => "エラー",
        Lang::En => "error",
    };
    let hint = match ctx.lang {
        Lang::Ja => "対処",
        Lang::En => "what to do",
    };
    // Never panics: this also runs when stderr is closed, or on the way
    // out after a signal.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "mynacard: {}: {}\n  {hint}: {}",
        paint(ctx, Tone::Bad, head),
        e.message(ctx.lang),
        e.remedy(ctx.lang)
    );
    if ctx.g.json {
        print_json(&ErrorDoc {
            error: JsonError::of(e),
        });
    }
}

/// Upper-case hex without separators.
pub fn hex_upper(b: &[u8]) -> String {
    hex::encode_upper(b)
}
