#!/usr/bin/env bash
# The product's main job on one machine: installs what is missing, builds the wasm package, starts
# threadline-sim (seeded workspace, a gentle trickle of incoming messages) serving the demo pages
# in www/, and prints what to open. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PORT=${THREADLINE_DEMO_PORT:-8787}
HTTPS_PORT=${THREADLINE_DEMO_HTTPS_PORT:-8443}
KEY=${THREADLINE_DEMO_KEY:-dev}

bash scripts/install.sh
bash scripts/build-pkg.sh
rm -rf www/pkg && cp -r pkg www/pkg          # the demo imports the package through an import map
node scripts/vendor.mjs www www                 # and the keyed DOM diff (www/vendor/, from node_modules)
[ -x scripts/build-extension.sh ] && bash scripts/build-extension.sh "http://127.0.0.1:$PORT" "$KEY"
cargo build -p threadline-sim --release --quiet

mkdir -p .tmp
log=.tmp/demo-sim.log
target/release/threadline-sim --port "$PORT" --https-port "$HTTPS_PORT" --api-key "$KEY" \
  --www www --trickle >"$log" 2>&1 &
sim=$!
# A background job of a script ignores Ctrl-C, so the simulator is stopped here, once: INT and TERM
# exit, and the EXIT trap does the stopping.
stop() { kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; echo; echo "demo stopped"; }
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 100); do grep -q 'listening on' "$log" && break; sleep 0.1; done
grep -q 'listening on' "$log" || { cat "$log"; echo "the simulator did not start" >&2; exit 1; }

cat <<MSG

Threadline demo is running.
  API simulator     http://127.0.0.1:$PORT        (API key: $KEY; control plane /__sim/)
  Demo inbox        http://127.0.0.1:$PORT/www/inbox.html   (open it in two tabs: one polls, both stay in sync)
  URN playground    http://127.0.0.1:$PORT/www/urn.html
  Demo pages        http://127.0.0.1:$PORT/www/
  LinkedIn-shaped   https://127.0.0.1:$HTTPS_PORT/messaging/   (self-signed for www.linkedin.com)
MSG
if [ -d dist/extension ]; then
  echo "  Extension         load $(pwd)/dist/extension unpacked (preset to the simulator)"
  echo
  echo "To see the extension on the practice page as https://www.linkedin.com/messaging/, start a"
  echo "separate Chromium that maps LinkedIn to the simulator (its own profile; your LinkedIn is untouched):"
  echo "  chromium --user-data-dir=$(pwd)/.tmp/demo-chromium --ignore-certificate-errors \\"
  echo "    --host-resolver-rules='MAP www.linkedin.com 127.0.0.1:$HTTPS_PORT' \\"
  echo "    --load-extension=$(pwd)/dist/extension https://www.linkedin.com/messaging/"
fi
echo
echo "Press Ctrl-C to stop."
wait $sim
