//! Library errors. Each maps to a documented exit code (`docs/cli.md`) and a
//! one-line remedy in the user's language. No variant ever carries a PIN.

use crate::apdu::StatusWord;
use crate::card::pin::PinKind;
use crate::i18n::Lang;
use crate::i18n::PinText;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the PC/SC service is not running")]
    NoService,
    #[error("no smart-card reader found")]
    NoReader,
    #[error("no reader matches {query:?}; readers: {}", list(.readers))]
    ReaderNotFound { query: String, readers: Vec<String> },
    #[error("{query:?} matches more than one reader: {}", list(.matches))]
    AmbiguousReader { query: String, matches: Vec<String> },
    #[error("no card in {}", .reader.as_deref().unwrap_or("any reader"))]
    NoCard {
        reader: Option<String>,
        waited: Option<f64>,
    },
    #[error("the card in {reader} is not a My Number Card (the JPKI application is missing)")]
    NotMyNumberCard { reader: String },
    #[error("the card was removed during the command")]
    CardRemoved,
    #[error("the card is in use by another program")]
    CardInUse,
    #[error("timed out after {secs} s while {what}")]
    Timeout { what: String, secs: f64 },
    #[error("PC/SC error: {0}")]
    Pcsc(String),
    #[error("the card answered {sw} to {command}")]
    UnexpectedStatus {
        command: &'static str,
        sw: StatusWord,
    },
    #[error("wrong {}: {left} {} left", .kind.name(Lang::En), if *.left == 1 { "try" } else { "tries" })]
    WrongPin { kind: PinKind, left: u8 },
    #[error("the {} is locked", .kind.name(Lang::En))]
    PinLocked { kind: PinKind },
    #[error("{}; refusing to use it without --force-last-try (and, on a terminal, typing its name)", last_try_en(*.kind, *.left))]
    LastTry { kind: PinKind, left: Option<u8> },
    #[error("the counter of the {} changed while waiting for your input; nothing was sent", .kind.name(Lang::En))]
    CountersChanged { kind: PinKind },
    #[error("no answer to the change of the {} ({reference}): the new PIN may already be set there", .kind.name(Lang::En))]
    ChangeLost {
        kind: PinKind,
        reference: &'static str,
    },
    #[error("{cause}; the change was undone: every reference still holds the old {}", .kind.name(Lang::En))]
    ChangeUndone { kind: PinKind, cause: Box<Error> },
    #[error("the {} was changed on only part of the card: {}", .kind.name(Lang::En), half_done_en(.new_on, .old_on, *.unknown))]
    ChangeHalfDone {
        kind: PinKind,
        new_on: Vec<&'static str>,
        old_on: Vec<&'static str>,
        unknown: Option<&'static str>,
        cause: Box<Error>,
    },
    #[error("invalid {}: {reason}", .kind.name(Lang::En))]
    PinFormat { kind: PinKind, reason: String },
    #[error("{0}")]
    PinInput(String),
    #[error("no answer to the VERIFY of the {}: the try may have been counted", .kind.name(Lang::En))]
    VerifyLost { kind: PinKind },
    #[error("the card's data is malformed: {0}")]
    Data(String),
    #[error("{0}")]
    Cert(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} exists; use --force to overwrite it")]
    FileExists(PathBuf),
    #[error("{} is {what}; mynacard writes only a new file or over a regular file", .path.display())]
    OutputRefused { path: PathBuf, what: &'static str },
    #[error("{0}")]
    Profile(String),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("the card holds no {}", crate::i18n::cert_name(*.slot, Lang::En))]
    Absent { slot: crate::protocol::CertSlot },
    #[error("{}the card could not be powered down (the reader does not answer), so it may still hold a verified PIN", cause_prefix(.cause))]
    LeftPowered { cause: Option<Box<Error>> },
    #[error("interrupted by {signal}")]
    Interrupted { signal: &'static str, code: i32 },
}

fn last_try_en(kind: PinKind, left: Option<u8>) -> String {
    match left {
        Some(_) => format!("the {} has one try left", kind.name(Lang::En)),
        None => format!(
            "the card does not tell how many tries of the {} are left",
            kind.name(Lang::En)
        ),
    }
}

fn half_done_en(new_on: &[&str], old_on: &[&str], unknown: Option<&str>) -> String {
    let mut parts = Vec::new();
    if !new_on.is_empty() {
        parts.push(format!("{} holds the NEW PIN", new_on.join(", ")));
    }
    if !old_on.is_empty() {
        parts.push(format!("{} holds the OLD PIN", old_on.join(", ")));
    }
    if let Some(u) = unknown {
        parts.push(format!(
            "{u} holds the old or the new PIN (its answer was lost)"
        ));
    }
    parts.join("; ")
}

fn cause_prefix(c: &Option<Box<Error>>) -> String {
    c.as_ref().map(|e| format!("{e}; ")).unwrap_or_default()
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".into()
    } else {
        v.iter()
            .enumerate()
            .map(|(i, r)| format!("[{i}] {r}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Exit codes (documented in docs/cli.md).
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const NO_SERVICE: i32 = 3;
    pub const NO_READER: i32 = 4;
    pub const NO_CARD: i32 = 5;
    pub const NOT_MY_NUMBER_CARD: i32 = 6;
    pub const CARD_REMOVED: i32 = 7;
    pub const CARD_ERROR: i32 = 8;
    pub const WRONG_PIN: i32 = 9;
    pub const PIN_LOCKED: i32 = 10;
    pub const PIN_INPUT: i32 = 11;
    pub const DATA: i32 = 12;
    pub const IO: i32 = 13;
    pub const TIMEOUT: i32 = 14;
    /// A PIN held by two references was changed on one only.
    pub const PIN_HALF_CHANGED: i32 = 15;
    /// The card does not hold what was asked for (e.g. no signature certificate).
    pub const ABSENT: i32 = 16;
    pub const FINDING_WARNING: i32 = 20;
    pub const FINDING_ERROR: i32 = 21;
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        use Error::*;
        match self {
            NoService => exit::NO_SERVICE,
            NoReader | ReaderNotFound { .. } => exit::NO_READER,
            AmbiguousReader { .. } | Usage(_) => exit::USAGE,
            NoCard { .. } => exit::NO_CARD,
            NotMyNumberCard { .. } => exit::NOT_MY_NUMBER_CARD,
            CardRemoved | VerifyLost { .. } => exit::CARD_REMOVED,
            CardInUse | Timeout { .. } => exit::TIMEOUT,
            Pcsc(_) | UnexpectedStatus { .. } | Unsupported(_) => exit::CARD_ERROR,
            WrongPin { .. } => exit::WRONG_PIN,
            PinLocked { .. } | LastTry { .. } => exit::PIN_LOCKED,
            CountersChanged { .. } => exit::PIN_INPUT,
            ChangeLost { .. } => exit::CARD_REMOVED,
            ChangeUndone { cause, .. } => cause.exit_code(),
            ChangeHalfDone { .. } => exit::PIN_HALF_CHANGED,
            PinFormat { .. } | PinInput(_) => exit::PIN_INPUT,
            Data(_) | Cert(_) | Profile(_) => exit::DATA,
            Io { .. } | FileExists(_) | OutputRefused { .. } => exit::IO,
            LeftPowered { cause } => cause
                .as_ref()
                .map(|e| e.exit_code())
                .unwrap_or(exit::CARD_ERROR),
            Interrupted { code, .. } => *code,
            Absent { .. } => exit::ABSENT,
        }
    }

    /// The message in the user's language. English is the `Display` (and
    /// the JSON `message`, stable for scripts); Japanese puts the facts in
    /// Japanese and keeps technical details (status words, file names,
    /// parser reasons) as they are.
    pub fn message(&self, lang: Lang) -> String {
        use Error::*;
        if lang == Lang::En {
            return self.to_string();
        }
        let name = |k: &PinKind| k.name(Lang::Ja);
        match self {
            NoService => "PC/SC サービス (pcscd) が動いていません".into(),
            NoReader => "IC カードリーダーが見つかりません".into(),
            ReaderNotFound { query, readers } => {
                format!(
                    "{query:?} に当たるリーダーがありません。リーダー: {}",
                    list(readers)
                )
            }
            AmbiguousReader { query, matches } => {
                format!("{query:?} は複数のリーダーに当たります: {}", list(matches))
            }
            NoCard { reader, .. } => format!(
                "{}にカードがありません",
                reader.as_deref().unwrap_or("どのリーダー")
            ),
            NotMyNumberCard { reader } => format!(
                "{reader} のカードはマイナンバーカードではありません (公的個人認証APがありません)"
            ),
            CardRemoved => "処理中にカードが取り外されました".into(),
            CardInUse => "カードは他のプログラムが使用中です".into(),
            Timeout { what, secs } => format!("{secs} 秒で時間切れになりました ({what})"),
            Pcsc(e) => format!("PC/SC のエラー: {e}"),
            UnexpectedStatus { command, sw } => {
                format!("カードが {command} に {sw} を返しました")
            }
            WrongPin { kind, left } => {
                format!("{}が違います。残り {left} 回です", name(kind))
            }
            PinLocked { kind } => format!("{}はロックされています", name(kind)),
            LastTry { kind, left } => format!(
                "{}。--force-last-try (端末では種類名の入力も) なしには使いません",
                match left {
                    Some(_) => format!("{}は残り 1 回です", name(kind)),
                    None => format!("カードが{}の残り回数を示しません", name(kind)),
                }
            ),
            CountersChanged { kind } => format!(
                "入力を待つ間に{}の残り回数が変わりました。何も送信していません",
                name(kind)
            ),
            ChangeLost { kind, reference } => format!(
                "{}の変更 ({reference}) に応答がありませんでした。新しい暗証番号が既に設定されている可能性があります",
                name(kind)
            ),
            ChangeUndone { kind, cause } => format!(
                "{}。変更は取り消しました: どの参照も元の{}のままです",
                cause.message(lang),
                name(kind)
            ),
            ChangeHalfDone {
                kind,
                new_on,
                old_on,
                unknown,
                ..
            } => {
                let mut parts = Vec::new();
                if !new_on.is_empty() {
                    parts.push(format!("{} は新しい暗証番号", new_on.join("、")));
                }
                if !old_on.is_empty() {
                    parts.push(format!("{} は元の暗証番号", old_on.join("、")));
                }
                if let Some(u) = unknown {
                    parts.push(format!("{u} は新旧どちらか不明 (応答が失われました)"));
                }
                format!(
                    "{}はカードの一部でだけ変更されました: {}",
                    name(kind),
                    parts.join("、")
                )
            }
            PinFormat { kind, reason } => format!("{}の形式が違います ({reason})", name(kind)),
            PinInput(m) => format!("暗証番号を読めません: {m}"),
            VerifyLost { kind } => format!(
                "{}の照合に応答がありませんでした。試行回数が減った可能性があります",
                name(kind)
            ),
            Data(m) => format!("カードのデータが不正です: {m}"),
            Cert(m) => format!("証明書を読めません: {m}"),
            Io { path, source } => format!("{}: {source}", path.display()),
            FileExists(p) => format!(
                "{} は既にあります。上書きするには --force を付けてください",
                p.display()
            ),
            OutputRefused { path, what } => format!(
                "{} は{}です。書き込むのは新しいファイルか通常のファイルだけです",
                path.display(),
                match *what {
                    "a symbolic link" => "シンボリックリンク",
                    "a directory" => "ディレクトリ",
                    "a device" => "デバイス",
                    "a FIFO" => "FIFO",
                    "a socket" => "ソケット",
                    _ => "通常のファイルではないもの",
                }
            ),
            Profile(m) => format!("仮想カードのプロファイルが不正です: {m}"),
            Usage(m) => format!("使い方の誤り: {m}"),
            Unsupported(m) => format!("この操作はできません: {m}"),
            LeftPowered { cause } => format!(
                "{}カードの電源を切れませんでした (リーダーが応答しません)。照合済みの暗証番号が残っているおそれがあります",
                cause.as_ref().map(|e| format!("{}。", e.message(lang))).unwrap_or_default()
            ),
            Interrupted { signal, .. } => format!("{signal} により中断されました"),
            Absent { slot } => format!(
                "このカードには{}がありません",
                crate::i18n::cert_name(*slot, lang)
            ),
        }
    }

    /// What the user should do, in one line.
    pub fn remedy(&self, lang: Lang) -> String {
        use Error::*;
        let s = match self {
            NoService => lang.pick(
                "PC/SC サービス (pcscd) を起動してください: sudo systemctl start pcscd",
                "start the PC/SC service: sudo systemctl start pcscd (or run pcscd)",
            ),
            NoReader => lang.pick(
                "IC カードリーダーを接続してください (mynacard readers で確認できます)",
                "connect a smart-card reader (check with: mynacard readers)",
            ),
            ReaderNotFound { .. } | AmbiguousReader { .. } => lang.pick(
                "--reader にはリーダー名の一意な一部か、mynacard readers の番号を指定してください",
                "give --reader a unique part of a reader name, or its index from: mynacard readers",
            ),
            NoCard { .. } => lang.pick(
                "カードをリーダーに置いてください。待つには --wait 秒数 を付けてください",
                "put the card on the reader, or add --wait SECONDS to wait for it",
            ),
            NotMyNumberCard { .. } => lang.pick(
                "マイナンバーカードを置いてください (別のカードが読み取られました)",
                "put a My Number Card on the reader (another card was read)",
            ),
            CardRemoved => lang.pick(
                "カードを置いたまま、もう一度実行してください",
                "keep the card on the reader and run the command again",
            ),
            VerifyLost { .. } => lang.pick(
                "試行回数が減った可能性があります。再試行する前に mynacard pin status で確認してください",
                "a try may have been used: check with mynacard pin status before trying again",
            ),
            CardInUse => lang.pick(
                "他のプログラムがカードを使用中です。終了を待ってから再実行してください",
                "another program is using the card: wait for it to finish, then try again",
            ),
            Timeout { .. } => lang.pick(
                "カードとリーダーを確認し、--timeout を延ばして再実行してください",
                "check the card and reader, then retry with a longer --timeout",
            ),
            Pcsc(_) | UnexpectedStatus { .. } | Unsupported(_) => lang.pick(
                "カードを置き直して再実行してください。続く場合は --trace の出力を添えて報告してください",
                "reseat the card and retry; if it persists, report it with the --trace output",
            ),
            WrongPin { kind, .. } => {
                return match lang {
                    Lang::Ja => format!(
                        "{}を確認してください。mynacard pin status で残り回数を確認できます",
                        kind.name(lang)
                    ),
                    Lang::En => format!(
                        "check your {}; mynacard pin status shows the tries left",
                        kind.name(lang)
                    ),
                }
            }
            PinLocked { kind } => return kind.unlock_advice(lang),
            LastTry { .. } => lang.pick(
                "あと1回の誤りでロックされます。確実な場合だけ --force-last-try を付けて再実行してください",
                "one more wrong entry locks it: only if you are sure, run again with --force-last-try",
            ),
            CountersChanged { .. } => lang.pick(
                "他のプログラムがカードを使った可能性があります。mynacard pin status で確認してから再実行してください",
                "another program may have used the card: check with mynacard pin status, then run again",
            ),
            ChangeLost { kind, .. } => {
                return match lang {
                    Lang::Ja => format!(
                        "カードを置き直し、まず新しい暗証番号で mynacard pin verify {} を実行してください (誤りなら元の暗証番号のままです。誤りは1回分数えられます)",
                        kind.id()
                    ),
                    Lang::En => format!(
                        "put the card back and first check the NEW PIN with mynacard pin verify {} (if it is wrong, the old PIN is still set; a wrong entry counts one try)",
                        kind.id()
                    ),
                }
            }
            ChangeUndone { cause, .. } => return cause.remedy(lang),
            ChangeHalfDone {
                kind,
                new_on,
                old_on,
                ..
            } => {
                let rest = old_on.first().copied().unwrap_or("");
                return match (lang, new_on.is_empty() || old_on.is_empty()) {
                    (Lang::Ja, false) => format!(
                        "カードを置き直し、mynacard pin change {} --reference {rest} を実行してください (現在の暗証番号には元の暗証番号、新しい暗証番号には今回のものを入力)。または市区町村の窓口で初期化してください",
                        kind.id()
                    ),
                    (Lang::En, false) => format!(
                        "put the card back and run mynacard pin change {} --reference {rest} (current PIN: the OLD one; new PIN: the one you just chose), or have it reset at your municipal office",
                        kind.id()
                    ),
                    (Lang::Ja, true) => "カードを置き直し、mynacard pin status で確認してください。不明な場合は市区町村の窓口で初期化してください".into(),
                    (Lang::En, true) => "put the card back and check with mynacard pin status; if in doubt, have it reset at your municipal office".into(),
                };
            }
            PinFormat { kind, .. } => return kind.format_hint(lang),
            PinInput(_) => lang.pick(
                "--pin-file, --pin-stdin, --pin-env のいずれかで暗証番号を渡すか、端末から実行してください",
                "give the PIN with --pin-file, --pin-stdin or --pin-env, or run from a terminal",
            ),
            Data(_) => lang.pick(
                "カードのデータを解釈できません。--trace の出力を添えて報告してください",
                "the card's data could not be read as expected; report it with the --trace output",
            ),
            Cert(_) => lang.pick(
                "証明書ファイル (PEM または DER) を指定してください",
                "give a certificate file (PEM or DER)",
            ),
            Io { .. } => lang.pick(
                "パスと権限を確認してください",
                "check the path and its permissions",
            ),
            FileExists(_) => lang.pick(
                "上書きするには --force を付けてください",
                "add --force to overwrite it",
            ),
            OutputRefused { .. } => lang.pick(
                "別のパスを指定してください。標準出力へは -o - です",
                "give another path, or -o - for standard output",
            ),
            Profile(_) => lang.pick(
                "プロファイルの該当項目を直してください (docs/virtual-card.md)",
                "fix that field of the profile (see docs/virtual-card.md)",
            ),
            Usage(_) => lang.pick(
                "mynacard --help で使い方を確認してください",
                "see mynacard --help",
            ),
            LeftPowered { .. } => lang.pick(
                "今すぐカードをリーダーから取り外してください (取り外すまで他のプログラムが使えるおそれがあります)。その後リーダーを確認してください",
                "remove the card from the reader now (until then another program could use it); then check the reader",
            ),
            Absent { .. } => lang.pick(
                "このカードには載っていません (署名用電子証明書は15歳未満の方などには発行されません)。読み取りの失敗ではありません",
                "this card does not carry it (the signature certificate is not issued to holders under 15, among others); nothing failed",
            ),
            Interrupted { .. } => lang.pick(
                "カードに照合済みの状態は残っていません。必要ならもう一度実行してください",
                "no verified state was left on the card; run the command again if needed",
            ),
        };
        s.to_string()
    }

    /// Standard output was closed by its reader.
    pub fn is_closed_output(&self) -> bool {
        matches!(self, Error::Io { path, source }
            if path.as_os_str() == "stdout" && source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
