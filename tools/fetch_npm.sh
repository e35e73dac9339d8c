#!/usr/bin/env bash
# Copy files of an npm package into a local folder, so that the site and its tests work offline
# (MathJax for the pages, axe-core for the accessibility test). Usage:
#   tools/fetch_npm.sh PACKAGE VERSION TARGET_DIR PATH...   (PATHs inside the package; a folder ending in /.
#                                                            copies its contents)
set -euo pipefail
package=${1:?usage: fetch_npm.sh PACKAGE VERSION TARGET_DIR PATH...}
version=${2:?version}
target=${3:?target folder}
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$package@$version" >/dev/null)
tar -xzf "$tmp/$package-$version.tgz" -C "$tmp"
mkdir -p "$target"
for path in "$@"; do cp -r "$tmp/package/$path" "$target"/; done
echo "$package $version copied into $target"
