#!/usr/bin/env bash
# Upload bench: flockboard against huggingface.js in the same headless Chromium and the same
# sandbox Hub — SHA-256 throughput in the hashing worker, (a) one 1 GiB file, (b) four 256 MiB
# shards, (c) the same over a simulated 100 MiB/s uplink, and flockboard's peak wasm memory
# growth; (m), only when asked, 300 regular files of 9 MiB (commits of bounded inline size);
# (d), only when asked, four 512 MiB shards over a 10 MiB/s uplink against the ideal, with the
# first byte's time and flockboard's wasm and JS heap growth (~8 minutes a run of both clients).
# Needs ~2 GiB free in the temp folder and ~1.5 GiB in /dev/shm (m: 2.7 GiB more in each).
# Usage: bash tests/bench/upload.sh   (BENCH_RUNS=5 for more runs, BENCH_CASES=b for one case,
#        BENCH_CASES=m for the memory case, BENCH_CASES=d BENCH_RUNS=1 for the home uplink)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh >/dev/null
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh
APP_PORT=${APP_PORT:-18095}
build_for_sandbox >/dev/null 2>&1
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_sandbox >/dev/null
# One static server for both pages: the app at /dist/, the baseline page at /tests/e2e/bench/.
python3 -m http.server --bind 127.0.0.1 --directory . "$APP_PORT" >/dev/null 2>&1 &
wait_for_port "$APP_PORT"
APP_URL="http://127.0.0.1:$APP_PORT/dist/" HFJS_URL="http://127.0.0.1:$APP_PORT/tests/e2e/bench/hfjs.html" \
  HUB_URL="$HUB_URL" SANDBOX_URL="$SANDBOX_URL" node tests/e2e/bench_upload.mjs
