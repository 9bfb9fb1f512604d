#!/usr/bin/env bash
# The whole test suite: unit tests, the CLI on the in-process virtual card,
# and end-to-end tests through a real pcscd + vpcd + the served virtual card
# (each test starts and stops its own pcscd by PID). With CI=true the
# end-to-end tests fail instead of skipping when pcscd cannot start.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo build --all-targets --locked 2>/dev/null || cargo build --all-targets
cargo test --all-targets "$@"
cargo test --no-default-features --lib
# An independent judge of the JSON contract, in both languages.
for l in C ja_JP.UTF-8; do
  SAMPLES_LANG=$l ./scripts/json-samples.sh | /usr/bin/python3 scripts/json-validate.py
done
# The Debian package and the packaged crate, as a user gets them (not when
# only some tests were asked for).
if [ $# -eq 0 ]; then
  ./scripts/test-package.sh
fi
