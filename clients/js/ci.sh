#!/usr/bin/env bash
# CI for the browser client (clients/js): installs what a fresh Debian machine lacks
# (Chromium from apt, the node packages from package-lock.json), builds the Rust test server
# and the chat example, builds the package, checks that the chat's committed bundle matches
# the sources, and runs `npm test` (unit + Node + headless Chromium) and `npm run size`.
# Needs Node >= 20 and cargo on PATH. Run as root (apt-get) or with chromium installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "clients/js/ci.sh: Node >= 20 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "clients/js/ci.sh: installing chromium (apt)"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

echo "clients/js/ci.sh: building the Rust test server and the chat example"
(cd "$root" && cargo build -q -p ws-reliability --features full --example js_test_server --example chat)

cd "$here"
npm ci --no-audit --no-fund
npm run build
if ! cmp -s dist/wsr-client.min.js "$root/crates/ws-reliability/examples/chat/wsr-client.min.js"; then
  echo "clients/js/ci.sh: crates/ws-reliability/examples/chat/wsr-client.min.js does not match the sources:" >&2
  echo "  cp clients/js/dist/wsr-client.min.js crates/ws-reliability/examples/chat/" >&2
  exit 1
fi
npm test
npm run size
# The demo, smoke-run: the chat example in headless Chromium, two tabs and a reload.
CHAT_SCREENSHOT="$(mktemp -d)/chat.png" node scripts/screenshot.mjs
