//! `--help` and argument errors in Japanese: the clap command's texts
//! looked up in one catalogue (`help_ja/catalogue.rs`), keyed by the command
//! path and the argument id, and clap's own words replaced.

mod catalogue;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

/// The Japanese of one English help text, if the catalogue has it.
fn ja(en: &str) -> Option<&'static str> {
    catalogue::JA
        .iter()
        .find(|(e, _)| *e == en)
        .map(|(_, j)| *j)
}

const TEMPLATE: &str =
    "{before-help}{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// The command tree with every shown text in Japanese: abouts, argument
/// help, headings, possible and default values, and clap's own words.
/// Used only to show help and argument errors, never to parse.
pub fn localize(mut cmd: Command) -> Command {
    cmd.build();
    walk(cmd)
}

fn walk(mut c: Command) -> Command {
    let usage = c.render_usage().to_string();
    let usage = usage
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[オプション]")
        .replace("<COMMAND>", "<コマンド>");
    c = c
        .help_template(TEMPLATE)
        .subcommand_help_heading("コマンド")
        .subcommand_value_name("コマンド")
        .override_usage(usage);
    if let Some(j) = c.get_about().and_then(|a| ja(&a.to_string())) {
        c = c.about(j);
    }
    if let Some(j) = c.get_long_about().and_then(|a| ja(&a.to_string())) {
        c = c.long_about(j);
    }
    if let Some(j) = c.get_after_help().and_then(|a| ja(&a.to_string())) {
        c = c.after_help(j);
    }
    c = c.mut_args(localize_arg);
    let names: Vec<String> = c
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for n in names {
        c = c.mut_subcommand(n, walk);
    }
    c
}

fn localize_arg(mut a: clap::Arg) -> clap::Arg {
    let mut help = a
        .get_help()
        .map(|h| h.to_string())
        .map(|h| ja(&h).map(str::to_string).unwrap_or(h))
        .unwrap_or_default();
    let values: Vec<(String, Option<String>)> = a
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            (
                v.get_name().to_string(),
                v.get_help().map(|h| h.to_string()),
            )
        })
        .collect();
    let mut long = a
        .get_long_help()
        .map(|h| h.to_string())
        .map(|h| ja(&h).map(str::to_string).unwrap_or(h))
        .unwrap_or_else(|| help.clone());
    let takes_value = a.get_action().takes_values();
    if takes_value && !values.is_empty() && !a.is_hide_possible_values_set() {
        let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
        help = format!("{help} [使える値: {}]", names.join(", "));
        if values.iter().any(|(_, h)| h.is_some()) {
            long.push_str("\n\n使える値:");
            for (n, h) in &values {
                let h = h.as_deref().map(|h| ja(h).unwrap_or(h)).unwrap_or("");
                long.push_str(&format!("\n- {n}: {h}"));
            }
        } else {
            long = help.clone();
        }
        a = a.hide_possible_values(true);
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    if takes_value && !defaults.is_empty() && !a.is_hide_default_value_set() {
        let d = format!(" [既定: {}]", defaults.join(", "));
        help.push_str(&d);
        long.push_str(&d);
        a = a.hide_default_value(true);
    }
    if a.get_help_heading().is_none() {
        let heading = if a.is_positional() {
            "引数"
        } else {
            "オプション"
        };
        a = a.help_heading(heading);
    }
    if !help.is_empty() {
        a = a.help(help).long_help(long);
    }
    a
}

/// An argument error in Japanese: what was wrong, the usage, where to
/// look. Values clap quotes are shown as typed (PIN-like ones are masked
/// by the caller).
pub fn error_text(e: &clap::Error) -> String {
    let ctx = |k: ContextKind| -> Option<String> {
        e.get(k).map(|v| match v {
            ContextValue::String(s) => s.clone(),
            ContextValue::Strings(v) => v.join(", "),
            ContextValue::StyledStr(s) => s.to_string(),
            ContextValue::StyledStrs(v) => v
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            ContextValue::Number(n) => n.to_string(),
            ContextValue::Bool(b) => b.to_string(),
            _ => String::new(),
        })
    };
    let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
    let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
    let mut what = match e.kind() {
        ErrorKind::UnknownArgument => format!("知らない引数 '{arg}' が指定されました"),
        ErrorKind::InvalidSubcommand => format!(
            "知らないコマンド '{}' が指定されました",
            ctx(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} に値を指定してください"),
        ErrorKind::InvalidValue => format!("{arg} に '{value}' は指定できません"),
        ErrorKind::ValueValidation => {
            // What a value must be, by its placeholder (the validators'
            // own reasons are English).
            let must = if arg.contains("<SECS>") {
                ": 0 より大きく 86400 以下の秒数を指定してください"
            } else if arg.contains("<PORT>") {
                ": 0 から 65535 までの整数を指定してください"
            } else {
                ""
            };
            format!("{arg} の値 '{value}' は使えません{must}")
        }
        ErrorKind::MissingRequiredArgument => format!("必要な引数がありません: {arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "コマンドを指定してください".to_string()
        }
        ErrorKind::ArgumentConflict => match ctx(ContextKind::PriorArg) {
            Some(p) if p != arg => format!("{arg} と {p} は同時に指定できません"),
            _ => format!("{arg} は 1 回だけ指定できます"),
        },
        ErrorKind::TooManyValues => format!("{arg} に値が多すぎます ('{value}')"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} の値の数が正しくありません")
        }
        ErrorKind::NoEquals => format!("{arg} には = を付けて値を指定してください"),
        ErrorKind::InvalidUtf8 => "引数に UTF-8 でない文字が含まれています".to_string(),
        _ => "コマンドラインの引数が正しくありません".to_string(),
    };
    if let Some(v) = ctx(ContextKind::ValidValue) {
        what.push_str(&format!(" (使える値: {v})"));
    }
    for k in [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand] {
        if let Some(s) = ctx(k) {
            what.push_str(&format!("。もしかして '{s}' ですか"));
        }
    }
    let mut out = format!("エラー: {what}\n");
    if let Some(u) = ctx(ContextKind::Usage) {
        let u = u.trim_start_matches("Usage:").trim();
        out.push_str(&format!("\n使い方: {u}\n"));
    }
    out.push_str("\n詳しくは --help を付けて実行してください。\n");
    out
}

#[cfg(test)]
mod tests;
