#!/usr/bin/env bash
# Copies the shared js-libp2p peer into .build/js-peer (shared/ stays untouched) and installs its
# npm packages once. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${WARPSTATS_SHARED:-$here/../shared}"
dst="$here/.build/js-peer"
mkdir -p "$dst"
cp -u "$shared"/interop/js-peer/{package.json,package-lock.json,peer.mjs,polyfill-node20.mjs} "$dst"/
if [ ! -d "$dst/node_modules" ] || [ "$dst/package-lock.json" -nt "$dst/node_modules" ]; then
  (cd "$dst" && npm ci --no-audit --no-fund --loglevel=error >&2 && touch node_modules)
fi
