//! Shell completion completes `--reader` with the readers connected now
//! (issue 30): bash, zsh and fish scripts ask `mynacard complete-readers`,
//! which lists names and sends the card nothing.

use crate::common::bin;

#[test]
fn every_shell_script_asks_for_reader_names_after_reader() {
    for (shell, want) in [
        ("bash", "_mynacard_with_readers"),
        ("zsh", ":NAME|INDEX:_mynacard_readers'"),
        ("fish", "-l reader -x -a '(mynacard complete-readers"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains(want), "{shell}: {want} missing");
        assert!(s.contains("complete-readers"), "{shell}");
    }
    // The hidden lister is not offered as a command.
    let out = bin().arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("complete-readers"));
}

/// Through a real pcscd: bash, with the script sourced, completes
/// `mynacard status --reader ` with vpcd's two readers (names with spaces,
/// quoted), a typed name with itself alone, and a prefix of none with
/// nothing.
#[cfg(feature = "pcsc")]
#[test]
fn bash_completes_the_readers_pcscd_sees() {
    use crate::common::e2e::{default_card, insert, sandbox_with};
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let Some(mut sb) = sandbox_with(default_card()) else {
        return;
    };
    insert(&mut sb);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("mynacard.bash");
    let out = bin().args(["completions", "bash"]).output().unwrap();
    std::fs::write(&script, &out.stdout).unwrap();
    let exe = assert_cmd::cargo::cargo_bin("mynacard");
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let complete = |cur: &str| {
        let line = format!(
            "source '{}'; COMP_WORDS=(mynacard status --reader '{cur}'); COMP_CWORD=3; \
             _mynacard_with_readers mynacard '{cur}' --reader; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let o = std::process::Command::new("bash")
            .args(["--norc", "-c", &line])
            .env("PATH", &path)
            .env("PCSCLITE_CSOCK_NAME", sb.socket())
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let first = sb.reader();
    let second = first.replace(" 00 00", " 00 01");
    let quote = |s: &str| s.replace(' ', "\\ ");
    let all = complete("");
    assert!(all.contains(&quote(&first)), "{all:?}");
    assert!(all.contains(&quote(&second)), "{all:?}");
    // The full name typed as is, or escaped as bash shows it: that reader
    // alone (`… 00 0` would match both); a prefix of no reader: none.
    assert!(complete("no such reader").is_empty());
    let prefix = second.as_str();
    for typed in [prefix.to_string(), quote(prefix)] {
        let one = complete(&typed);
        assert_eq!(one, vec![quote(&second)], "{typed}");
    }
}
