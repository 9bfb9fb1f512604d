//! The virtual My Number Card: the five applications and their files, PIN
//! counters, real RSA signatures, behaving byte for byte as
//! `card-protocol.md` describes the card. It answers raw APDUs, so the same
//! card serves the in-process transport and real pcscd through vpcd.
//! Uses only `apdu` and the calendar `rules` — never the card layer — so it
//! is an independent oracle for the tool.

mod commands;
pub mod fs;
pub mod image;
pub mod pki;
pub mod profile;
pub mod shape;
pub mod timing;
pub mod vpcd;

pub use image::CardImage;
pub use pki::Pki;
pub use profile::{Profile, ProfileError, Token, BUILTIN_PROFILE_TOML};

use crate::apdu::{Command, Instruction, StatusWord as Sw, CLA_ISO, CLA_PROPRIETARY};
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
    /// The header of the last command that arrived, and its length: set
    /// before any fault delay, so a test can see a command in flight.
    pub last_header: [u8; 4],
    pub last_len: usize,
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

/// An answer of a status word alone.
fn sw(s: Sw) -> Vec<u8> {
    s.bytes().to_vec()
}

/// An answer of data and `9000`.
fn ok(mut data: Vec<u8>) -> Vec<u8> {
    data.extend_from_slice(&Sw::Ok.bytes());
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
        let delay = self.arrive(raw);
        std::thread::sleep(delay);
        self.answer(raw)
    }

    /// Count a command that arrived; the fault delay before its answer
    /// (the served card waits it out without holding the card's lock).
    pub fn arrive(&mut self, raw: &[u8]) -> std::time::Duration {
        self.stats.apdus += 1;
        self.stats.bytes_in += raw.len() as u64;
        let n = raw.len().min(4);
        self.stats.last_header = [0; 4];
        self.stats.last_header[..n].copy_from_slice(&raw[..n]);
        self.stats.last_len = raw.len();
        let f = &self.profile.faults;
        f.delay_ms
            .filter(|_| {
                f.delay_for.as_deref().is_none_or(|p| {
                    profile::delay_prefixes(p).is_ok_and(|ps| ps.iter().any(|p| raw.starts_with(p)))
                })
            })
            .map_or(std::time::Duration::ZERO, std::time::Duration::from_millis)
    }

    /// Answer a command that [`VirtualCard::arrive`] counted.
    pub fn answer(&mut self, raw: &[u8]) -> Vec<u8> {
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
        let started = std::time::Instant::now();
        let activation = if self.fresh_power {
            self.profile.timing.activation()
        } else {
            std::time::Duration::ZERO
        };
        let mut out = if self.profile.quirks.first_command_6f00 && self.fresh_power {
            sw(Sw::NoPreciseDiagnosis)
        } else if let Some(code) = self.status_fault(raw) {
            code
        } else {
            match Command::parse(raw) {
                Ok(c) => self.dispatch(&c),
                Err(_) => sw(Sw::WrongLength),
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
        use Instruction as I;
        // Secure messaging (CLA 08/0C): SELECT 6882, the rest 69FC.
        if c.secure_messaging() {
            return sw(if Instruction::from_byte(c.ins) == Some(I::Select) {
                Sw::SecureMessagingNotSupported
            } else {
                Sw::SecureMessagingRefused
            });
        }
        if c.logical_channel() {
            return sw(Sw::LogicalChannelNotSupported);
        }
        match c.instruction() {
            Some(I::Select) => self.select(c),
            Some(I::ReadBinary) => self.read_binary(c),
            Some(I::ReadRecord) => self.read_record(c),
            Some(I::Verify) => self.verify(c),
            Some(I::ChangeReferenceData) => self.change(c, false),
            Some(I::ChangeKey) => self.change(c, true),
            Some(I::ComputeDigitalSignature) => self.sign(c),
            Some(I::GetData) => self.get_data(c),
            Some(I::GetChallenge) => self.get_challenge(c),
            Some(I::GetResponse) => sw(Sw::ConditionsNotSatisfied),
            // Last-command indicator: iPhone token only.
            Some(I::LastCommand) => sw(if self.profile.card.token == Token::SmartphoneIos {
                Sw::Ok
            } else {
                Sw::WrongLength
            }),
            // Secure-messaging key set-up: only the 入力補助AP says yes.
            Some(I::SecureMessagingKey) if self.app == Some(App::Text) => sw(Sw::Ok),
            _ if matches!(c.cla, CLA_ISO | CLA_PROPRIETARY) => sw(Sw::InsNotSupported),
            _ => sw(Sw::ClaNotSupported),
        }
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

    fn answers_at_once(&self) -> bool {
        let t = &self.profile.timing;
        t.is_none() && t.activation().is_zero() && self.profile.faults.delay_ms.is_none()
    }
}

/// Lock `<state>.lock` (created beside it, 0600, never through a link),
/// waiting up to 10 s for another process to let go.
fn lock_state(path: &Path) -> Result<std::fs::File, String> {
    use crate::platform::files::{lock_exclusive, LockError};
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock = path.with_file_name(name);
    lock_exclusive(&lock, std::time::Duration::from_secs(10)).map_err(|e| match e {
        LockError::Open(e) => format!("cannot open its lock {}: {e}", lock.display()),
        LockError::Busy => "in use by another mynacard process for more than 10 s".into(),
        LockError::Lock(e) => format!("cannot lock {}: {e}", lock.display()),
    })
}

#[cfg(test)]
mod tests;
