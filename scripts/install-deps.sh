#!/usr/bin/env bash
# Install the Debian/Ubuntu packages mynacard needs to build, to serve its
# virtual card through the real PC/SC stack, to cross-check with OpenSC,
# and to build and check its Debian package (dpkg-dev for cargo-deb's
# dependency scan, man-db and bsdextrautils' col to render the pages), and
# tmux to drive the counter screen in a real terminal in its test, and
# python3-jsonschema to judge the JSON output against the schemas, and qpdf
# and poppler-utils (pdfsig) to judge the signed PDFs; lintian to judge the
# Debian package; python3-venv for
# pyHanko, the optional third PDF judge (a PyPI package, in a venv of its
# own under ~/.cache/mynacard-judges: its test is skipped without it);
# fonts-ipaexfont-gothic for `pdf sign --stamp`'s default font (IPA Font
# License: embedding allowed) and its test, and time (GNU time) for
# scripts/bench-pdf.sh.
# Installs only what is missing; uses sudo when not root. Never prompts.
set -euo pipefail

PKGS=(pcscd vsmartcard-vpcd libpcsclite-dev pkg-config opensc pcsc-tools hyperfine openssl
      dpkg-dev man-db bsdextrautils tmux python3-jsonschema qpdf poppler-utils python3-venv
      fonts-ipaexfont-gothic time lintian)
missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
judges() {
  local dir="${MYNACARD_JUDGES:-$HOME/.cache/mynacard-judges}"
  [ -x "$dir/bin/pyhanko" ] && return 0
  { python3 -m venv "$dir" && timeout 600 "$dir/bin/pip" install -q "pyhanko==0.38.0" "pyhanko-cli==0.6.0" </dev/null >&2; } \
    || echo "install-deps: pyHanko not installed (its judge is skipped)" >&2
  return 0
}
# jpki-cli (siketyan/jpki-rs, crates.io), the second independent reader of
# the served card (tests/it/e2e_readers.rs): built from its locked sources
# into target/tools, once (kept while target/ is). A debug build: the
# tests read a few hundred bytes with it, and a release build costs more
# than twice the time. With JPKI_CLI_BACKGROUND=1 it builds in the
# background (scripts/test.sh overlaps it with the main build and waits
# for it before the tests); its log is target/tools/jpki-cli.log.
readers() {
  local root=target/tools
  [ -x "$root/bin/jpki-cli" ] && return 0
  mkdir -p "$root"
  if ! command -v cargo >/dev/null; then
    echo "install-deps: no cargo: jpki-cli not installed (its test is skipped outside CI)" >&2
    return 0
  fi
  local cmd=(nice cargo install --quiet --locked --debug --root "$root" jpki-cli@0.4.3)
  if [ "${JPKI_CLI_BACKGROUND:-0}" = 1 ]; then
    "${cmd[@]}" </dev/null >"$root/jpki-cli.log" 2>&1 &
    echo $! > "$root/jpki-cli.pid"
  else
    "${cmd[@]}" </dev/null >&2 || echo "install-deps: jpki-cli not installed" >&2
  fi
  return 0
}
[ ${#missing[@]} -eq 0 ] && { judges; readers; exit 0; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n";
  elif command -v sudo >/dev/null; then SUDO="sudo";
  else echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
fi
echo "install-deps: installing ${missing[*]}" >&2
# A distribution pcscd must not auto-start during installation: our tests run
# their own instances (policy-rc.d exit 101 = "do not start services").
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { [ -n "$created_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
timeout 600 $SUDO apt-get update -qq </dev/null >&2
timeout 900 $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >&2
judges
readers
