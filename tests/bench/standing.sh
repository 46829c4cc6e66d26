#!/usr/bin/env bash
# Standing bench: a wallet's standing over every task it covers (7 here: the 5 open tasks and
# the 2 finalized ones it submitted to), each board made 2,000 rows by the sandbox, timed from
# navigation until every board is read, against a plain-JS baseline in the same page that
# fetches the same pages with the same concurrency (3 boards at once, 4 pages each) and parses
# them; prints both times, their ratio and the requests made. Usage: bash tests/bench/standing.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh >/dev/null
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh
APP_PORT=${APP_PORT:-18097}
build_for_sandbox >/dev/null 2>&1
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_sandbox >/dev/null
python3 -m http.server --bind 127.0.0.1 --directory dist "$APP_PORT" >/dev/null 2>&1 &
wait_for_port "$APP_PORT"
APP_URL="http://127.0.0.1:$APP_PORT/" ROWS="${ROWS:-2000}" node tests/e2e/bench_standing.mjs
