#!/usr/bin/env bash
# The package as a user gets it: build it (scripts/package.sh), unpack it
# into a temporary folder (dpkg-deb -x), run the unpacked binary on the
# virtual card, render every man page with man -l, load the bash
# completion in a bash subshell, check the control file's dependencies;
# then `cargo package` (the crate builds from its packaged sources).
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=$(./scripts/package.sh | tail -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -x "$DEB" "$WORK/root"
dpkg-deb -f "$DEB" Depends | grep -q 'pcscd' || { echo "package: no dependency on pcscd" >&2; exit 1; }
dpkg-deb -f "$DEB" Recommends | grep -q 'libccid' || { echo "package: libccid not recommended" >&2; exit 1; }
BIN=$WORK/root/usr/bin/mynacard
export XDG_CACHE_HOME=$WORK/cache NO_COLOR=1 LANG=C
"$BIN" --version | grep -q "^mynacard $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
out=$("$BIN" --virtual --json status)
grep -q '"schema_version"' <<<"$out" || { echo "package: the unpacked binary gave no report" >&2; exit 1; }
pages=0
for page in "$WORK"/root/usr/share/man/man1/*; do
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>"$WORK/man.err" | col -b)
  if [ -s "$WORK/man.err" ]; then
    echo "package: man -l $page warned:" >&2; cat "$WORK/man.err" >&2; exit 1
  fi
  for s in "EXIT STATUS" ENVIRONMENT FILES; do
    grep -q "^$s" <<<"$text" || { echo "package: $page has no $s section" >&2; exit 1; }
  done
  pages=$((pages + 1))
done
[ -e "$WORK/root/usr/share/man/man1/mynacard-status.1.gz" ] || [ -e "$WORK/root/usr/share/man/man1/mynacard-status.1" ] ||
  { echo "package: no mynacard-status(1)" >&2; exit 1; }
for f in usr/share/bash-completion/completions/mynacard usr/share/zsh/vendor-completions/_mynacard \
         usr/share/fish/vendor_completions.d/mynacard.fish usr/share/doc/mynacard/copyright; do
  [ -s "$WORK/root/$f" ] || { echo "package: $f missing" >&2; exit 1; }
done
bash --norc --noprofile -c "
  source '$WORK/root/usr/share/bash-completion/completions/mynacard'
  complete -p mynacard >/dev/null
  COMP_WORDS=(mynacard st); COMP_CWORD=1; COMP_LINE='mynacard st'; COMP_POINT=11
  _mynacard mynacard st mynacard
  printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx status
" || { echo "package: the bash completion does not complete 'mynacard st'" >&2; exit 1; }
echo "package: $DEB: $pages man pages render, completion loads, the binary reports" >&2
# Verified in a target folder of its own: the packaged crate's build must
# not replace this checkout's binaries (same paths, other sources).
cargo package --locked --quiet --allow-dirty --target-dir target/package-verify
[ -e "target/package-verify/package/mynacard-$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1).crate" ] ||
  { echo "package: cargo package made no crate" >&2; exit 1; }
