#!/usr/bin/env bash
# The measuring half of scripts/bench.sh; runs inside `mynacard vcard
# sandbox`, so PCSCLITE_CSOCK_NAME points at the private pcscd and every
# APDU the served card answers is a line of $WORK/apdu.log.
set -euo pipefail
BIN=$1 WORK=$2 OUT=$3
LOG=$WORK/apdu.log
RUNS=${BENCH_RUNS:-30}
export XDG_CACHE_HOME=$WORK/cache NO_COLOR=1 LANG=C
export BENCH_PIN=1234   # the built-in profile's card-info PIN (test data)
touch "$LOG"

# median wall time in ms of a command (hyperfine, no shell, output discarded)
median() {
  hyperfine -N --warmup 3 --runs "$RUNS" --export-csv "$WORK/h.csv" -- "$*" >/dev/null 2>&1
  awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$WORK/h.csv"
}

# APDUs, bytes sent, bytes received of one run, from the served card's log
served_counts() {
  local before after
  before=$(wc -l < "$LOG")
  "$@" >/dev/null 2>&1 || true
  after=$(wc -l < "$LOG")
  tail -n +"$((before + 1))" "$LOG" | head -n "$((after - before))" |
    awk '{ split($2, a, "="); split($3, b, "="); n++; i += a[2]; o += b[2] }
         END { printf "%d|%d|%d", n, i, o }'
}

# the same from mynacard's own --trace summary line (in-process card)
trace_counts() {
  "$@" --trace 2>&1 >/dev/null |
    sed -n 's/^# \([0-9]*\) APDUs, \([0-9]*\) bytes sent, \([0-9]*\) bytes received.*/\1|\2|\3/p'
}

rows=()
row() { rows+=("| $1 | $2 | $(cut -d'|' -f1 <<<"$3") | $(cut -d'|' -f2 <<<"$3") | $(cut -d'|' -f3 <<<"$3") | $4 |"); }

declare -a CASES=(
  "readers|readers"
  "pin status|pin status"
  "cert show auth|cert show auth --no-cache"
  "status (cold cache)|status --no-cache"
  "status (warm cache)|status"
  "info|info --pin-env BENCH_PIN"
)

"$BIN" status >/dev/null   # fills the CA cache for the warm case
for c in "${CASES[@]}"; do
  name=${c%%|*} args=${c#*|}
  # shellcheck disable=SC2086
  row "mynacard $name" "pcscd + vpcd" "$(served_counts "$BIN" $args)" "$(median "$BIN" $args)"
done
for c in "${CASES[@]}"; do
  name=${c%%|*} args=${c#*|}
  [ "$name" = readers ] && args="readers"
  # shellcheck disable=SC2086
  row "mynacard $name" "in-process" "$(trace_counts "$BIN" --virtual $args)" "$(median "$BIN" --virtual $args)"
done
for c in "--list-pins|pkcs15-tool --list-pins" "--read-certificate 01|pkcs15-tool --read-certificate 01"; do
  name=${c%%|*} args=${c#*|}
  # shellcheck disable=SC2086
  row "OpenSC $args" "pcscd + vpcd" "$(served_counts $args --reader 0)" "$(median $args --reader 0)"
  # shellcheck disable=SC2086
  row "OpenSC $args, OPENSC_DRIVER=jpki" "pcscd + vpcd" \
    "$(OPENSC_DRIVER=jpki served_counts $args --reader 0)" "$(OPENSC_DRIVER=jpki median $args --reader 0)"
done
# Signing: a detached CMS of a small file with the signature key, and the
# user-authentication key; OpenSC's PKCS#11 module signs the same file with
# the same keys (SHA256-RSA-PKCS: the PKCS#1 signature only, no container).
export BENCH_SIGN_PIN=TEST1234   # the built-in profile's signature password (test data)
echo "a document to sign" > "$WORK/doc.txt"
P11=""
for m in /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so /usr/lib/aarch64-linux-gnu/opensc-pkcs11.so; do
  [ -e "$m" ] && P11=$m
done
for c in "sign|sign --pin-env BENCH_SIGN_PIN -o - $WORK/doc.txt" \
         "sign --key auth|sign --key auth --pin-env BENCH_PIN -o - $WORK/doc.txt"; do
  name=${c%%|*} args=${c#*|}
  # shellcheck disable=SC2086
  row "mynacard $name" "pcscd + vpcd" "$(served_counts "$BIN" $args)" "$(median "$BIN" $args)"
  # shellcheck disable=SC2086
  row "mynacard $name" "in-process" "$(trace_counts "$BIN" --virtual $args)" "$(median "$BIN" --virtual $args)"
done
if [ -n "$P11" ]; then
  for c in "1|TEST1234|02|signature key" "0|1234|01|user-authentication key"; do
    IFS='|' read -r slot pin id what <<<"$c"
    args="pkcs11-tool --module $P11 --slot $slot --login --pin $pin --sign --id $id -m SHA256-RSA-PKCS --input-file $WORK/doc.txt --output-file $WORK/p11.sig"
    # shellcheck disable=SC2086
    row "OpenSC pkcs11-tool --sign, $what" "pcscd + vpcd" "$(served_counts $args)" "$(median $args)"
    # shellcheck disable=SC2086
    row "OpenSC pkcs11-tool --sign, $what, OPENSC_DRIVER=jpki" "pcscd + vpcd" \
      "$(OPENSC_DRIVER=jpki served_counts $args)" "$(OPENSC_DRIVER=jpki median $args)"
  done
fi
# Extended length: one READ BINARY per certificate (cache of its own).
export XDG_CACHE_HOME=$WORK/cache-ext
"$BIN" --extended-length cert show auth >/dev/null   # shown to work: remembered
for c in "cert show auth|cert show auth --no-cache --extended-length" "status (cold cache)|status --no-cache --extended-length"; do
  name=${c%%|*} args=${c#*|}
  # shellcheck disable=SC2086
  row "mynacard $name, extended length" "pcscd + vpcd" "$(served_counts "$BIN" $args)" "$(median "$BIN" $args)"
done
export XDG_CACHE_HOME=$WORK/cache
: "$name"

sequence=$("$BIN" --no-cache --trace status 2>&1 >/dev/null | grep '^> ' | sed 's/^> //')
seq_warm=$("$BIN" --trace status 2>&1 >/dev/null | grep -c '^> ')

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "# Performance"
  echo
  echo "Measured by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d): the built-in virtual card served through a"
  echo "private pcscd with vsmartcard's vpcd driver (APDUs counted in the served card's log), and the same card"
  echo "in-process (counted by \`--trace\`). Median of $RUNS runs after 3 warm-up runs (hyperfine, no shell);"
  echo "each run is a whole process: start-up, PC/SC connection, the APDUs, rendering."
  echo
  echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r); pcscd $(dpkg-query -W -f='${Version}' pcscd),"
  echo "vsmartcard-vpcd $(dpkg-query -W -f='${Version}' vsmartcard-vpcd), OpenSC $(dpkg-query -W -f='${Version}' opensc),"
  echo "$(hyperfine --version), $("$BIN" --version)."
  echo
  echo "| command | path | APDUs | bytes sent | bytes received | median ms |"
  echo "|---|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "OpenSC's counts include its driver probing (about 30 APDUs of other cards' AIDs) unless"
  echo "\`OPENSC_DRIVER=jpki\` names the driver. \`pkcs15-tool --list-pins\` reports 2 of the 4 PINs;"
  echo "\`mynacard pin status\` reports all four (five key references). The cold-cache \`status\` reads the"
  echo "CA certificate from the card; the warm one takes it from the cache (verified against the card's"
  echo "certificate) and reads $seq_warm APDUs. With \`--extended-length\` (or once a reader and card have"
  echo "been shown to take it) each certificate is one READ BINARY with Le = 65536; a 6700 falls back to"
  echo "short reads for the rest of the command and is remembered."
  echo
  echo "## The APDUs of \`status\` (cold cache)"
  echo
  echo '```'
  echo "$sequence"
  echo '```'
  echo
  echo "Each application is selected once; EFs are read by short EF identifier (no SELECT EF); a"
  echo "certificate is read in 256-byte short READ BINARY commands after the first, whose DER header gives"
  echo "the length; the PIN counters are case-1 retry queries by SFI; the card record is one READ RECORD"
  echo "by SFI."
} > "$OUT"
