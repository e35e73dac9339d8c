#!/usr/bin/env bash
# Copy MathJax 3 (the npm package's es5 bundle) into the site's static folder, so that pages typeset
# math without a CDN. Usage: tools/fetch_mathjax.sh _static/mathjax
set -euo pipefail
target=${1:?usage: fetch_mathjax.sh TARGET_DIR}
version=3.2.2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mathjax@$version" >/dev/null)
tar -xzf "$tmp"/mathjax-$version.tgz -C "$tmp"
mkdir -p "$target"
cp -r "$tmp"/package/es5/. "$target"/
echo "MathJax $version copied into $target"
