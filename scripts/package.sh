#!/usr/bin/env bash
# Build the Debian package into target/debian/ from the release binary
# (target/release/mynacard, built by the caller: scripts/test-package.sh
# builds it from the packaged crate): one man page per subcommand and the
# bash/zsh/fish completions, made by the binary itself from its clap types;
# the docs and the generated JSON schemas under /usr/share/doc/mynacard; a
# machine-readable copyright file (packaging/debian/copyright) and a Debian
# changelog. Made with dpkg-deb and dpkg-shlibdeps (dpkg-dev): no tool to
# compile first.
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
# The Debian changelog: this package as built from the crate's version.
{
  echo "mynacard ($DEBVER) unstable; urgency=medium"
  echo
  echo "  * Packaged from the mynacard crate $VERSION (see changelog.gz)."
  echo
  echo " -- mynacard developers <mynacard@users.noreply.invalid>  $(LC_ALL=C date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n > "$DOC/changelog.Debian.gz"
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
 mynacard reads the IC chip of Japan's My Number Card over PC/SC: the four
 PIN counters without spending a try, the certificates checked to the
 built-in J-LIS roots, their expiry against the card's, a full status report
 (text or JSON), and CMS signatures with the card's keys. A virtual card is
 built in for tests and CI.
CONTROL
(cd "$ROOT" && find usr -type f -print0 | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/md5sums"
DEB=target/debian/mynacard_${DEBVER}_${ARCH}.deb
rm -f "$DEB"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
