#!/usr/bin/env bash
# Cross-check mynacard for Windows and macOS from a Debian/Ubuntu machine.
# Not part of scripts/test.sh (it builds the whole tree twice more).
#
#   scripts/cross-check.sh          the checks below
#   scripts/cross-check.sh --wine   also run the Windows build under wine
#
# What it installs, when missing (idempotent, never prompts; sudo when not
# root):
#   rustup target add x86_64-pc-windows-gnu x86_64-apple-darwin
#   apt-get install gcc-mingw-w64-x86-64        (the Windows linker)
#   apt-get install wine64 wine                 (--wine only)
#
# What it checks, each failing on any warning:
#   Windows (x86_64-pc-windows-gnu): cargo clippy -D warnings, default
#     features and --no-default-features; cargo build (linked with mingw:
#     target/x86_64-pc-windows-gnu/debug/mynacard.exe).
#   macOS (x86_64-apple-darwin): cargo clippy -D warnings (a `cargo check`
#     with lints), default features and --no-default-features. Nothing is
#     linked: Debian has no macOS linker or SDK.
#   The library and the binary only: the tests are not compiled for either
#   target (some use Unix-only calls), and the suite runs on Linux only.
#   --wine: mynacard.exe --version, --virtual status, --virtual --json pin
#     status, --virtual pin status (the in-process virtual card; exit 0 and
#     the expected output), and `readers` (it must start its PC/SC helper
#     process and end with a PC/SC exit code, 3 or 8, not hang or crash:
#     wine 8.0's winscard.dll is a stub with no pcsc-lite behind it), `vcard
#     sandbox` ("only on Linux", exit 3), and Ctrl-C (a SIGINT to wine is
#     the console's CTRL_C_EVENT) during a slow `pin status`: exit 130;
#     PIN files, --pin-stdin, --state, -o, and `| head` (no panic).
#     Wine 8 (Debian 12) lacks bcryptprimitives.dll, which Rust's standard
#     library on Windows needs (ProcessPrng): a 10-line stand-in built with
#     mingw over RtlGenRandom is put into a private wine prefix in
#     target/cross-wine/. That is a shim for wine, not part of mynacard.
set -euo pipefail
cd "$(dirname "$0")/.."

WIN=x86_64-pc-windows-gnu
MAC=x86_64-apple-darwin
WINE=0
for a in "$@"; do
  case "$a" in
    --wine) WINE=1 ;;
    *) echo "usage: $0 [--wine]" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n";
  else SUDO="sudo"; fi
fi
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "cross-check: installing ${missing[*]}" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { $SUDO apt-get update >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

# 1. The Rust targets and the Windows linker.
installed=$(rustup target list --installed)
for t in "$WIN" "$MAC"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done
apt_install gcc-mingw-w64-x86-64

# 2. The checks. Cargo replays a cached unit's warnings, so a second run
#    fails the same way as the first.
run() {
  echo "cross-check: $*" >&2
  local log
  log=$(mktemp)
  if ! "$@" 2>&1 | tee "$log" >&2; then rm -f "$log"; echo "cross-check: FAILED: $*" >&2; exit 1; fi
  if grep -q '^warning' "$log"; then rm -f "$log"; echo "cross-check: FAILED (warnings): $*" >&2; exit 1; fi
  rm -f "$log"
}
LOCKED=--locked
for t in "$WIN" "$MAC"; do
  run cargo clippy $LOCKED --target "$t" -- -D warnings
  run cargo clippy $LOCKED --target "$t" --no-default-features -- -D warnings
done
run cargo build $LOCKED --target "$WIN"

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
EXE="$TARGET_DIR/$WIN/debug/mynacard.exe"
echo "cross-check: built $EXE; checked $MAC" >&2

# 3. The Windows build under wine (optional).
if [ "$WINE" = 1 ]; then
  apt_install wine64 wine
  export WINEPREFIX="$TARGET_DIR/cross-wine/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  mkdir -p "$TARGET_DIR/cross-wine"
  [ -d "$WINEPREFIX" ] || { echo "cross-check: making a wine prefix" >&2; wineboot --init >/dev/null 2>&1 || true; }
  shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
  if [ ! -e "$shim" ]; then
    cat >"$TARGET_DIR/cross-wine/bcp.c" <<'EOF'
#include <windows.h>
BOOLEAN NTAPI SystemFunction036(PVOID buf, ULONG len); /* RtlGenRandom */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n; len -= n;
    }
    return TRUE;
}
EOF
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" "$TARGET_DIR/cross-wine/bcp.c" -ladvapi32
  fi
  w() { timeout 120 wine "$EXE" "$@" 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }
  expect() { # expect CODE PATTERN ARGS...
    local want=$1 pat=$2 out code; shift 2
    set +e; out=$(w "$@"); code=$?; set -e
    printf '%s\n' "$out" | head -5 | sed 's/^/    /' >&2
    if ! [[ " $want " == *" $code "* ]] || ! grep -q -- "$pat" <<<"$out"; then
      echo "cross-check: FAILED under wine: mynacard.exe $* (exit $code, wanted $want and /$pat/)" >&2; exit 1
    fi
    echo "cross-check: wine: mynacard.exe $*: exit $code" >&2
  }
  expect 0 '^mynacard 0\.' --version
  expect 0 'resident-registry PIN' --virtual status
  expect 0 '"command": "pin status"' --virtual --json pin status
  expect 0 'signature password  *5/5' --virtual pin status
  expect "3 8" 'PC/SC' readers
  expect 3 'only on Linux' vcard sandbox -- true
  # Files: a PIN file and a wrong PIN on standard input against a state
  # file (locked by an unshared open, written atomically); an output file,
  # not replaced without --force.
  d="$TARGET_DIR/cross-wine/files"
  rm -rf "$d"; mkdir -p "$d"; printf '1234\n' >"$d/pin"
  wd="Z:${d//\//\\}"
  expect 0 'is correct' --virtual --state "$wd\\state.json" pin verify auth --pin-file "$wd\\pin"
  set +e; printf '9999\n' | timeout 120 wine "$EXE" --virtual --state "$wd\\state.json" pin verify auth --pin-stdin >/dev/null 2>&1; code=$?; set -e
  [ "$code" = 9 ] || { echo "cross-check: FAILED under wine: a wrong PIN on stdin gave exit $code, not 9" >&2; exit 1; }
  expect 0 'user-authentication PIN  *2/3' --virtual --state "$wd\\state.json" pin status
  expect 0 '' --virtual cert show auth --pem -o "$wd\\auth.pem"
  expect 13 'exists' --virtual cert show auth --pem -o "$wd\\auth.pem"
  grep -q 'BEGIN CERTIFICATE' "$d/auth.pem" || { echo "cross-check: FAILED under wine: -o wrote no certificate" >&2; exit 1; }
  # A closed standard output (`| head`): a quiet end (141), or 0 when all
  # was written before the reader went; never a panic.
  set +e
  timeout 120 wine "$EXE" --virtual --json status 2>"$d/pipe.err" | head -c 1 >/dev/null
  code=${PIPESTATUS[0]}
  set -e
  if ! [[ "$code" == 0 || "$code" == 141 ]] || grep -q panicked "$d/pipe.err"; then
    tr -d '\r' <"$d/pipe.err" | head -3 >&2
    echo "cross-check: FAILED under wine: | head gave exit $code" >&2; exit 1
  fi
  echo "cross-check: wine: mynacard.exe --virtual --json status | head -c 1: exit $code" >&2
  # Ctrl-C: wine turns a SIGINT to the program into the console's
  # CTRL_C_EVENT. A card that answers after 3 s keeps `pin status` busy.
  prof="$TARGET_DIR/cross-wine/slow.toml"
  wine "$EXE" vcard profile 2>/dev/null | tr -d '\r' >"$prof"
  printf '\n[faults]\ndelay_ms = 3000\n' >>"$prof"
  log="$TARGET_DIR/cross-wine/ctrl-c.log"
  wine "$EXE" --virtual="Z:${prof//\//\\}" --timeout 30 pin status >"$log" 2>&1 &
  pid=$!
  sleep 6
  kill -INT "$pid"
  set +e; wait "$pid"; code=$?; set -e
  tr -d '\r' <"$log" | sed 's/^/    /' >&2
  if [ "$code" != 130 ] || ! grep -q 'interrupted by Ctrl-C' "$log"; then
    echo "cross-check: FAILED under wine: Ctrl-C during pin status (exit $code, wanted 130)" >&2; exit 1
  fi
  echo "cross-check: wine: Ctrl-C during pin status: exit $code" >&2
fi
echo "cross-check: passed" >&2
