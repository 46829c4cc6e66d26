#!/usr/bin/env bash
# Leaderboard bench: sort and filter of 10,000 rows in the browser (wasm core against a plain
# JavaScript baseline in the same page), and the page's own response with a 10,000-row board.
# Usage: bash tests/bench/leaderboard.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh >/dev/null
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh
APP_PORT=${APP_PORT:-18090}
build_for_sandbox --features bench >/dev/null 2>&1
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_sandbox >/dev/null
python3 -m http.server --bind 127.0.0.1 --directory dist "$APP_PORT" >/dev/null 2>&1 &
wait_for_port "$APP_PORT"
APP_URL="http://127.0.0.1:$APP_PORT/" node tests/e2e/bench_leaderboard.mjs
