#!/usr/bin/env bash
# Peak memory of `pdf sign` and `pdf verify` on a large PDF (issue 29: a
# 100 MiB PDF signs with a peak RSS under 64 MiB). Makes a PDF of SIZE_MIB
# (default 100) with one large image stream, signs it on the in-process
# virtual card (both profiles, the second over the first) and verifies
# it, each under GNU time; prints the peak RSS and wall time of each and
# fails when a peak is over LIMIT_MIB (default 64). A benchmark, not a
# test: run by hand (docs/performance.md, "PDF").
#
#   scripts/bench-pdf.sh                  # target/release/mynacard if built, else debug
#   BIN=path/to/mynacard SIZE_MIB=200 scripts/bench-pdf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
size=${SIZE_MIB:-100}
limit=${LIMIT_MIB:-64}
bin=${BIN:-}
if [[ -z $bin ]]; then
  bin=target/release/mynacard
  [[ -x $bin ]] || bin=target/debug/mynacard
fi
[[ -x $bin ]] || { echo "bench-pdf: no $bin: run cargo build first" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench-pdf: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The PDF: a page drawing one RGB image of SIZE_MIB of incompressible bytes.
python3 - "$work/big.pdf" "$size" <<'PY'
import os, sys
path, mib = sys.argv[1], int(sys.argv[2])
w = 4096
h = mib * 1024 * 1024 // (w * 3)
n = w * h * 3
content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
objs = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
    b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
    b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    None,
]
with open(path, "wb") as f:
    f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(f.tell())
        f.write(b"%d 0 obj\n" % (i + 1))
        if o is None:
            f.write(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB"
                    b" /BitsPerComponent 8 /Length %d >>\nstream\n" % (w, h, n))
            left = n
            while left:
                k = min(left, 1 << 20)
                f.write(os.urandom(k))
                left -= k
            f.write(b"\nendstream")
        else:
            f.write(o)
        f.write(b"\nendobj\n")
    x = f.tell()
    f.write(b"xref\n0 6\n0000000000 65535 f \n")
    for o in offsets:
        f.write(b"%010d 00000 n \n" % o)
    f.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x)
PY

over=0
measure() { # name, command…
  local name=$1
  shift
  /usr/bin/time -f '%M %e' -o "$work/time" "$@" >"$work/out" 2>&1 || {
    echo "bench-pdf: $name failed:" >&2
    cat "$work/out" >&2
    exit 1
  }
  read -r kib secs <"$work/time"
  local mib=$(((kib + 1023) / 1024))
  printf '%-28s peak RSS %4d MiB   %6.2f s\n' "$name" "$mib" "$secs"
  ((mib <= limit)) || over=1
}
export P=TEST1234
printf 'bench-pdf: %s, a %d MiB PDF (%s bytes), limit %d MiB\n' "$bin" "$size" "$(stat -c %s "$work/big.pdf")" "$limit"
measure "pdf sign (touki)" "$bin" --virtual pdf sign --pin-env P -o "$work/s1.pdf" "$work/big.pdf"
measure "pdf sign (pades, 2nd)" "$bin" --virtual pdf sign --pin-env P --profile pades -o "$work/s2.pdf" "$work/s1.pdf"
measure "pdf verify (2 signatures)" "$bin" pdf verify --test-pki "$work/s2.pdf"
if ((over)); then
  echo "bench-pdf: a peak is over $limit MiB" >&2
  exit 1
fi
