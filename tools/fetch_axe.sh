#!/usr/bin/env bash
# Copy axe-core (the npm package's axe.min.js) into a local folder, so that the accessibility test of the
# website (tests/test_book.py) runs offline. Usage: tools/fetch_axe.sh .cache/axe-core
set -euo pipefail
target=${1:?usage: fetch_axe.sh TARGET_DIR}
version=4.14.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$tmp"/axe-core-$version.tgz -C "$tmp"
mkdir -p "$target"
cp "$tmp"/package/axe.min.js "$tmp"/package/LICENSE "$target"/
echo "axe-core $version copied into $target"
