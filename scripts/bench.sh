#!/usr/bin/env bash
# Benchmark: mynacard beside OpenSC (its jpki driver) on the same virtual
# card served through a real pcscd + vpcd, once per timing preset of the
# card (none, then contact and contactless speeds: docs/virtual-card.md),
# APDUs and bytes from the served card's log and the median wall time; the
# time from a card's insertion to `status --watch`'s report; and process
# start-up on its own. Writes docs/performance.md. Needs root (a private
# pcscd in a mount namespace). About 6 minutes after the build; set
# BENCH_PRESETS to measure fewer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo build --release --quiet
BIN=$PWD/target/release/mynacard
WATCH=""
if [ "${BENCH_WATCH:-1}" = 1 ]; then
  WATCH=$(cargo bench --bench watch --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
PRESETS=${BENCH_PRESETS:-none contact-38400 contactless-424 contact-9600}
OUT=${BENCH_OUT:-$PWD/docs/performance.md}

runs_for() {
  case $1 in
    none) echo "${BENCH_RUNS:-30}" ;;
    contact-9600) echo 3 ;;
    *) echo 7 ;;
  esac
}

declare -A watch_rows
for preset in $PRESETS; do
  runs=$(runs_for "$preset")
  # The built-in card at the preset's speed, answering extended-length READ
  # BINARY too (the tool uses it only when asked, or once shown to work).
  printf 'base = "builtin"\n[card]\nextended_length = true\n[timing]\npreset = "%s"\n' "$preset" \
    > "$WORK/card-$preset.toml"
  echo "bench: $preset ($runs runs per command)" >&2
  $SUDO "$BIN" vcard sandbox --profile "$WORK/card-$preset.toml" --apdu-log "$WORK/apdu-$preset.log" -- \
    ./scripts/bench-inner.sh "$BIN" "$WORK" "$preset" "$runs" "$WORK/apdu-$preset.log"
  if [ -n "$WATCH" ]; then
    watch_rows[$preset]=$($SUDO env WATCH_BIN="$BIN" WATCH_PRESET="$preset" WATCH_RUNS=$(( runs > 5 ? 10 : 5 )) \
      "$WATCH" --bench | awk '{ printf "%s %s %s ", $4, $5, $6 }')
  fi
done

# Start-up alone: no card, no PC/SC.
startup() {
  hyperfine -N --warmup 30 --runs 300 --export-csv "$WORK/s.csv" -- "$*" >/dev/null 2>&1
  awk -F, 'NR==2 { printf "%.2f", $4 * 1000 }' "$WORK/s.csv"
}
"$BIN" --virtual status >/dev/null   # keeps the virtual card's image
s_true=$(startup /bin/true)
s_version=$(startup "$BIN" --version)
s_virtual=$(startup "$BIN" --virtual status)
s_virtual_nc=$(startup "$BIN" --virtual --no-cache status)
s_opensc=$(startup opensc-tool --info)

describe() {
  case $1 in
    none) echo "no timing model: the card answers at once (what the bench measured before the model)" ;;
    contact-9600) echo "contact, T=1 at 9,600 bit/s (a reader that never raises the rate)" ;;
    contact-38400) echo "contact, T=1 at 38,400 bit/s (the card's TA1: F = 372, D = 4 at 3.5712 MHz)" ;;
    contactless-424) echo "contactless, ISO 14443 Type B at 424 kbit/s (a fast NFC reader)" ;;
    *) echo "$1" ;;
  esac
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
  echo "# Performance"
  echo
  echo "Measured by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d), in one run: the built-in virtual card served"
  echo "through a private pcscd with vsmartcard's vpcd driver, slowed by each timing preset of the virtual"
  echo "card (\`[timing]\`, docs/virtual-card.md: a model of ISO 7816-3 T=1 and ISO 14443-4 framing and a"
  echo "chip's processing, not a measurement of a real card). APDUs and bytes are counted in the served card's"
  echo "log; times are medians of whole processes (hyperfine, no shell): start-up, PC/SC connection, the"
  echo "APDUs, rendering. OpenSC runs with \`OPENSC_DRIVER=jpki\` (its best case: no probing); jpki-cli"
  echo "(target/tools, scripts/install-deps.sh) only where it needs no PIN (it asks one at a terminal only)."
  echo "The limit is the fewest short APDUs and bytes any tool needs for the task's information (\"The"
  echo "limit\" below); the ratio is mynacard's APDUs and bytes over it (1.00×: nothing to spare)."
  echo
  echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r); pcscd $(dpkg-query -W -f='${Version}' pcscd),"
  echo "vsmartcard-vpcd $(dpkg-query -W -f='${Version}' vsmartcard-vpcd), OpenSC $(dpkg-query -W -f='${Version}' opensc),"
  jv=$("${JPKI_CLI:-$PWD/target/tools/bin/jpki-cli}" --version 2>/dev/null || echo "no jpki-cli")
  echo "$(hyperfine --version), $jv, $("$BIN" --version)."
  for preset in $PRESETS; do
    echo
    echo "## \`$preset\`: $(describe "$preset")"
    echo
    echo "$(runs_for "$preset") runs per command."
    echo
    cat "$WORK/rows-$preset.md"
  done
  echo
  echo "## From insertion to the report: \`status --watch\`"
  echo
  echo "The time from the card touching the reader to the report's line on stdout (\`benches/watch.rs\`:"
  echo "the card is connected to vpcd, pcscd notices it within its presence poll of up to 400 ms, the same"
  echo "for every PC/SC program). \"kept\": the same card again; \"no cache\": \`--no-cache\`."
  echo
  echo "| preset | kept: median ms | p90 ms | no cache: median ms | p90 ms |"
  echo "|---|---:|---:|---:|---:|"
  for preset in $PRESETS; do
    read -r km kp _ nm np _ <<<"${watch_rows[$preset]:-— — — — — —}"
    echo "| \`$preset\` | $km | $kp | $nm | $np |"
  done
  echo
  echo "## Start-up, apart from the card"
  echo
  echo "Median of 300 runs, no card and no PC/SC involved. \`--virtual status\` is the whole report on the"
  echo "in-process virtual card: its test PKI is built once per profile and kept (\`card-images\` in the cache,"
  echo "docs/security.md), so the run reads it back instead of making a dozen RSA signatures."
  echo
  echo "| command | median ms |"
  echo "|---|---:|"
  echo "| \`/bin/true\` (this machine's floor for any process) | $s_true |"
  echo "| \`mynacard --version\` | $s_version |"
  echo "| \`mynacard --virtual status\` | $s_virtual |"
  echo "| \`mynacard --virtual --no-cache status\` (the PKI built in the run) | $s_virtual_nc |"
  echo "| \`opensc-tool --info\` | $s_opensc |"
  if [ -e "$WORK/probing.md" ]; then
    echo
    echo "## OpenSC with its drivers probed"
    echo
    echo "Without \`OPENSC_DRIVER\`, OpenSC first tries other cards' applications (about 30 APDUs), preset \`none\`:"
    echo
    cat "$WORK/probing.md"
  fi
  if [ -e "$WORK/sequence.txt" ]; then
    echo
    echo "## The APDUs of \`status\` on a card never seen"
    echo
    echo '```'
    cat "$WORK/sequence.txt"
    echo '```'
    echo
    echo "Each application is selected once; EFs are read by short EF identifier (no SELECT EF); a"
    echo "certificate is read in 256-byte short READ BINARY commands after the first, whose DER header gives"
    echo "the length; the PIN counters are case-1 retry queries by SFI; the card record is one READ RECORD"
    echo "by SFI. Nothing of the card is kept between runs: this is every \`status\`."
  fi
} > "$OUT"
echo "bench: wrote docs/performance.md" >&2
