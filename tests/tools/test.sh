#!/usr/bin/env bash
# Everything: formatting, lints (native and wasm32), the purity rule, native tests, browser tests
# in headless Chromium, end-to-end tests of the release build served from a sub-path against
# the sandbox, and the same page behind the deploy/ recipes (nginx, and the Worker in workerd)
# with the sandbox's CORS off. Installs what it needs first (tests/tools/setup.sh). CI runs this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh
OUT="$CARGO_TARGET_DIR/e2e-out"
APP_PORT=${APP_PORT:-18080}
step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "purity: src/flock and src/hub never touch the browser"
# Code lines only (comments may name the crates they avoid); both folders must exist.
for core in src/flock src/hub; do
  [ -d "$core" ] || { echo "$core is missing" >&2; exit 1; }
done
offending=$(grep -rnE '\b(web_sys|leptos|gloo[a-z_]*|wasm_bindgen|js_sys)\b' src/flock src/hub |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)
if [ -n "$offending" ]; then
  echo "$offending"
  echo "the pure core must not name browser crates (see the lines above)" >&2
  exit 1
fi

step "clippy (native: core + sandbox)"
cargo clippy --locked --workspace --all-targets -- -D warnings
step "clippy (wasm32: the app)"
cargo clippy --locked -p flockboard --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests"
cargo test --locked --workspace

step "build: sandbox and release page for the sandbox"
build_for_sandbox

trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_sandbox

step "fake Hub fidelity: the official Python client uploads and downloads byte-identical"
HF_ENDPOINT="$HUB_URL" HF_HUB_DISABLE_XET=1 HF_HOME="$(mktemp -d)" \
  "$FLOCKBOARD_VENV/bin/python" -W ignore::DeprecationWarning tests/hub_fidelity/test_hub_fidelity.py

step "browser tests (wasm-bindgen-test in headless Chromium)"
# Debuginfo off: a 4 MB test wasm instead of 90 MB loads in a second instead of seven.
CARGO_PROFILE_DEV_DEBUG=0 cargo test --locked -p flockboard --target wasm32-unknown-unknown

step "end-to-end tests (dist/ from a sub-path of a plain static server)"
www=$(mktemp -d)
mkdir -p "$www/apps"
cp -r dist "$www/apps/flockboard"
python3 -m http.server --bind 127.0.0.1 --directory "$www" "$APP_PORT" >/dev/null 2>&1 &
wait_for_port "$APP_PORT"
export STORAGE_URL="http://127.0.0.1:$STORAGE_PORT"
APP_URL="http://127.0.0.1:$APP_PORT/apps/flockboard/" OUT="$OUT" node tests/e2e/e2e.mjs

step "behind deploy/nginx: page and API on one origin, the sandbox's CORS off"
NGINX_PORT=${NGINX_PORT:-18085}
site=$(mktemp -d)
cp -r dist/. "$site"
# Precompressed copies, as the README's deploy steps make them (the recipe serves them).
for f in "$site"/*.wasm "$site"/*.js "$site"/*.css; do
  gzip -k9 "$f"
  brotli -k -q 11 "$f"
done
start_nginx "$site" "$NGINX_PORT"
PROXY=nginx PROXY_URL="http://127.0.0.1:$NGINX_PORT/" node tests/e2e/proxy_test.mjs
MODE=nginx APP_URL="http://127.0.0.1:$NGINX_PORT/" API_ADDRESS=api/v1/ HUB_ADDRESS=hf/ OUT="$OUT" \
  node tests/e2e/e2e.mjs

step "through deploy/worker (workerd): the page on one origin, the Worker on another"
WORKER_PORT=${WORKER_PORT:-18090}
WORKER_PORT=$WORKER_PORT ALLOWED_ORIGINS="http://127.0.0.1:$APP_PORT" FLOCK_UPSTREAM="$SANDBOX_URL" \
  HUB_UPSTREAM="$HUB_URL" node tests/e2e/worker_dev.mjs &
wait_for_port "$WORKER_PORT"
worker="http://127.0.0.1:$WORKER_PORT/"
PROXY=worker PROXY_URL="$worker" PAGE_ORIGIN="http://127.0.0.1:$APP_PORT" node tests/e2e/proxy_test.mjs
MODE=worker APP_URL="http://127.0.0.1:$APP_PORT/apps/flockboard/" API_ADDRESS="${worker}api/v1/" \
  HUB_ADDRESS="${worker}hf/" OUT="$OUT" node tests/e2e/e2e.mjs
rm -rf "$site" "$www"
echo "screenshots: $OUT"
