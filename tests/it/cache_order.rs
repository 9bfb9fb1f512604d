//! Whatever is kept between runs may make a run faster, never different
//! (issue 25.1): every ordered pair of fixture profiles, run one after the
//! other on one private cache, answers byte for byte as `--no-cache` does —
//! `status`, `pin status` and `cert show auth`, text and JSON, stdout,
//! stderr and exit code; so do long seeded random sequences, and a damaged
//! card read after a good one.

use crate::common::{self, bin};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const TODAY: &str = "2026-11-25";

/// One run's whole answer.
#[derive(Clone, PartialEq, Eq)]
struct Answer {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

/// The commands compared, each in text and JSON.
const COMMANDS: &[&[&str]] = &[
    &["status", "--today", TODAY],
    &["pin", "status"],
    &["cert", "show", "auth", "--today", TODAY],
];

/// What one step runs: a profile, a command, JSON or not, `--extended-length`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Step {
    profile: usize,
    command: usize,
    json: bool,
    extended: bool,
}

struct Bench {
    /// Profile names and their `--virtual=` files.
    profiles: Vec<(String, PathBuf)>,
    /// The `--no-cache` answers, filled as asked.
    expected: Mutex<HashMap<Step, Answer>>,
}

impl Bench {
    fn new(extra: &[(&str, PathBuf)]) -> Bench {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles");
        let mut profiles: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
            .collect();
        profiles.sort();
        profiles.extend(extra.iter().map(|(n, p)| (n.to_string(), p.clone())));
        Bench {
            profiles,
            expected: Mutex::new(HashMap::new()),
        }
    }

    fn run(&self, step: Step, cache: Option<&Path>) -> Answer {
        let mut c = bin();
        c.arg(format!(
            "--virtual={}",
            self.profiles[step.profile].1.display()
        ));
        match cache {
            Some(dir) => c.env("XDG_CACHE_HOME", dir),
            None => c.arg("--no-cache"),
        };
        if step.json {
            c.arg("--json");
        }
        if step.extended {
            c.arg("--extended-length");
        }
        let out = c.args(COMMANDS[step.command]).output().unwrap();
        Answer {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    fn expected(&self, step: Step) -> Answer {
        if let Some(a) = self.expected.lock().unwrap().get(&step) {
            return a.clone();
        }
        let a = self.run(step, None);
        self.expected.lock().unwrap().insert(step, a.clone());
        a
    }

    fn describe(&self, s: Step) -> String {
        format!(
            "{} {}{}{}",
            self.profiles[s.profile].0,
            if s.json { "--json " } else { "" },
            if s.extended { "--extended-length " } else { "" },
            COMMANDS[s.command].join(" ")
        )
    }

    /// Run `steps` in order on one fresh cache; the first step whose
    /// answer differs from `--no-cache`'s, with what came before.
    fn check(&self, steps: &[Step]) -> Result<(), String> {
        let cache = tempfile::tempdir().unwrap();
        for (i, s) in steps.iter().enumerate() {
            let got = self.run(*s, Some(cache.path()));
            let want = self.expected(*s);
            if got != want {
                let before: Vec<String> = steps[..i].iter().map(|s| self.describe(*s)).collect();
                return Err(format!(
                    "step {i} `{}` after {before:?}\n=== with the cache:\n{got:?}\n=== --no-cache:\n{want:?}",
                    self.describe(*s)
                ));
            }
        }
        Ok(())
    }

    /// Every command of a profile, text and JSON.
    fn visit(&self, profile: usize) -> Vec<Step> {
        let mut v = Vec::new();
        for command in 0..COMMANDS.len() {
            for json in [false, true] {
                v.push(Step {
                    profile,
                    command,
                    json,
                    extended: false,
                });
            }
        }
        v
    }
}

/// Run `jobs` on a few threads; every failure, or none.
fn in_threads(jobs: Vec<Vec<Step>>, bench: &Bench) -> Vec<String> {
    let jobs = Arc::new(Mutex::new(jobs));
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..3 {
            sc.spawn(|| loop {
                let Some(job) = jobs.lock().unwrap().pop() else {
                    return;
                };
                if let Err(e) = bench.check(&job) {
                    failures.lock().unwrap().push(e);
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

/// A profile that answers extended-length reads, so that the kept
/// "this reader takes extended length" is met by cards that do not.
fn extended_profile() -> common::TempProfile {
    common::profile_file("base = \"builtin\"\n[card]\nextended_length = true\n")
}

#[test]
fn every_ordered_pair_of_profiles_answers_as_no_cache_does() {
    let ext = extended_profile();
    let ext_path = ext.dir.path().join("profile.toml");
    let bench = Bench::new(&[("extended-length", ext_path)]);
    let n = bench.profiles.len();
    assert!(n >= 10, "{:?}", bench.profiles);
    let mut jobs = Vec::new();
    for a in 0..n {
        for b in 0..n {
            jobs.push([bench.visit(a), bench.visit(b)].concat());
        }
    }
    let failures = in_threads(jobs, &bench);
    assert!(
        failures.is_empty(),
        "{} of {} pairs answered differently; the first:\n{}",
        failures.len(),
        n * n,
        failures[0]
    );
}

/// A small xorshift: the sequences are the same for a seed on every machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn long_random_sequences_answer_as_no_cache_does() {
    let ext = extended_profile();
    let ext_path = ext.dir.path().join("profile.toml");
    let bench = Bench::new(&[("extended-length", ext_path)]);
    let seeds = [
        0x5EED_0001_u64,
        0x2545_F491_4F6C_DD1D,
        0xC0FF_EE00_1234_5678,
    ];
    let jobs: Vec<Vec<Step>> = seeds
        .iter()
        .map(|&seed| {
            let mut r = Rng(seed);
            (0..60)
                .map(|_| Step {
                    profile: r.below(bench.profiles.len()),
                    command: r.below(COMMANDS.len()),
                    json: r.below(2) == 1,
                    extended: r.below(4) == 0,
                })
                .collect()
        })
        .collect();
    let failures = in_threads(jobs, &bench);
    assert!(
        failures.is_empty(),
        "seeds {seeds:x?}: {}",
        failures.join("\n\n")
    );
}

/// The case: a card whose user-authentication certificate is
/// damaged, read after a good card (same serial, same first bytes), and a
/// card whose CA file is damaged: each reports the damage exactly as
/// `--no-cache` does.
#[test]
fn a_damaged_card_after_a_good_one_reports_the_damage() {
    let mut ca = mynacard::vcard::Pki::generate(&mynacard::vcard::Profile::builtin())
        .unwrap()
        .auth_ca
        .clone();
    // Inside the CA's public key: it parses, and verifies nothing.
    let spki = mynacard::vcard::pki::AUTH_CA
        .key()
        .unwrap()
        .spki_der()
        .unwrap();
    let start = ca.windows(spki.len()).position(|w| w == spki).unwrap();
    let at = start + spki.len() / 2;
    ca[at] ^= 0x5A;
    let bad_ca = common::profile_file(&format!(
        "base = \"builtin\"\n[ef_overrides]\n\"jpki:000B\" = \"{}\"\n",
        hex::encode_upper(&ca)
    ));
    let bench = Bench::new(&[("damaged-ca", bad_ca.dir.path().join("profile.toml"))]);
    let find = |name: &str| {
        bench
            .profiles
            .iter()
            .position(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no profile {name}"))
    };
    let (good, cert, ca) = (
        find("default"),
        find("damaged-auth-cert"),
        find("damaged-ca"),
    );
    for bad in [cert, ca] {
        let steps = [bench.visit(good), bench.visit(bad), bench.visit(good)].concat();
        bench.check(&steps).unwrap_or_else(|e| panic!("{e}"));
        // And the damage is there to report.
        let status = Step {
            profile: bad,
            command: 0,
            json: true,
            extended: false,
        };
        let v = common::json(&bench.expected(status).stdout);
        assert_eq!(v["auth_cert"]["chain"], "bad_signature", "{v}");
        assert_eq!(v["auth_cert"]["chain_against"], "card_ca", "{v}");
        assert_eq!(v["auth_cert"]["source"], "card", "{v}");
        let codes: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert!(codes.contains(&"CERT_CHAIN_INVALID"), "{v}");
    }
}
