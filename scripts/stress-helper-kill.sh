#!/usr/bin/env bash
# The helper-kill stress run (docs/security.md, promise 1): SIGKILL the PC/SC
# helper at each phase (before, during and after the VERIFY, during a
# signature) RUNS times (default 20) on the slow served card, each time
# probing the card from OpenSC every 50 ms for 1 s. Needs what
# scripts/install-deps.sh installs; runs outside the 10-minute test run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
RUNS="${1:-20}"
CI=true MYNACARD_HELPER_KILL_RUNS="$RUNS" cargo test --locked --test it e2e_exit_paths::helper_killed -- --test-threads=1
