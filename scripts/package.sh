#!/usr/bin/env bash
# Build the Debian package into target/debian/ from the release binary
# (target/release/mynacard, built by the caller: scripts/test-package.sh
# builds it from the packaged crate): one man page per subcommand and the
# bash/zsh/fish completions, made by the binary itself from its clap types;
# the docs and the generated JSON schemas under /usr/share/doc/mynacard; a
# machine-readable copyright file (packaging/debian/copyright), the Debian
# changelog (packaging/debian/changelog) and a lintian override for the one
# tag only an upload to Debian has. Made with dpkg-deb and dpkg-shlibdeps
# (dpkg-dev): no tool to compile first.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/mynacard}
[ -x "$BIN" ] || cargo build --release --locked
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DEBVER="$VERSION-1"
ARCH=$(dpkg --print-architecture)
STAGE=target/debian/stage
ROOT=$STAGE/debian/mynacard
rm -rf "$STAGE"
mkdir -p "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/usr/share/man/man1" "$ROOT/usr/share/doc/mynacard/schema" \
  "$ROOT/usr/share/bash-completion/completions" "$ROOT/usr/share/zsh/vendor-completions" \
  "$ROOT/usr/share/fish/vendor_completions.d"
install -m 755 "$BIN" "$ROOT/usr/bin/mynacard"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$ROOT/usr/bin/mynacard"
"$ROOT/usr/bin/mynacard" man --dir "$STAGE/man" >/dev/null
for p in "$STAGE"/man/*.1; do
  install -m 644 "$p" "$ROOT/usr/share/man/man1/"
done
gzip -9n "$ROOT"/usr/share/man/man1/*.1
"$ROOT/usr/bin/mynacard" completions bash > "$ROOT/usr/share/bash-completion/completions/mynacard"
"$ROOT/usr/bin/mynacard" completions zsh > "$ROOT/usr/share/zsh/vendor-completions/_mynacard"
"$ROOT/usr/bin/mynacard" completions fish > "$ROOT/usr/share/fish/vendor_completions.d/mynacard.fish"
DOC=$ROOT/usr/share/doc/mynacard
install -m 644 packaging/debian/copyright "$DOC/copyright"
install -m 644 README.md "$DOC/README.md"
install -m 644 docs/*.md "$DOC/"
install -m 644 docs/schema/*.json "$DOC/schema/"
gzip -9nc CHANGELOG.md > "$DOC/changelog.gz"
install -m 644 SECURITY.md "$DOC/SECURITY.md"
# The Debian changelog (packaging/debian/changelog): its newest entry must
# be this version, or the package would say it is another.
TOP=$(sed -n '1s/^mynacard (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[ "$TOP" = "$DEBVER" ] || { echo "package: packaging/debian/changelog is at $TOP, the crate at $DEBVER" >&2; exit 1; }
gzip -9nc packaging/debian/changelog > "$DOC/changelog.Debian.gz"
# Not for Debian's archive: the one lintian tag that only an upload has.
mkdir -p "$ROOT/usr/share/lintian/overrides"
install -m 644 packaging/debian/lintian-overrides "$ROOT/usr/share/lintian/overrides/mynacard"
find "$ROOT/usr/share" -type f -exec chmod 644 {} +
find "$ROOT" -type d -exec chmod 755 {} +
touch "$STAGE/debian/control"
DEPENDS=$(cd "$STAGE" && dpkg-shlibdeps -O -e debian/mynacard/usr/bin/mynacard 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: mynacard
Version: $DEBVER
Architecture: $ARCH
Maintainer: mynacard developers <mynacard@users.noreply.invalid>
Installed-Size: $SIZE
Depends: $DEPENDS, pcscd
Recommends: libccid
Section: utils
Priority: optional
Description: read Japan's My Number Card (個人番号カード) over PC/SC
 mynacard reads the IC chip of Japan's My Number Card through any PC/SC
 smart-card reader, contact or contactless:
  - a status report (text or JSON): the card's and both electronic
    certificates' expiry, when renewal opens, and all four PIN counters,
    read without spending a try and without sending a PIN;
  - the certificates, checked to the built-in J-LIS roots, and a proof that
    the card is genuine; for counter staff, a check of the chip against
    what is printed on the card (照合番号B), never the resident's PIN;
  - CMS and PDF signatures with the card's keys, the last PIN try always
    guarded;
  - a reader doctor that names the failing step from USB to the card.
 A faithful virtual card is built in, so scripts and CI can run it without
 a card. JSON schemas and the documentation are in /usr/share/doc/mynacard.
CONTROL
(cd "$ROOT" && find usr -type f -print0 | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/md5sums"
DEB=target/debian/mynacard_${DEBVER}_${ARCH}.deb
rm -f "$DEB"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
