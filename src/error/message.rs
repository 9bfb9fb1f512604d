//! What each error says happened, in Japanese and English side by side.

use super::Error;
use crate::i18n::{Lang, PinText};
use crate::protocol::PinKind;

pub(super) fn list(v: &[String]) -> String {
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

/// Bytes as spaced upper-case hex (`3B DA 13`), as ATRs are usually written.
use crate::apdu::hex_spaced;

/// The two languages of one text.
pub(super) fn tr(lang: Lang, ja: String, en: String) -> String {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

impl Error {
    /// What happened, in `lang`. English is also the `Display` and the
    /// JSON `message` (stable for scripts). Technical details (status
    /// words, file names, parser reasons) stay as they are.
    pub fn message(&self, lang: Lang) -> String {
        // Each kind belongs to one group (a test walks every kind).
        self.reader_and_card_message(lang)
            .or_else(|| self.pins_message(lang))
            .or_else(|| self.pin_change_message(lang))
            .or_else(|| self.files_message(lang))
            .or_else(|| self.certs_message(lang))
            .or_else(|| self.helper_message(lang))
            .unwrap_or_default()
    }

    /// The service, the reader and the card's answers.
    fn reader_and_card_message(&self, lang: Lang) -> Option<String> {
        use Error::*;
        Some(match self {
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
                format!(
                    "{query:?} に当たるリーダーがありません。リーダー: {}",
                    list(readers)
                ),
                format!("no reader matches {query:?}; readers: {}", list(readers)),
            ),
            AmbiguousReader { query, matches } => tr(
                lang,
                format!("{query:?} は複数のリーダーに当たります: {}", list(matches)),
                format!("{query:?} matches more than one reader: {}", list(matches)),
            ),
            NoCard { reader, .. } => tr(
                lang,
                match reader {
                    Some(r) => format!("{r}にカードがありません"),
                    None => "どのリーダーにもカードがありません".into(),
                },
                format!("no card in {}", reader.as_deref().unwrap_or("any reader")),
            ),
            NotMyNumberCard { reader, atr } => {
                let atr = hex_spaced(atr);
                tr(
                    lang,
                    format!("{reader} のカードはマイナンバーカードではないか、この版の mynacard が対応していない新しい種類のカードです (公的個人認証APがありません。ATR {atr})"),
                    format!("the card in {reader} is not a My Number Card, or a newer kind this version does not know (no JPKI application; ATR {atr})"),
                )
            }
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
                format!(
                    "{secs} 秒で時間切れになりました ({})",
                    super::waiting::ja(what)
                ),
                format!("timed out after {secs} s while {what}"),
            ),
            Pcsc(e) => tr(
                lang,
                format!("PC/SC のエラー: {e}"),
                format!("PC/SC error: {e}"),
            ),
            UnexpectedStatus { command, sw } => tr(
                lang,
                format!(
                    "カードが {command} に {:04X} ({}) を返しました",
                    sw.code(),
                    sw.describe_ja()
                ),
                format!("the card answered {sw} to {command}"),
            ),
            Data(m) => tr(
                lang,
                format!("カードのデータが不正です: {m}"),
                format!("the card's data is malformed: {m}"),
            ),
            _ => return None,
        })
    }

    /// Entering and verifying a PIN.
    fn pins_message(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let name = |k: &PinKind| k.name(lang);
        Some(match self {
            WrongPin { kind, left } => tr(
                lang,
                format!("{}が違います。残り {left} 回です", name(kind)),
                format!(
                    "wrong {}: {left} {} left",
                    name(kind),
                    if *left == 1 { "try" } else { "tries" }
                ),
            ),
            LockedByThisEntry { kind } => tr(
                lang,
                format!("{}が違います。最後の1回だったため、ロックされました", name(kind)),
                format!("wrong {}: that was the last try, and it is now locked", name(kind)),
            ),
            PinLocked { kind } => tr(
                lang,
                format!("{}はロックされています", name(kind)),
                format!("the {} is locked", name(kind)),
            ),
            LastTry { kind, left } => tr(
                lang,
                format!(
                    "{}。最後の1回は --force-last-try を付けたとき (端末では種類名の入力も必要) にだけ使います",
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
                    "{}の照合に応答がありませんでした。残り回数が減った可能性があります",
                    name(kind)
                ),
                format!(
                    "no answer to the VERIFY of the {}: the try may have been counted",
                    name(kind)
                ),
            ),
            _ => return None,
        })
    }

    /// A PIN change that did not finish cleanly.
    fn pin_change_message(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let name = |k: &PinKind| k.name(lang);
        Some(match self {
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
            _ => return None,
        })
    }

    /// Files read and written, and the command line itself.
    fn files_message(&self, lang: Lang) -> Option<String> {
        use Error::*;
        Some(match self {
            Cert(m) => tr(lang, format!("証明書を読めません: {m}"), m.clone()),
            Pdf(m) => tr(lang, format!("PDF: {m}"), format!("PDF: {m}")),
            Tsa(m) => tr(
                lang,
                format!("タイムスタンプを取得できません: {m}"),
                format!("no timestamp: {m}"),
            ),
            Io { path, source } => format!("{}: {source}", path.display()),
            FileExists(p) => tr(
                lang,
                format!(
                    "{} は既にあります。上書きするには --force を付けてください",
                    p.display()
                ),
                format!("{} exists; use --force to overwrite it", p.display()),
            ),
            OutputFolder { folder, problem } => {
                use crate::platform::atomic::FolderProblem::*;
                let f = folder.display();
                let (ja, en) = match problem {
                    Missing => ("がありません", "does not exist"),
                    NotAFolder => ("はフォルダーではありません", "is not a folder"),
                    NotWritable => (
                        "に書き込む権限がありません",
                        "cannot be written to (permissions)",
                    ),
                };
                tr(
                    lang,
                    format!("出力先のフォルダー {f} {ja} (カードには何も送っていません)"),
                    format!("the output folder {f} {en} (nothing was sent to the card)"),
                )
            }
            OutputRefused { path, what } => tr(
                lang,
                format!(
                    "{} は{}です。書き込むのは新しいファイルか通常のファイルだけです",
                    path.display(),
                    match *what {
                        "a symbolic link" => "シンボリックリンク",
                        "a directory" => "フォルダー",
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
            Usage(m) => m.text(lang),
            _ => return None,
        })
    }

    /// What the card's certificates and keys allow.
    fn certs_message(&self, lang: Lang) -> Option<String> {
        use Error::*;
        Some(match self {
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
            UnsupportedKey { key } => tr(
                lang,
                format!("このカードの鍵は {key} です (次の世代のカード)。この版の mynacard は証明書の読み取りと検証はできますが、このカードに署名させることはできません。何も署名していません"),
                format!("this card's keys are {key} (the next kind of card): this version of mynacard reads and checks its certificates but cannot have it sign; nothing was signed"),
            ),
            NoPrivateKey { key } => tr(
                lang,
                format!(
                    "このカードには{}がありません (鍵のファイル {:04X} がありません)。このカードは署名できません。実物のカードからファイルを写した記録カードは決して署名できません。暗証番号は尋ねず、送っていません",
                    crate::i18n::key_name(*key, lang),
                    key.fid()
                ),
                format!(
                    "this card holds no {} (its key file {:04X} is absent): it cannot sign. A recorded card, whose files were copied from a real one, never can; no PIN was asked for or sent",
                    crate::i18n::key_name(*key, lang),
                    key.fid()
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
            _ => return None,
        })
    }
}
