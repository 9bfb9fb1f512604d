//! The command as people meet it outside `--help`: the clap command with
//! the global options shown once (at the top, not under every
//! subcommand), one man page per subcommand with EXIT STATUS,
//! ENVIRONMENT, FILES and EXAMPLES, and shell completions — all from the
//! same clap types and the one exit-code table (`error::exit::TABLE`).

use super::Cli;
use crate::error::{Error, Result};
use clap::CommandFactory;
use std::path::{Path, PathBuf};

const GLOBALS_NOTE: &str =
    "Global options (--reader, --wait, --json, --trace, --lang, --color, --virtual, --state, \
     --timeout, --no-cache, --extended-length, --wareki) go before or after the subcommand: see `mynacard --help`.";

/// The whole command line, globals shown only at the top. Each
/// subcommand gets hidden copies of the global options (same ids), so that
/// clap does not propagate the shown ones into every subcommand's help,
/// while `mynacard status --json` still parses as `mynacard --json status`.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let globals: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    with_hidden_globals(cmd, &globals, true)
}

fn with_hidden_globals(mut c: clap::Command, globals: &[clap::Arg], top: bool) -> clap::Command {
    if !top {
        for g in globals {
            c = c.arg(g.clone().global(false).hide(true));
        }
        c = c.after_help(GLOBALS_NOTE);
    }
    let names: Vec<String> = c
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for n in names {
        c = c.mut_subcommand(n, |s| with_hidden_globals(s, globals, false));
    }
    c
}

/// Every (sub)command that gets a page: its words (`["pin", "status"]`)
/// and its clap command.
fn pages() -> Vec<(Vec<String>, clap::Command)> {
    fn walk(words: Vec<String>, cmd: &clap::Command, out: &mut Vec<(Vec<String>, clap::Command)>) {
        out.push((words.clone(), cmd.clone()));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            if sub.get_name() == "help" {
                continue;
            }
            let mut w = words.clone();
            w.push(sub.get_name().to_string());
            walk(w, sub, out);
        }
    }
    let mut out = Vec::new();
    walk(Vec::new(), &command(), &mut out);
    out
}

/// The page name of a (sub)command: `mynacard`, `mynacard-pin-status`.
pub fn page_name(words: &[String]) -> String {
    std::iter::once("mynacard")
        .chain(words.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-")
}

/// Write every man page into `dir` (created if needed); the paths written.
pub fn write_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for (words, cmd) in pages() {
        let name = page_name(&words);
        let path = dir.join(format!("{name}.1"));
        let page = render(&words, cmd)?;
        crate::platform::atomic::write_atomic(&path, &page, 0o644)
            .map_err(|e| Error::io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// The top page (`mynacard man` without `--dir`).
pub fn top_page() -> Result<Vec<u8>> {
    render(&[], command())
}

fn render(words: &[String], cmd: clap::Command) -> Result<Vec<u8>> {
    let name = page_name(words);
    let bin = std::iter::once("mynacard")
        .chain(words.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let cmd = cmd
        .name(name.clone())
        .bin_name(bin.clone())
        .version(crate::VERSION);
    let man = clap_mangen::Man::new(cmd.clone())
        .title(name.to_uppercase())
        .section("1")
        .manual("mynacard manual")
        .source(format!("mynacard {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    let io = |e: std::io::Error| Error::io("man page", e);
    man.render_title(&mut out).map_err(io)?;
    man.render_name_section(&mut out).map_err(io)?;
    man.render_synopsis_section(&mut out).map_err(io)?;
    man.render_description_section(&mut out).map_err(io)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out).map_err(io)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out).map_err(io)?;
    }
    let mut extra = String::new();
    if !words.is_empty() {
        section(&mut extra, "GLOBAL OPTIONS");
        para(&mut extra, GLOBALS_NOTE);
    }
    section(&mut extra, "EXIT STATUS");
    for (codes, meaning) in crate::error::exit::TABLE {
        extra.push_str(".TP\n");
        extra.push_str(&format!("\\fB{}\\fR\n{}\n", esc(codes), esc(meaning)));
    }
    section(&mut extra, "ENVIRONMENT");
    for (var, what) in ENVIRONMENT {
        extra.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", esc(var), esc(what)));
    }
    section(&mut extra, "FILES");
    for (file, what) in FILES {
        extra.push_str(&format!(".TP\n\\fI{}\\fR\n{}\n", esc(file), esc(what)));
    }
    let ex = examples(&bin);
    if !ex.is_empty() {
        section(&mut extra, "EXAMPLES");
        for (what, line) in ex {
            extra.push_str(&format!(
                ".TP\n{}\n.nf\n\\fB{}\\fR\n.fi\n",
                esc(what),
                esc(line)
            ));
        }
    }
    section(&mut extra, "SEE ALSO");
    // Font changes are roff, not text: written as they are, the names
    // escaped, never hyphenated (\%); only pages `man --dir` writes are named.
    let see: Vec<String> = see_also(words)
        .iter()
        .map(|w| format!("\\%\\fB{}\\fR(1)", esc(&page_name(w))))
        .collect();
    extra.push_str(".ad l\n");
    extra.push_str(&see.join(",\n"));
    extra.push('\n');
    out.extend_from_slice(extra.as_bytes());
    man.render_version_section(&mut out).map_err(io)?;
    Ok(out)
}

/// The pages related to a command's: the top page, its parent, its
/// subcommands and (in a group) its siblings; on the top page, every
/// command. Only pages that exist (`pages`).
fn see_also(words: &[String]) -> Vec<Vec<String>> {
    let parent = &words[..words.len().saturating_sub(1)];
    pages()
        .into_iter()
        .map(|(w, _)| w)
        .filter(|w| w.as_slice() != words)
        .filter(|w| {
            let top = w.is_empty();
            let every = words.is_empty() && w.len() == 1;
            let child = w.len() == words.len() + 1 && w.starts_with(words);
            let up = words.len() > 1 && w.as_slice() == parent;
            let sibling = words.len() > 1 && w.len() == words.len() && w.starts_with(parent);
            top || every || child || up || sibling
        })
        .collect()
}

fn section(out: &mut String, title: &str) {
    out.push_str(&format!(".SH \"{title}\"\n"));
}

fn para(out: &mut String, text: &str) {
    out.push_str(&format!("{}\n", esc(text)));
}

/// Escape text for roff: backslashes, and a leading dot or quote.
fn esc(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    match s.chars().next() {
        Some('.') | Some('\'') => format!("\\&{s}"),
        _ => s,
    }
}

/// Variables the tool reads (docs/cli.md).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("LANGUAGE, LC_ALL, LC_MESSAGES, LANG", "The language of messages, --help and argument errors when --lang is not given (LANGUAGE first, its first entry): Japanese for ja*, else English."),
    ("NO_COLOR", "When set (to anything), no colour in text output under --color auto."),
    ("XDG_CACHE_HOME, HOME", "Where the caches live: $XDG_CACHE_HOME/mynacard, else ~/.cache/mynacard."),
    ("PCSCLITE_CSOCK_NAME", "The pcscd socket to use (libpcsclite); `mynacard vcard sandbox` sets it for the command it runs."),
    ("the variable named by --pin-env", "Holds a PIN for one command; it is read, then never printed."),
    ("MYNACARD_GRAPHICS, KITTY_WINDOW_ID, TERM, TERM_PROGRAM, LC_TERMINAL", "face-check --show on a terminal: the pictures as kitty graphics (kitty, Ghostty) or iTerm2 inline images (iTerm2, WezTerm) where these say the terminal has them, else Unicode half-blocks; MYNACARD_GRAPHICS=blocks, kitty or iterm chooses."),
];

/// Files the tool reads or keeps (docs/security.md).
pub const FILES: &[(&str, &str)] = &[
    ("~/.cache/mynacard/ca/", "JPKI CA certificates, each used only when it verifies the card's certificate."),
    ("~/.cache/mynacard/auth-certs/", "User-authentication certificates (no personal data) with their token label, confirmed by their first bytes on the card."),
    ("~/.cache/mynacard/extended-length/", "Which reader and card pairs take an extended-length READ BINARY."),
    ("~/.cache/mynacard/card-images/", "The virtual card's built images, one per profile and build of the program."),
    ("PROFILE (--virtual=PROFILE)", "A virtual-card profile (TOML); `mynacard vcard profile` prints the built-in one."),
    ("FILE (--state FILE)", "The virtual card's counters and PINs across runs (0600, written atomically)."),
];

/// A command line's examples: (what it does, the command).
type Examples = &'static [(&'static str, &'static str)];

/// Examples for a command line (`mynacard pin status`), looked up group by
/// group of commands; none for a line no group knows.
fn examples(bin: &str) -> Examples {
    reading_examples(bin)
        .or_else(|| signing_examples(bin))
        .or_else(|| pin_and_cert_examples(bin))
        .or_else(|| vcard_and_tool_examples(bin))
        .unwrap_or(&[])
}

/// Reading the card: the report, the attributes, the counter screen, the readers.
fn reading_examples(bin: &str) -> Option<Examples> {
    Some(match bin {
        "mynacard" => &[
            ("The report on the card in the reader:", "mynacard status"),
            (
                "The same on the built-in virtual card (no reader needed):",
                "mynacard --virtual status",
            ),
        ],
        "mynacard status" => &[
            (
                "Expiry, renewal windows and every PIN counter, without sending a PIN:",
                "mynacard status",
            ),
            (
                "As JSON, failing (exit 21) on an error finding, for a script:",
                "mynacard status --json --fail-on error",
            ),
            (
                "At a counter: a report per card, card after card:",
                "mynacard status --watch",
            ),
        ],
        "mynacard doctor" => &[
            (
                "A first read fails: which step from USB to the card, and its fix (no PIN sent):",
                "mynacard doctor",
            ),
            (
                "The same as JSON, to attach to a report:",
                "mynacard doctor --json",
            ),
        ],
        "mynacard info" => &[
            (
                "Name, address, birth date and sex (asks for the card-info PIN):",
                "mynacard info",
            ),
            (
                "With the PIN from a file, as JSON:",
                "mynacard info --pin-file pin.txt --json",
            ),
        ],
        "mynacard watch" => &[
            (
                "The counter screen on the only reader (q quits, l switches 日本語/English):",
                "mynacard watch",
            ),
            (
                "On a given reader, in Japanese:",
                "mynacard --lang ja --reader 'SONY' watch",
            ),
        ],
        "mynacard readers" => &[(
            "Which readers there are and what card each holds:",
            "mynacard readers",
        )],
        _ => return None,
    })
}

/// Proving, signing and verifying.
fn signing_examples(bin: &str) -> Option<Examples> {
    Some(match bin {
        "mynacard pdf" | "mynacard pdf sign" => &[
            (
                "Sign for the 法務局 (登記 profile: adbe.pkcs7.detached, no timestamp):",
                "mynacard pdf sign application.pdf -o application-signed.pdf",
            ),
            (
                "PAdES baseline B-B:",
                "mynacard pdf sign --profile pades contract.pdf",
            ),
            (
                "With a visible stamp on page 1, 36 pt from the left and 700 pt up:",
                "mynacard pdf sign --stamp 1,36,700 contract.pdf",
            ),
        ],
        "mynacard pdf verify" => &[
            (
                "Every signature, its coverage and what changed after it:",
                "mynacard pdf verify application-signed.pdf",
            ),
            (
                "One made on the virtual card:",
                "mynacard pdf verify --test-pki doc-signed.pdf",
            ),
            (
                "A PAdES B-T one, trusting the TSA's CA (its timestamp checked, the signer judged at its time):",
                "mynacard pdf verify --ca tsa-ca.pem contract-signed.pdf",
            ),
        ],
        "mynacard prove" => &[(
            "Does the card hold its certificate's key? (user-authentication PIN)",
            "mynacard prove",
        )],
        "mynacard face-check" => &[(
            "Is the chip genuine and does it match the face? (asks the printed birth date, expiry year and security code; no PIN)",
            "mynacard face-check",
        )],
        "mynacard age-check" => &[
            (
                "Is the holder 20 or older today? (asks the birth date printed on the card; prints yes or no, nothing else)",
                "mynacard age-check --at-least 20",
            ),
            (
                "18 or older on a given day, the birth date from a file (mode 0600):",
                "mynacard age-check --at-least 18 --on 2027-04-01 --birth-date-file birth.txt",
            ),
        ],
        "mynacard sign" => &[
            (
                "A detached CMS signature with the signature key:",
                "mynacard sign contract.pdf -o contract.pdf.p7s",
            ),
            (
                "With the user-authentication key, PEM:",
                "mynacard sign --key auth --pem report.txt -o report.txt.pem",
            ),
        ],
        "mynacard verify" => &[
            (
                "Check a signature against the built-in J-LIS roots:",
                "mynacard verify contract.pdf contract.pdf.p7s",
            ),
            (
                "Check one made on the virtual card:",
                "mynacard verify --test-pki doc.txt doc.txt.p7s",
            ),
        ],
        _ => return None,
    })
}

/// The PINs and the certificates.
fn pin_and_cert_examples(bin: &str) -> Option<Examples> {
    Some(match bin {
        "mynacard pin" | "mynacard pin status" => &[
            (
                "Tries left of all four PINs, none spent:",
                "mynacard pin status",
            ),
            (
                "Exit 10 when a PIN is locked:",
                "mynacard pin status --fail-on locked",
            ),
        ],
        "mynacard pin verify" => &[(
            "Check the card-info PIN (the counter is read first):",
            "mynacard pin verify card-info",
        )],
        "mynacard pin change" => &[(
            "Change the user-authentication PIN:",
            "mynacard pin change auth",
        )],
        "mynacard cert" | "mynacard cert show" => &[
            (
                "The user-authentication certificate and its expiry:",
                "mynacard cert show auth",
            ),
            (
                "Save it as PEM:",
                "mynacard cert show auth --pem -o auth.pem",
            ),
        ],
        "mynacard cert inspect" => &[(
            "Report on a certificate file:",
            "mynacard cert inspect auth.pem",
        )],
        _ => return None,
    })
}

/// The virtual card, completions and man pages.
fn vcard_and_tool_examples(bin: &str) -> Option<Examples> {
    Some(match bin {
        "mynacard vcard" | "mynacard vcard serve" => &[(
            "Serve the built-in virtual card to pcscd (vpcd):",
            "mynacard vcard serve",
        )],
        "mynacard vcard sandbox" => &[(
            "Run a command against a private pcscd holding the virtual card:",
            "mynacard vcard sandbox -- pkcs15-tool --list-pins",
        )],
        "mynacard vcard profile" => &[(
            "A starting point for a profile of your own:",
            "mynacard vcard profile > card.toml",
        )],
        "mynacard completions" => &[(
            "Bash completions for this shell:",
            "source <(mynacard completions bash)",
        )],
        "mynacard man" => &[("Every man page into a folder:", "mynacard man --dir man/")],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_are_shown_at_the_top_only_and_still_parse_after_a_subcommand() {
        let mut cmd = command();
        let top = cmd.render_long_help().to_string();
        assert!(top.contains("--json"));
        let status = cmd.find_subcommand_mut("status").unwrap();
        let help = status.render_long_help().to_string();
        assert!(!help.contains("--timeout <SECS>"), "{help}");
        assert!(help.contains("--fail-on"));
        assert!(help.contains("Global options"));
        let m = command()
            .try_get_matches_from(["mynacard", "status", "--json", "--virtual"])
            .unwrap();
        let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&m).unwrap();
        assert!(cli.global.json);
        assert!(cli.global.virtual_card.is_some());
    }

    /// The first two columns of the table under `heading` in docs/cli.md.
    fn doc_table(heading: &str) -> Vec<(String, String)> {
        let doc = include_str!("../../docs/cli.md");
        let sec = &doc[doc.find(heading).unwrap()..];
        sec.lines()
            .skip(4)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let l = l.replace("\\|", "\u{1}");
                let c: Vec<String> = l
                    .split('|')
                    .map(|c| c.trim().replace('\u{1}', "|"))
                    .collect();
                (c[1].clone(), c[2].clone())
            })
            .collect()
    }

    fn owned(t: &[(&str, &str)]) -> Vec<(String, String)> {
        t.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn environment_and_files_are_the_ones_docs_cli_md_shows() {
        assert_eq!(doc_table("## Environment"), owned(ENVIRONMENT));
        assert_eq!(doc_table("## Files"), owned(FILES));
    }

    #[test]
    fn the_exit_table_is_the_one_docs_cli_md_shows() {
        assert_eq!(doc_table("## Exit codes"), owned(crate::error::exit::TABLE));
        use crate::error::exit::*;
        for code in [
            OK,
            FAILURE,
            USAGE,
            NO_SERVICE,
            NO_READER,
            NO_CARD,
            NOT_MY_NUMBER_CARD,
            CARD_REMOVED,
            CARD_ERROR,
            WRONG_PIN,
            PIN_LOCKED,
            PIN_INPUT,
            DATA,
            IO,
            TIMEOUT,
            PIN_HALF_CHANGED,
            ABSENT,
            NOT_GENUINE,
            CERT_NOT_VALID,
            VERIFY_FILE_CHANGED,
            VERIFY_BAD_SIGNATURE,
            VERIFY_UNKNOWN_SIGNER,
            VERIFY_NOT_VALID_AT_SIGNING,
            VERIFY_KEY_USAGE,
            VERIFY_CHANGED_AFTER_SIGNING,
            FINDING_WARNING,
            FINDING_ERROR,
        ] {
            let c = code.to_string();
            assert!(
                TABLE
                    .iter()
                    .any(|(codes, _)| codes.split(", ").any(|x| x == c)),
                "exit {code} is not in the table"
            );
        }
    }

    /// The SEE ALSO of every page names only pages that exist, and
    /// renders as text (`man -l` or groff where installed; else the roff).
    #[test]
    fn see_also_renders_and_names_only_pages_that_exist() {
        let names: Vec<String> = pages().iter().map(|(w, _)| page_name(w)).collect();
        let dir = tempfile::tempdir().unwrap();
        for (w, cmd) in pages() {
            let page = String::from_utf8(render(&w, cmd).unwrap()).unwrap();
            let see = page.split(".SH \"SEE ALSO\"\n").nth(1).unwrap();
            let see = see.split(".SH").next().unwrap();
            assert!(!see.contains("\\e"), "{}: {see}", page_name(&w));
            let named: Vec<String> = see
                .split("\\fB")
                .skip(1)
                .map(|x| x.split("\\fR").next().unwrap().replace("\\-", "-"))
                .collect();
            assert!(!named.is_empty(), "{}: nothing in SEE ALSO", page_name(&w));
            for n in &named {
                assert!(names.contains(n), "{}: {n} is not a page", page_name(&w));
            }
            if w == ["pin".to_string(), "status".to_string()] {
                assert!(named.contains(&"mynacard-pin".to_string()), "{named:?}");
                assert!(
                    named.contains(&"mynacard-pin-verify".to_string()),
                    "{named:?}"
                );
                let file = dir.path().join("mynacard-pin-status.1");
                std::fs::write(&file, &page).unwrap();
                if let Some(text) = rendered(&file) {
                    let tail = text.split("SEE ALSO").nth(1).unwrap_or("").to_string();
                    assert!(tail.contains("mynacard-pin-verify(1)"), "{tail}");
                    assert!(!tail.contains("fB") && !tail.contains("\\"), "{tail}");
                }
            }
        }
    }

    /// A page as text, by man or groff when one is installed.
    fn rendered(file: &std::path::Path) -> Option<String> {
        use std::process::Command;
        let tries: [(&str, Vec<&std::ffi::OsStr>); 2] = [
            ("man", vec!["-l".as_ref(), file.as_os_str()]),
            (
                "groff",
                vec!["-man".as_ref(), "-Tutf8".as_ref(), file.as_os_str()],
            ),
        ];
        for (prog, args) in tries {
            let out = Command::new(prog)
                .args(args)
                .env("MANPAGER", "cat")
                .env("PAGER", "cat")
                .env("MANWIDTH", "100")
                .output();
            if let Some(o) = out
                .ok()
                .filter(|o| o.status.success() && !o.stdout.is_empty())
            {
                // Overstrike bold (groff's tty output) to plain text.
                let t = String::from_utf8_lossy(&o.stdout).into_owned();
                let mut plain = String::new();
                for c in t.chars() {
                    if c == '\u{8}' {
                        plain.pop();
                    } else {
                        plain.push(c);
                    }
                }
                let plain = plain
                    .replace("\u{1b}[1m", "")
                    .replace("\u{1b}[0m", "")
                    .replace("\u{1b}[22m", "");
                return Some(plain);
            }
        }
        None
    }

    #[test]
    fn every_subcommand_has_a_page_with_its_sections() {
        let names: Vec<String> = pages().iter().map(|(w, _)| page_name(w)).collect();
        for want in [
            "mynacard",
            "mynacard-status",
            "mynacard-pin-status",
            "mynacard-sign",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        for (w, cmd) in pages() {
            let page = String::from_utf8(render(&w, cmd).unwrap()).unwrap();
            for s in ["EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"] {
                assert!(
                    page.contains(&format!(".SH \"{s}\"")),
                    "{} lacks {s}",
                    page_name(&w)
                );
            }
            assert!(
                page.contains("EXAMPLES") || w.first().is_some_and(|c| c == "help"),
                "{} lacks EXAMPLES",
                page_name(&w)
            );
        }
    }
}
