//! The four user PINs, their formats and retry counters
//! (card-protocol.md §5), and the secret PIN type.

use crate::protocol::PinFormat;
use serde::Serialize;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

pub use crate::protocol::{KeyRef, PinKind};

pub use crate::protocol::FormatProblem;

/// A PIN whose format was checked for its kind: the only form the policy
/// sends. Made once, by `CheckedPin::check`, where the PIN is read.
#[derive(Clone, PartialEq, Eq)]
pub struct CheckedPin {
    kind: PinKind,
    value: Pin,
}

impl CheckedPin {
    /// Check `pin`'s format for `kind`; a malformed PIN never reaches the
    /// card. Also whether lowercase letters were upper-cased (the caller
    /// must say so).
    pub fn check(kind: PinKind, pin: &Pin) -> Result<(CheckedPin, bool), FormatProblem> {
        let (value, folded) = validate(kind, pin)?;
        Ok((CheckedPin { kind, value }, folded))
    }

    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// The bytes to send.
    pub fn pin(&self) -> &Pin {
        &self.value
    }
}

impl fmt::Debug for CheckedPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckedPin({:?}, REDACTED)", self.kind)
    }
}

/// Check a PIN's format before it is sent; a malformed PIN never reaches
/// the card. Returns the bytes to send and whether lowercase letters were
/// upper-cased (the caller must say so).
fn validate(kind: PinKind, pin: &Pin) -> Result<(Pin, bool), FormatProblem> {
    let s = pin.expose();
    if s.is_empty() {
        return Err(FormatProblem::Empty);
    }
    match kind.format() {
        PinFormat::SignPassword => {
            let n = s.chars().count();
            if !PinFormat::PASSWORD_LEN.contains(&n) {
                return Err(FormatProblem::PasswordLength { got: n });
            }
            let mut folded = false;
            let mut out = String::with_capacity(s.len());
            for (i, c) in s.chars().enumerate() {
                match c {
                    'A'..='Z' | '0'..='9' => out.push(c),
                    'a'..='z' => {
                        folded = true;
                        out.push(c.to_ascii_uppercase())
                    }
                    _ => {
                        out.zeroize();
                        return Err(FormatProblem::PasswordChar { at: i + 1 });
                    }
                }
            }
            Ok((Pin::new(out), folded))
        }
        PinFormat::Digits(n) => {
            if s.chars().any(|c| ('\u{FF10}'..='\u{FF19}').contains(&c)) {
                return Err(FormatProblem::FullWidth);
            }
            if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(FormatProblem::Digits {
                    want: n,
                    got: s.chars().count(),
                });
            }
            // 照合番号A is the individual number: its check digit catches a
            // typo before it costs a try.
            let b = s.as_bytes();
            if kind == PinKind::FaceNumberA
                && b.get(..11).and_then(crate::rules::number_check_digit)
                    != b.get(11).and_then(|d| d.checked_sub(b'0'))
            {
                return Err(FormatProblem::CheckDigit);
            }
            Ok((Pin::new(s.to_string()), false))
        }
    }
}

/// What the retry query told (card-protocol.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Retries {
    /// 63Cx with x > 0.
    Remaining { left: u8 },
    /// 63C0, 6983 or 6984.
    Blocked,
    /// 6300: no retry limit.
    Unlimited,
    /// 9000: already verified in this power cycle; the count is unknown.
    NotReported,
}

/// A PIN held in memory: wiped on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    pub fn new(s: String) -> Pin {
        Pin(s)
    }

    /// The PIN's characters; use only to build the VERIFY data.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(REDACTED)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pin {
        Pin::new(s.into())
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(format!("{:?}", p("1234")), "Pin(REDACTED)");
    }

    #[test]
    fn four_digit_pins() {
        assert!(validate(PinKind::Auth, &p("0123")).is_ok());
        let e = validate(PinKind::Auth, &p("１２３４")).unwrap_err();
        assert_eq!(e, FormatProblem::FullWidth);
        for bad in ["123", "12345", "12a4", "12 4"] {
            let e = validate(PinKind::Auth, &p(bad)).unwrap_err();
            let e = crate::i18n::format_problem(e, crate::i18n::Lang::En);
            assert!(e.contains("4 digits"), "{bad}: {e}");
            assert!(!e.contains(bad));
        }
        assert_eq!(
            validate(PinKind::Auth, &p("")).unwrap_err(),
            FormatProblem::Empty
        );
    }

    #[test]
    fn sign_password() {
        let (v, folded) = validate(PinKind::Sign, &p("ABC123")).unwrap();
        assert_eq!(v.expose(), "ABC123");
        assert!(!folded);
        let (v, folded) = validate(PinKind::Sign, &p("abc123xyz")).unwrap();
        assert_eq!(v.expose(), "ABC123XYZ");
        assert!(folded);
        assert_eq!(
            validate(PinKind::Sign, &p("ABC12")).unwrap_err(),
            FormatProblem::PasswordLength { got: 5 }
        );
        assert_eq!(
            validate(PinKind::Sign, &p("ABCDEFGHIJ1234567")).unwrap_err(),
            FormatProblem::PasswordLength { got: 17 }
        );
        assert_eq!(
            validate(PinKind::Sign, &p("ABC#123")).unwrap_err(),
            FormatProblem::PasswordChar { at: 4 }
        );
        assert!(validate(PinKind::Sign, &p("ＡＢＣ１２３")).is_err());
    }
}

/// The state shown for a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CounterState {
    /// All tries left.
    Ok,
    /// Fewer than the maximum, more than one.
    Low,
    /// One try left: the next wrong entry locks it.
    LastTry,
    Locked,
    /// The card answered 9000: verified in this power cycle; count unknown.
    NotReported,
    /// No retry limit (6300).
    Unlimited,
    /// The application holding it is not on this token.
    Absent,
    /// The card answered the query with an unexpected status word.
    Unreadable,
}

/// One key reference's counter.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RefStatus {
    pub reference: crate::protocol::keys::RefId,
    pub remaining: Option<u8>,
    pub state: CounterState,
    /// Why the counter could not be read (state `unreadable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The counter(s) of one PIN kind.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PinStatus {
    pub kind: PinKind,
    pub max: u8,
    /// The lowest remaining count across the kind's references.
    pub remaining: Option<u8>,
    /// The worst state across the kind's references.
    pub state: CounterState,
    pub references: Vec<RefStatus>,
    /// Whether every reference shows the same counter (the resident-registry
    /// PIN's two references can disagree, e.g. after a half-done change).
    pub references_agree: bool,
}

pub fn state_of(r: Option<Retries>, max: u8) -> (Option<u8>, CounterState) {
    match r {
        None => (None, CounterState::Absent),
        Some(Retries::Blocked) => (Some(0), CounterState::Locked),
        Some(Retries::NotReported) => (None, CounterState::NotReported),
        Some(Retries::Unlimited) => (None, CounterState::Unlimited),
        Some(Retries::Remaining { left }) => (
            Some(left),
            if left >= max {
                CounterState::Ok
            } else if left == 1 {
                CounterState::LastTry
            } else {
                CounterState::Low
            },
        ),
    }
}

fn severity(s: CounterState) -> u8 {
    match s {
        CounterState::Locked => 7,
        CounterState::LastTry => 6,
        CounterState::Low => 5,
        CounterState::Unreadable => 4,
        CounterState::NotReported => 3,
        CounterState::Unlimited => 2,
        CounterState::Ok => 1,
        CounterState::Absent => 0,
    }
}

/// Read every PIN counter with the case-1 retry query only: no try is
/// spent. An application the token lacks is reported as absent.
pub fn read_all(s: &mut super::Session) -> crate::error::Result<Vec<PinStatus>> {
    let mut out = Vec::new();
    for kind in PinKind::ALL {
        let max = kind.max_tries();
        let mut refs = Vec::new();
        for r in kind.refs() {
            let read = match s.try_select_ap(r.app()) {
                Ok(true) => s.retries(*r).map(Some),
                Ok(false) => Ok(None),
                Err(e) => Err(e),
            };
            // One key reference answering oddly must not hide the others.
            let (remaining, state, error) = match read {
                Ok(retries) => {
                    let (n, st) = state_of(retries, max);
                    (n, st, None)
                }
                Err(
                    e @ (crate::error::Error::UnexpectedStatus { .. }
                    | crate::error::Error::Data(_)),
                ) => (None, CounterState::Unreadable, Some(e.to_string())),
                Err(e) => return Err(e),
            };
            refs.push(RefStatus {
                reference: crate::protocol::keys::RefId(*r),
                remaining,
                state,
                error,
            });
        }
        let worst = refs
            .iter()
            .max_by_key(|r| severity(r.state))
            .map(|r| r.state)
            .unwrap_or(CounterState::Absent);
        let remaining = refs.iter().filter_map(|r| r.remaining).min();
        let references_agree = refs
            .windows(2)
            .all(|w| w[0].remaining == w[1].remaining && w[0].state == w[1].state);
        out.push(PinStatus {
            kind,
            max,
            remaining,
            state: worst,
            references: refs,
            references_agree,
        });
    }
    Ok(out)
}
