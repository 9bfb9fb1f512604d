#!/usr/bin/env bash
# Benchmark: for readers, pin status, cert show auth, status and info — the
# APDU count, bytes sent and received, and the median wall time — against
# the virtual card served through a real pcscd + vpcd, and in-process; and
# OpenSC on the same served card for the equivalent work. Writes
# docs/performance.md. Needs root (a private pcscd in a mount namespace).
# Runs in well under 2 minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo build --release --quiet
BIN=$PWD/target/release/mynacard
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
# The built-in card, answering extended-length READ BINARY too (the tool
# uses it only when asked, or once shown to work).
printf 'base = "builtin"\n[card]\nextended_length = true\n' > "$WORK/card.toml"
$SUDO "$BIN" vcard sandbox --profile "$WORK/card.toml" --apdu-log "$WORK/apdu.log" -- \
  ./scripts/bench-inner.sh "$BIN" "$WORK" "$PWD/docs/performance.md"
echo "bench: wrote docs/performance.md" >&2
