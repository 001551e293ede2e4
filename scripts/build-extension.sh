#!/usr/bin/env bash
# Build the extension: dist/extension/ (load it unpacked in Chrome or Firefox) for the given API
# base URL, with a preset (base URL + key) only when a key is given, as the demo does; and the two
# store zips, always for the hosted API and never with a preset:
#   dist/threadline-chrome-VERSION.zip, dist/threadline-firefox-VERSION.zip (web-ext build).
# Usage: scripts/build-extension.sh [API_BASE_URL] [DEMO_API_KEY]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

HOSTED=https://api.connectsafely.ai/linkedin
BASE_URL=${1:-$HOSTED}
DEMO_KEY=${2:-}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
WEB_EXT=node_modules/.bin/web-ext

# One tree per use, assembled by scripts/assemble-extension.sh (the extension's sources, the wasm
# package and the vendored libraries the background imports).
assemble() { bash scripts/assemble-extension.sh "$1" "$2"; }

assemble dist/extension "$BASE_URL"
if [ -n "$DEMO_KEY" ]; then
  # Demo only: preset settings so the unpacked extension talks to the simulator at once.
  node -e 'process.stdout.write(JSON.stringify({baseUrl: process.argv[1], apiKey: process.argv[2]}, null, 2) + "\n")' \
    "$BASE_URL" "$DEMO_KEY" >dist/extension/preset.json
fi

assemble dist/store "$HOSTED"
rm -f dist/threadline-*.zip
"$WEB_EXT" build --source-dir dist/store --artifacts-dir dist --overwrite-dest \
  --filename "threadline-firefox-$VERSION.zip" >/dev/null
"$WEB_EXT" build --source-dir dist/store --artifacts-dir dist --overwrite-dest \
  --filename "threadline-chrome-$VERSION.zip" >/dev/null
if unzip -l "dist/threadline-firefox-$VERSION.zip" | grep -q preset.json; then
  echo "error: a store zip contains preset.json" >&2
  exit 1
fi
echo "extension: $(pwd)/dist/extension (API $BASE_URL${DEMO_KEY:+, demo preset})"
echo "store zips: $(ls dist/threadline-*.zip | tr '\n' ' ')"
