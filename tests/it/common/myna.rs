//! myna-card (the independent reader) driven by the tests: its link to a
//! card over our own `pcsc` or straight to the in-process virtual card, and
//! the child process a PC/SC test runs it in (libpcsclite fixes its socket
//! once per process).

use serde_json::Value;

/// myna-card straight over the in-process virtual card: no pcscd needed.
pub struct InProcess(pub mynacard::vcard::VirtualCard);

impl myna_card::Transmit for InProcess {
    fn transmit(&mut self, command: &[u8]) -> myna_card::Result<Vec<u8>> {
        Ok(self.0.process(command))
    }
}

/// A sex as the card codes it (ISO/IEC 5218, `9`, or the byte itself).
pub fn sex_code(s: myna_card::Sex) -> String {
    use myna_card::Sex;
    match s {
        Sex::Male => "1".into(),
        Sex::Female => "2".into(),
        Sex::Unknown => "0".into(),
        Sex::NotApplicable => "9".into(),
        Sex::Other(b) => char::from(b).to_string(),
    }
}

/// The child's output file and reader (set only for the child).
const CHILD_OUT: &str = "MYNACARD_MYNA_CARD_CHILD_OUT";
const CHILD_READER: &str = "MYNACARD_MYNA_CARD_CHILD_READER";

/// In a child test: the reader to read, and where to put the JSON; `None`
/// when this test was not started as a child (it then does nothing).
pub fn child_reader() -> Option<String> {
    std::env::var(CHILD_OUT).ok()?;
    std::env::var(CHILD_READER).ok()
}

/// In a child test: hand the parent its answer.
pub fn child_answer(v: &Value) {
    if let Ok(out) = std::env::var(CHILD_OUT) {
        std::fs::write(out, serde_json::to_vec(v).unwrap()).unwrap();
    }
}

#[cfg(feature = "pcsc")]
pub use with_pcsc::*;

#[cfg(feature = "pcsc")]
mod with_pcsc {
    use super::{CHILD_OUT, CHILD_READER};
    use crate::common::e2e::{json, wait_exit, Guard};
    use mynacard::sandbox::Sandbox;
    use serde_json::Value;
    use std::process::Stdio;
    use std::time::Duration;

    /// A PC/SC failure in myna-card's error type (it has no PC/SC variant
    /// without its own `pcsc` feature); the text says what it was.
    fn pcsc_err(e: pcsc::Error) -> myna_card::Error {
        myna_card::Error::Malformed(format!("PC/SC: {e}"))
    }

    /// myna-card's link to the card: the bytes over PC/SC, nothing else
    /// (its own `pcsc` feature would link libpcsclite into every build).
    pub struct Pcsc(pcsc::Card);

    impl myna_card::Transmit for Pcsc {
        fn transmit(&mut self, command: &[u8]) -> myna_card::Result<Vec<u8>> {
            let mut buf = vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED];
            Ok(self
                .0
                .transmit(command, &mut buf)
                .map_err(pcsc_err)?
                .to_vec())
        }
    }

    /// Run `f` with myna-card on `reader` (exclusive: codes are presented),
    /// then power the card down: no verified state is left behind (a warm
    /// reset keeps it).
    pub fn with_card<T>(
        reader: &str,
        f: impl FnOnce(&mut myna_card::Card<Pcsc>) -> myna_card::Result<T>,
    ) -> myna_card::Result<T> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(pcsc_err)?;
        let name = std::ffi::CString::new(reader).map_err(|_| myna_card::Error::NoReader)?;
        let link = ctx
            .connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
            .map_err(pcsc_err)?;
        let mut card = myna_card::Card::new(Pcsc(link));
        let v = f(&mut card);
        let Pcsc(link) = card.into_transport();
        link.disconnect(pcsc::Disposition::UnpowerCard)
            .map_err(|(_, e)| pcsc_err(e))?;
        v
    }

    /// Run the child test `test` (this test binary again, that test alone)
    /// on the sandbox's card, with `env` besides; its JSON answer.
    pub fn run_child(sb: &Sandbox, test: &str, env: &[(&str, &str)]) -> Value {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("myna-card.json");
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test, "--test-threads=1"])
            .env("PCSCLITE_CSOCK_NAME", sb.socket())
            .env(CHILD_OUT, &out)
            .env(CHILD_READER, sb.reader())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut g = Guard(child);
        let (code, _) = wait_exit(&mut g.0, Duration::from_secs(60));
        let mut log = String::new();
        if let Some(mut e) = g.0.stdout.take() {
            std::io::Read::read_to_string(&mut e, &mut log).unwrap();
        }
        assert_eq!(code, 0, "the myna-card child failed: {log}\n{}", sb.log());
        json(&std::fs::read(&out).unwrap_or_else(|e| panic!("{e}: {log}")))
    }
}
