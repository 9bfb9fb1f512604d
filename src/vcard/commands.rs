//! The card's commands, one method each (SELECT, READ BINARY and READ
//! RECORD, VERIFY, CHANGE REFERENCE DATA and CHANGE KEY, COMPUTE DIGITAL
//! SIGNATURE, GET DATA, GET CHALLENGE), answered as card-protocol.md
//! describes; `process` (mod.rs) frames them and models the card's speed.

use super::*;

impl VirtualCard {
    pub(super) fn select_app(&mut self, app: Option<App>) {
        // Leaving an application drops what was verified in it.
        self.verified.retain(|k| Some(k.app()) == app);
        self.app = app;
        self.ef = None;
    }

    pub(super) fn select(&mut self, c: &Command) -> Vec<u8> {
        match (c.p1, c.p2) {
            (0x04, 0x0C | 0x00) => {
                if c.data.is_empty() || c.data.len() > 16 {
                    return sw(0x6700);
                }
                // A truncated AID selects too (prefix match, JICSAP 4.2).
                let token = self.profile.card.token;
                if let Some(app) = App::ALL
                    .into_iter()
                    .find(|a| token.has_app(*a) && a.aid().starts_with(&c.data))
                {
                    self.select_app(Some(app));
                    return sw(0x9000);
                }
                if ISD_AID.starts_with(&c.data) && c.data.len() >= 5 {
                    self.select_app(None);
                    self.verified.clear();
                    return sw(0x9000);
                }
                sw(0x6A82)
            }
            (0x02, 0x0C | 0x00) => {
                if c.data.len() != 2 {
                    return sw(0x6700);
                }
                let fid = u16::from_be_bytes([c.data[0], c.data[1]]);
                match self.app {
                    Some(app) if self.files.contains_key(&(app, fid)) => {
                        self.ef = Some(fid);
                        sw(0x9000)
                    }
                    _ => sw(0x6A82),
                }
            }
            // ISO SELECT of the MF: 6A86 after a cold reset, 9000 without
            // leaving the current DF otherwise; by FID 3F00: 6A82.
            (0x00, 0x00 | 0x0C) => {
                if !c.data.is_empty() {
                    sw(0x6A82)
                } else if self.app.is_none() {
                    sw(0x6A86)
                } else {
                    sw(0x9000)
                }
            }
            _ => sw(0x6A86),
        }
    }

    /// Resolve an EF addressed by SFI (`sfi != 0`) or the current EF.
    pub(super) fn target(&mut self, sfi: Option<u8>) -> Result<(App, u16), Vec<u8>> {
        let app = self.app.ok_or_else(|| sw(0x6A82))?;
        let fid = match sfi {
            Some(s) => {
                if !self.profile.quirks.short_ef_ids {
                    return Err(sw(0x6A86));
                }
                let fid = s as u16;
                if !self.files.contains_key(&(app, fid)) {
                    return Err(sw(0x6A82));
                }
                // Addressing by SFI makes the EF current (ISO 7816-4 §7.2.2).
                self.ef = Some(fid);
                fid
            }
            None => self.ef.ok_or_else(|| sw(0x6986))?,
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
            return sw(0x6700);
        }
        let Some(le) = c.le else {
            return sw(0x6700);
        };
        if c.needs_extended() && !self.profile.card.extended_length {
            return sw(0x6700);
        }
        let (sfi, offset) = if c.p1 & 0x80 != 0 {
            if c.p1 & 0x60 != 0 {
                return sw(0x6A86);
            }
            (Some(c.p1 & 0x1F), c.p2 as usize)
        } else {
            (None, ((c.p1 as usize) << 8) | c.p2 as usize)
        };
        let (app, fid) = match self.target(sfi) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some(ef) = self.files.get(&(app, fid)) else {
            return sw(0x6A82);
        };
        let Content::Binary(data) = &ef.content else {
            return sw(0x6981);
        };
        if !self.may_read(&ef.read) {
            return sw(0x6982);
        }
        if offset >= data.len() {
            return sw(0x6B00);
        }
        let end = data.len().min(offset + le);
        let out = data[offset..end].to_vec();
        self.last_personal = crate::protocol::files::is_personal(app, fid);
        if end - offset < le {
            let mut v = out;
            v.extend_from_slice(&[0x62, 0x82]);
            v
        } else {
            ok(out)
        }
    }

    pub(super) fn read_record(&mut self, c: &Command) -> Vec<u8> {
        if !c.data.is_empty() || c.le.is_none() {
            return sw(0x6700);
        }
        if c.p2 & 0x07 != 0x04 || c.p1 == 0 {
            return sw(0x6A86);
        }
        let sfi = c.p2 >> 3;
        let (app, fid) = match self.target((sfi != 0).then_some(sfi)) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some(ef) = self.files.get(&(app, fid)) else {
            return sw(0x6A82);
        };
        let Content::Records(recs) = &ef.content else {
            return sw(0x6981);
        };
        if !self.may_read(&ef.read) {
            return sw(0x6982);
        }
        match recs.get(c.p1 as usize - 1) {
            Some(r) => {
                let le = c.le.unwrap_or(256);
                if r.len() > le {
                    // Wrong Le: say how long the record is.
                    return sw(0x6C00 | (r.len() as u16 & 0xFF));
                }
                ok(r.clone())
            }
            None => sw(0x6A83),
        }
    }

    /// The key a VERIFY / CHANGE addresses: P2 = 80 (the selected IEF) or
    /// 80|SFI.
    pub(super) fn key_for(&mut self, p2: u8) -> Result<KeyRef, Vec<u8>> {
        if p2 & 0x80 == 0 || p2 & 0x60 != 0 {
            return Err(sw(0x6A86));
        }
        let sfi = p2 & 0x1F;
        let (app, fid) = self.target((sfi != 0).then_some(sfi))?;
        match self.files.get(&(app, fid)).map(|e| &e.content) {
            Some(Content::Pin(k)) => Ok(*k),
            // Referenced data not found.
            _ => Err(sw(0x6A88)),
        }
    }

    pub(super) fn verify(&mut self, c: &Command) -> Vec<u8> {
        if c.p1 != 0x00 {
            return sw(0x6A86);
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
                return sw(0x6700);
            }
            if self.verified.contains(&key) && self.profile.quirks.retry_query_ok_after_verify {
                return sw(0x9000);
            }
            return sw(0x63C0 | tries as u16);
        }
        if tries == 0 {
            return sw(0x6984);
        }
        let Some(state) = self.keys.get_mut(&key) else {
            return sw(0x6A88);
        };
        // The card compares bytes: wrong length or case is a wrong PIN.
        let right = !state.value.is_empty() && state.value.as_bytes() == c.data.as_slice();
        let answer = if right {
            state.tries = key.max_tries();
            self.verified.insert(key);
            sw(0x9000)
        } else {
            state.tries -= 1;
            self.verified.remove(&key);
            sw(0x63C0 | state.tries as u16)
        };
        if self.save().is_err() {
            // A card that cannot record its counter must not accept a try.
            return sw(0x6581);
        }
        answer
    }

    pub(super) fn change(&mut self, c: &Command, change_key: bool) -> Vec<u8> {
        if (c.p1, c.p2) != (if change_key { 0x00 } else { 0x01 }, 0x80) {
            return sw(0x6A86);
        }
        let key = match self.key_for(c.p2) {
            Ok(k) => k,
            Err(e) => return e,
        };
        // CHANGE REFERENCE DATA for JPKI and 入力補助; CHANGE KEY for 共通/住基.
        let is_key_form = matches!(key, KeyRef::Common | KeyRef::Juki);
        if is_key_form != change_key {
            return sw(0x6985);
        }
        if !self.verified.contains(&key) {
            return sw(0x6982);
        }
        if !key.format().accepts(&c.data) {
            return sw(0x6A80);
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
            return sw(0x6581);
        }
        sw(0x9000)
    }

    pub(super) fn sign(&mut self, c: &Command) -> Vec<u8> {
        let (key, needs) = if c.p2 == 0x00 {
            match self.app {
                Some(App::Text) => (SignKey::TextAp, None),
                Some(App::Surface) => (SignKey::SurfaceAp, None),
                _ => return sw(0x6A86),
            }
        } else {
            if c.p2 & 0x80 == 0 || c.p2 & 0x60 != 0 {
                return sw(0x6A86);
            }
            let sfi = c.p2 & 0x1F;
            let (app, fid) = match self.target((sfi != 0).then_some(sfi)) {
                Ok(t) => t,
                Err(e) => return e,
            };
            match self.files.get(&(app, fid)).map(|e| &e.content) {
                Some(Content::Key(SignKey::JpkiAuth)) => (SignKey::JpkiAuth, Some(KeyRef::Auth)),
                Some(Content::Key(SignKey::JpkiSign)) => (SignKey::JpkiSign, Some(KeyRef::Sign)),
                Some(Content::Key(k)) => (*k, None),
                _ => return sw(0x6A88),
            }
        };
        if let Some(k) = needs {
            if !self.verified.contains(&k) {
                return sw(0x6982);
            }
        }
        if c.data.is_empty() {
            return sw(0x6700);
        }
        // The next card's ECDSA signing command is not published: not
        // modelled (function not supported).
        if matches!(key, SignKey::JpkiAuth | SignKey::JpkiSign)
            && self.profile.card.algorithm == crate::vcard::profile::Algorithm::EcdsaP384
        {
            return sw(0x6A81);
        }
        let rsa = match key {
            SignKey::JpkiAuth if self.profile.faults.wrong_auth_key => &pki::TEXT_AP,
            SignKey::JpkiAuth => &pki::AUTH_EE,
            SignKey::JpkiSign => &pki::SIGN_EE,
            SignKey::TextAp => &pki::TEXT_AP,
            SignKey::SurfaceAp => &pki::SURFACE_AP,
        };
        // P1 selects the scheme (card-protocol.md §9.2); PSS (04/05) is not
        // modelled.
        let input = match c.p1 {
            0x00 if c.data.len() <= 245 => c.data.clone(),
            0x00 => return sw(0x6700),
            0x01 => Sha256::digest(&c.data).to_vec(),
            0x02 if c.data.len() == 32 => [pki::SHA256_DIGEST_INFO, &c.data].concat(),
            0x02 => return sw(0x6985),
            0x03 => [pki::SHA256_DIGEST_INFO, &Sha256::digest(&c.data)].concat(),
            _ => return sw(0x6A86),
        };
        match pki::sign_raw(rsa, &input) {
            Some(s) => ok(s),
            None => sw(0x6985),
        }
    }

    pub(super) fn get_data(&mut self, c: &Command) -> Vec<u8> {
        let tag = u16::from_be_bytes([c.p1, c.p2]);
        // Only at the MF level (after power-up or ISD select); 5F51 always.
        if self.app.is_some() && tag != 0x5F51 {
            return sw(0x6A88);
        }
        let Some(v) = self.mf_data.get(&tag) else {
            return sw(0x6A88);
        };
        let le = c.le.unwrap_or(0);
        if v.len() > le {
            // Large objects need an extended Le (card-protocol.md §2.5).
            return sw(if v.len() > 256 && !c.extended {
                0x6700
            } else {
                0x6C00 | (v.len() as u16 & 0xFF)
            });
        }
        ok(v.clone())
    }

    pub(super) fn get_challenge(&mut self, c: &Command) -> Vec<u8> {
        if c.extended {
            return sw(0x6985);
        }
        let Some(n) = c.le else {
            return sw(0x6700);
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
