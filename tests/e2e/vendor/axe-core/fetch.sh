#!/bin/sh
# Re-fetch the vendored axe-core (accessibility rules for the browser tests) from npm and
# check it against the checksum recorded here. Usage: sh tests/e2e/vendor/axe-core/fetch.sh
set -eu
VERSION=4.11.1
SHA256=7dbfabdfc6062936d79c873ddbb5f811a1219fca3928bd8cc9dd81f1e65f4720  # axe.min.js
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null && tar xzf "axe-core-$VERSION.tgz")
echo "$SHA256  $work/package/axe.min.js" | sha256sum -c -
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$work/package/LICENSE-3RD-PARTY.txt" "$here/"
echo "axe-core $VERSION in $here"
