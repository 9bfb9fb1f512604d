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

JPKI=${JPKI_CLI:-$PWD/target/tools/bin/jpki-cli}
[ -x "$JPKI" ] || JPKI=""

# The limit of a task: the fewest short APDUs, and their bytes, that any
# tool needs for the information (docs/performance.md, "The limit"): an
# application selected once by AID (15 bytes out, SW back), a retry query
# (4 out), a transparent EF of n bytes read by SFI in ceil(n / 256) READ
# BINARY (5 out each; n + 2 per read back), a VERIFY (5 + PIN), a SELECT of
# the key EF (7) and the signature (5 + 51-byte DigestInfo + Le, 256 back).
# "APDUs sent received" of each piece; lim adds them up.
sel="1 15 2" query="1 4 2"
reads() { local n=$1 r=$(( ($1 + 255) / 256 )); echo "$r $((5 * r)) $((n + 2 * r))"; }
lim() { local a=0 b=0 c=0 x y z; for p in "$@"; do read -r x y z <<<"$p"; a=$((a + x)) b=$((b + y)) c=$((c + z)); done; echo "$a $b $c"; }
size() { "$@" 2>/dev/null | wc -c; }
auth_n=$(size "$BIN" cert show auth --der)
ca_n=$(size "$BIN" cert show auth-ca --der)
sign_n=$(size "$BIN" cert show sign --der --pin-env BENCH_SIGN_PIN)
# The 入力補助AP's attributes, integrity record and its CV certificate, as
# long as the card answers them (personal data: only the lengths).
text_n() { "$BIN" --trace info --pin-env BENCH_PIN 2>&1 >/dev/null |
  awk -v sfi="$1" '
    /^> 00 B0 / { if ($4 ~ /^[89A-F]/) cur = $4; next }
    /^> / { cur = ""; next }
    /^< / && cur == sfi {
      if ($2 ~ /^</) { n += substr($2, 2) + 0 }
      else { for (i = 2; i <= NF && $i ~ /^[0-9A-F][0-9A-F]$/; i++) k++; n += k - 2; k = 0 }
    }
    END { print n + 0 }'; }
verify4="1 9 2" verify8="1 13 2" signing="1 57 258"
L_pins=$(lim "$sel" "$query" "$query" "$sel" "$query" "$sel" "$query" "$sel" "$query")
L_cert=$(lim "$sel" "$(reads "$auth_n")")
L_status=$(lim "$L_pins" "$(reads "$auth_n")" "$(reads "$ca_n")" "$(reads 3)" "$(reads 32)" "1 5 32")
L_info=$(lim "$sel" "$query" "$verify4" "$(reads "$(text_n 82)")" "$(reads "$(text_n 83)")" "$(reads "$(text_n 84)")")
L_sign=$(lim "$sel" "$query" "$verify8" "$(reads "$sign_n")" "1 7 2" "$signing")
L_sign_auth=$(lim "$sel" "$query" "$verify4" "$(reads "$auth_n")" "1 7 2" "$signing")
L_ext=$(lim "$L_pins" "1 7 $((auth_n + 2))" "1 7 $((ca_n + 2))" "$(reads 3)" "$(reads 32)" "1 5 32")

rows=()
# row TASK "mynacard" "OpenSC or -" "jpki-cli or -" "limit" NOTE: each
# tool's APDUs, bytes and time; the limit and mynacard's ratio to it.
row() {
  local cells="" ratio la lb lc
  read -r a b c _ <<<"$2"
  for t in "$2" "$3" "$4"; do
    if [ "$t" = "-" ]; then cells+=" — | — | — |"; continue; fi
    read -r ta tb tc tm <<<"$t"
    cells+=" $ta | $tb / $tc | $tm |"
  done
  read -r la lb lc <<<"$5"
  ratio=$(awk -v n="$a" -v ln="$la" -v b="$((b + c))" -v lb="$((lb + lc))" \
    'BEGIN { printf "%.2f× / %.2f×", n / ln, b / lb }')
  rows+=("| $1 |$cells $la | $lb / $lc | $ratio | $6 |")
}

jp() { if [ -n "$JPKI" ]; then measure "$JPKI" "$@"; else echo "-"; fi; }

pins=$(measure "$BIN" pin status)
o_pins=$(measure pkcs15-tool --list-pins --reader 0)
j_pins="-"
if [ -n "$JPKI" ]; then
  j_pins=$(plus "$(plus "$(jp crypto stat)" "$(jp crypto --auth stat)")" "$(jp support stat)")
fi
row "PIN counters" "$pins" "$o_pins" "$j_pins" "$L_pins" "mynacard: all 4 PINs (5 references); OpenSC \`--list-pins\`: 2; jpki-cli: 3 runs (\`crypto stat\`, \`crypto --auth stat\`, \`support stat\`)"

cert=$(measure "$BIN" cert show auth --der)
o_cert=$(measure pkcs15-tool --read-certificate 01 --reader 0)
j_cert=$(jp crypto --auth read-certificate)
row "user-authentication certificate" "$cert" "$o_cert" "$j_cert" "$L_cert" "\`cert show auth --der\` vs \`--read-certificate 01\` vs \`crypto --auth read-certificate\`"

o_both=$(plus "$o_pins" "$o_cert")
j_both="-"
[ "$j_pins" != "-" ] && [ "$j_cert" != "-" ] && j_both=$(plus "$j_pins" "$j_cert")
st=$(measure "$BIN" status)
row "status (counters, certificates, card record)" "$st" "$o_both" "$j_both" "$L_status" "mynacard also reads the CA certificate (its chain) and the card record; the others: counters + certificate"

info=$(measure "$BIN" info --pin-env BENCH_PIN)
row "card-info AP (info)" "$info" "-" "-" "$L_info" "OpenSC's jpki driver does not read the 券面事項入力補助AP; jpki-cli's \`support get\` asks its PIN at a terminal only"

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
row "sign, signature key" "$sign" "$o_sign" "-" "$L_sign" "mynacard: a CMS with the certificate; OpenSC \`pkcs11-tool --sign\`: the PKCS#1 signature only; jpki-cli asks its PIN at a terminal only"
row "sign, user-authentication key" "$sign_auth" "$o_sign_auth" "-" "$L_sign_auth" "as above"

ext=$(XDG_CACHE_HOME=$WORK/ext-$PRESET measure "$BIN" status --extended-length)
row "status, extended length" "$ext" "-" "-" "$L_ext" "one READ BINARY per certificate (reader-dependent, remembered)"

{
  echo "| task | APDUs | bytes sent / received | ms | OpenSC APDUs | bytes | ms | jpki-cli APDUs | bytes | ms | limit APDUs | limit bytes | mynacard ÷ limit (APDUs / bytes) | notes |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
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
