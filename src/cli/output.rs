//! Rendering: JSON with `schema_version`, colour, error lines.

use super::{ColorChoice, Ctx};
use crate::error::Error;
use crate::i18n::Lang;
use serde::Serialize;
use std::io::IsTerminal;

/// Version of every JSON document the tool prints (docs/json.md).
pub const SCHEMA_VERSION: u32 = 1;

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
pub fn set_json_lines(reader: &str) {
    JSON_LINES.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Ok(mut w) = WATCHED.lock() {
        *w = Some(reader.to_string());
    }
}

/// A JSON document: `{"schema_version": N, "command": NAME, ...body}`.
pub fn json_document<T: Serialize>(command: &str, body: &T) -> serde_json::Value {
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
pub fn print_json<T: Serialize>(command: &str, body: &T) {
    let v = json_document(command, body);
    let text = if JSON_LINES.load(std::sync::atomic::Ordering::SeqCst) {
        serde_json::to_string(&v)
    } else {
        serde_json::to_string_pretty(&v)
    };
    println!("{}", text.unwrap_or_default());
}

#[derive(Serialize)]
struct JsonError<'a> {
    code: &'a str,
    exit_code: i32,
    message: String,
    remedy: String,
}

/// A stable machine code for each error kind (docs/json.md).
pub fn error_code(e: &Error) -> &'static str {
    e.code()
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
        print_json(
            "error",
            &serde_json::json!({ "error": JsonError {
                code: error_code(e),
                exit_code: e.exit_code(),
                message: e.to_string(),
                remedy: e.remedy(ctx.lang),
            }}),
        );
    }
}

/// Upper-case hex without separators.
pub fn hex_upper(b: &[u8]) -> String {
    hex::encode_upper(b)
}
