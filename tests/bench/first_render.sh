#!/usr/bin/env bash
# First-render bench: flockboard's release page against a plain-JS baseline page, both served
# gzip-compressed by one static server, against the sandbox API, on two emulated networks, cold
# cache, medians of BENCH_RUNS (default 5) alternating runs; prints both times, their ratio and
# the compressed bytes of code each page fetched. Usage: bash tests/bench/first_render.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh >/dev/null
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh
APP_PORT=${APP_PORT:-18096}
build_for_sandbox >/dev/null 2>&1
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_sandbox >/dev/null
node tests/e2e/static_gzip.mjs . "$APP_PORT" &
wait_for_port "$APP_PORT"
APP_URL="http://127.0.0.1:$APP_PORT/dist/" BASELINE_URL="http://127.0.0.1:$APP_PORT/tests/bench/first_render_baseline.html" \
  API_URL="$SANDBOX_URL/api/v1/" node tests/e2e/bench_first_render.mjs
