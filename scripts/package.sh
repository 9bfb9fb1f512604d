#!/usr/bin/env bash
# Build the Debian package into target/debian/: the release binary, one man
# page per subcommand, bash/zsh/fish completions and the licences, all made
# from the clap types by the binary itself (`mynacard man --dir`,
# `mynacard completions`). Installs cargo-deb when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if ! cargo deb --version >/dev/null 2>&1; then
  echo "package: installing cargo-deb" >&2
  cargo install cargo-deb --locked --quiet
fi
cargo build --release --locked 2>/dev/null || cargo build --release
BIN=target/release/mynacard
rm -rf target/assets
mkdir -p target/assets/completions
"$BIN" man --dir target/assets/man >/dev/null
"$BIN" completions bash > target/assets/completions/mynacard
"$BIN" completions zsh > target/assets/completions/_mynacard
"$BIN" completions fish > target/assets/completions/mynacard.fish
mkdir -p target/debian
cargo deb --no-build --output target/debian/ --quiet
ls target/debian/*.deb
