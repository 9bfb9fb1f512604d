//! The house's layering, checked: a module imports only the rooms below it
//! (docs/architecture.md). Data flows one way — cli → usecase → report /
//! cert → card → transport → protocol — and the virtual card stands apart:
//! it never imports the card layer, the use cases or the command line.

use std::collections::BTreeSet;
use std::path::Path;

/// What each top-level module may import (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("protocol", &["rules"]),
    ("apdu", &[]),
    ("rules", &[]),
    ("platform", &[]),
    ("testhook", &[]),
    ("i18n", &["protocol", "rules"]),
    ("error", &["apdu", "protocol", "i18n", "platform"]),
    ("transport", &["apdu", "error", "platform"]),
    (
        "vcard",
        &["apdu", "platform", "protocol", "rules", "transport"],
    ),
    (
        "card",
        &[
            "apdu",
            "error",
            "i18n",
            "platform",
            "protocol",
            "rules",
            "testhook",
            "transport",
        ],
    ),
    (
        "cert",
        &["apdu", "error", "i18n", "platform", "protocol", "rules"],
    ),
    (
        "report",
        &["card", "cert", "error", "i18n", "protocol", "rules"],
    ),
    ("sandbox", &["platform", "vcard"]),
    // PDF structure, the incremental writer, the check of PDF signatures:
    // pure (no card); the card work of `pdf sign` is `usecase::pdf`'s.
    ("pdf", &["cert", "error", "i18n", "platform", "rules"]),
    (
        "usecase",
        &[
            "apdu",
            "card",
            "cert",
            "error",
            "i18n",
            "pdf",
            "platform",
            "protocol",
            "report",
            "rules",
            "transport",
            "vcard",
        ],
    ),
    (
        "cli",
        &[
            "apdu",
            "card",
            "cert",
            "error",
            "i18n",
            "pdf",
            "platform",
            "protocol",
            "report",
            "rules",
            "sandbox",
            "testhook",
            "transport",
            "usecase",
            "vcard",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The crate modules a file names (`crate::x`), outside comments.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + 7..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
            rest = after;
        }
    }
    out
}

#[test]
fn no_module_imports_a_room_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let known: BTreeSet<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == top) else {
            wrong.push(format!(
                "{}: module {top} has no place in the layering",
                rel.display()
            ));
            continue;
        };
        for m in imports(&std::fs::read_to_string(f).unwrap()) {
            if m != top && !allowed.contains(&m.as_str()) && known.contains(m.as_str()) {
                wrong.push(format!("{}: {top} imports {m}", rel.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run up a layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    assert!(imports("use crate::cli::Ctx; // crate::card").contains("cli"));
    assert!(!imports("// use crate::cli::Ctx;").contains("cli"));
}

/// Lines of a file that are not test code: an item under `#[cfg(test)]`
/// is left out whole (a `mod x;` line, or a block up to its closing `}` at
/// the start of a line), wherever it stands in the file.
fn code_lines(text: &str) -> usize {
    let mut n = 0;
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if !l.starts_with("#[cfg(test)]") {
            n += 1;
            continue;
        }
        // The gated item: up to its `;`, or until its braces close.
        let mut depth = 0i64;
        for item in lines.by_ref() {
            let opened = item.contains('{');
            depth += item.matches('{').count() as i64 - item.matches('}').count() as i64;
            if depth <= 0 && (opened || item.contains('}') || item.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    n
}

#[test]
fn every_room_holds_one_job_in_at_most_500_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut big: Vec<String> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "tests.rs"))
        .filter_map(|f| {
            let n = code_lines(&std::fs::read_to_string(f).unwrap());
            (n > 500).then(|| format!("{} ({n} lines)", f.strip_prefix(&src).unwrap().display()))
        })
        .collect();
    big.sort();
    assert!(
        big.is_empty(),
        "rooms over 500 lines of code: split each by its jobs\n{}",
        big.join("\n")
    );
}

#[test]
fn the_size_check_counts_code_before_the_tests() {
    assert_eq!(code_lines("a\nb\n#[cfg(test)]\nmod tests {\n  x\n}\n"), 2);
    // A test module declared at the top is not the end of the file.
    assert_eq!(code_lines("a\n#[cfg(test)]\nmod testutil;\nb\nc\n"), 3);
    assert_eq!(code_lines("#[cfg(test)]\nmod tests;\n"), 0);
    assert_eq!(code_lines("#[cfg(test)]\nmod tests {}\nd\n"), 1);
    assert_eq!(code_lines(&"x\n".repeat(501)), 501);
}
