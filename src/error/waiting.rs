//! What a timed-out call was waiting for, in both languages: the transport
//! names it (in English, the `Timeout` error's data), the message says it
//! in the user's language.

pub struct Waited {
    pub en: &'static str,
    pub ja: &'static str,
}

pub const SERVICE: Waited = Waited {
    en: "waiting for the PC/SC service (pcscd) to answer",
    ja: "PC/SC サービス (pcscd) の応答待ち",
};
pub const CONNECT: Waited = Waited {
    en: "connecting to the card (the reader does not answer)",
    ja: "カードへの接続中。リーダーが応答しません",
};
pub const ANSWER: Waited = Waited {
    en: "waiting for the card's answer",
    ja: "カードの応答待ち",
};
pub const SECRET_ANSWER: Waited = Waited {
    en: "waiting for the answer to a PIN command; the try may have been counted: check with mynacard pin status before trying again",
    ja: "暗証番号のコマンドの応答待ち。残り回数が減った可能性があります: やり直す前に mynacard pin status で確認してください",
};
pub const CARD: Waited = Waited {
    en: "waiting for the card",
    ja: "カードの応答待ち",
};

const ALL: [&Waited; 5] = [&SERVICE, &CONNECT, &ANSWER, &SECRET_ANSWER, &CARD];

/// The Japanese of a `Timeout`'s `what` (itself when it is not one of these).
pub fn ja(en: &str) -> &str {
    ALL.iter().find(|w| w.en == en).map_or(en, |w| w.ja)
}
