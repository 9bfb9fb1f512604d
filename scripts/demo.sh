#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the status report on
# the built-in virtual card served through a private pcscd + vpcd.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo build --release --quiet
BIN=target/release/mynacard
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
exec $SUDO "$BIN" vcard sandbox -- "$BIN" "${@:-status}"
