//! Status words described in Japanese, beside `StatusWord::describe`.

use super::StatusWord;

impl StatusWord {
    /// The same as `describe`, in Japanese (for the messages in Japanese).
    pub fn describe_ja(self) -> &'static str {
        use StatusWord::*;
        match self {
            Ok => "正常終了",
            BytesRemaining(_) => "続きのデータがあります",
            EndOfFile => "ファイルの終わりに達しました",
            VerifyFailed => "照合に失敗しました",
            RetriesLeft(_) => "照合に失敗しました (残り回数あり)",
            MemoryFailure => "メモリーの障害",
            WrongLength => "長さが不正です",
            LogicalChannelNotSupported => "論理チャネルに対応していません",
            SecureMessagingNotSupported => "セキュアメッセージングに対応していません",
            IncompatibleFileStructure => "ファイル構造に合わないコマンドです",
            SecurityStatusNotSatisfied => "セキュリティ条件を満たしていません (暗証番号が必要)",
            AuthMethodBlocked => "認証方式がロックされています",
            ReferenceDataBlocked => "参照データがロックされています (暗証番号のロック)",
            ConditionsNotSatisfied => "使用条件を満たしていません",
            CommandNotAllowed => "このコマンドは許されていません",
            WrongData => "データが不正です",
            FunctionNotSupported => "この機能に対応していません",
            FileNotFound => "ファイルまたはアプリケーションがありません",
            RecordNotFound => "レコードがありません",
            IncorrectP1P2 => "パラメーター P1-P2 が不正です",
            ReferencedDataNotFound => "参照データがありません",
            SecureMessagingRefused => "セキュアメッセージングが拒否されました",
            WrongP1P2 => "パラメーターが不正です (ファイルの終わりより先)",
            WrongLe(_) => "Le が不正です",
            InsNotSupported => "命令に対応していません",
            ClaNotSupported => "クラスに対応していません",
            NoPreciseDiagnosis => "詳しい原因は示されていません",
            Other(_) => "不明なステータス",
        }
    }
}
