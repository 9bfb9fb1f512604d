//! Exit codes (documented in docs/cli.md).

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
/// The card does not hold what was asked for (e.g. no signature certificate,
/// or no private key: `NO_PRIVATE_KEY`, a recorded card).
pub const ABSENT: i32 = 16;
/// `prove`: the card was not shown to be a genuine J-LIS card.
pub const NOT_GENUINE: i32 = 17;
/// `sign`: the key's certificate is expired or not yet valid.
pub const CERT_NOT_VALID: i32 = 18;
/// `prove`, `sign`: the card's keys are of a kind this version cannot drive.
pub const UNSUPPORTED_KEY: i32 = 19;
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
/// `pdf verify`: a signature is valid but a later revision changed the document.
pub const VERIFY_CHANGED_AFTER_SIGNING: i32 = 35;
/// `face-check`: the CV certificate is not from a J-LIS CV CA.
pub const FACE_NOT_JLIS: i32 = 40;
/// `face-check`: the face data were changed after they were signed.
pub const FACE_ALTERED: i32 = 41;
/// `face-check`: the chip does not hold the key inside the signed data.
pub const FACE_COPIED: i32 = 42;
/// `face-check`: what is printed does not agree with the chip.
pub const FACE_MISMATCH: i32 = 43;
/// `face-check`: all four levels, under a TEST CV CA.
pub const FACE_TEST_CARD: i32 = 44;
/// `age-check`: a genuine J-LIS card whose holder is not N or older on DATE.
pub const AGE_NOT_REACHED: i32 = 45;
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
    ("6", "not a My Number Card, or a newer kind this version does not know (no JPKI application; the message gives the ATR)"),
    ("7", "the card was removed during the command; or a VERIFY's or CHANGE's answer was lost"),
    ("8", "the card answered an unexpected status (the message names the APDU and SW), or a PC/SC error"),
    ("9", "wrong PIN (the message gives the tries left)"),
    ("10", "PIN locked, or the last try refused without `--force-last-try`"),
    ("11", "PIN input: malformed PIN, no source without a terminal, a counter changed while you typed"),
    ("12", "malformed card data, certificate input or virtual-card profile"),
    ("13", "file error (exists without `--force`; not a regular file; cannot read or write)"),
    ("14", "timeout (from the first PC/SC call), or the card is in use by another program"),
    ("15", "a PIN held by two key references was changed on one only (card pulled mid-change)"),
    ("16", "the card does not hold what was asked for (e.g. no signature certificate; no private key: a recorded card, said before any PIN)"),
    ("17", "`prove`: the card was not shown to be a genuine J-LIS card"),
    ("18", "`sign`: the key's certificate has expired (or is not yet valid); nothing was signed"),
    ("19", "`prove`, `sign`: the card's keys are of a kind this version cannot have it sign with (ECDSA: the next card); nothing was signed"),
    ("20, 21", "(status report) a finding of severity warning / error with `--fail-on`"),
    ("30", "`verify`: the file changed after it was signed"),
    ("31", "`verify`: the signature does not verify with the signer's certificate"),
    ("32", "`verify`: the signer's certificate is not from a trusted issuer"),
    ("33", "`verify`: the certificate was not valid at the signing time"),
    ("34", "`verify`: the certificate's key usage does not allow signing"),
    ("35", "`pdf verify`: a signature is valid, but a later revision changed the document (a page added or changed)"),
    ("40", "`face-check`, `age-check`: the chip's CV certificate is not from a J-LIS CV CA (not issued by J-LIS)"),
    ("41", "`face-check`, `age-check`: the face data (age record) were changed after J-LIS signed them (altered)"),
    ("42", "`face-check`, `age-check`: the chip does not hold the key inside the signed data (copied)"),
    ("43", "`face-check`, `age-check`: what was typed from the card (照合番号B's parts, the birth date) does not agree with the chip"),
    ("44", "`face-check`, `age-check`: all four levels pass, but under a TEST CV CA (not a resident's card)"),
    ("45", "`age-check`: a genuine J-LIS card, and the holder is NOT N years or older on the day asked"),
    ("129, 130, 143", "interrupted by SIGHUP, SIGINT, SIGTERM (the card was powered down first)"),
    ("141", "standard output was closed (`| head`): ended quietly"),
];
