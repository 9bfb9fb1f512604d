//! Library errors. One table (`class`) gives each its stable code and exit
//! code (`docs/cli.md`, `docs/json.md`); its message and its remedy are each
//! written once, the two languages side by side. Errors carry data, never
//! translated text, and never a PIN.

use crate::apdu::StatusWord;
use crate::i18n::{Lang, PinText};
use crate::protocol::{CertSlot, PinKind};
use std::fmt;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    NoService,
    NoReader,
    ReaderNotFound {
        query: String,
        readers: Vec<String>,
    },
    AmbiguousReader {
        query: String,
        matches: Vec<String>,
    },
    NoCard {
        reader: Option<String>,
        waited: Option<f64>,
    },
    NotMyNumberCard {
        reader: String,
    },
    CardRemoved,
    CardInUse,
    /// `what`: what the command was waiting for (English, technical).
    Timeout {
        what: String,
        secs: f64,
    },
    Pcsc(String),
    UnexpectedStatus {
        command: &'static str,
        sw: StatusWord,
    },
    WrongPin {
        kind: PinKind,
        left: u8,
    },
    PinLocked {
        kind: PinKind,
    },
    /// `left`: `None` when the card does not tell.
    LastTry {
        kind: PinKind,
        left: Option<u8>,
    },
    CountersChanged {
        kind: PinKind,
    },
    ChangeLost {
        kind: PinKind,
        reference: &'static str,
    },
    ChangeUndone {
        kind: PinKind,
        cause: Box<Error>,
    },
    ChangeHalfDone {
        kind: PinKind,
        new_on: Vec<&'static str>,
        old_on: Vec<&'static str>,
        unknown: Option<&'static str>,
        cause: Box<Error>,
    },
    /// `new`: the new PIN of a change.
    PinFormat {
        kind: PinKind,
        problem: crate::protocol::FormatProblem,
        new: bool,
    },
    /// The PIN is needed, there is no terminal and no source was given.
    NoPinSource {
        kind: PinKind,
    },
    /// The new PIN typed twice differed.
    NewPinsDiffer {
        kind: PinKind,
    },
    /// A PIN source failed (technical detail, English).
    PinInput(String),
    VerifyLost {
        kind: PinKind,
    },
    Data(String),
    Cert(String),
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    FileExists(PathBuf),
    OutputRefused {
        path: PathBuf,
        what: &'static str,
    },
    Profile(String),
    Usage(String),
    Absent {
        slot: CertSlot,
    },
    /// The signing key's certificate is outside its validity: a signature
    /// made now would not verify (the date, JST).
    CertNotValid {
        slot: CertSlot,
        expired: bool,
        date: time::Date,
    },
    /// The token lacks an application (a smartphone certificate has only JPKI).
    NotOnToken {
        app: &'static str,
    },
    /// This build has no PC/SC (built without the `pcsc` feature).
    NoPcscBuild,
    /// The private pcscd of `vcard sandbox` could not start (the reason).
    Sandbox(String),
    /// The PC/SC helper process could not be started or ended early.
    Helper(String),
    LeftPowered {
        cause: Option<Box<Error>>,
    },
    Interrupted {
        signal: &'static str,
        code: i32,
    },
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
    /// `prove`: the card was not shown to be a genuine J-LIS card.
    pub const NOT_GENUINE: i32 = 17;
    /// `sign`: the key's certificate is expired or not yet valid.
    pub const CERT_NOT_VALID: i32 = 18;
    /// `verify`: the file changed after it was signed.
    pub const VERIFY_FILE_CHANGED: i32 = 30;
    /// `verify`: the signature does not verify.
    pub const VERIFY_BAD_SIGNATURE: i32 = 31;
    /// `verify`: the signer's certificate is not from a trusted issuer.
    pub const VERIFY_UNKNOWN_SIGNER: i32 = 32;
    /// `verify`: the certificate was not valid at the signing time.
    pub const VERIFY_NOT_VALID_AT_SIGNING: i32 = 33;
    /// `verify`: the certificate's key may not sign.
    pub const VERIFY_KEY_USAGE: i32 = 34;
    pub const FINDING_WARNING: i32 = 20;
    pub const FINDING_ERROR: i32 = 21;

    /// Every exit status with its meaning: the one table the man pages
    /// print and `docs/cli.md` matches (checked by a test).
    pub const TABLE: &[(&str, &str)] = &[
        ("0", "success"),
        ("1", "other failure"),
        ("2", "usage error (bad option, ambiguous reader)"),
        ("3", "the PC/SC service is not running"),
        ("4", "no reader, or `--reader` matches none"),
        ("5", "no card (after `--wait` if given)"),
        ("6", "not a My Number Card (no JPKI application)"),
        ("7", "the card was removed during the command; or a VERIFY's or CHANGE's answer was lost"),
        ("8", "the card answered an unexpected status (the message names the APDU and SW), or a PC/SC error"),
        ("9", "wrong PIN (the message gives the tries left)"),
        ("10", "PIN locked, or the last try refused without `--force-last-try`"),
        ("11", "PIN input: malformed PIN, no source without a terminal, a counter changed while you typed"),
        ("12", "malformed card data, certificate input or virtual-card profile"),
        ("13", "file error (exists without `--force`; not a regular file; cannot read or write)"),
        ("14", "timeout (from the first PC/SC call), or the card is in use by another program"),
        ("15", "a PIN held by two key references was changed on one only (card pulled mid-change)"),
        ("16", "the card does not hold what was asked for (e.g. no signature certificate)"),
        ("17", "`prove`: the card was not shown to be a genuine J-LIS card"),
        ("18", "`sign`: the key's certificate has expired (or is not yet valid); nothing was signed"),
        ("20, 21", "(status report) a finding of severity warning / error with `--fail-on`"),
        ("30", "`verify`: the file changed after it was signed"),
        ("31", "`verify`: the signature does not verify with the signer's certificate"),
        ("32", "`verify`: the signer's certificate is not from a trusted issuer"),
        ("33", "`verify`: the certificate was not valid at the signing time"),
        ("34", "`verify`: the certificate's key usage does not allow signing"),
        ("129, 130, 143", "interrupted by SIGHUP, SIGINT, SIGTERM (the card was powered down first)"),
        ("141", "standard output was closed (`| head`): ended quietly"),
    ];
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

/// The two languages of one text.
fn tr(lang: Lang, ja: String, en: String) -> String {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

impl Error {
    /// The stable code (JSON `error.code`) and the exit code: the one table.
    pub fn class(&self) -> (&'static str, i32) {
        use exit::*;
        use Error::*;
        match self {
            NoService => ("NO_SERVICE", NO_SERVICE),
            NoReader => ("NO_READER", NO_READER),
            ReaderNotFound { .. } => ("READER_NOT_FOUND", NO_READER),
            AmbiguousReader { .. } => ("READER_AMBIGUOUS", USAGE),
            NoCard { .. } => ("NO_CARD", NO_CARD),
            NotMyNumberCard { .. } => ("NOT_MY_NUMBER_CARD", NOT_MY_NUMBER_CARD),
            CardRemoved => ("CARD_REMOVED", CARD_REMOVED),
            CardInUse => ("CARD_IN_USE", TIMEOUT),
            Timeout { .. } => ("TIMEOUT", TIMEOUT),
            Pcsc(_) => ("PCSC_ERROR", CARD_ERROR),
            UnexpectedStatus { .. } => ("UNEXPECTED_STATUS", CARD_ERROR),
            WrongPin { .. } => ("WRONG_PIN", WRONG_PIN),
            PinLocked { .. } => ("PIN_LOCKED", PIN_LOCKED),
            LastTry { .. } => ("PIN_LAST_TRY", PIN_LOCKED),
            CountersChanged { .. } => ("PIN_COUNTER_CHANGED", PIN_INPUT),
            ChangeLost { .. } => ("PIN_CHANGE_LOST", CARD_REMOVED),
            ChangeUndone { cause, .. } => ("PIN_CHANGE_UNDONE", cause.exit_code()),
            ChangeHalfDone { .. } => ("PIN_CHANGE_HALF_DONE", PIN_HALF_CHANGED),
            PinFormat { .. } => ("PIN_FORMAT", PIN_INPUT),
            NoPinSource { .. } | NewPinsDiffer { .. } | PinInput(_) => ("PIN_INPUT", PIN_INPUT),
            VerifyLost { .. } => ("VERIFY_LOST", CARD_REMOVED),
            Data(_) => ("CARD_DATA", DATA),
            Cert(_) => ("CERT_INPUT", DATA),
            Io { .. } => ("IO", IO),
            FileExists(_) => ("FILE_EXISTS", IO),
            OutputRefused { .. } => ("OUTPUT_REFUSED", IO),
            Profile(_) => ("PROFILE", DATA),
            Usage(_) => ("USAGE", USAGE),
            Absent { .. } => ("ABSENT", ABSENT),
            CertNotValid { .. } => ("CERT_NOT_VALID", CERT_NOT_VALID),
            NotOnToken { .. } => ("NOT_ON_TOKEN", ABSENT),
            NoPcscBuild => ("NO_PCSC_BUILD", NO_SERVICE),
            Sandbox(_) => ("SANDBOX", NO_SERVICE),
            Helper(_) => ("HELPER", FAILURE),
            LeftPowered { cause } => (
                "CARD_LEFT_POWERED",
                cause.as_ref().map_or(CARD_ERROR, |e| e.exit_code()),
            ),
            Interrupted { code, .. } => ("INTERRUPTED", *code),
        }
    }

    pub fn code(&self) -> &'static str {
        self.class().0
    }

    pub fn exit_code(&self) -> i32 {
        self.class().1
    }

    /// What happened, in `lang`. English is also the `Display` and the
    /// JSON `message` (stable for scripts). Technical details (status
    /// words, file names, parser reasons) stay as they are.
    pub fn message(&self, lang: Lang) -> String {
        use Error::*;
        let name = |k: &PinKind| k.name(lang);
        match self {
            NoService => tr(
                lang,
                "PC/SC サービス (pcscd) が動いていません".into(),
                "the PC/SC service is not running".into(),
            ),
            NoReader => tr(
                lang,
                "IC カードリーダーが見つかりません".into(),
                "no smart-card reader found".into(),
            ),
            ReaderNotFound { query, readers } => tr(
                lang,
                format!("{query:?} に当たるリーダーがありません。リーダー: {}", list(readers)),
                format!("no reader matches {query:?}; readers: {}", list(readers)),
            ),
            AmbiguousReader { query, matches } => tr(
                lang,
                format!("{query:?} は複数のリーダーに当たります: {}", list(matches)),
                format!("{query:?} matches more than one reader: {}", list(matches)),
            ),
            NoCard { reader, .. } => tr(
                lang,
                format!("{}にカードがありません", reader.as_deref().unwrap_or("どのリーダー")),
                format!("no card in {}", reader.as_deref().unwrap_or("any reader")),
            ),
            NotMyNumberCard { reader } => tr(
                lang,
                format!("{reader} のカードはマイナンバーカードではありません (公的個人認証APがありません)"),
                format!("the card in {reader} is not a My Number Card (the JPKI application is missing)"),
            ),
            CardRemoved => tr(
                lang,
                "処理中にカードが取り外されました".into(),
                "the card was removed during the command".into(),
            ),
            CardInUse => tr(
                lang,
                "カードは他のプログラムが使用中です".into(),
                "the card is in use by another program".into(),
            ),
            Timeout { what, secs } => tr(
                lang,
                format!("{secs} 秒で時間切れになりました ({what})"),
                format!("timed out after {secs} s while {what}"),
            ),
            Pcsc(e) => tr(lang, format!("PC/SC のエラー: {e}"), format!("PC/SC error: {e}")),
            UnexpectedStatus { command, sw } => tr(
                lang,
                format!("カードが {command} に {sw} を返しました"),
                format!("the card answered {sw} to {command}"),
            ),
            WrongPin { kind, left } => tr(
                lang,
                format!("{}が違います。残り {left} 回です", name(kind)),
                format!(
                    "wrong {}: {left} {} left",
                    name(kind),
                    if *left == 1 { "try" } else { "tries" }
                ),
            ),
            PinLocked { kind } => tr(
                lang,
                format!("{}はロックされています", name(kind)),
                format!("the {} is locked", name(kind)),
            ),
            LastTry { kind, left } => tr(
                lang,
                format!(
                    "{}。--force-last-try (端末では種類名の入力も) なしには使いません",
                    match left {
                        Some(_) => format!("{}は残り 1 回です", name(kind)),
                        None => format!("カードが{}の残り回数を示しません", name(kind)),
                    }
                ),
                format!(
                    "{}; refusing to use it without --force-last-try (and, on a terminal, typing its name)",
                    match left {
                        Some(_) => format!("the {} has one try left", name(kind)),
                        None => format!(
                            "the card does not tell how many tries of the {} are left",
                            name(kind)
                        ),
                    }
                ),
            ),
            CountersChanged { kind } => tr(
                lang,
                format!("入力を待つ間に{}の残り回数が変わりました。何も送信していません", name(kind)),
                format!(
                    "the counter of the {} changed while waiting for your input; nothing was sent",
                    name(kind)
                ),
            ),
            ChangeLost { kind, reference } => tr(
                lang,
                format!(
                    "{}の変更 ({reference}) に応答がありませんでした。新しい暗証番号が既に設定されている可能性があります",
                    name(kind)
                ),
                format!(
                    "no answer to the change of the {} ({reference}): the new PIN may already be set there",
                    name(kind)
                ),
            ),
            ChangeUndone { kind, cause } => tr(
                lang,
                format!(
                    "{}。変更は取り消しました: どの参照も元の{}のままです",
                    cause.message(lang),
                    name(kind)
                ),
                format!(
                    "{}; the change was undone: every reference still holds the old {}",
                    cause.message(lang),
                    name(kind)
                ),
            ),
            ChangeHalfDone {
                kind,
                new_on,
                old_on,
                unknown,
                ..
            } => {
                let (mut ja, mut en) = (Vec::new(), Vec::new());
                if !new_on.is_empty() {
                    ja.push(format!("{} は新しい暗証番号", new_on.join("、")));
                    en.push(format!("{} holds the NEW PIN", new_on.join(", ")));
                }
                if !old_on.is_empty() {
                    ja.push(format!("{} は元の暗証番号", old_on.join("、")));
                    en.push(format!("{} holds the OLD PIN", old_on.join(", ")));
                }
                if let Some(u) = unknown {
                    ja.push(format!("{u} は新旧どちらか不明 (応答が失われました)"));
                    en.push(format!("{u} holds the old or the new PIN (its answer was lost)"));
                }
                tr(
                    lang,
                    format!(
                        "{}はカードの一部でだけ変更されました: {}",
                        name(kind),
                        ja.join("、")
                    ),
                    format!(
                        "the {} was changed on only part of the card: {}",
                        name(kind),
                        en.join("; ")
                    ),
                )
            }
            PinFormat { kind, problem, new } => tr(
                lang,
                format!(
                    "{}{}の形式が違います ({})",
                    if *new { "新しい" } else { "" },
                    name(kind),
                    crate::i18n::format_problem(*problem, lang)
                ),
                format!(
                    "invalid {}{}: {}",
                    if *new { "new " } else { "" },
                    name(kind),
                    crate::i18n::format_problem(*problem, lang)
                ),
            ),
            NoPinSource { kind } => tr(
                lang,
                format!("{}が必要ですが、端末がなく入力元も指定されていません", name(kind)),
                format!(
                    "the {} is needed, but there is no terminal and no PIN source was given",
                    name(kind)
                ),
            ),
            NewPinsDiffer { kind } => tr(
                lang,
                format!("新しい{}が一致しません", name(kind)),
                format!("the two new {}s differ", name(kind)),
            ),
            PinInput(m) => tr(lang, format!("暗証番号を読めません: {m}"), m.clone()),
            VerifyLost { kind } => tr(
                lang,
                format!(
                    "{}の照合に応答がありませんでした。試行回数が減った可能性があります",
                    name(kind)
                ),
                format!(
                    "no answer to the VERIFY of the {}: the try may have been counted",
                    name(kind)
                ),
            ),
            Data(m) => tr(
                lang,
                format!("カードのデータが不正です: {m}"),
                format!("the card's data is malformed: {m}"),
            ),
            Cert(m) => tr(lang, format!("証明書を読めません: {m}"), m.clone()),
            Io { path, source } => format!("{}: {source}", path.display()),
            FileExists(p) => tr(
                lang,
                format!(
                    "{} は既にあります。上書きするには --force を付けてください",
                    p.display()
                ),
                format!("{} exists; use --force to overwrite it", p.display()),
            ),
            OutputRefused { path, what } => tr(
                lang,
                format!(
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
                format!(
                    "{} is {what}; mynacard writes only a new file or over a regular file",
                    path.display()
                ),
            ),
            Profile(m) => tr(
                lang,
                format!("仮想カードのプロファイルが不正です: {m}"),
                m.clone(),
            ),
            Usage(m) => tr(lang, format!("使い方の誤り: {m}"), m.clone()),
            CertNotValid {
                slot,
                expired: true,
                date,
            } => tr(
                lang,
                format!(
                    "{}は {} に有効期限が切れています。この鍵の署名は検証で拒否されるため、署名しませんでした",
                    crate::i18n::cert_name(*slot, lang),
                    crate::i18n::jp_date(*date)
                ),
                format!(
                    "the {} expired on {date}: a signature with its key would be rejected, so nothing was signed",
                    crate::i18n::cert_name(*slot, lang)
                ),
            ),
            CertNotValid { slot, date, .. } => tr(
                lang,
                format!(
                    "{}は {} から有効です (まだ有効期間前)。署名しませんでした",
                    crate::i18n::cert_name(*slot, lang),
                    crate::i18n::jp_date(*date)
                ),
                format!(
                    "the {} is valid only from {date}: nothing was signed",
                    crate::i18n::cert_name(*slot, lang)
                ),
            ),
            Absent { slot } => tr(
                lang,
                format!("このカードには{}がありません", crate::i18n::cert_name(*slot, lang)),
                format!("the card holds no {}", crate::i18n::cert_name(*slot, lang)),
            ),
            NotOnToken { app } => tr(
                lang,
                format!("このトークンには {app} がありません"),
                format!("this token has no {app}"),
            ),
            NoPcscBuild => tr(
                lang,
                "このビルドには PC/SC がありません (pcsc 機能なしでビルドされています)".into(),
                "this build has no PC/SC support (built without the pcsc feature)".into(),
            ),
            Sandbox(why) => tr(
                lang,
                format!("専用の pcscd を起動できません: {why}"),
                format!("cannot start a private pcscd: {why}"),
            ),
            Helper(why) => tr(
                lang,
                format!("PC/SC の補助プロセスが使えません: {why}"),
                format!("the PC/SC helper process failed: {why}"),
            ),
            LeftPowered { cause } => {
                let c = cause.as_ref().map(|e| e.message(lang));
                tr(
                    lang,
                    format!(
                        "{}カードの電源を切れませんでした (リーダーが応答しません)。照合済みの暗証番号が残っているおそれがあります",
                        c.as_ref().map(|m| format!("{m}。")).unwrap_or_default()
                    ),
                    format!(
                        "{}the card could not be powered down (the reader does not answer), so it may still hold a verified PIN",
                        c.as_ref().map(|m| format!("{m}; ")).unwrap_or_default()
                    ),
                )
            }
            Interrupted { signal, .. } => tr(
                lang,
                format!("{signal} により中断されました"),
                format!("interrupted by {signal}"),
            ),
        }
    }

    /// What the user should do, in one line.
    pub fn remedy(&self, lang: Lang) -> String {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        match self {
            NoService => s(
                "PC/SC サービス (pcscd) を起動してください: sudo systemctl start pcscd",
                "start the PC/SC service: sudo systemctl start pcscd (or run pcscd)",
            ),
            NoReader => s(
                "IC カードリーダーを接続してください (mynacard readers で確認できます)",
                "connect a smart-card reader (check with: mynacard readers)",
            ),
            ReaderNotFound { .. } | AmbiguousReader { .. } => s(
                "--reader にはリーダー名の一意な一部か、mynacard readers の番号を指定してください",
                "give --reader a unique part of a reader name, or its index from: mynacard readers",
            ),
            NoCard { .. } => s(
                "カードをリーダーに置いてください。待つには --wait 秒数 を付けてください",
                "put the card on the reader, or add --wait SECONDS to wait for it",
            ),
            NotMyNumberCard { .. } => s(
                "マイナンバーカードを置いてください (別のカードが読み取られました)",
                "put a My Number Card on the reader (another card was read)",
            ),
            CardRemoved => s(
                "カードを置いたまま、もう一度実行してください",
                "keep the card on the reader and run the command again",
            ),
            VerifyLost { .. } => s(
                "試行回数が減った可能性があります。再試行する前に mynacard pin status で確認してください",
                "a try may have been used: check with mynacard pin status before trying again",
            ),
            CardInUse => s(
                "他のプログラムがカードを使用中です。終了を待ってから再実行してください",
                "another program is using the card: wait for it to finish, then try again",
            ),
            Timeout { .. } => s(
                "カードとリーダーを確認し、--timeout を延ばして再実行してください",
                "check the card and reader, then retry with a longer --timeout",
            ),
            Pcsc(_) | UnexpectedStatus { .. } => s(
                "カードを置き直して再実行してください。続く場合は --trace の出力を添えて報告してください",
                "reseat the card and retry; if it persists, report it with the --trace output",
            ),
            WrongPin { kind, .. } => tr(
                lang,
                format!(
                    "{}を確認してください。mynacard pin status で残り回数を確認できます",
                    kind.name(lang)
                ),
                format!(
                    "check your {}; mynacard pin status shows the tries left",
                    kind.name(lang)
                ),
            ),
            PinLocked { kind } => kind.unlock_advice(lang),
            LastTry { .. } => s(
                "あと1回の誤りでロックされます。確実な場合だけ --force-last-try を付けて再実行してください",
                "one more wrong entry locks it: only if you are sure, run again with --force-last-try",
            ),
            CountersChanged { .. } => s(
                "他のプログラムがカードを使った可能性があります。mynacard pin status で確認してから再実行してください",
                "another program may have used the card: check with mynacard pin status, then run again",
            ),
            ChangeLost { kind, .. } => tr(
                lang,
                format!(
                    "カードを置き直し、まず新しい暗証番号で mynacard pin verify {} を実行してください (誤りなら元の暗証番号のままです。誤りは1回分数えられます)",
                    kind.id()
                ),
                format!(
                    "put the card back and first check the NEW PIN with mynacard pin verify {} (if it is wrong, the old PIN is still set; a wrong entry counts one try)",
                    kind.id()
                ),
            ),
            ChangeUndone { cause, .. } => cause.remedy(lang),
            ChangeHalfDone {
                kind,
                new_on,
                old_on,
                ..
            } => {
                let rest = old_on.first().copied().unwrap_or("");
                let reference = rest.split('-').next().unwrap_or(rest);
                if new_on.is_empty() || old_on.is_empty() {
                    s(
                        "カードを置き直し、mynacard pin status で確認してください。不明な場合は市区町村の窓口で初期化してください",
                        "put the card back and check with mynacard pin status; if in doubt, have it reset at your municipal office",
                    )
                } else {
                    tr(
                        lang,
                        format!(
                            "カードを置き直し、mynacard pin change {} --reference {reference} を実行してください (現在の暗証番号には元の暗証番号、新しい暗証番号には今回のものを入力)。または市区町村の窓口で初期化してください",
                            kind.id()
                        ),
                        format!(
                            "put the card back and run mynacard pin change {} --reference {reference} (current PIN: the OLD one; new PIN: the one you just chose), or have it reset at your municipal office",
                            kind.id()
                        ),
                    )
                }
            }
            PinFormat { kind, .. } => kind.format_hint(lang),
            NoPinSource { .. } | PinInput(_) => s(
                "--pin-file, --pin-stdin, --pin-env のいずれかで暗証番号を渡すか、端末から実行してください",
                "give the PIN with --pin-file, --pin-stdin or --pin-env, or run from a terminal",
            ),
            NewPinsDiffer { .. } => s(
                "新しい暗証番号を同じように2回入力してください",
                "type the same new PIN twice",
            ),
            Data(_) => s(
                "カードのデータを解釈できません。--trace の出力を添えて報告してください",
                "the card's data could not be read as expected; report it with the --trace output",
            ),
            Cert(_) => s(
                "証明書ファイル (PEM または DER) を指定してください",
                "give a certificate file (PEM or DER)",
            ),
            Io { .. } => s(
                "パスと権限を確認してください",
                "check the path and its permissions",
            ),
            FileExists(_) => s(
                "上書きするには --force を付けてください",
                "add --force to overwrite it",
            ),
            OutputRefused { .. } => s(
                "別のパスを指定してください。標準出力へは -o - です",
                "give another path, or -o - for standard output",
            ),
            Profile(_) => s(
                "プロファイルの該当項目を直してください (docs/virtual-card.md)",
                "fix that field of the profile (see docs/virtual-card.md)",
            ),
            Usage(_) => s(
                "mynacard --help で使い方を確認してください",
                "see mynacard --help",
            ),
            CertNotValid { expired: true, .. } => s(
                "市区町村の窓口で電子証明書を更新してから署名してください",
                "renew the certificate at your municipal office, then sign",
            ),
            CertNotValid { .. } => s(
                "コンピューターの日付と時刻を確認してください",
                "check this computer's date and time",
            ),
            Absent { .. } => s(
                "このカードには載っていません (署名用電子証明書は15歳未満の方などには発行されません)。読み取りの失敗ではありません",
                "this card does not carry it (the signature certificate is not issued to holders under 15, among others); nothing failed",
            ),
            NotOnToken { .. } => s(
                "スマホ用電子証明書などには一部のアプリケーションしかありません。カード本体を使ってください",
                "a smartphone certificate (and the older 住基カード) carries only the JPKI application: use the card itself",
            ),
            NoPcscBuild => s(
                "--virtual を使うか、pcsc 機能付きでビルドしてください (cargo install mynacard)",
                "use --virtual, or a build with the pcsc feature (the default: cargo install mynacard)",
            ),
            Sandbox(_) => s(
                "root で実行し、pcscd と vsmartcard-vpcd を入れてください (./scripts/install-deps.sh)",
                "run as root with pcscd and vsmartcard-vpcd installed (./scripts/install-deps.sh)",
            ),
            Helper(_) => s(
                "mynacard を入れ直してください (実行中に更新された場合はもう一度実行してください)",
                "run the command again; if it persists, reinstall mynacard (it may have been replaced while running)",
            ),
            LeftPowered { .. } => s(
                "今すぐカードをリーダーから取り外してください (取り外すまで他のプログラムが使えるおそれがあります)。その後リーダーを確認してください",
                "remove the card from the reader now (until then another program could use it); then check the reader",
            ),
            Interrupted { .. } => s(
                "カードに照合済みの状態は残っていません。必要ならもう一度実行してください",
                "no verified state was left on the card; run the command again if needed",
            ),
        }
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::ChangeUndone { cause, .. } | Error::ChangeHalfDone { cause, .. } => {
                Some(cause.as_ref())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_per_meaning_and_the_english_is_the_display() {
        let e = Error::WrongPin {
            kind: PinKind::Auth,
            left: 1,
        };
        assert_eq!(e.to_string(), "wrong user-authentication PIN: 1 try left");
        assert_eq!(e.class(), ("WRONG_PIN", exit::WRONG_PIN));
        assert!(e.message(Lang::Ja).contains("残り 1 回"));
        let lp = Error::LeftPowered {
            cause: Some(Box::new(Error::Timeout {
                what: "waiting".into(),
                secs: 2.0,
            })),
        };
        assert_eq!(lp.exit_code(), exit::TIMEOUT);
        assert!(lp.to_string().starts_with("timed out after 2 s"));
    }
}
