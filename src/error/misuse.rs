//! Usage errors as data: what was asked that cannot be done, each worded
//! once in both languages (so a Japanese line never carries English).

use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misuse {
    /// `--today` is not a date.
    BadToday(String),
    /// `--digest-only` is neither 64 hex digits nor a file holding a digest.
    BadDigest { value: String, exists: bool },
    /// `sign` without FILE.
    NoFile,
    /// Binary output (DER, a PDF) would go to a terminal.
    BinaryToTerminal(Binary),
    /// `--state` for a real card (it keeps a virtual card's counters).
    StateNeedsVirtual,
    /// `--reader`/`--wait` on a command that chooses no reader (`readers`
    /// lists them all; `verify`, `cert inspect`… use no card).
    NoReaderChoice(&'static str),
    /// `sign --json` with the signature on stdout.
    JsonWithBinaryStdout,
    /// `--reference` given for a PIN held by one reference.
    ReferenceNotResident,
    /// `status --watch` / `watch` with `--virtual`.
    WatchVirtual,
    /// `status --watch --with-sign`.
    WatchWithSign,
    /// `status --watch` with `--fail-on` or `--wait`.
    WatchOnce,
    /// `watch` with `--json`, `--trace` or `--wait`.
    ScreenOptions,
    /// `watch` without a terminal.
    ScreenNeedsTerminal,
    /// A key reference that cannot be changed or verified as a user PIN,
    /// or a step run twice: a defect in mynacard, worded for a report.
    Internal(&'static str),
}

/// What binary output a command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// A CMS signature (`sign`, `--pem` for text).
    Signature,
    /// A certificate (`cert show --der`, `--pem` for text).
    Certificate,
    /// A raw signature value (`sign --digest-only -o -`; hex without -o).
    RawSignature,
    /// A signed PDF.
    Pdf,
}

impl Misuse {
    pub fn text(&self, lang: Lang) -> String {
        use Misuse::*;
        let (ja, en): (String, String) = match self {
            BadToday(s) => (
                format!("--today には YYYY-MM-DD の形の日付を指定してください ({s:?} が指定されました)"),
                format!("--today: expected YYYY-MM-DD, got {s:?}"),
            ),
            BadDigest { value, exists: false } => (
                format!("--digest-only {value}: 16 進 64 桁 (SHA-256 ダイジェスト) でもなく、そのようなファイルもありません。ダイジェストを 16 進で、またはそれを収めたファイルを指定してください"),
                format!("--digest-only {value}: not 64 hex digits (a SHA-256 digest), and no such file; give the digest in hex or a file holding it"),
            ),
            BadDigest { value, exists: true } => (
                format!("--digest-only {value}: 16 進 64 桁でも、SHA-256 ダイジェスト (32 バイトか 16 進 64 桁) を収めたファイルでもありません"),
                format!("--digest-only {value}: not 64 hex digits, nor a file holding a SHA-256 digest (32 bytes or 64 hex digits)"),
            ),
            NoFile => ("署名するファイル FILE を指定してください".into(), "give FILE".into()),
            BinaryToTerminal(Binary::Signature) => (
                "署名はバイナリ (DER) です。-o FILE を指定するか、--pem で表示してください".into(),
                "the signature is binary (DER): give -o FILE, or --pem to print it".into(),
            ),
            BinaryToTerminal(Binary::Certificate) => (
                "証明書の DER はバイナリです。-o FILE を指定するか、--pem で表示してください".into(),
                "the certificate in DER is binary: give -o FILE, or --pem to print it".into(),
            ),
            BinaryToTerminal(Binary::RawSignature) => (
                "署名値はバイナリです。-o FILE を指定するか、-o なしで 16 進表示してください".into(),
                "the signature value is binary: give -o FILE, or leave -o out to print it in hex".into(),
            ),
            BinaryToTerminal(Binary::Pdf) => (
                "署名した PDF はバイナリです。-o FILE を指定してください".into(),
                "the signed PDF is binary: give -o FILE".into(),
            ),
            StateNeedsVirtual => (
                "--state は仮想カードの残り回数を保存するものです。実際のカードには使えません (--virtual を付けてください)".into(),
                "--state cannot be used with a real card: it keeps a virtual card's counters (add --virtual)".into(),
            ),
            NoReaderChoice(opt) => (
                format!("{opt} はカードを読むコマンドのためのものです。このコマンドはリーダーを選ばず、カードを待ちません"),
                format!("{opt} is for commands that read a card; this one neither chooses a reader nor waits for a card"),
            ),
            JsonWithBinaryStdout => (
                "--json では署名を標準出力に書けません (JSON と混ざります)。-o FILE を指定してください".into(),
                "--json cannot be used with the signature on standard output (they would mix): give -o FILE".into(),
            ),
            ReferenceNotResident => (
                "--reference は住民基本台帳用の暗証番号 (2 つの鍵参照) にだけ使えます".into(),
                "--reference applies only to the resident-registry PIN (two key references)".into(),
            ),
            WatchVirtual => (
                "watch と --watch はリーダーでのカードの出し入れを追います。--virtual とは併用できません (仮想カードは mynacard vcard serve で提供してください)".into(),
                "watch and --watch follow a reader for cards coming and going; they cannot be used with --virtual (serve the virtual card with mynacard vcard serve)".into(),
            ),
            WatchWithSign => (
                "--watch はカードを次々に読みます。--with-sign では 1 つのパスワードをすべてのカードに送ることになるため併用できません".into(),
                "--watch reads card after card; --with-sign would send one password to all of them".into(),
            ),
            WatchOnce => (
                "--watch は止めるまで動き続けます: --fail-on (報告ごとの終了コード) と --wait (常に待ちます) は使えません".into(),
                "--watch runs until it is stopped: --fail-on (an exit code per report) and --wait (it always waits) do not apply".into(),
            ),
            ScreenOptions => (
                "watch は人が見る画面です: --json、--trace、--wait は使えません (status --watch --json ならカードごとに 1 行の JSON)".into(),
                "watch is a screen for people: --json, --trace and --wait do not apply (status --watch --json gives one JSON line per card)".into(),
            ),
            ScreenNeedsTerminal => (
                "watch には描画する端末が必要です (ログやスクリプトには status --watch を使ってください)".into(),
                "watch needs a terminal to draw on (for a log or a script, use status --watch)".into(),
            ),
            Internal(what) => (
                format!("mynacard の不具合です ({what})。--trace の出力を添えて開発者に知らせてください"),
                format!("a defect in mynacard ({what}); report it with the --trace output"),
            ),
        };
        match lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}
