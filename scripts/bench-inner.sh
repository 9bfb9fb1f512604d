#!/usr/bin/env bash
# The measuring half of scripts/bench.sh, for one timing preset; runs inside
# `mynacard vcard sandbox`, so PCSCLITE_CSOCK_NAME points at the private
# pcscd and every APDU the served card answers is a line of $LOG. Writes
# the preset's table to $WORK/rows-$PRESET.md.
set -euo pipefail
BIN=$1 WORK=$2 PRESET=$3 RUNS=$4 LOG=$5
WARMUP=$(( RUNS >= 10 ? 3 : 1 ))
export XDG_CACHE_HOME=$WORK/cache-$PRESET NO_COLOR=1 LANG=C
export BENCH_PIN=1234          # the built-in profile's user PINs (test data)
export BENCH_SIGN_PIN=TEST1234 # and its signature password
export OPENSC_DRIVER=jpki      # OpenSC at its best: no probing of other drivers
touch "$LOG"
echo "a document to sign" > "$WORK/doc.txt"
P11=""
for m in /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so /usr/lib/aarch64-linux-gnu/opensc-pkcs11.so; do
  [ -e "$m" ] && P11=$m
done

# median wall time in ms of a command (hyperfine, no shell, output discarded)
median() {
  hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-csv "$WORK/h.csv" -- "$*" >/dev/null 2>&1
  awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$WORK/h.csv"
}

# "APDUs bytes-sent bytes-received" of one run, from the served card's log
counts() {
  local before after
  before=$(wc -l < "$LOG")
  "$@" >/dev/null 2>&1 || true
  after=$(wc -l < "$LOG")
  tail -n +"$((before + 1))" "$LOG" | head -n "$((after - before))" |
    awk '{ split($2, a, "="); split($3, b, "="); n++; i += a[2]; o += b[2] }
         END { printf "%d %d %d", n, i, o }'
}

# "APDUs bytes-sent bytes-received ms" of a command
measure() {
  # shellcheck disable=SC2046
  echo "$(counts "$@") $(median "$@")"
}

# the sum of two measurements
plus() {
  read -r a1 b1 c1 m1 <<<"$1"
  read -r a2 b2 c2 m2 <<<"$2"
  echo "$((a1 + a2)) $((b1 + b2)) $((c1 + c2)) $(awk -v x="$m1" -v y="$m2" 'BEGIN { printf "%.1f", x + y }')"
}

rows=()
# row TASK "mynacard measurement" "OpenSC measurement or -" NOTE
row() {
  local n ours theirs ratio
  read -r a b c m <<<"$2"
  ours="$a | $b / $c | $m"
  if [ "$3" = "-" ]; then
    theirs="— | — | —" ratio="—"
  else
    read -r oa ob oc om <<<"$3"
    theirs="$oa | $ob / $oc | $om"
    ratio=$(awk -v o="$om" -v m="$m" 'BEGIN { if (m > 0) printf "%.2f×", o / m; else print "—" }')
  fi
  n=$4
  rows+=("| $1 | $ours | $theirs | $ratio | $n |")
}

"$BIN" status >/dev/null 2>&1 || true   # the kept CA and certificate: the warm case

pins=$(measure "$BIN" pin status)
o_pins=$(measure pkcs15-tool --list-pins --reader 0)
row "PIN counters" "$pins" "$o_pins" "mynacard: all 4 PINs (5 references); OpenSC \`--list-pins\`: 2"

# A new resident at the counter: the CA kept from earlier cards, this
# card's certificate not (the certificate cache is a file: nothing is kept).
fresh=$WORK/newcard-$PRESET
mkdir -p "$fresh/mynacard"
cp -r "$XDG_CACHE_HOME/mynacard/ca" "$fresh/mynacard/"
touch "$fresh/mynacard/auth-certs"
cert=$(XDG_CACHE_HOME=$fresh measure "$BIN" cert show auth)
o_cert=$(measure pkcs15-tool --read-certificate 01 --reader 0)
row "user-authentication certificate" "$cert" "$o_cert" "\`cert show auth\`, its chain checked with the CA kept from earlier cards, vs \`--read-certificate 01\`"

o_both=$(plus "$o_pins" "$o_cert")
warm=$(measure "$BIN" status)
row "status, the same card again" "$warm" "$o_both" "the kept certificate confirmed by one short read; OpenSC: \`--list-pins\` + \`--read-certificate 01\`"
new=$(XDG_CACHE_HOME=$fresh measure "$BIN" status)
row "status, a new card (CA kept)" "$new" "$o_both" "a counter's usual case: this card's certificates read whole, the CA kept from earlier cards"
cold=$(measure "$BIN" status --no-cache)
row "status, a card never seen" "$cold" "$o_both" "\`--no-cache\`: both certificates and the CA read whole"

info=$(measure "$BIN" info --pin-env BENCH_PIN)
row "card-info AP (info)" "$info" "-" "OpenSC's jpki driver does not read the 券面事項入力補助AP"

sign=$(measure "$BIN" sign --pin-env BENCH_SIGN_PIN -o - "$WORK/doc.txt")
sign_auth=$(measure "$BIN" sign --key auth --pin-env BENCH_PIN -o - "$WORK/doc.txt")
if [ -n "$P11" ]; then
  p11="pkcs11-tool --module $P11 --login --sign -m SHA256-RSA-PKCS --input-file $WORK/doc.txt --output-file $WORK/p11.sig"
  # shellcheck disable=SC2086
  o_sign=$(measure $p11 --slot 1 --pin TEST1234 --id 02)
  # shellcheck disable=SC2086
  o_sign_auth=$(measure $p11 --slot 0 --pin 1234 --id 01)
else
  o_sign="-" o_sign_auth="-"
fi
row "sign, signature key" "$sign" "$o_sign" "mynacard: a CMS with the certificate; OpenSC \`pkcs11-tool --sign\`: the PKCS#1 signature only"
row "sign, user-authentication key" "$sign_auth" "$o_sign_auth" "as above"

ext=$(XDG_CACHE_HOME=$WORK/ext-$PRESET measure "$BIN" status --no-cache --extended-length)
row "status, a card never seen, extended length" "$ext" "-" "one READ BINARY per certificate (reader-dependent, remembered)"

{
  echo "| task | APDUs | bytes sent / received | median ms | OpenSC APDUs | bytes sent / received | median ms | OpenSC ÷ mynacard | notes |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
} > "$WORK/rows-$PRESET.md"

if [ "$PRESET" = none ]; then
  # The sequence of `status` and the extra OpenSC rows without the driver named.
  "$BIN" --no-cache --trace status 2>&1 >/dev/null | grep '^> ' | sed 's/^> //' > "$WORK/sequence.txt"
  unset OPENSC_DRIVER
  {
    echo "| OpenSC, drivers probed (no \`OPENSC_DRIVER\`) | APDUs | bytes sent / received | median ms |"
    echo "|---|---:|---:|---:|"
    for c in "pkcs15-tool --list-pins" "pkcs15-tool --read-certificate 01"; do
      # shellcheck disable=SC2086
      read -r a b c2 m <<<"$(measure $c --reader 0)"
      echo "| \`$c\` | $a | $b / $c2 | $m |"
    done
  } > "$WORK/probing.md"
fi
