#!/bin/sh
# Vendor jsQR (the QR decoder the desk's camera uses where the browser has no
# BarcodeDetector) into allocator/web/static/vendor/jsqr: the pinned release from the npm
# registry, checked against the registry's integrity hash, with its licence. No CDN.
#   scripts/vendor-jsqr.sh        (needs npm; run again after changing VERSION)
set -eu
VERSION=1.4.0
INTEGRITY="sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A=="
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT="$HERE/allocator/web/static/vendor/jsqr"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "jsqr@$VERSION" >/dev/null
FOUND="sha512-$(openssl dgst -sha512 -binary "jsqr-$VERSION.tgz" | base64 -w0)"
[ "$FOUND" = "$INTEGRITY" ] || { echo "jsqr-$VERSION.tgz: integrity $FOUND, expected $INTEGRITY" >&2; exit 1; }
tar xzf "jsqr-$VERSION.tgz"
mkdir -p "$OUT"
cp package/dist/jsQR.js "$OUT/jsQR.js"
cp package/LICENSE "$OUT/LICENSE"
printf 'jsQR %s (Apache-2.0), from the npm registry, %s\nhttps://github.com/cozmo/jsQR\n' \
    "$VERSION" "$INTEGRITY" > "$OUT/README"
echo "jsQR $VERSION -> $OUT"
