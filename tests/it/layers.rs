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
    // The command line parses, asks and presents: the card is reached
    // only through the use cases.
    (
        "cli",
        &[
            "apdu", "cert", "error", "i18n", "pdf", "platform", "protocol", "report", "rules",
            "sandbox", "testhook", "usecase", "vcard",
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

/// A file's code outside its `#[cfg(test)]` items, line by line (the same
/// rule as `code_lines`).
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        if !l.starts_with("#[cfg(test)]") {
            out.push((i + 1, l));
            continue;
        }
        let mut depth = 0i64;
        for (_, item) in lines.by_ref() {
            let opened = item.contains('{');
            depth += item.matches('{').count() as i64 - item.matches('}').count() as i64;
            if depth <= 0 && (opened || item.contains('}') || item.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    out
}

/// The code of a line: without a `//` comment (doc comments cite bytes).
fn code_of(line: &str) -> String {
    line.split("//").next().unwrap_or("").to_ascii_uppercase()
}

/// Non-test source files under `src/<dir>` (all of `src` for ""), with
/// their path relative to `src`; test-only files left out.
fn sources(dir: &str) -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join(dir), &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n != "tests.rs" && n != "testutil.rs")
        })
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().display().to_string();
            (rel, std::fs::read_to_string(&f).unwrap())
        })
        .collect()
}

/// Where a line builds or reads an APDU's instruction by its byte: a
/// `Command::new` with literal bytes, a `Command { .. }` literal, the raw
/// `.ins` field read other than through `Instruction`, or a known CLA and
/// INS written side by side (`0x80, 0x2A`).
fn raw_instruction(line: &str) -> Option<&'static str> {
    let code = code_of(line);
    let compact: String = code.split_whitespace().collect();
    if let Some(i) = compact.find("COMMAND::NEW(") {
        if compact[i + 13..].starts_with(|c: char| c.is_ascii_digit()) {
            return Some("Command::new with literal bytes");
        }
    }
    for (i, _) in compact.match_indices("INS") {
        let before = compact[..i].chars().last();
        let after = &compact[i + 3..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            || after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        if before == Some('.')
            && !compact.contains("FROM_BYTE(")
            && !compact.contains("FROM_HEADER(")
        {
            return Some("the raw INS byte");
        }
        if after.starts_with(':') && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
            return Some("a Command literal with a raw INS");
        }
    }
    for i in mynacard::apdu::Instruction::ALL {
        let pair = format!("0X{:02X},0X{:02X}", i.cla(), i.byte());
        if compact.contains(&pair) {
            return Some("a CLA and INS pair");
        }
    }
    None
}

#[test]
fn no_instruction_byte_outside_apdu_and_protocol() {
    let mut found = Vec::new();
    for (rel, text) in sources("") {
        if rel.starts_with("apdu") || rel.starts_with("protocol") {
            continue;
        }
        for (n, line) in non_test_lines(&text) {
            if let Some(why) = raw_instruction(line) {
                found.push(format!("{rel}:{n}: {why}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "APDUs built or read by their bytes: use apdu::cmd and apdu::Instruction\n{}",
        found.join("\n")
    );
}

/// A hex literal in `code` (upper-cased) and the digits after `0X`.
fn hex_literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("0X") {
        let digits: String = rest[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '_')
            .filter(|c| *c != '_')
            .collect();
        // Not the tail of an identifier or a longer number.
        let before = rest[..i].chars().last();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(digits.clone());
        }
        rest = &rest[i + 2..];
    }
    out
}

/// Why a line of the virtual card holds a status word, an EF id or a
/// record tag by its bytes: a `6xxx`/`9xxx` literal, a two-byte array
/// `[0x6x, 0x..]`/`[0x9x, 0x..]`, a four-digit `0x00xx` (an EF id or a
/// data-object tag), or a two-byte `[0xFF|0xDF, 0x..]` tag.
fn raw_card_fact(line: &str) -> Option<&'static str> {
    let code = code_of(line);
    for h in hex_literals(&code) {
        let h = h.trim_end_matches(|c: char| !c.is_ascii_hexdigit());
        if h.len() == 4 && (h.starts_with('6') || h.starts_with('9')) {
            return Some("a status word");
        }
        if h.len() == 4 && h.starts_with("00") {
            return Some("an EF id or a data-object tag");
        }
    }
    let compact: String = code.split_whitespace().collect();
    let mut rest = compact.as_str();
    while let Some(i) = rest.find("[0X") {
        let pair = &rest[i..];
        let two = pair.len() >= 11 && &pair[5..8] == ",0X" && pair[10..].starts_with(']');
        if two {
            match &pair[3..4] {
                "6" | "9" if &pair[3..5] != "60" => return Some("a status word"),
                _ => {}
            }
            if matches!(&pair[3..5], "FF" | "DF") {
                return Some("a record tag");
            }
        }
        rest = &rest[i + 3..];
    }
    None
}

#[test]
fn the_virtual_card_speaks_the_tools_vocabulary() {
    let mut found = Vec::new();
    for (rel, text) in sources("vcard") {
        for (n, line) in non_test_lines(&text) {
            if let Some(why) = raw_card_fact(line) {
                found.push(format!("{rel}:{n}: {why}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the virtual card names these by their bytes: use apdu::StatusWord, \
         protocol::files, protocol::keys and protocol::tags\n{}",
        found.join("\n")
    );
}

#[test]
fn the_vocabulary_checks_see_raw_bytes() {
    assert!(raw_instruction("let c = Command::new(0x00, 0xA4, 4, 0x0C);").is_some());
    assert!(raw_instruction("Command::new(0, 0x20, 0, 0x80)").is_some());
    assert!(raw_instruction("(0x80, 0x2a) => self.sign(c),").is_some());
    assert!(raw_instruction("if c.ins == 0xA4 {").is_some());
    assert!(raw_instruction("let raw = [0x00, 0xB0, 0x81, 0];").is_some());
    assert!(raw_instruction("Command { cla: 0, ins: 0xB0, p1: 0, p2: 0,").is_some());
    assert!(raw_instruction("Command::new(\"unshare\")").is_none());
    assert!(raw_instruction("f.insert((app, fid), ef); let pins: u8 = 0;").is_none());
    assert!(raw_instruction("pub fn command() -> clap::Command {").is_none());
    assert!(raw_instruction("Instruction::from_byte(c.ins) == Some(I::Select)").is_none());
    assert!(raw_instruction("s.send(&cmd::select_ef(fid)) // 00 A4 02 0C").is_none());
    assert!(raw_card_fact("return sw(0x6982);").is_some());
    assert!(raw_card_fact("sw(0x63C0 | tries as u16)").is_some());
    assert!(raw_card_fact("v.extend_from_slice(&[0x62, 0x82]);").is_some());
    assert!(raw_card_fact("&[0x67, 0x00][..]").is_some());
    assert!(raw_card_fact("f.insert((j, 0x0001), bin(c));").is_some());
    assert!(raw_card_fact("tlv(&[0xDF, 0x22], name)").is_some());
    assert!(raw_card_fact("sw(Sw::SecurityStatusNotSatisfied)").is_none());
    assert!(raw_card_fact("ca_params(\"x\", 0x7E57_0001, from, until)").is_none());
    assert!(raw_card_fact("tlv(&[0x06], &[0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x01])").is_none());
    assert!(raw_card_fact("/// answers 6A86 to 0x6A86").is_none());
}

/// `#[cfg(test)]` items: (name, lines).
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.trim_start().starts_with("#[cfg(test)]") {
            // Skip the gated item, as code_lines does.
            let mut depth = 0i64;
            i += 1;
            while i < lines.len() {
                let item = lines[i];
                let opened = item.contains('{');
                depth += item.matches('{').count() as i64 - item.matches('}').count() as i64;
                i += 1;
                if depth <= 0 && (opened || item.contains('}') || item.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        let t = l.trim_start();
        let sig = t
            .strip_prefix("pub ")
            .or_else(|| t.strip_prefix("pub(crate) "))
            .or_else(|| t.strip_prefix("pub(super) "))
            .unwrap_or(t);
        if let Some(rest) = sig.strip_prefix("fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let indent = &l[..l.len() - t.len()];
            let end = format!("{indent}}}");
            if let Some(len) = lines[i..].iter().position(|x| *x == end) {
                out.push((name, len + 1));
            }
        }
        i += 1;
    }
    out
}

/// Functions left long for now, as "file: name".
#[test]
fn no_function_is_over_120_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut long: Vec<String> = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "tests.rs"))
    {
        let rel = f.strip_prefix(&src).unwrap().display().to_string();
        for (name, n) in function_lengths(&std::fs::read_to_string(f).unwrap()) {
            if n > 120 {
                long.push(format!("{rel}: {name} ({n} lines)"));
            }
        }
    }
    long.sort();
    assert!(
        long.is_empty(),
        "functions over 120 lines: split each by its steps\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_check_measures_a_function() {
    let text = "fn a() {\n    x;\n}\n#[cfg(test)]\nmod tests {\n    fn t() {\n    }\n}\n    pub fn b(\n        y: u8,\n    ) {\n    }\n";
    assert_eq!(
        function_lengths(text),
        vec![("a".to_string(), 3), ("b".to_string(), 4)]
    );
}
