//! The card's commands, one method each (SELECT, READ BINARY and READ
//! RECORD, VERIFY, CHANGE REFERENCE DATA and CHANGE KEY, COMPUTE DIGITAL
//! SIGNATURE, GET DATA, GET CHALLENGE), answered as card-protocol.md
//! describes; `process` (mod.rs) frames them and models the card's speed.

use super::*;
use crate::apdu::cmd::{
    AP_KEY, FCI, NEW_VALUE_ONLY, NO_FCI, RECORD_BY_NUMBER, SELECT_DF, SELECT_EF, SELECT_MF,
    SFI_FLAG, SFI_MASK, SIGN_AS_GIVEN, SIGN_HASHED_AND_WRAPPED, SIGN_HASHED_BY_CARD,
    SIGN_WRAPPED_BY_CARD,
};
use crate::protocol::files::mf;
use crate::protocol::ChangeForm;

/// P1/P2 bits that must be clear where `80|SFI` names a key or an EF.
const NOT_SFI: u8 = !(SFI_FLAG | SFI_MASK);

impl VirtualCard {
    pub(super) fn select_app(&mut self, app: Option<App>) {
        // Leaving an application drops what was verified in it.
        self.verified.retain(|k| Some(k.app()) == app);
        self.app = app;
        self.ef = None;
    }

    pub(super) fn select(&mut self, c: &Command) -> Vec<u8> {
        match (c.p1, c.p2) {
            (SELECT_DF, NO_FCI | FCI) => {
                if c.data.is_empty() || c.data.len() > 16 {
                    return sw(Sw::WrongLength);
                }
                // A truncated AID selects too (prefix match, JICSAP 4.2).
                let token = self.profile.card.token;
                if let Some(app) = App::ALL
                    .into_iter()
                    .find(|a| token.has_app(*a) && a.aid().starts_with(&c.data))
                {
                    self.select_app(Some(app));
                    return sw(Sw::Ok);
                }
                if ISD_AID.starts_with(&c.data) && c.data.len() >= 5 {
                    self.select_app(None);
                    self.verified.clear();
                    return sw(Sw::Ok);
                }
                sw(Sw::FileNotFound)
            }
            (SELECT_EF, NO_FCI | FCI) => {
                if c.data.len() != 2 {
                    return sw(Sw::WrongLength);
                }
                let fid = u16::from_be_bytes([c.data[0], c.data[1]]);
                match self.app {
                    Some(app) if self.files.contains_key(&(app, fid)) => {
                        self.ef = Some(fid);
                        sw(Sw::Ok)
                    }
                    _ => sw(Sw::FileNotFound),
                }
            }
            // ISO SELECT of the MF: 6A86 after a cold reset, 9000 without
            // leaving the current DF otherwise; by FID 3F00: 6A82.
            (SELECT_MF, FCI | NO_FCI) => {
                if !c.data.is_empty() {
                    sw(Sw::FileNotFound)
                } else if self.app.is_none() {
                    sw(Sw::IncorrectP1P2)
                } else {
                    sw(Sw::Ok)
                }
            }
            _ => sw(Sw::IncorrectP1P2),
        }
    }

    /// Resolve an EF addressed by SFI (`sfi != 0`) or the current EF.
    pub(super) fn target(&mut self, sfi: Option<u8>) -> Result<(App, u16), Vec<u8>> {
        let app = self.app.ok_or_else(|| sw(Sw::FileNotFound))?;
        let fid = match sfi {
            Some(s) => {
                if !self.profile.quirks.short_ef_ids {
                    return Err(sw(Sw::IncorrectP1P2));
                }
                let fid = s as u16;
                if !self.files.contains_key(&(app, fid)) {
                    return Err(sw(Sw::FileNotFound));
                }
                // Addressing by SFI makes the EF current (ISO 7816-4 §7.2.2).
                self.ef = Some(fid);
                fid
            }
            None => self.ef.ok_or_else(|| sw(Sw::CommandNotAllowed))?,
        };
        Ok((app, fid))
    }

    pub(super) fn may_read(&self, access: &Access) -> bool {
        match access {
            Access::Free => true,
            Access::AnyOf(keys) => keys.iter().any(|k| self.verified.contains(k)),
        }
    }

    pub(super) fn read_binary(&mut self, c: &Command) -> Vec<u8> {
        if !c.data.is_empty() {
            return sw(Sw::WrongLength);
        }
        let Some(le) = c.le else {
            return sw(Sw::WrongLength);
        };
        if c.needs_extended() && !self.profile.card.extended_length {
            return sw(Sw::WrongLength);
        }
        let (sfi, offset) = if c.p1 & SFI_FLAG != 0 {
            if c.p1 & NOT_SFI != 0 {
                return sw(Sw::IncorrectP1P2);
            }
            (Some(c.p1 & SFI_MASK), c.p2 as usize)
        } else {
            (None, ((c.p1 as usize) << 8) | c.p2 as usize)
        };
        let (app, fid) = match self.target(sfi) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some(ef) = self.files.get(&(app, fid)) else {
            return sw(Sw::FileNotFound);
        };
        let Content::Binary(data) = &ef.content else {
            return sw(Sw::IncompatibleFileStructure);
        };
        if !self.may_read(&ef.read) {
            return sw(Sw::SecurityStatusNotSatisfied);
        }
        if offset >= data.len() {
            return sw(Sw::WrongP1P2);
        }
        let end = data.len().min(offset + le);
        let out = data[offset..end].to_vec();
        self.last_personal = crate::protocol::files::is_personal(app, fid);
        // A real card answers 9000 with the shorter data; 6282 is a quirk.
        if end - offset < le && self.profile.quirks.short_read_6282 {
            let mut v = out;
            v.extend_from_slice(&Sw::EndOfFile.bytes());
            v
        } else {
            ok(out)
        }
    }

    pub(super) fn read_record(&mut self, c: &Command) -> Vec<u8> {
        if !c.data.is_empty() || c.le.is_none() {
            return sw(Sw::WrongLength);
        }
        if c.p2 & 0x07 != RECORD_BY_NUMBER || c.p1 == 0 {
            return sw(Sw::IncorrectP1P2);
        }
        let sfi = c.p2 >> 3;
        let (app, fid) = match self.target((sfi != 0).then_some(sfi)) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some(ef) = self.files.get(&(app, fid)) else {
            return sw(Sw::FileNotFound);
        };
        let Content::Records(recs) = &ef.content else {
            return sw(Sw::IncompatibleFileStructure);
        };
        if !self.may_read(&ef.read) {
            return sw(Sw::SecurityStatusNotSatisfied);
        }
        match recs.get(c.p1 as usize - 1) {
            Some(r) => {
                let le = c.le.unwrap_or(256);
                if r.len() > le {
                    // Wrong Le: say how long the record is.
                    return sw(Sw::WrongLe(r.len() as u8));
                }
                ok(r.clone())
            }
            None => sw(Sw::RecordNotFound),
        }
    }

    /// The key a VERIFY / CHANGE addresses: P2 = 80 (the selected IEF) or
    /// 80|SFI.
    pub(super) fn key_for(&mut self, p2: u8) -> Result<KeyRef, Vec<u8>> {
        if p2 & SFI_FLAG == 0 || p2 & NOT_SFI != 0 {
            return Err(sw(Sw::IncorrectP1P2));
        }
        let sfi = p2 & SFI_MASK;
        let (app, fid) = self.target((sfi != 0).then_some(sfi))?;
        match self.files.get(&(app, fid)).map(|e| &e.content) {
            Some(Content::Pin(k)) => Ok(*k),
            // Referenced data not found.
            _ => Err(sw(Sw::ReferencedDataNotFound)),
        }
    }

    pub(super) fn verify(&mut self, c: &Command) -> Vec<u8> {
        if c.p1 != 0x00 {
            return sw(Sw::IncorrectP1P2);
        }
        let key = match self.key_for(c.p2) {
            Ok(k) => k,
            Err(e) => return e,
        };
        let tries = self.tries_left(key);
        if c.data.is_empty() {
            // The retry query is case 1; an Le makes it a case-2 APDU that
            // the card rejects (card-protocol.md §12).
            if c.le.is_some() {
                return sw(Sw::WrongLength);
            }
            if self.verified.contains(&key) && self.profile.quirks.retry_query_ok_after_verify {
                return sw(Sw::Ok);
            }
            return sw(Sw::RetriesLeft(tries));
        }
        if tries == 0 {
            return sw(Sw::ReferenceDataBlocked);
        }
        let Some(state) = self.keys.get_mut(&key) else {
            return sw(Sw::ReferencedDataNotFound);
        };
        // The card compares bytes: wrong length or case is a wrong PIN.
        let right = !state.value.is_empty() && state.value.as_bytes() == c.data.as_slice();
        let answer = if right {
            state.tries = key.max_tries();
            self.verified.insert(key);
            sw(Sw::Ok)
        } else {
            state.tries -= 1;
            self.verified.remove(&key);
            sw(Sw::RetriesLeft(state.tries))
        };
        if self.save().is_err() {
            // A card that cannot record its counter must not accept a try.
            return sw(Sw::MemoryFailure);
        }
        answer
    }

    pub(super) fn change(&mut self, c: &Command, change_key: bool) -> Vec<u8> {
        if (c.p1, c.p2) != (if change_key { 0x00 } else { NEW_VALUE_ONLY }, SFI_FLAG) {
            return sw(Sw::IncorrectP1P2);
        }
        let key = match self.key_for(c.p2) {
            Ok(k) => k,
            Err(e) => return e,
        };
        // CHANGE REFERENCE DATA for JPKI and 入力補助; CHANGE KEY for 共通/住基.
        let is_key_form = key.change_form() == Some(ChangeForm::Key);
        if is_key_form != change_key {
            return sw(Sw::ConditionsNotSatisfied);
        }
        if !self.verified.contains(&key) {
            return sw(Sw::SecurityStatusNotSatisfied);
        }
        if !key.format().accepts(&c.data) {
            return sw(Sw::WrongData);
        }
        let old = self.keys.get(&key).cloned();
        if let Some(s) = self.keys.get_mut(&key) {
            s.value = String::from_utf8_lossy(&c.data).into_owned();
            s.tries = key.max_tries();
        }
        if self.save().is_err() {
            // Keep the old PIN when the change cannot be recorded.
            if let Some(o) = old {
                self.keys.insert(key, o);
            }
            return sw(Sw::MemoryFailure);
        }
        sw(Sw::Ok)
    }

    pub(super) fn sign(&mut self, c: &Command) -> Vec<u8> {
        let (key, needs) = if c.p2 == AP_KEY {
            let key = match self.app {
                Some(App::Text) => SignKey::TextAp,
                Some(App::Surface) => SignKey::SurfaceAp,
                _ => return sw(Sw::IncorrectP1P2),
            };
            // A recorded card holds no AP key either.
            if !matches!(
                self.files.get(&(key.app(), key.fid())).map(|e| &e.content),
                Some(Content::Key(_))
            ) {
                return sw(Sw::ReferencedDataNotFound);
            }
            (key, None)
        } else {
            if c.p2 & SFI_FLAG == 0 || c.p2 & NOT_SFI != 0 {
                return sw(Sw::IncorrectP1P2);
            }
            let sfi = c.p2 & SFI_MASK;
            let (app, fid) = match self.target((sfi != 0).then_some(sfi)) {
                Ok(t) => t,
                Err(e) => return e,
            };
            match self.files.get(&(app, fid)).map(|e| &e.content) {
                Some(Content::Key(k)) => (*k, k.credential()),
                _ => return sw(Sw::ReferencedDataNotFound),
            }
        };
        if let Some(k) = needs {
            if !self.verified.contains(&k) {
                return sw(Sw::SecurityStatusNotSatisfied);
            }
        }
        if c.data.is_empty() {
            return sw(Sw::WrongLength);
        }
        // The next card's ECDSA signing command is not published: not
        // modelled (function not supported).
        if matches!(key, SignKey::JpkiAuth | SignKey::JpkiSign)
            && self.profile.card.algorithm == crate::vcard::profile::Algorithm::EcdsaP384
        {
            return sw(Sw::FunctionNotSupported);
        }
        let rsa = match key {
            SignKey::JpkiAuth if self.profile.faults.wrong_auth_key => &pki::TEXT_AP,
            SignKey::JpkiAuth => &pki::AUTH_EE,
            SignKey::JpkiSign => &pki::SIGN_EE,
            SignKey::TextAp => &pki::TEXT_AP,
            // Profile `face-copied`: a chip that does not hold the key in
            // the signed face data.
            SignKey::SurfaceAp if self.profile.faults.face_copied => &pki::TEXT_AP,
            SignKey::SurfaceAp => &pki::SURFACE_CHIP,
        };
        // P1 selects the scheme (card-protocol.md §9.2); PSS (04/05) is not
        // modelled.
        let input = match c.p1 {
            SIGN_AS_GIVEN if c.data.len() <= 245 => c.data.clone(),
            SIGN_AS_GIVEN => return sw(Sw::WrongLength),
            SIGN_HASHED_BY_CARD => Sha256::digest(&c.data).to_vec(),
            SIGN_WRAPPED_BY_CARD if c.data.len() == 32 => {
                [pki::SHA256_DIGEST_INFO, &c.data].concat()
            }
            SIGN_WRAPPED_BY_CARD => return sw(Sw::ConditionsNotSatisfied),
            SIGN_HASHED_AND_WRAPPED => [pki::SHA256_DIGEST_INFO, &Sha256::digest(&c.data)].concat(),
            _ => return sw(Sw::IncorrectP1P2),
        };
        match pki::sign_raw(rsa, &input) {
            Some(s) => ok(s),
            None => sw(Sw::ConditionsNotSatisfied),
        }
    }

    pub(super) fn get_data(&mut self, c: &Command) -> Vec<u8> {
        let tag = u16::from_be_bytes([c.p1, c.p2]);
        // Only at the MF level (after power-up or ISD select); 5F51 always.
        if self.app.is_some() && tag != mf::CONTACT_ATR {
            return sw(Sw::ReferencedDataNotFound);
        }
        let Some(v) = self.mf_data.get(&tag) else {
            return sw(Sw::ReferencedDataNotFound);
        };
        let le = c.le.unwrap_or(0);
        if v.len() > le {
            // Large objects need an extended Le (card-protocol.md §2.5).
            return sw(if v.len() > 256 && !c.extended {
                Sw::WrongLength
            } else {
                Sw::WrongLe(v.len() as u8)
            });
        }
        ok(v.clone())
    }

    pub(super) fn get_challenge(&mut self, c: &Command) -> Vec<u8> {
        if c.extended {
            return sw(Sw::ConditionsNotSatisfied);
        }
        let Some(n) = c.le else {
            return sw(Sw::WrongLength);
        };
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            self.challenge_seed = Sha256::digest(self.challenge_seed).into();
            out.extend_from_slice(&self.challenge_seed);
        }
        out.truncate(n);
        ok(out)
    }
}
