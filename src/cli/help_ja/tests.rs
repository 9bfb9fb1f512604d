use super::*;
use crate::cli::manual;

/// Every text of the (built) command tree that help shows, with where it
/// is shown (`"pin status --fail_on"`).
fn entries(cmd: &Command) -> Vec<(String, String)> {
    fn walk(path: String, c: &Command, out: &mut Vec<(String, String)>) {
        let mut texts: Vec<(String, String)> = Vec::new();
        texts.extend(c.get_about().map(|t| (path.clone(), t.to_string())));
        texts.extend(
            c.get_long_about()
                .map(|t| (format!("{path} (long)"), t.to_string())),
        );
        texts.extend(
            c.get_after_help()
                .map(|t| (format!("{path} (after)"), t.to_string())),
        );
        for a in c.get_arguments().filter(|a| !a.is_hide_set()) {
            let at = format!("{path} --{}", a.get_id());
            texts.extend(a.get_help().map(|h| (at.clone(), h.to_string())));
            texts.extend(a.get_long_help().map(|h| (at.clone(), h.to_string())));
            for v in a.get_possible_values().iter().filter(|v| !v.is_hide_set()) {
                let vt = format!("{at}={}", v.get_name());
                texts.extend(v.get_help().map(|h| (vt, h.to_string())));
            }
        }
        out.extend(texts);
        for s in c.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(
                format!("{path} {}", s.get_name()).trim().to_string(),
                s,
                out,
            );
        }
    }
    let mut out = Vec::new();
    walk(String::new(), cmd, &mut out);
    out
}

/// Whether a text needs no translation: no English word in it (the PIN
/// kinds' names are Japanese already).
fn is_japanese_already(t: &str) -> bool {
    !t.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase()))
}

fn built() -> Command {
    let mut c = manual::command();
    c.build();
    c
}

#[test]
fn every_help_text_has_its_japanese_and_every_entry_is_used() {
    let texts = entries(&built());
    let missing: Vec<String> = texts
        .iter()
        .filter(|(_, en)| ja(en).is_none() && !is_japanese_already(en))
        .map(|(at, en)| format!("{at}: {en}"))
        .collect();
    assert!(
        missing.is_empty(),
        "help texts without Japanese (add them to help_ja/catalogue.rs):\n{}",
        missing.join("\n")
    );
    let unused: Vec<&str> = catalogue::JA
        .iter()
        .map(|(en, _)| *en)
        .filter(|en| !texts.iter().any(|(_, t)| t == en))
        .collect();
    // A build without PC/SC has no `vcard sandbox`: its texts stay unused.
    if cfg!(feature = "pcsc") {
        assert!(
            unused.is_empty(),
            "catalogue entries no help text uses:\n{}",
            unused.join("\n")
        );
    }
}

#[test]
fn the_japanese_help_holds_no_english_word() {
    let mut c = localize(manual::command());
    let mut pages = vec![
        c.render_help().to_string(),
        c.render_long_help().to_string(),
    ];
    for path in [
        &["status"][..],
        &["pin", "change"],
        &["sign"],
        &["vcard", "serve"],
        &["cert", "show"],
    ] {
        let mut s = &mut c;
        for w in path {
            s = s.find_subcommand_mut(w).unwrap();
        }
        pages.push(s.render_help().to_string());
        pages.push(s.render_long_help().to_string());
    }
    // Words that stay as they are: names of things, not prose.
    let allowed = [
        "mynacard",
        "json",
        "schema_version",
        "readers",
        "doctor",
        "pcscd",
        "vpcd",
        "vsmartcard",
        "roff",
        "locked",
        "last",
        "try",
        "sign",
        "auth",
        "card",
        "info",
        "resident",
        "juki",
        "common",
        "cache",
        "with",
        "digest",
        "only",
        "show",
        "number",
        "force",
        "virtual",
        "help",
        "version",
        "tmp",
        "always",
        "never",
        "auto",
        "info",
        "warning",
        "error",
        "status",
        "verify",
        "change",
        "cert",
        "inspect",
        "vcard",
        "serve",
        "profile",
        "sandbox",
        "completions",
        "man",
        "prove",
        "face",
        "age",
        "least",
        "birth",
        "date",
        "check",
        "pem",
        "der",
        "fail",
        "watch",
        "today",
        "pin",
        "file",
        "stdin",
        "env",
        "new",
        "reference",
        "kind",
        "key",
        "output",
        "signature",
        "test",
        "pki",
        "holder",
        "host",
        "port",
        "state",
        "verbose",
        "apdu",
        "log",
        "command",
        "dir",
        "lang",
        "color",
        "reader",
        "wait",
        "trace",
        "timeout",
        "no",
        "extended",
        "length",
        "unmask",
        "bash",
        "zsh",
        "fish",
        "elvish",
        "powershell",
        "wareki",
        "ja",
        "en",
        "schema",
        "pdf",
        "touki",
        "pades",
        "http",
        "tsa",
        "adbe",
        "detached",
        "signed",
        "signing",
        "certificate",
    ];
    for page in &pages {
        for w in page
            .split(|c: char| !c.is_ascii_alphabetic() && c != '_')
            .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        {
            assert!(
                w.split('_').all(|p| allowed.contains(&p)),
                "English word {w:?} in the Japanese help:\n{page}"
            );
        }
        assert!(
            !page.contains("Usage:") && !page.contains("Options:") && !page.contains("Commands:"),
            "{page}"
        );
    }
}

#[test]
fn argument_errors_in_japanese() {
    let c = localize(manual::command());
    let e = c
        .clone()
        .try_get_matches_from(["mynacard", "status", "--bogus"])
        .unwrap_err();
    let t = error_text(&e);
    assert!(
        t.starts_with("エラー: 知らない引数 '--bogus' が指定されました"),
        "{t}"
    );
    assert!(t.contains("使い方: mynacard status [オプション]"), "{t}");
    let e = c
        .clone()
        .try_get_matches_from(["mynacard", "--lang", "fr", "status"])
        .unwrap_err();
    let t = error_text(&e);
    assert!(
        t.contains("--lang <LANG> に 'fr' は指定できません (使える値: ja, en)"),
        "{t}"
    );
    let e = c
        .clone()
        .try_get_matches_from(["mynacard", "stauts"])
        .unwrap_err();
    let t = error_text(&e);
    assert!(
        t.contains("知らないコマンド 'stauts'") && t.contains("もしかして 'status' ですか"),
        "{t}"
    );
    assert!(!t.contains("error:") && !t.contains("Usage"), "{t}");
    let e = c
        .clone()
        .try_get_matches_from(["mynacard", "--timeout", "abc", "status"])
        .unwrap_err();
    let t = error_text(&e);
    assert!(
        t.contains("--timeout <SECS> の値 'abc' は使えません: 0 より大きく 86400 以下の秒数"),
        "{t}"
    );
}
