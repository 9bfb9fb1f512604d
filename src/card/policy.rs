//! The PIN policy, one for every command that sends a PIN:
//! - every counter the operation will touch is read first (the case-1
//!   retry query, nothing spent), before any PIN is sent;
//! - a locked reference is refused; the last try — or a count the card
//!   does not tell (`9000`, `6300`) — is used only with the user's explicit
//!   consent (`--force-last-try`, and on a terminal a typed confirmation);
//! - each VERIFY is sent once, with the addressing the counter query
//!   proved, and never resent;
//! - a PIN held by two references is changed on both or on neither: both
//!   are verified before either changes, and a failed second change undoes
//!   the first; where that is impossible the error says which reference
//!   holds which PIN.

use super::pin::{CheckedPin, Retries};
use super::{Session, VerifyOutcome};
use crate::error::{Error, Result};
use crate::protocol::{KeyRef, PinKind};

/// What a counter allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// More than one try left.
    Open(u8),
    /// One try left, or a count the card does not report (treated alike).
    LastTry(Option<u8>),
    Locked,
}

pub fn gate(r: Retries) -> Gate {
    match r {
        Retries::Remaining { left } if left > 1 => Gate::Open(left),
        Retries::Remaining { left } => Gate::LastTry(Some(left)),
        Retries::NotReported | Retries::Unlimited => Gate::LastTry(None),
        Retries::Blocked => Gate::Locked,
    }
}

/// The counters of the references an operation touches, read before
/// anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counters(pub Vec<(KeyRef, Retries)>);

/// Read the counters of `refs`. A reference whose application the token
/// lacks is an error naming it (nothing to verify there).
pub fn read_counters(s: &mut Session, refs: &[KeyRef]) -> Result<Counters> {
    let mut out = Vec::with_capacity(refs.len());
    for &r in refs {
        if !s.try_select_ap(r.app())? {
            return Err(Error::NotOnToken {
                app: r.app().name(),
            });
        }
        out.push((r, s.retries(r)?));
    }
    Ok(Counters(out))
}

impl Counters {
    /// The fewest tries left among `kind`'s references (`None`: not told).
    pub fn left(&self, kind: PinKind) -> Option<u8> {
        self.0
            .iter()
            .filter(|(r, _)| r.kind() == Some(kind))
            .map(|(_, t)| match gate(*t) {
                Gate::Open(n) => Some(n),
                Gate::LastTry(n) => n,
                Gate::Locked => Some(0),
            })
            .try_fold(u8::MAX, |m, n| n.map(|n| m.min(n)))
            .filter(|m| *m != u8::MAX)
    }

    /// Apply the guard: a locked reference is refused, and so is a last
    /// try without `force`. Returns the kinds at their last try (they need
    /// the user's consent, which `force` alone gives off a terminal).
    pub fn check(&self, force: bool) -> Result<Vec<PinKind>> {
        let mut last = Vec::new();
        for (r, t) in &self.0 {
            let kind = super::user_pin(*r)?;
            match gate(*t) {
                Gate::Locked => return Err(Error::PinLocked { kind }),
                Gate::LastTry(left) if !force => return Err(Error::LastTry { kind, left }),
                Gate::LastTry(_) if !last.contains(&kind) => last.push(kind),
                _ => {}
            }
        }
        Ok(last)
    }
}

/// VERIFY `pin` once for `key` (its counter was read in this session).
pub fn verify(s: &mut Session, key: KeyRef, pin: &CheckedPin) -> Result<()> {
    let kind = super::user_pin(key)?;
    if pin.kind() != kind {
        return Err(Error::Usage(crate::error::Misuse::Internal(
            "a PIN checked for another kind",
        )));
    }
    match s.verify(key, pin.pin())? {
        VerifyOutcome::Verified => Ok(()),
        VerifyOutcome::Wrong(left) => Err(Error::WrongPin { kind, left }),
        // Its counter was read above zero before: this entry locked it.
        VerifyOutcome::Locked => Err(Error::LockedByThisEntry { kind }),
    }
}

/// Change `kind` from `old` to `new` on every reference that holds it, or
/// on none: `old` is verified on all of them first; they are then changed
/// last-verified first; if a later change fails, the earlier ones are set
/// back (with `new`, which is known) and the error says it was undone.
pub fn change(
    s: &mut Session,
    kind: PinKind,
    refs: &[KeyRef],
    old: &CheckedPin,
    new: &CheckedPin,
) -> Result<()> {
    if new.kind() != kind {
        return Err(Error::Usage(crate::error::Misuse::Internal(
            "a new PIN checked for another kind",
        )));
    }
    let new_pin = new.pin();
    for &r in refs {
        verify(s, r, old)?;
    }
    let mut done: Vec<KeyRef> = Vec::new();
    for (i, &r) in refs.iter().rev().enumerate() {
        // The last reference verified is still verified; the others were
        // left (selecting another application drops what was verified).
        let step = if i == 0 {
            s.change(r, new_pin)
        } else {
            verify(s, r, old).and_then(|()| s.change(r, new_pin))
        };
        let Err(cause) = step else {
            done.push(r);
            continue;
        };
        let unknown = matches!(cause, Error::ChangeLost { .. }).then_some(r);
        // Nothing changed for sure, and no other reference to disagree with.
        if done.is_empty() && (unknown.is_none() || refs.len() == 1) {
            return Err(cause);
        }
        // Set the changed ones back, newest first.
        let undone = unknown.is_none()
            && done.iter().rev().all(|&d| {
                verify(s, d, new)
                    .and_then(|()| s.change(d, old.pin()))
                    .is_ok()
            });
        if undone {
            return Err(Error::ChangeUndone {
                kind,
                cause: Box::new(cause),
            });
        }
        let new_on: Vec<&'static str> = done.iter().map(|d| d.id()).collect();
        let old_on: Vec<&'static str> = refs
            .iter()
            .filter(|x| !done.contains(x) && Some(**x) != unknown)
            .map(|x| x.id())
            .collect();
        return Err(Error::ChangeHalfDone {
            kind,
            new_on,
            old_on,
            unknown: unknown.map(|u| u.id()),
            cause: Box::new(cause),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_counts_are_the_last_try() {
        assert_eq!(gate(Retries::Remaining { left: 3 }), Gate::Open(3));
        assert_eq!(gate(Retries::Remaining { left: 1 }), Gate::LastTry(Some(1)));
        assert_eq!(gate(Retries::NotReported), Gate::LastTry(None));
        assert_eq!(gate(Retries::Unlimited), Gate::LastTry(None));
        assert_eq!(gate(Retries::Blocked), Gate::Locked);
    }

    #[test]
    fn the_guard_reads_every_reference() {
        let c = Counters(vec![
            (KeyRef::Juki, Retries::Remaining { left: 3 }),
            (KeyRef::Common, Retries::Remaining { left: 1 }),
        ]);
        assert_eq!(c.left(PinKind::Resident), Some(1));
        assert!(matches!(
            c.check(false),
            Err(Error::LastTry {
                kind: PinKind::Resident,
                left: Some(1)
            })
        ));
        assert_eq!(c.check(true).unwrap(), vec![PinKind::Resident]);
        let c = Counters(vec![
            (KeyRef::Juki, Retries::Remaining { left: 3 }),
            (KeyRef::Common, Retries::Blocked),
        ]);
        assert!(matches!(c.check(true), Err(Error::PinLocked { .. })));
        let c = Counters(vec![(KeyRef::Sign, Retries::NotReported)]);
        assert_eq!(c.left(PinKind::Sign), None);
        assert!(c.check(false).is_err());
    }
}
