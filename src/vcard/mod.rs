//! The virtual My Number Card: the five applications and their files, PIN
//! counters, real RSA signatures, behaving byte for byte as
//! `card-protocol.md` describes the card. It answers raw APDUs, so the same
//! card serves the in-process transport and real pcscd through vpcd.
//! Uses only `apdu` and the calendar `rules` — never the card layer — so it
//! is an independent oracle for the tool.

mod der;
pub mod fs;
pub mod image;
pub mod pki;
pub mod profile;
pub mod timing;
pub mod vpcd;

pub use image::CardImage;
pub use pki::Pki;
pub use profile::{Profile, ProfileError, Token, BUILTIN_PROFILE_TOML};

use crate::apdu::Command;
use fs::{Access, Content, Files};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use crate::protocol::{App, KeyRef, SignKey, ISD_AID};

/// What crossed the card's interface since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CardStats {
    pub apdus: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// One key's persistent state.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
struct KeyState {
    value: String,
    tries: u8,
}

/// The `--state` file: counters and values that survive restarts.
#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    keys: BTreeMap<String, KeyState>,
}

pub struct VirtualCard {
    profile: Profile,
    /// Shared between copies (`fresh`): keys and certificates never change.
    pki: std::sync::Arc<Pki>,
    files: Files,
    mf_data: BTreeMap<u16, Vec<u8>>,
    keys: BTreeMap<KeyRef, KeyState>,
    state_file: Option<PathBuf>,
    // Volatile state: cleared by power-off (and, in part, by reset).
    app: Option<App>,
    ef: Option<u16>,
    verified: BTreeSet<KeyRef>,
    fresh_power: bool,
    apdus_since_power: u32,
    removed: bool,
    remove_fired: bool,
    /// Commands the status fault's prefix matched so far.
    status_matches: u32,
    /// The lock on the state file, held for the card's life.
    state_lock: Option<std::fs::File>,
    last_personal: bool,
    challenge_seed: [u8; 32],
    stats: CardStats,
}

fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

fn ok(mut data: Vec<u8>) -> Vec<u8> {
    data.extend_from_slice(&[0x90, 0x00]);
    data
}

impl VirtualCard {
    pub fn new(profile: &Profile) -> Result<VirtualCard, ProfileError> {
        Ok(VirtualCard::from_image(profile, CardImage::build(profile)?))
    }

    /// The card of `profile` holding `image` — the one
    /// [`CardImage::build`] makes of that profile (a kept copy of it).
    pub fn from_image(profile: &Profile, image: CardImage) -> VirtualCard {
        VirtualCard::assemble(
            profile,
            std::sync::Arc::new(image.pki),
            image.files,
            image.mf_data,
        )
    }

    /// A card as it left the factory: the same profile and PKI, its
    /// counters and state as the profile sets them, no state file. Cheap
    /// (the PKI is shared), for one fresh card per fuzz input or test.
    pub fn fresh(&self) -> VirtualCard {
        // The files depend only on the profile and the PKI: copied, not
        // built (and signed) again.
        VirtualCard::assemble(
            &self.profile,
            std::sync::Arc::clone(&self.pki),
            self.files.clone(),
            self.mf_data.clone(),
        )
    }

    fn assemble(
        profile: &Profile,
        pki: std::sync::Arc<Pki>,
        files: Files,
        mf_data: BTreeMap<u16, Vec<u8>>,
    ) -> VirtualCard {
        let keys = KeyRef::ALL
            .iter()
            .map(|&k| {
                (
                    k,
                    KeyState {
                        value: String::from_utf8_lossy(&fs::key_value(profile, k)).into_owned(),
                        tries: fs::key_tries(profile, k),
                    },
                )
            })
            .collect();
        let seed = Sha256::digest(format!(
            "{:?}{}",
            std::time::SystemTime::now(),
            std::process::id()
        ));
        VirtualCard {
            profile: profile.clone(),
            pki,
            files,
            mf_data,
            keys,
            state_file: None,
            app: None,
            ef: None,
            verified: BTreeSet::new(),
            fresh_power: true,
            apdus_since_power: 0,
            removed: false,
            remove_fired: false,
            status_matches: 0,
            state_lock: None,
            last_personal: false,
            challenge_seed: seed.into(),
            stats: CardStats::default(),
        }
    }

    /// Keep counters and changed PINs in `path` (JSON, mode 0600, written
    /// atomically): loaded now if it exists, written at every change.
    pub fn with_state_file(mut self, path: &Path) -> Result<VirtualCard, ProfileError> {
        let bad = |why: String| ProfileError(format!("state file {}: {why}", path.display()));
        // One process at a time: the counters are read here and written on
        // every change, so two at once would both count from the same state.
        self.state_lock = Some(lock_state(path).map_err(bad)?);
        if path.exists() {
            let b =
                crate::platform::files::read_limited(path, crate::platform::files::limit::PROFILE)
                    .map_err(|e| bad(e.to_string()))?;
            // The error names the place, never the text (it holds PINs).
            let st: StateFile = serde_json::from_slice(&b).map_err(|e| {
                bad(format!(
                    "not a mynacard card state (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            })?;
            for k in KeyRef::ALL {
                if let Some(v) = st.keys.get(k.id()) {
                    if v.tries > k.max_tries() {
                        return Err(bad(format!(
                            "{}: tries {} exceeds {}",
                            k.id(),
                            v.tries,
                            k.max_tries()
                        )));
                    }
                    self.keys.insert(k, v.clone());
                }
            }
        }
        self.state_file = Some(path.to_path_buf());
        self.save().map_err(|e| bad(e.to_string()))?;
        Ok(self)
    }

    fn save(&self) -> std::io::Result<()> {
        if self.state_file.is_some() && self.state_lock.is_none() {
            return Err(std::io::Error::other("the state file is not locked"));
        }
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let st = StateFile {
            version: 1,
            keys: self
                .keys
                .iter()
                .map(|(k, v)| (k.id().to_string(), v.clone()))
                .collect(),
        };
        let body = serde_json::to_vec_pretty(&st).map_err(std::io::Error::other)?;
        crate::platform::atomic::write_private(path, &body)
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn pki(&self) -> &Pki {
        &self.pki
    }

    pub fn atr(&self) -> Vec<u8> {
        self.profile.card.atr.clone()
    }

    pub fn tries_left(&self, k: KeyRef) -> u8 {
        self.keys.get(&k).map(|s| s.tries).unwrap_or(0)
    }

    pub fn stats(&self) -> CardStats {
        self.stats
    }

    /// Whether the last answer carried personal data (for redacted logs).
    pub fn last_response_personal(&self) -> bool {
        self.last_personal
    }

    /// The card was "pulled" by a fault; the host sees no answer.
    pub fn is_removed(&self) -> bool {
        self.removed
    }

    /// Raw contents of an EF, for tests and tools.
    pub fn ef(&self, app: App, fid: u16) -> Option<&[u8]> {
        match self.files.get(&(app, fid)).map(|e| &e.content) {
            Some(Content::Binary(b)) => Some(b),
            _ => None,
        }
    }

    pub fn power_off(&mut self) {
        self.app = None;
        self.ef = None;
        self.verified.clear();
        self.fresh_power = true;
        self.apdus_since_power = 0;
        self.removed = false;
    }

    pub fn power_on(&mut self) {
        self.power_off();
    }

    /// Warm reset: the selection is lost; the verified state is kept when
    /// the profile says so, as on the real card (card-protocol.md §6).
    pub fn reset(&mut self) {
        self.app = None;
        self.ef = None;
        if !self.profile.quirks.keep_verified_on_reset {
            self.verified.clear();
        }
        self.fresh_power = true;
        self.apdus_since_power = 0;
        self.removed = false;
    }

    /// Answer one command APDU with `data ‖ SW1 SW2`. An empty answer means
    /// the card is gone (a fault), as vpcd reads it.
    pub fn process(&mut self, raw: &[u8]) -> Vec<u8> {
        self.stats.apdus += 1;
        self.stats.bytes_in += raw.len() as u64;
        self.apdus_since_power += 1;
        self.last_personal = false;
        let f = self.profile.faults.clone();
        if self.removed {
            return Vec::new();
        }
        if f.remove_after == Some(self.apdus_since_power) && !self.remove_fired {
            self.remove_fired = true;
            self.removed = true;
            return Vec::new();
        }
        if let Some(ms) = f.delay_ms.filter(|_| {
            f.delay_for.as_deref().is_none_or(|p| {
                profile::parse_hex("faults.delay_for", p).is_ok_and(|p| raw.starts_with(&p))
            })
        }) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        let started = std::time::Instant::now();
        let activation = if self.fresh_power {
            self.profile.timing.activation()
        } else {
            std::time::Duration::ZERO
        };
        let mut out = if self.profile.quirks.first_command_6f00 && self.fresh_power {
            sw(0x6F00)
        } else if let Some(code) = self.status_fault(raw) {
            code
        } else {
            match Command::parse(raw) {
                Ok(c) => self.dispatch(&c),
                Err(_) => sw(0x6700),
            }
        };
        self.fresh_power = false;
        if let Some(n) = f.truncate_to {
            if out.len() > n + 2 {
                let tail = out.split_off(out.len() - 2);
                out.truncate(n);
                out.extend(tail);
            }
        }
        self.stats.bytes_out += out.len() as u64;
        // As slow as the model says (the work done here counts toward it).
        let model = activation + self.profile.timing.command(raw, out.len());
        if let Some(rest) = model.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
        out
    }

    fn status_fault(&mut self, raw: &[u8]) -> Option<Vec<u8>> {
        let f = &self.profile.faults;
        let code = profile::parse_hex("faults.status", f.status.as_deref()?).ok()?;
        let prefix = match &f.status_for {
            Some(p) => profile::parse_hex("faults.status_for", p).ok()?,
            None => Vec::new(),
        };
        if !raw.starts_with(&prefix) {
            return None;
        }
        self.status_matches += 1;
        match f.status_nth {
            Some(n) if n != self.status_matches => None,
            _ => Some(code),
        }
    }

    fn dispatch(&mut self, c: &Command) -> Vec<u8> {
        // Secure messaging (CLA 08/0C): SELECT 6882, the rest 69FC.
        if c.cla & 0x0C != 0 {
            return sw(if c.ins == 0xA4 { 0x6882 } else { 0x69FC });
        }
        if c.cla & 0x03 != 0 {
            return sw(0x6881);
        }
        match (c.cla, c.ins) {
            (0x00, 0xA4) => self.select(c),
            (0x00, 0xB0) => self.read_binary(c),
            (0x00, 0xB2) => self.read_record(c),
            (0x00, 0x20) => self.verify(c),
            (0x00, 0x24) => self.change(c, false),
            (0x80, 0x32) => self.change(c, true),
            (0x80, 0x2A) => self.sign(c),
            (0x00, 0xCA) => self.get_data(c),
            (0x00, 0x84) => self.get_challenge(c),
            (0x00, 0xC0) => sw(0x6985),
            // Last-command indicator: iPhone token only.
            (0x80, 0xFC) => sw(if self.profile.card.token == Token::SmartphoneIos {
                0x9000
            } else {
                0x6700
            }),
            // Secure-messaging key set-up: only the 入力補助AP says yes.
            (0x80, 0xAE) if self.app == Some(App::Text) => sw(0x9000),
            (0x00 | 0x80, _) => sw(0x6D00),
            _ => sw(0x6E00),
        }
    }

    fn select_app(&mut self, app: Option<App>) {
        // Leaving an application drops what was verified in it.
        self.verified.retain(|k| Some(k.app()) == app);
        self.app = app;
        self.ef = None;
    }

    fn select(&mut self, c: &Command) -> Vec<u8> {
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
    fn target(&mut self, sfi: Option<u8>) -> Result<(App, u16), Vec<u8>> {
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

    fn may_read(&self, access: &Access) -> bool {
        match access {
            Access::Free => true,
            Access::AnyOf(keys) => keys.iter().any(|k| self.verified.contains(k)),
        }
    }

    fn read_binary(&mut self, c: &Command) -> Vec<u8> {
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

    fn read_record(&mut self, c: &Command) -> Vec<u8> {
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
    fn key_for(&mut self, p2: u8) -> Result<KeyRef, Vec<u8>> {
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

    fn verify(&mut self, c: &Command) -> Vec<u8> {
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

    fn change(&mut self, c: &Command, change_key: bool) -> Vec<u8> {
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

    fn sign(&mut self, c: &Command) -> Vec<u8> {
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

    fn get_data(&mut self, c: &Command) -> Vec<u8> {
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

    fn get_challenge(&mut self, c: &Command) -> Vec<u8> {
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

impl crate::transport::inproc::Simulator for VirtualCard {
    fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        VirtualCard::process(self, apdu)
    }

    fn atr(&self) -> Vec<u8> {
        VirtualCard::atr(self)
    }

    fn power_off(&mut self) {
        VirtualCard::power_off(self)
    }

    fn reset(&mut self) {
        VirtualCard::reset(self)
    }

    fn answers_at_once(&self) -> bool {
        let t = &self.profile.timing;
        t.is_none() && t.activation().is_zero() && self.profile.faults.delay_ms.is_none()
    }
}

/// Lock `<state>.lock` (created beside it, 0600, never through a link),
/// waiting up to 10 s for another process to let go.
fn lock_state(path: &Path) -> Result<std::fs::File, String> {
    use rustix::fs::{flock, FlockOperation, OFlags};
    use std::os::unix::fs::OpenOptionsExt;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock = path.with_file_name(name);
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(OFlags::NOFOLLOW.bits() as i32)
        .open(&lock)
        .map_err(|e| format!("cannot open its lock {}: {e}", lock.display()))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match flock(&f, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(f),
            Err(rustix::io::Errno::WOULDBLOCK) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(rustix::io::Errno::WOULDBLOCK) => {
                return Err("in use by another mynacard process for more than 10 s".into())
            }
            Err(e) => return Err(format!("cannot lock {}: {e}", lock.display())),
        }
    }
}

#[cfg(test)]
mod tests;
