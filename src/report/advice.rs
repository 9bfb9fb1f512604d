//! One decision, made once from the facts, about what the holder should do:
//! whether the card is to be renewed, how each certificate is renewed
//! (with the card, or on its own), where each locked PIN can be reset.
//! Every line of the report follows from it, so no two lines disagree.

use super::{expiry, CertFacts, Input};
use crate::card::pin::CounterState;
use crate::protocol::PinKind;
use time::Date;

/// The card's own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState {
    /// Its expiry is unknown (not read, or a smartphone certificate).
    Unknown,
    Valid {
        expires: Date,
    },
    /// Within the three months before expiry: renewal can be applied for.
    RenewalOpen {
        expires: Date,
    },
    Expired {
        expired: Date,
    },
}

/// How a certificate is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// On its own: the card itself need not be renewed.
    CertOnly,
    /// With the card: the card is being renewed anyway, or the certificate
    /// ends with the card (capped by its expiry).
    WithCard,
}

/// Where a locked PIN can be reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetAt {
    /// Nowhere it need be: the card or the PIN's certificate is to be
    /// renewed or issued anew (expired, invalidated, absent), which sets a
    /// new PIN.
    ByRenewal(Renewal),
    /// The municipal office only.
    Office,
    /// The municipal office, or a convenience-store kiosk that offers it:
    /// the other JPKI PIN is known and both certificates are valid (a face
    /// match in the JPKI reset app is needed there).
    OfficeOrKiosk,
}

/// What renewal makes a PIN reset needless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The card has expired: the new card comes with new PINs.
    Card,
    /// The PIN's certificate has expired, was invalidated or is absent: a
    /// new certificate comes with a new PIN.
    Certificate,
}

/// The holder's age class as the card's term shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeClass {
    /// A card running more than six years from its certificate's issue:
    /// a 10-year card, issued to an adult.
    Adult,
    /// Not known (a 5-year card is issued under 18 — under 15 or not —
    /// and a certificate renewed mid-term hides the card's term).
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Advice {
    pub card: CardState,
    pub auth: Option<Route>,
    pub sign: Option<Route>,
    /// The signature certificate no longer matches the card (a move or a
    /// name change invalidated it): a new one is to be issued.
    pub sign_invalidated: bool,
    pub age: AgeClass,
}

impl Advice {
    pub fn decide(inp: &Input) -> Advice {
        let card = match inp.card_expiry {
            None => CardState::Unknown,
            Some(c) => {
                let e = expiry(inp.today, c);
                if e.expired {
                    CardState::Expired { expired: c }
                } else if e.renewal_open {
                    CardState::RenewalOpen { expires: c }
                } else {
                    CardState::Valid { expires: c }
                }
            }
        };
        let route = |f: &CertFacts| match card {
            CardState::Expired { .. } | CardState::RenewalOpen { .. } => Route::WithCard,
            CardState::Valid { expires } if f.not_after >= expires => Route::WithCard,
            _ => Route::CertOnly,
        };
        let age = match (inp.card_expiry, &inp.auth) {
            (Some(end), Some(a)) if (end - a.not_before).whole_days() > 6 * 366 => AgeClass::Adult,
            _ => AgeClass::Unknown,
        };
        Advice {
            card,
            auth: inp.auth.as_ref().map(route),
            sign: inp.sign.as_ref().map(route),
            sign_invalidated: inp.holder_differs.as_ref().is_some_and(|f| !f.is_empty()),
            age,
        }
    }

    /// Whether the card is to be renewed now.
    pub fn renew_card(&self) -> bool {
        matches!(
            self.card,
            CardState::Expired { .. } | CardState::RenewalOpen { .. }
        )
    }

    /// Where the locked PIN `kind` can be reset, from what the report knows.
    pub fn reset_at(&self, kind: PinKind, inp: &Input) -> ResetAt {
        if matches!(self.card, CardState::Expired { .. }) {
            return ResetAt::ByRenewal(Renewal::Card);
        }
        let expired = |f: &Option<CertFacts>| f.as_ref().is_some_and(|f| inp.today > f.not_after);
        let cert_gone = match kind {
            PinKind::Sign => {
                (!inp.sign_present && !inp.token.is_smartphone())
                    || expired(&inp.sign)
                    || self.sign_invalidated
            }
            PinKind::Auth => {
                (!inp.auth_present && !inp.token.is_smartphone()) || expired(&inp.auth)
            }
            _ => false,
        };
        if cert_gone {
            return ResetAt::ByRenewal(Renewal::Certificate);
        }
        if !kind.kiosk_resettable() {
            return ResetAt::Office;
        }
        let other = match kind {
            PinKind::Sign => PinKind::Auth,
            _ => PinKind::Sign,
        };
        let other_locked = inp
            .pins
            .iter()
            .any(|p| p.kind == other && p.state == CounterState::Locked);
        let valid = |f: &Option<CertFacts>| {
            f.as_ref()
                .is_none_or(|f| inp.today >= f.not_before && inp.today <= f.not_after)
        };
        let card_expired = matches!(self.card, CardState::Expired { .. });
        if other_locked
            || !inp.sign_present
            || !valid(&inp.auth)
            || !valid(&inp.sign)
            || card_expired
        {
            ResetAt::Office
        } else {
            ResetAt::OfficeOrKiosk
        }
    }
}
