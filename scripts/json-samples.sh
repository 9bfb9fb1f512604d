#!/usr/bin/env bash
# Print, one JSON document after another, the --json output of every command on
# the in-process virtual card across the fixture profiles (and a few
# errors), in the language SAMPLES_LANG (default C). The schema test
# (tests/it/json_schema.rs) runs the same commands; scripts/test.sh pipes
# this script's output, in English and Japanese, to scripts/json-validate.py.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug/mynacard}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME=$WORK/cache NO_COLOR=1 LANG=${SAMPLES_LANG:-C}
export P_SIGN=TEST1234 P_USER=1234 P_NEW=4321 P_BAD=9999
echo "a document" > "$WORK/doc.txt"
one() { "$BIN" "$@" 2>/dev/null || true; }
for f in fixtures/profiles/*.toml; do
  v="--virtual=$f"
  one "$v" --json status
  one "$v" --json status --with-sign --pin-env P_SIGN
  one "$v" --json pin status
  one "$v" --json readers
  one "$v" --json doctor
  one "$v" --json cert show auth
  one "$v" --json cert show sign --pin-env P_SIGN
  one "$v" --json info --pin-env P_USER
  one "$v" --json info --pin-env P_USER --show-number
  one "$v" --json prove --pin-env P_USER
  one "$v" --json pin verify auth --pin-env P_USER
  one "$v" --json pin verify auth --pin-env P_BAD
  one "$v" --json pin change auth --pin-env P_USER --new-pin-env P_NEW
  one "$v" --json sign --pin-env P_SIGN -o "$WORK/doc.p7s" --force "$WORK/doc.txt"
  one "$v" --json sign --digest-only 0000000000000000000000000000000000000000000000000000000000000000 --pin-env P_SIGN
  [ -e "$WORK/doc.p7s" ] && one --json verify --test-pki "$WORK/doc.txt" "$WORK/doc.p7s"
  [ -e "$WORK/doc.p7s" ] && one --json verify --test-pki --show-holder "$WORK/doc.txt" "$WORK/doc.p7s"
  [ -e "$WORK/doc.p7s" ] && one --json verify "$WORK/doc.txt" "$WORK/doc.p7s"
  one "$v" cert show auth --pem -o "$WORK/auth.pem" --force >/dev/null
  [ -e "$WORK/auth.pem" ] && one --json cert inspect "$WORK/auth.pem"
done
one --json status --bogus
