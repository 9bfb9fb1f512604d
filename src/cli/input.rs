//! PIN input, in this order: --pin-file, --pin-stdin, --pin-env, then a
//! no-echo prompt on a terminal. Never from an argument value.

use crate::card::pin::{Pin, PinKind};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::PinText;
use clap::Args;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use zeroize::Zeroize;

#[derive(Args, Debug, Clone, Default)]
pub struct PinSource {
    /// Read the PIN from the first line of FILE (should be mode 0600)
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// Read the PIN from the first line of standard input
    #[arg(long)]
    pub pin_stdin: bool,
    /// Read the PIN from the environment variable NAME
    #[arg(long, value_name = "NAME")]
    pub pin_env: Option<String>,
}

impl PinSource {
    pub fn is_given(&self) -> bool {
        self.pin_file.is_some() || self.pin_stdin || self.pin_env.is_some()
    }
}

fn first_line(mut s: String) -> String {
    let end = s.find(['\n', '\r']).unwrap_or(s.len());
    let line = s[..end].to_string();
    s.zeroize();
    line
}

/// Warn when a PIN file can be read by others.
fn check_file_mode(path: &std::path::Path, lang: Lang) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
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

/// Lines read from standard input once per process (a PIN change reads the
/// current PIN and then the new one from the same stream).
fn stdin_line() -> Result<Pin> {
    let mut s = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut s)
        .map_err(|e| Error::PinInput(format!("cannot read the PIN from standard input: {e}")))?;
    if s.is_empty() {
        return Err(Error::PinInput(
            "standard input ended before a PIN line was read".into(),
        ));
    }
    Ok(Pin::new(first_line(s)))
}

/// Read one PIN from the first source given, or prompt on a terminal.
pub fn read_pin(src: &PinSource, kind: PinKind, lang: Lang, prompt: &str) -> Result<Pin> {
    if let Some(path) = &src.pin_file {
        check_file_mode(path, lang);
        let s = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        return Ok(Pin::new(first_line(s)));
    }
    if src.pin_stdin {
        return stdin_line();
    }
    if let Some(name) = &src.pin_env {
        return match std::env::var(name) {
            Ok(v) => Ok(Pin::new(first_line(v))),
            Err(_) => Err(Error::PinInput(format!(
                "the environment variable {name} is not set (or not UTF-8)"
            ))),
        };
    }
    prompt_tty(kind, lang, prompt)
}

/// Read a PIN (sources, else a prompt) and check its format, before
/// anything is sent to the card: a malformed PIN never reaches it.
pub fn read_checked(src: &PinSource, kind: PinKind, lang: Lang) -> Result<Pin> {
    let p = read_pin(src, kind, lang, &format!("{}: ", kind.name(lang)))?;
    crate::card::pin::validate(kind, &p).map_err(|reason| Error::PinFormat { kind, reason })?;
    Ok(p)
}

pub fn prompt_tty(kind: PinKind, lang: Lang, prompt: &str) -> Result<Pin> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::PinInput(match lang {
            Lang::Ja => format!(
                "{}が必要ですが、端末がなく入力元も指定されていません",
                kind.name(lang)
            ),
            Lang::En => format!(
                "the {} is needed, but there is no terminal and no PIN source was given",
                kind.name(lang)
            ),
        }));
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
    if std::io::stdin().lock().read_line(&mut s).is_err() {
        return false;
    }
    s.trim() == word
}
