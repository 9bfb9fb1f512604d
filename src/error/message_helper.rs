//! What the PC/SC build, the helper process and the sandbox say, and
//! ending early (a signal, a time limit): the last group of
//! `Error::message` (`message.rs`).

use super::message::tr;
use super::Error;
use crate::i18n::Lang;

impl Error {
    /// The PC/SC build, helper process and sandbox; ending early.
    pub(super) fn helper_message(&self, lang: Lang) -> Option<String> {
        use Error::*;
        Some(match self {
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
            HelperKilled { signal, cleared } => {
                let by = signal.map(signal_name);
                let (by_ja, by_en) = match by {
                    Some(n) => (format!("{n} で"), format!(" by {n}")),
                    None => (String::new(), String::new()),
                };
                tr(
                    lang,
                    format!(
                        "PC/SC の補助プロセス (mynacard __pcsc-agent) が外から{by_ja}終了させられました{}",
                        if *cleared {
                            "。暗証番号を送った後だったため、mynacard がカードの電源を切りました (照合済みの状態は残っていません)"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "the PC/SC helper process (mynacard __pcsc-agent) was ended from outside{by_en}{}",
                        if *cleared {
                            "; a PIN had been sent, so mynacard powered the card down itself (no verified state is left)"
                        } else {
                            ""
                        }
                    ),
                )
            }
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
            _ => return None,
        })
    }
}

/// A signal's usual name (`SIGKILL`), or its number.
fn signal_name(n: i32) -> String {
    match n {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        3 => "SIGQUIT".into(),
        6 => "SIGABRT".into(),
        9 => "SIGKILL".into(),
        11 => "SIGSEGV".into(),
        13 => "SIGPIPE".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}
