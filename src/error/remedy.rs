//! What the user should do about each error, in one line per language.

use super::message::tr;
use super::Error;
use crate::i18n::{Lang, PinText};
use crate::protocol::PinKind;

impl Error {
    /// What the user should do, in one line.
    pub fn remedy(&self, lang: Lang) -> String {
        let r = self.remedy_alone(lang);
        // Trouble on the way to the card: the doctor names the step first.
        if self.is_reader_trouble() {
            return format!(
                "{}{r}",
                lang.pick(
                    "mynacard doctor で原因の段階がわかります。",
                    "mynacard doctor names the failing step; "
                )
            );
        }
        r
    }

    /// Whether the error is on the way from the USB port to the card.
    fn is_reader_trouble(&self) -> bool {
        use Error::*;
        matches!(
            self,
            NoService
                | NoReader
                | NoCard { .. }
                | CardRemoved
                | CardInUse
                | Timeout { .. }
                | Pcsc(_)
        )
    }

    /// What the user should do, without the pointer to `mynacard doctor`.
    pub fn remedy_alone(&self, lang: Lang) -> String {
        // Each kind belongs to one group (a test walks every kind).
        self.reader_and_card_remedy(lang)
            .or_else(|| self.pins_remedy(lang))
            .or_else(|| self.pin_change_remedy(lang))
            .or_else(|| self.files_remedy(lang))
            .or_else(|| self.certs_remedy(lang))
            .or_else(|| self.helper_remedy(lang))
            .unwrap_or_default()
    }

    /// The service, the reader and the card's answers.
    fn reader_and_card_remedy(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        Some(match self {
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
                "マイナンバーカードを置いてください。マイナンバーカードを置いている場合は、新しい版の mynacard を試すか、この ATR を添えて開発者に知らせてください",
                "put a My Number Card on the reader; if it is one, try a newer mynacard or report this ATR to its developers",
            ),
            CardRemoved => s(
                "カードを置いたまま、もう一度実行してください",
                "keep the card on the reader and run the command again",
            ),
            CardInUse => s(
                "他のプログラムがカードを使用中です。終了を待ってから再実行してください",
                "another program is using the card: wait for it to finish, then try again",
            ),
            Timeout { .. } => s(
                "カードとリーダーを確認し、--timeout を延ばして再実行してください",
                "check the card and reader, then retry with a longer --timeout",
            ),
            // 6982: the card wants a PIN verified first — not a loose card.
            UnexpectedStatus {
                sw: crate::apdu::StatusWord::SecurityStatusNotSatisfied,
                ..
            } => s(
                "カードはこの操作の前に暗証番号の照合を求めています。mynacard の不具合の可能性があります: --trace の出力を添えて報告してください",
                "the card wants a PIN verified before this command: mynacard should have asked for it; report it with the --trace output",
            ),
            Pcsc(_) | UnexpectedStatus { .. } => s(
                "カードを置き直して再実行してください。続く場合は --trace の出力を添えて報告してください",
                "reseat the card and retry; if it persists, report it with the --trace output",
            ),
            Data(_) => s(
                "カードのデータを解釈できません。--trace の出力を添えて報告してください",
                "the card's data could not be read as expected; report it with the --trace output",
            ),
            _ => return None,
        })
    }

    /// Entering and verifying a PIN.
    fn pins_remedy(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        Some(match self {
            VerifyLost { .. } => s(
                "残り回数が減った可能性があります。やり直す前に mynacard pin status で確認してください",
                "a try may have been used: check with mynacard pin status before trying again",
            ),
            WrongPin {
                kind: PinKind::FaceCode,
                ..
            } => s(
                "券面の生年月日・有効期限の年・セキュリティコードを見直してください。照合番号Bの誤りは回数に数えられ、ロックされると市区町村の窓口でしか解除できません",
                "check the birth date, expiry year and security code against the card; each wrong 照合番号B costs a try, and a locked one is unlocked only at the municipal office",
            ),
            WrongPin {
                kind: PinKind::BirthKey,
                ..
            } => s(
                "券面の生年月日を見直してください。誤りは回数に数えられ、ロックされると市区町村の窓口でしか解除できません",
                "check the birth date against the card; each wrong entry costs a try, and a locked one is unlocked only at the municipal office",
            ),
            WrongPin {
                kind: PinKind::FaceNumberA,
                ..
            } => s(
                "カード裏面の個人番号 (12 桁) を見直してください。誤りは回数に数えられ、ロックされると市区町村の窓口でしか解除できません",
                "check the 12-digit number on the back of the card; each wrong entry costs a try, and a locked one is unlocked only at the municipal office",
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
            PinLocked { kind } | LockedByThisEntry { kind } => kind.unlock_advice(lang),
            LastTry { .. } => s(
                "あと1回でロックされます。確実な場合だけ --force-last-try を付けて再実行してください",
                "one more wrong entry locks it: only if you are sure, run again with --force-last-try",
            ),
            CountersChanged { .. } => s(
                "他のプログラムがカードを使った可能性があります。mynacard pin status で確認してから再実行してください",
                "another program may have used the card: check with mynacard pin status, then run again",
            ),
            PinFormat { kind, .. } => kind.format_hint(lang),
            NoPinSource { kind }
                if matches!(
                    kind,
                    PinKind::FaceCode | PinKind::FaceNumberA | PinKind::BirthKey
                ) =>
            {
                let opt = match kind {
                    PinKind::FaceCode => "code",
                    PinKind::FaceNumberA => "number-a",
                    _ => "birth-date",
                };
                tr(
                    lang,
                    format!(
                        "--{opt}-file、--{opt}-stdin、--{opt}-env のいずれかで渡すか、端末から実行してください"
                    ),
                    format!("give it with --{opt}-file, --{opt}-stdin or --{opt}-env, or run from a terminal"),
                )
            }
            NoPinSource { .. } | PinInput(_) => s(
                "--pin-file、--pin-stdin、--pin-env のいずれかで暗証番号を渡すか、端末から実行してください",
                "give the PIN with --pin-file, --pin-stdin or --pin-env, or run from a terminal",
            ),
            // Named by kind: the signature's is a password, not a PIN.
            NewPinsDiffer { kind } => tr(
                lang,
                format!("新しい{}を同じように2回入力してください", kind.name(Lang::Ja)),
                format!("type the same new {} twice", kind.name(Lang::En)),
            ),
            _ => return None,
        })
    }

    /// A PIN change that did not finish cleanly.
    fn pin_change_remedy(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        Some(match self {
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
            ChangeUndone { cause, .. } => cause.remedy_alone(lang),
            ChangeHalfDone {
                kind,
                old_on,
                unknown,
                ..
            } => {
                // The reference still to change: one known to hold the old
                // PIN, else the one whose answer was lost (docs/cli.md).
                let rest = old_on.first().copied().or(*unknown).unwrap_or("");
                let reference = rest.split('-').next().unwrap_or(rest);
                if rest.is_empty() {
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
            _ => return None,
        })
    }

    /// Files read and written, and the command line itself.
    fn files_remedy(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        Some(match self {
            Tsa(_) => s(
                "TSA の URL と接続を確認してください。何も書き出していません",
                "check the TSA's URL and that it answers; nothing was written",
            ),
            Pdf(_) => s(
                "PDF を送り手から取り寄せ直すか、作成したアプリケーションで保存し直してください (署名するなら暗号化や変更禁止の設定を外した版に)",
                "get the PDF again, or save it again from the program that made it (to sign: a copy without encryption or a no-changes certification)",
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
            OutputFolder {
                problem: crate::platform::atomic::FolderProblem::Missing,
                ..
            } => s(
                "フォルダーを先に作るか (mkdir -p)、別のパスを指定してください",
                "create the folder first (mkdir -p), or give another path",
            ),
            OutputFolder { .. } => s(
                "書き込めるフォルダーのパスを指定してください。標準出力へは -o - です",
                "give a path in a folder you may write to, or -o - for standard output",
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
            _ => return None,
        })
    }

    /// What the card's certificates and keys allow.
    fn certs_remedy(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        Some(match self {
            UnsupportedKey { .. } => s(
                "mynacard status と cert はこのカードでも使えます。署名と prove は、この鍵に対応した版の mynacard を使ってください",
                "status and cert work with this card; for signing and prove, use a mynacard version that supports its key",
            ),
            CertNotValid { expired: true, .. } => s(
                "市区町村の窓口で電子証明書を更新してから署名してください",
                "renew the certificate at your municipal office, then sign",
            ),
            CertNotValid { .. } => s(
                "コンピューターの日付と時刻を確認してください",
                "check this computer's date and time",
            ),
            NoPrivateKey { .. } => s(
                "署名と prove には鍵を持つカード (実物のマイナンバーカード、または組み込みの仮想カード --virtual) を使ってください。status・cert・info・verify はこのカードでも使えます",
                "sign and prove need a card that holds its keys (a real My Number Card, or the built-in virtual card: --virtual); status, cert, info and verify work with this one",
            ),
            Absent { .. } => s(
                "このカードには載っていません (署名用電子証明書は15歳未満の方などには発行されません)。読み取りの失敗ではありません",
                "this card does not carry it (the signature certificate is not issued to holders under 15, among others); nothing failed",
            ),
            NotOnToken { .. } => s(
                "スマホ用電子証明書と旧来の住基カードには公的個人認証のアプリケーションしかありません。この操作にはマイナンバーカード (プラスチックのカード) を使ってください",
                "smartphone certificates and the older 住基カード carry only the JPKI application: this needs a My Number Card (the plastic card)",
            ),
            _ => return None,
        })
    }

    /// The PC/SC build, helper process and sandbox; ending early.
    fn helper_remedy(&self, lang: Lang) -> Option<String> {
        use Error::*;
        let s = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        Some(match self {
            NoPcscBuild => s(
                "--virtual を使うか、pcsc 機能付きでビルドしてください (cargo install mynacard)",
                "use --virtual, or a build with the pcsc feature (the default: cargo install mynacard)",
            ),
            // The sandbox is Linux only (`platform`): elsewhere, what works.
            Sandbox(_) if !cfg!(target_os = "linux") => s(
                "Linux でのみ使えます。ここでは --virtual を使ってください",
                "on Linux only; here, use --virtual",
            ),
            Sandbox(_) => s(
                "root で実行し、pcscd と vsmartcard-vpcd を入れてください (./scripts/install-deps.sh)",
                "run as root with pcscd and vsmartcard-vpcd installed (./scripts/install-deps.sh)",
            ),
            Helper(_) => s(
                "mynacard を入れ直してください (実行中に更新された場合はもう一度実行してください)",
                "run the command again; if it persists, reinstall mynacard (it may have been replaced while running)",
            ),
            HelperKilled { .. } => s(
                "このコンピューターの別のプログラム (タスク管理ツール、スクリプト、セキュリティソフトなど) が mynacard の補助プロセスを終了させました。それを確かめてから、もう一度実行してください",
                "another program on this PC (a task manager, a script, a security tool) ended mynacard's helper process: find out which, then run the command again",
            ),
            LeftPowered { .. } => s(
                "今すぐカードをリーダーから取り外してください (取り外すまで他のプログラムが使えるおそれがあります)。その後リーダーを確認してください",
                "remove the card from the reader now (until then another program could use it); then check the reader",
            ),
            Interrupted { .. } => s(
                "カードに照合済みの状態は残っていません。必要ならもう一度実行してください",
                "no verified state was left on the card; run the command again if needed",
            ),
            _ => return None,
        })
    }
}
