//! PIN input: `--pin-file`, `--pin-stdin`, `--pin-env` (at most one of
//! them), or a no-echo prompt on a terminal; never an argument value.
//! `PinInput` is the command line's side of `usecase::pins::Asker`.

use crate::error::{Error, Result};
use crate::i18n::{Lang, PinText};
use crate::platform::files::{limit, read_limited};
use crate::protocol::PinKind;
use crate::usecase::pins::Pin;
use crate::usecase::pins::{Asker, Which};
use clap::Args;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

#[derive(Args, Debug, Clone, Default)]
#[group(id = "pin_source", multiple = false)]
pub struct PinSource {
    /// Read the PIN from the first line of FILE (should be mode 0600)
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// Read the PIN from the first line of standard input (no echo on a terminal)
    #[arg(long)]
    pub pin_stdin: bool,
    /// Read the PIN from the environment variable NAME (removed from this process once read)
    #[arg(long, value_name = "NAME")]
    pub pin_env: Option<String>,
}

/// Where one PIN comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
    Env(String),
    /// Asked at the terminal.
    Prompt,
}

impl Source {
    /// A second PIN's source (`--sign-pin-file|env`, `--card-info-pin-file|env`):
    /// the file, else the variable, else a prompt.
    pub fn file_or_env(file: &Option<PathBuf>, env: &Option<String>) -> Source {
        match (file, env) {
            (Some(f), _) => Source::File(f.clone()),
            (_, Some(n)) => Source::Env(n.clone()),
            _ => Source::Prompt,
        }
    }
}

impl Source {
    /// Standard input when `stdin` is set and nothing else was named.
    pub fn or_stdin(self, stdin: bool) -> Source {
        match self {
            Source::Prompt if stdin => Source::Stdin,
            s => s,
        }
    }
}

impl PinSource {
    pub fn source(&self) -> Source {
        if let Some(p) = &self.pin_file {
            Source::File(p.clone())
        } else if self.pin_stdin {
            Source::Stdin
        } else if let Some(n) = &self.pin_env {
            Source::Env(n.clone())
        } else {
            Source::Prompt
        }
    }
}

fn first_line(mut s: String) -> String {
    let end = s.find(['\n', '\r']).unwrap_or(s.len());
    let line = s[..end].to_string();
    s.zeroize();
    line
}

/// Warn when a PIN file can be read by others.
fn check_file_mode(path: &Path, lang: Lang) {
    if let Ok(m) = std::fs::metadata(path) {
        if crate::platform::files::open_to_others(&m) {
            eprintln!(
                "mynacard: {}: {}",
                lang.pick("警告", "warning"),
                match lang {
                    Lang::Ja => format!(
                        "{} は他のユーザーから読めます (chmod 600 {} を推奨)",
                        path.display(),
                        path.display()
                    ),
                    Lang::En => format!(
                        "{} is readable by other users (run: chmod 600 {})",
                        path.display(),
                        path.display()
                    ),
                }
            );
        }
    }
}

/// One line of standard input, read straight from the file descriptor a
/// byte at a time: no buffer keeps a copy, and what follows the line (a
/// second PIN) stays unread.
fn stdin_line() -> Result<Pin> {
    use std::io::Read;
    let mut stdin = crate::platform::term::stdin_unbuffered()
        .map_err(|e| Error::PinInput(format!("cannot read the PIN from standard input: {e}")))?;
    let mut line = Vec::with_capacity(64);
    let mut b = [0u8; 1];
    loop {
        match stdin.read(&mut b) {
            Ok(0) => break,
            Ok(_) if b[0] == b'\n' => break,
            Ok(_) => {
                line.push(b[0]);
                if line.len() > 256 {
                    line.zeroize();
                    return Err(Error::PinInput(
                        "the line on standard input is longer than any PIN".into(),
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                line.zeroize();
                return Err(Error::PinInput(format!(
                    "cannot read the PIN from standard input: {e}"
                )));
            }
        }
    }
    b.zeroize();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let s = String::from_utf8(line).map_err(|e| {
        let mut v = e.into_bytes();
        v.zeroize();
        Error::PinInput("the PIN on standard input is not UTF-8".into())
    })?;
    if s.is_empty() {
        return Err(Error::PinInput(
            "standard input ended before a PIN line was read".into(),
        ));
    }
    Ok(Pin::new(s))
}

/// Read a PIN from a source that needs no person; `None` for a prompt (or
/// `--pin-stdin` on a terminal, which is asked without echo).
pub fn read_given(src: &Source, lang: Lang) -> Result<Option<Pin>> {
    match src {
        Source::File(path) => {
            check_file_mode(path, lang);
            let mut b = read_limited(path, limit::PIN).map_err(|e| Error::io(path, e))?;
            let s = String::from_utf8(std::mem::take(&mut b)).map_err(|e| {
                let mut v = e.into_bytes();
                v.zeroize();
                Error::PinInput(format!("{} is not UTF-8 text", path.display()))
            })?;
            Ok(Some(Pin::new(first_line(s))))
        }
        Source::Stdin if std::io::stdin().is_terminal() => Ok(None),
        Source::Stdin => stdin_line().map(Some),
        Source::Env(name) => match std::env::var(name) {
            Ok(v) => Ok(Some(Pin::new(first_line(v)))),
            Err(_) => Err(Error::PinInput(format!(
                "the environment variable {name} is not set (or not UTF-8)"
            ))),
        },
        Source::Prompt => Ok(None),
    }
}

/// The printed parts of 照合番号B from a source that needs no person: the
/// whole file or variable (one line, or three lines); from standard input
/// one line, and two more when the first holds fewer than three parts.
/// `None` for a prompt.
pub fn read_given_parts(src: &Source, lang: Lang) -> Result<Option<Pin>> {
    match src {
        Source::File(path) => {
            check_file_mode(path, lang);
            let b = read_limited(path, limit::PIN).map_err(|e| Error::io(path, e))?;
            String::from_utf8(b)
                .map(|s| Some(Pin::new(s)))
                .map_err(|e| {
                    let mut v = e.into_bytes();
                    v.zeroize();
                    Error::PinInput(format!("{} is not UTF-8 text", path.display()))
                })
        }
        Source::Stdin if std::io::stdin().is_terminal() => Ok(None),
        Source::Stdin => {
            let first = stdin_line()?;
            if first.expose().split_whitespace().count() >= 3 {
                return Ok(Some(first));
            }
            let second = stdin_line()?;
            let third = stdin_line()?;
            Ok(Some(Pin::new(format!(
                "{}\n{}\n{}",
                first.expose(),
                second.expose(),
                third.expose()
            ))))
        }
        Source::Env(name) => match std::env::var(name) {
            Ok(v) => Ok(Some(Pin::new(v))),
            Err(_) => Err(Error::PinInput(format!(
                "the environment variable {name} is not set (or not UTF-8)"
            ))),
        },
        Source::Prompt => Ok(None),
    }
}

/// Ask at the terminal without echo.
pub fn prompt_tty(kind: PinKind, prompt: &str) -> Result<Pin> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NoPinSource { kind });
    }
    super::signals::with_saved_tty(|| rpassword::prompt_password(prompt))
        .map(|s| Pin::new(first_line(s)))
        .map_err(|e| Error::PinInput(format!("cannot read the PIN from the terminal: {e}")))
}

/// Ask the user to type a word to confirm (used before the last try).
pub fn confirm_word(question: &str, word: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{question} ");
    let mut s = String::new();
    if std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut s).is_err() {
        return false;
    }
    s.trim() == word
}

/// The command line's answers to the PIN policy: where each PIN comes
/// from, prompts that name the PIN and its tries left, the typed
/// confirmation of a last try, the notice for folded lowercase.
pub struct PinInput {
    lang: Lang,
    sources: Vec<((PinKind, Which), Source)>,
    /// What a non-interactive source gave, so that a second card session of
    /// the same command (`status --with-card-info` falling back to the
    /// signature password alone) gets the same PIN without reading a
    /// removed variable or standard input again. Zeroized on drop.
    given: Vec<((PinKind, Which), Pin)>,
}

impl PinInput {
    pub fn new(lang: Lang) -> PinInput {
        PinInput {
            lang,
            sources: Vec::new(),
            given: Vec::new(),
        }
    }

    /// `kind`'s `which` PIN comes from `src`.
    pub fn with(mut self, kind: PinKind, which: Which, src: Source) -> PinInput {
        self.sources.push(((kind, which), src));
        self
    }

    fn source(&self, kind: PinKind, which: Which) -> Source {
        self.sources
            .iter()
            .find(|(k, _)| *k == (kind, which))
            .map(|(_, s)| s.clone())
            .unwrap_or(Source::Prompt)
    }
}

impl Asker for PinInput {
    fn given(&mut self, kind: PinKind, which: Which) -> Result<Option<Pin>> {
        if let Some((_, p)) = self.given.iter().find(|(k, _)| *k == (kind, which)) {
            return Ok(Some(p.clone()));
        }
        let p = read_given(&self.source(kind, which), self.lang)?;
        if let Some(p) = &p {
            self.given.push(((kind, which), p.clone()));
        }
        Ok(p)
    }

    fn prompt(&mut self, kind: PinKind, which: Which, left: Option<u8>) -> Result<Pin> {
        let lang = self.lang;
        let name = kind.name(lang);
        match which {
            Which::Current => {
                let tries = match (left, lang) {
                    (Some(n), Lang::Ja) => format!(" (残り {n} 回)"),
                    (Some(1), Lang::En) => " (1 try left)".to_string(),
                    (Some(n), Lang::En) => format!(" ({n} tries left)"),
                    (None, Lang::Ja) => " (残り回数不明)".into(),
                    (None, Lang::En) => " (tries left unknown)".into(),
                };
                prompt_tty(kind, &format!("{name}{tries}: "))
            }
            Which::New => {
                let (first, again) = match lang {
                    Lang::Ja => (format!("新しい{name}: "), format!("新しい{name} (確認): ")),
                    Lang::En => (format!("new {name}: "), format!("new {name} again: ")),
                };
                let p1 = prompt_tty(kind, &first)?;
                let p2 = prompt_tty(kind, &again)?;
                if p1 != p2 {
                    return Err(Error::NewPinsDiffer { kind });
                }
                Ok(p1)
            }
        }
    }

    fn confirm_last_try(&mut self, kind: PinKind, left: Option<u8>) -> Option<bool> {
        if !self.has_terminal() {
            return None;
        }
        let lang = self.lang;
        let q = match (lang, left) {
            (Lang::Ja, Some(_)) => format!(
                "{}はあと1回でロックされます。続けるには「{}」と入力してください:",
                kind.name(lang),
                kind.id()
            ),
            (Lang::Ja, None) => format!(
                "カードが{}の残り回数を示しません。次の誤りでロックされるかもしれません。続けるには「{}」と入力してください:",
                kind.name(lang),
                kind.id()
            ),
            (Lang::En, Some(_)) => format!(
                "The {} has ONE try left. Type \"{}\" to use it:",
                kind.name(lang),
                kind.id()
            ),
            (Lang::En, None) => format!(
                "The card does not tell how many tries of the {} are left; the next wrong entry may lock it. Type \"{}\" to go on:",
                kind.name(lang),
                kind.id()
            ),
        };
        Some(confirm_word(&q, kind.id()))
    }

    fn folded(&mut self, kind: PinKind) {
        let lang = self.lang;
        eprintln!(
            "mynacard: {}",
            match lang {
                Lang::Ja => format!(
                    "注意: {}の英小文字を大文字にして送ります (カードは大文字で登録しています)",
                    kind.name(lang)
                ),
                Lang::En => format!(
                    "notice: the lowercase letters of the {} are sent as uppercase (the card stores it in uppercase)",
                    kind.name(lang)
                ),
            }
        );
    }

    fn has_terminal(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    fn given_done(&mut self) {
        // Gone from this process (and the helpers it starts) once read;
        // the parent shell still has them.
        for (_, s) in &self.sources {
            if let Source::Env(name) = s {
                std::env::remove_var(name);
            }
        }
    }
}

/// A file given on the command line, read whole up to `limit` bytes (a
/// larger one, a folder or a device is an error naming it).
pub fn read_file(path: &std::path::Path, limit: u64) -> Result<Vec<u8>> {
    crate::platform::files::read_limited(path, limit).map_err(|e| Error::io(path, e))
}
