//! `mynacard completions SHELL`: clap's script, and for bash, zsh and fish
//! the names of the readers connected now after `--reader` (asked of the
//! hidden `mynacard complete-readers`, which lists names and touches no
//! card). PowerShell and Elvish get clap's script as it is.

use clap_complete::Shell;

/// The zsh completer of `--reader`'s value.
const ZSH_READERS: &str = r#"
_mynacard_readers() {
    local -a r
    r=("${(@f)$(mynacard complete-readers 2>/dev/null)}")
    compadd -a r
}
"#;

/// bash: `--reader` completes reader names (quoted as the shell needs),
/// everything else as clap's `_mynacard` does.
const BASH_READERS: &str = r#"
_mynacard_with_readers() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    if [[ "$prev" == "--reader" ]]; then
        # What was typed, as the name it stands for (`Virtual\ PCD`, `'Virt`).
        local r want="${cur//\\/}"
        want="${want#[\"\']}"
        COMPREPLY=()
        while IFS= read -r r; do
            [[ "$r" == "$want"* ]] && COMPREPLY+=("$(printf '%q' "$r")")
        done < <(mynacard complete-readers 2>/dev/null)
        return 0
    fi
    _mynacard "$@"
}
complete -F _mynacard_with_readers -o nosort -o bashdefault -o default mynacard
"#;

const FISH_READERS: &str =
    "complete -c mynacard -l reader -x -a '(mynacard complete-readers 2>/dev/null)'\n";

/// The script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut cmd = super::manual::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mynacard", &mut out);
    let s = String::from_utf8_lossy(&out).into_owned();
    match shell {
        Shell::Bash => s + BASH_READERS,
        Shell::Fish => s + FISH_READERS,
        Shell::Zsh => {
            let s = s.replace(":NAME|INDEX:_default'", ":NAME|INDEX:_mynacard_readers'");
            match s.split_once('\n') {
                Some((first, rest)) => format!("{first}\n{ZSH_READERS}{rest}"),
                None => s,
            }
        }
        _ => s,
    }
}
