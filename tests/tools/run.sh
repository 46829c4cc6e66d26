#!/usr/bin/env bash
# Build flockboard, start the sandbox FLock API on loopback, serve the page and print its URL.
#   bash tests/tools/run.sh               the page talks to the sandbox (default)
#   bash tests/tools/run.sh --production  the page is built for the real services
#                                         (https://fed-ledger-prod.flock.io/api/v1/), no sandbox
# PORT (default 8080) sets where the page is served; SANDBOX_PORT (default 18181) the sandbox.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh
PORT=${PORT:-8080}
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT INT TERM

if [ "${1:-}" = "--production" ]; then
  trunk build --release --locked
else
  build_for_sandbox
  start_sandbox
fi
python3 -m http.server --bind 127.0.0.1 --directory dist "$PORT" >/dev/null 2>&1 &
wait_for_port "$PORT"
echo
echo "flockboard is served at http://127.0.0.1:$PORT/   (Ctrl-C stops it)"
wait
