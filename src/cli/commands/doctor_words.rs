//! The words of `doctor`: what each step found and what to do, Japanese
//! and English side by side (one home for both).

use crate::error::Error;
use crate::i18n::Lang;
use crate::usecase::doctor::{Diagnosis, Finding, NotChecked, Service, Status, Step, StepId};
use crate::usecase::doctor_card::{AppsFinding, CardFinding, Extended, Interface};
use crate::usecase::doctor_usb::UsbFinding;

/// One sentence in both languages.
pub struct Two {
    pub ja: String,
    pub en: String,
}

fn two(ja: impl Into<String>, en: impl Into<String>) -> Two {
    Two {
        ja: ja.into(),
        en: en.into(),
    }
}

/// The step's name.
pub fn label(id: StepId) -> Two {
    match id {
        StepId::Usb => two("USB 機器", "USB devices"),
        StepId::Service => two("PC/SC サービス", "PC/SC service"),
        StepId::Readers => two("リーダー", "readers"),
        StepId::Card => two("カード", "card"),
        StepId::Applications => two("アプリケーション", "applications"),
        StepId::ExtendedLength => two("拡張長 APDU", "extended length"),
        StepId::Latency => two("応答時間", "latency"),
    }
}

/// What the step found, and what to do when it failed or warns.
pub fn words(s: &Step, d: &Diagnosis) -> (Two, Option<Two>) {
    let (summary, fix) = match &s.finding {
        Finding::NotChecked(why) => (not_checked(*why), None),
        Finding::Skipped => (
            two(
                "前の段階が失敗したため確認していません",
                "not checked: an earlier step failed",
            ),
            None,
        ),
        Finding::Usb(u) => usb(u),
        Finding::Service(sv) => service(sv, d),
        Finding::Readers(0) => (
            two(
                "pcscd が使えるリーダーはありません",
                "pcscd offers no reader",
            ),
            Some(two(
                "IC カードリーダーを接続してください。接続済みなら USB 機器の段階を見てください",
                "connect a smart-card reader; if one is connected, see the USB step",
            )),
        ),
        Finding::Readers(n) => (
            two(
                format!("{n} 台: {}", d.readers.join(", ")),
                format!("{n}: {}", d.readers.join(", ")),
            ),
            None,
        ),
        Finding::ReaderChoice { query, matches } => {
            let e = if matches.is_empty() {
                Error::ReaderNotFound {
                    query: query.clone(),
                    readers: d.readers.clone(),
                }
            } else {
                Error::AmbiguousReader {
                    query: query.clone(),
                    matches: matches.clone(),
                }
            };
            (
                two(e.message(Lang::Ja), e.message(Lang::En)),
                Some(two(e.remedy_alone(Lang::Ja), e.remedy_alone(Lang::En))),
            )
        }
        Finding::Card(c) => card(c, d),
        Finding::Applications(a) => apps(a, d),
        Finding::Extended(x) => extended(x),
        Finding::Latency { median_ms, apdus } => (
            two(
                format!(
                    "APDU 1回あたり中央値 {median_ms:.2} ms (暗証番号を使わない SELECT {apdus} 回)"
                ),
                format!("median {median_ms:.2} ms per APDU ({apdus} SELECTs, no PIN)"),
            ),
            None,
        ),
    };
    let fix = fix.filter(|_| matches!(s.status, Status::Fail | Status::Warn));
    (summary, fix)
}

fn not_checked(why: NotChecked) -> Two {
    match why {
        NotChecked::OtherSystem => two(
            "このシステムでは確認していません (USB 機器の確認は Linux のみ)",
            "not checked on this system (USB devices are checked on Linux only)",
        ),
        NotChecked::VirtualCard => two(
            "仮想カードのため確認していません",
            "not checked: the virtual card needs no reader",
        ),
        NotChecked::NoPcscBuild => two(
            "この版は PC/SC なしでビルドされています",
            "not checked: this build has no PC/SC",
        ),
    }
}

fn usb(u: &UsbFinding) -> (Two, Option<Two>) {
    match u {
        UsbFinding::None => (
            two(
                "USB の IC カードリーダー・NFC リーダーは見つかりません",
                "no USB smart-card or NFC reader found",
            ),
            Some(two(
                "リーダーを接続してください (接触型、または Sony RC-S300 などの CCID 対応の非接触型)",
                "connect a reader (a contact one, or a CCID contactless one such as the Sony RC-S300)",
            )),
        ),
        UsbFinding::Fine(n) => (
            two(
                format!("IC カード・NFC の USB 機器 {n} 台"),
                format!("{n} smart-card or NFC device(s) on USB"),
            ),
            None,
        ),
        UsbFinding::KernelNfc { model, driver } => {
            let instead = if driver == "port100" {
                two(
                    "RC-S380 には Linux 用の PC/SC ドライバーがありません。CCID 対応のリーダー (Sony RC-S300 や接触型リーダー) を使ってください",
                    "the RC-S380 has no PC/SC driver on Linux: use a CCID reader (a Sony RC-S300, or a contact reader)",
                )
            } else {
                two(
                    "ドライバーを外すと pcscd (libccid) が使えるようになります",
                    "without that driver, pcscd (libccid) can offer it",
                )
            };
            let cmd = format!(
                "echo 'blacklist {driver}' | sudo tee /etc/modprobe.d/blacklist-{driver}.conf"
            );
            (
                two(
                    format!("{model}: Linux の {driver} ドライバーが使用中で、pcscd から使えません"),
                    format!("{model}: Linux's {driver} driver holds it, so pcscd cannot offer it"),
                ),
                Some(two(
                    format!("{}。{driver} を外すには: {cmd} のあと、リーダーを挿し直してください", instead.ja),
                    format!("{}; to take it from {driver}: {cmd}, then replug the reader", instead.en),
                )),
            )
        }
        UsbFinding::NoCcidDriver { model } => (
            two(
                format!("{model} は CCID リーダーですが、pcscd の CCID ドライバー (libccid) がありません"),
                format!("{model} is a CCID reader, but pcscd's CCID driver (libccid) is not installed"),
            ),
            Some(two(
                "sudo apt install libccid のあと sudo systemctl restart pcscd を実行してください",
                "sudo apt install libccid, then sudo systemctl restart pcscd",
            )),
        ),
        UsbFinding::NotOffered { model } => (
            two(
                format!("{model} は USB にありますが、pcscd が使えるリーダーにありません"),
                format!("{model} is on USB, but pcscd does not offer it"),
            ),
            Some(two(
                "リーダーを挿し直し、sudo systemctl restart pcscd を実行してください。理由は sudo pcscd -f -d の出力でわかります",
                "replug the reader and run sudo systemctl restart pcscd; sudo pcscd -f -d shows why it is left out",
            )),
        ),
    }
}

fn service(sv: &Service, d: &Diagnosis) -> (Two, Option<Two>) {
    let start = || {
        two(
            "sudo systemctl enable --now pcscd.socket を実行してください (または pcscd を起動)",
            "sudo systemctl enable --now pcscd.socket (or run pcscd)",
        )
    };
    match sv {
        Service::Ok => {
            let at = d.socket.as_ref().map(|(p, _)| p.display().to_string());
            match at {
                Some(p) => (two(format!("pcscd が {p} で応答しています"), format!("pcscd answers on {p}")), None),
                None => (two("PC/SC サービスが応答しています", "the PC/SC service answers"), None),
            }
        }
        Service::NotInstalled => (
            two("pcscd が入っていません", "pcscd is not installed"),
            Some(two(
                "sudo apt install pcscd libccid を実行してください",
                "sudo apt install pcscd libccid",
            )),
        ),
        Service::EnvSocketMissing(p) => (
            two(
                format!("PCSCLITE_CSOCK_NAME が指す {} がありません", p.display()),
                format!("PCSCLITE_CSOCK_NAME names {}, which does not exist", p.display()),
            ),
            Some(two(
                "PCSCLITE_CSOCK_NAME を外すか (unset PCSCLITE_CSOCK_NAME)、そのソケットで pcscd を起動してください",
                "unset PCSCLITE_CSOCK_NAME, or start pcscd on that socket",
            )),
        ),
        Service::NotRunning(p) => (
            two(
                format!("pcscd が動いていません ({} がありません)", p.display()),
                format!("pcscd is not running (no socket at {})", p.display()),
            ),
            Some(start()),
        ),
        Service::NoAnswer(p) => (
            two(
                format!("{} はありますが pcscd が応答しません", p.display()),
                format!("{} is there, but pcscd does not answer on it", p.display()),
            ),
            Some(two(
                "sudo systemctl restart pcscd を実行してください。リモートやコンテナーのセッションでは polkit が拒むことがあります",
                "sudo systemctl restart pcscd; in a remote or container session, polkit may refuse access",
            )),
        ),
        Service::Unavailable => (
            two("PC/SC サービスが応答しません", "the PC/SC service does not answer"),
            Some(two(
                "システムのスマートカード サービスを起動してください",
                "start the system's smart-card service",
            )),
        ),
        Service::Other(e) => (
            two(format!("PC/SC: {e}"), format!("PC/SC: {e}")),
            Some(two(
                Error::Pcsc(String::new()).remedy_alone(Lang::Ja),
                Error::Pcsc(String::new()).remedy_alone(Lang::En),
            )),
        ),
    }
}

fn card(c: &CardFinding, d: &Diagnosis) -> (Two, Option<Two>) {
    let probe = d.probe.as_ref();
    let reader = probe.and_then(|p| p.reader.clone()).unwrap_or_default();
    match c {
        CardFinding::Ok { interface } => {
            let atr = probe
                .and_then(|p| p.atr.as_deref())
                .map(crate::apdu::hex_spaced)
                .unwrap_or_default();
            let (ja, en) = match interface {
                Interface::Contact => ("接触", "contact"),
                Interface::Contactless => ("非接触", "contactless"),
            };
            (
                two(
                    format!("{reader} にカードがあります ({ja}、ATR {atr})"),
                    format!("a card in {reader} ({en}), ATR {atr}"),
                ),
                None,
            )
        }
        CardFinding::NoCard => (
            two("どのリーダーにもカードがありません", "no card on any reader"),
            Some(two(
                "カードを置いてください: 非接触型はアンテナの上に平らに置き、接触型は IC チップ側から差し込みます",
                "put the card on the reader: flat on the antenna (contactless), or chip first into the slot (contact)",
            )),
        ),
        CardFinding::Busy => (
            two(
                format!("{reader} のカードを他のプログラムが使用中です"),
                format!("another program holds the card in {reader}"),
            ),
            Some(two(
                "カードを使っているプログラム (ブラウザーの公的個人認証プラグイン、JPKI 利用者ソフト、別の mynacard など) を終えてから再実行してください",
                "close the program that uses it (a browser's JPKI plug-in, the JPKI client, another mynacard), then run again",
            )),
        ),
        CardFinding::Error(e) => (
            two(format!("カードが応答しません: {e}"), format!("the card does not answer: {e}")),
            Some(two(
                "カードを置き直してください。非接触では動かさずに平らに置いてください",
                "reseat the card; on a contactless reader keep it flat and still",
            )),
        ),
    }
}

fn apps(a: &AppsFinding, d: &Diagnosis) -> (Two, Option<Two>) {
    match a {
        AppsFinding::Ok(token) => {
            let list = |lang: Lang| {
                let found: Vec<&str> = d
                    .probe
                    .iter()
                    .flat_map(|p| p.apps.iter())
                    .filter(|(_, has)| *has)
                    .map(|(app, _)| app.name())
                    .collect();
                let what = token
                    .as_ref()
                    .map(|t| crate::i18n::describe_token(t, lang))
                    .unwrap_or_default();
                format!("{what}: {}", found.join(", "))
            };
            (two(list(Lang::Ja), list(Lang::En)), None)
        }
        AppsFinding::NotMyNumberCard => {
            let e = Error::NotMyNumberCard {
                reader: String::new(),
                atr: Vec::new(),
            };
            (
                two(
                    "公的個人認証 (JPKI) のアプリケーションがありません: マイナンバーカードではありません",
                    "no JPKI application: not a My Number Card",
                ),
                Some(two(e.remedy_alone(Lang::Ja), e.remedy_alone(Lang::En))),
            )
        }
        AppsFinding::Error(e) => (
            two(
                format!("SELECT に失敗しました: {e}"),
                format!("a SELECT failed: {e}"),
            ),
            Some(two(
                "カードを置き直して再実行してください",
                "reseat the card and run again",
            )),
        ),
    }
}

fn extended(x: &Extended) -> (Two, Option<Two>) {
    match x {
        Extended::Works { bytes } => (
            two(
                format!("使えます: 1回の READ BINARY で {bytes} バイト (このリーダーとカードでは以後も使います)"),
                format!("works: one READ BINARY brought {bytes} bytes (used from now on with this reader and card)"),
            ),
            None,
        ),
        Extended::Refused => (
            two(
                "カードまたはリーダーが受け付けません (6700)。短い読み取りを使うので問題ありません",
                "not offered by the card or reader (6700): short reads are used, nothing to do",
            ),
            None,
        ),
        Extended::Broke(e) => (
            two(format!("長い応答が届きません: {e}"), format!("a long answer did not arrive: {e}")),
            Some(two(
                "このリーダーは長い応答を運べません (Sony RC-S300 は CCID メッセージが 522 バイトまで)。このリーダーでは --extended-length を付けないでください",
                "this reader cannot carry long answers (the Sony RC-S300's CCID messages hold 522 bytes): do not give --extended-length with it",
            )),
        ),
    }
}
