//! Every example runs as written: each `mynacard …` line in a shell code
//! block of README.md and docs/cli.md is run on the in-process virtual card
//! (`--virtual` added where the example is for a real card), in order, in
//! one folder per document (an example may use a file an earlier one
//! wrote), and its exit code checked. What an example needs that the line
//! does not say is declared beside it in the markdown, in a comment the
//! reader does not see:
//!
//! `<!-- example: COMMAND | key=value; key=value -->`
//!
//! with COMMAND the example's text (its `# comment` left out) and keys
//! `pin=KIND` (`--pin-stdin` is added and KIND's PIN of the built-in
//! profile fed; `pin=KIND,NEW` feeds a second line, the new PIN),
//! `code=PRINTED` (`--code-stdin` added and the printed parts fed: the
//! face check), `env=NAME=VALUE`, `file=NAME` (a small file made first), `mkdir=NAME`,
//! `exit=N` (0 unless given), `tsa` (the URL `http://tsa.example/` is
//! served by a TSA on the loopback started for the example), `served` (it follows a reader: run as written
//! through a private pcscd with the served card, on vpcd's two readers,
//! until its first report, then stopped by SIGTERM, which must end it with
//! 0; skipped where no sandbox can start, as the other end-to-end tests),
//! `skip=WHY` (it needs what neither can give: a terminal, root for a
//! server of its own; WHY names the test that runs it). README's sample reports are the real output: a block after
//! `<!-- output: COMMAND -->` is compared with what COMMAND prints
//! (`MYNACARD_BLESS=1` rewrites it).

use crate::common::{bin, default_pin};
use std::collections::HashMap;
use std::path::Path;

/// Commands that touch no card: `--virtual` is not added.
const NO_CARD: &[&str] = &[
    "cert inspect",
    "verify",
    "pdf verify",
    "completions",
    "man",
    "vcard profile",
    "--help",
    "--version",
];

struct Example {
    line: usize,
    text: String,
}

/// The `mynacard …` lines of the shell code blocks.
fn examples(md: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut shell = None;
    for (i, l) in md.lines().enumerate() {
        if let Some(lang) = l.trim_start().strip_prefix("```") {
            shell = match shell {
                None => Some(matches!(lang.trim(), "sh" | "shell" | "bash" | "console")),
                Some(_) => None,
            };
            continue;
        }
        if shell != Some(true) {
            continue;
        }
        let cmd = l.trim().trim_start_matches("$ ");
        if cmd.starts_with("mynacard ") {
            let text = cmd.split(" #").next().unwrap_or(cmd).trim().to_string();
            out.push(Example { line: i + 1, text });
        }
    }
    out
}

/// `<!-- example: COMMAND | k=v; k=v -->` → COMMAND → (k, v)s.
fn markers(md: &str) -> HashMap<String, Vec<(String, String)>> {
    let mut m = HashMap::new();
    for l in md.lines() {
        let Some(rest) = l.trim().strip_prefix("<!-- example:") else {
            continue;
        };
        let rest = rest.trim_end_matches("-->").trim();
        let (cmd, keys) = rest.split_once(" | ").unwrap_or((rest, ""));
        let kv = keys
            .split("; ")
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (k, v) = s.split_once('=').unwrap_or((s, ""));
                (k.trim().to_string(), v.trim().to_string())
            })
            .collect();
        m.insert(cmd.trim().to_string(), kv);
    }
    m
}

/// The arguments after `mynacard`, and `--virtual` first where the
/// example is for a real card.
fn arguments(text: &str) -> Vec<String> {
    assert!(
        !text.contains(['"', '\'', '$', '|', '>', '<']),
        "an example with shell syntax needs a marker the test understands: {text}"
    );
    let args: Vec<String> = text.split_whitespace().skip(1).map(String::from).collect();
    let words = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let no_card = NO_CARD
        .iter()
        .any(|c| words.starts_with(c) || args.first().is_some_and(|a| a == c));
    if no_card || args.iter().any(|a| a.starts_with("--virtual")) {
        args
    } else {
        std::iter::once("--virtual".to_string())
            .chain(args)
            .collect()
    }
}

/// Run the examples of one document; the ones run and the ones skipped.
fn run_document(name: &str) -> (usize, usize) {
    let md = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap();
    let marks = markers(&md);
    let dir = tempfile::tempdir().unwrap();
    let (mut ran, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    for ex in examples(&md) {
        let keys = marks.get(&ex.text).cloned().unwrap_or_default();
        let get = |k: &str| keys.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        if let Some(why) = get("skip") {
            assert!(!why.is_empty(), "{name}:{}: skip needs a reason", ex.line);
            skipped += 1;
            continue;
        }
        if get("served").is_some() {
            run_served(&ex.text);
            ran += 1;
            continue;
        }
        let mut args = arguments(&ex.text);
        // The example's TSA is a loopback one for this example (no test
        // connects outside the machine); kept until the command ends.
        let tsa_dir = tempfile::tempdir().unwrap();
        if get("tsa").is_some() {
            let (url, _) = crate::common::tsa::start(tsa_dir.path(), 1);
            for a in args.iter_mut().filter(|a| *a == "http://tsa.example/") {
                *a = url.clone();
            }
        }
        let mut c = bin();
        c.current_dir(dir.path());
        let mut stdin = String::new();
        for (k, v) in &keys {
            match k.as_str() {
                "pin" => {
                    if !args.iter().any(|a| a == "--pin-stdin") {
                        args.push("--pin-stdin".into());
                    }
                    let mut parts = v.split(',');
                    stdin.push_str(&default_pin(parts.next().unwrap_or_default()));
                    stdin.push('\n');
                    if let Some(new) = parts.next() {
                        stdin.push_str(new);
                        stdin.push('\n');
                    }
                }
                "code" => {
                    args.push("--code-stdin".into());
                    stdin.push_str(v);
                    stdin.push('\n');
                }
                "env" => {
                    let (n, val) = v.split_once('=').unwrap_or((v, ""));
                    c.env(n, val);
                }
                "file" => {
                    std::fs::write(dir.path().join(v), crate::pdf::minimal_pdf("example")).unwrap()
                }
                "mkdir" => std::fs::create_dir_all(dir.path().join(v)).unwrap(),
                "exit" | "tsa" => {}
                other => panic!("{name}: unknown marker key {other} for {}", ex.text),
            }
        }
        let want: i32 = get("exit").map_or(0, |v| v.parse().unwrap());
        let out = c.args(&args).write_stdin(stdin).output().unwrap();
        if out.status.code() != Some(want) {
            failures.push(format!(
                "{name}:{}: {} → exit {:?} (want {want}; ran with {args:?})\n{}",
                ex.line,
                ex.text,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        ran += 1;
    }
    // A marker whose example is gone is a stale word.
    let texts: Vec<String> = examples(&md).into_iter().map(|e| e.text).collect();
    for cmd in marks.keys() {
        assert!(
            texts.contains(cmd),
            "{name}: a marker for no example: {cmd}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    (ran, skipped)
}

/// An example that follows a reader, as written, against the served card:
/// its first stdout line is a report; SIGTERM ends it with 0.
#[cfg(feature = "pcsc")]
fn run_served(text: &str) {
    use crate::common::e2e::{default_card, insert, line_reader, process, sandbox_with, Guard};
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let args: Vec<&str> = text.split_whitespace().skip(1).collect();
    let mut child = Guard(
        process(&sb)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rx = line_reader(child.0.stdout.take().unwrap());
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(15))
        .unwrap_or_else(|_| panic!("{text}: no report from the served card"));
    assert!(first.starts_with("── "), "{text}: {first}");
    mynacard::sandbox::terminate(&mut child.0);
    assert_eq!(child.0.wait().unwrap().code(), Some(0), "{text}");
}

/// Without PC/SC there is no served card: nothing to run.
#[cfg(not(feature = "pcsc"))]
fn run_served(_text: &str) {}

#[test]
fn every_readme_example_runs_as_written() {
    let (ran, skipped) = run_document("README.md");
    assert!(ran >= 15 && skipped <= 2, "ran {ran}, skipped {skipped}");
}

#[test]
fn every_cli_md_example_runs_as_written() {
    let (ran, skipped) = run_document("docs/cli.md");
    assert!(ran >= 20 && skipped <= 2, "ran {ran}, skipped {skipped}");
}

/// README's sample reports are the real output of the command above them.
#[test]
fn readme_sample_output_is_the_real_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let md = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = md.lines().collect();
    let mut rebuilt: Vec<String> = Vec::new();
    let mut stale = Vec::new();
    let mut checked = 0;
    let mut i = 0;
    while i < lines.len() {
        rebuilt.push(lines[i].to_string());
        let cmd = lines[i]
            .trim()
            .strip_prefix("<!-- output: mynacard ")
            .and_then(|r| r.strip_suffix("-->"));
        i += 1;
        let Some(cmd) = cmd else { continue };
        // The block that follows: its fence, its text, its end.
        while i < lines.len() && !lines[i].starts_with("```") {
            rebuilt.push(lines[i].to_string());
            i += 1;
        }
        assert!(
            i < lines.len(),
            "README: no code block after <!-- output: {cmd} -->"
        );
        rebuilt.push(lines[i].to_string());
        i += 1;
        let start = i;
        while i < lines.len() && !lines[i].starts_with("```") {
            i += 1;
        }
        let shown = lines[start..i].join("\n") + "\n";
        let out = bin().args(cmd.split_whitespace()).output().unwrap();
        assert!(out.status.success(), "{cmd}: {out:?}");
        let real = String::from_utf8(out.stdout).unwrap();
        if real != shown {
            stale.push(cmd.to_string());
        }
        rebuilt.extend(real.lines().map(String::from));
        checked += 1;
    }
    assert!(
        checked >= 2,
        "README: the sample reports lost their markers"
    );
    if stale.is_empty() {
        return;
    }
    if std::env::var_os("MYNACARD_BLESS").is_some() {
        std::fs::write(&path, rebuilt.join("\n") + "\n").unwrap();
        return;
    }
    panic!("README's sample output differs from the real output of {stale:?}: run MYNACARD_BLESS=1 cargo test --test it readme_sample");
}
