#!/usr/bin/env bash
# The whole test suite: unit tests, the CLI on the in-process virtual card,
# end-to-end tests through a real pcscd + vpcd + the served virtual card
# (each test starts and stops its own pcscd by PID), the JSON contract
# judged by Python's jsonschema, the build without PC/SC, and the crate and
# Debian package as users get them. With CI=true the end-to-end tests fail
# instead of skipping when pcscd cannot start.
#
# Budget: under 10 minutes from a clean clone on the 2-core CI machine
# (`.ci/run` runs this script). Each step prints its wall time. Measured on
# a clean clone on 2026-12-06 (9 min 15 s in all, exit 0; docs/performance.md,
# "CI budget"), and each step's budget:
#   deps      install-deps.sh (apt, only what is missing)      1 s here; budget 1 min
#   build     debug build of every target, once, with         273 s;    budget 5 min
#             jpki-cli's niced debug build in the background
#   jpki-cli  the wait for that build (it ends first)            0 s;     budget 1 min
#   tests     unit + integration tests, 6 test threads         105 s;    budget 2 min
#   no-pcsc   the library and its tests without PC/SC           25 s;    budget 0.5 min
#   json      json-samples.sh | json-validate.py, en and ja      7 s;    budget 0.2 min
#   package   one release build from the packaged crate (no   144 s;    budget 2.5 min
#             thin LTO under CI), .deb, lintian, its checks
# A change that adds a step or grows one past its budget says so here and in
# docs/performance.md, and keeps the total under 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
step() {
  local name=$1 t0=$SECONDS
  shift
  "$@"
  echo "test.sh: $name: $((SECONDS - t0)) s" >&2
}
# Most tests wait on a card, a pcscd or a timer, not on a core.
export RUST_TEST_THREADS=${RUST_TEST_THREADS:-6}
# jpki-cli (an independent reader for the tests) builds in the background,
# niced, while the main build runs; the tests wait for it.
step deps env JPKI_CLI_BACKGROUND=1 ./scripts/install-deps.sh
step build cargo build --all-targets --locked
readers() {
  local pid=target/tools/jpki-cli.pid
  [ -f "$pid" ] || return 0
  while kill -0 "$(cat "$pid")" 2>/dev/null; do sleep 1; done
  rm -f "$pid"
  [ -x target/tools/bin/jpki-cli ] || { echo "test.sh: jpki-cli failed to build:" >&2; cat target/tools/jpki-cli.log >&2; }
}
step jpki-cli readers
step tests cargo test --all-targets --locked "$@"
step no-pcsc cargo test --no-default-features --lib --locked
json() {
  local l
  for l in C ja_JP.UTF-8; do
    SAMPLES_LANG=$l ./scripts/json-samples.sh | /usr/bin/python3 scripts/json-validate.py
  done
}
step json json
# The crate and the Debian package, as users get them (not when only some
# tests were asked for).
if [ $# -eq 0 ]; then
  step package ./scripts/test-package.sh
fi
echo "test.sh: total: $SECONDS s" >&2
