#!/usr/bin/env bash
# Size bench: what a first visit downloads (wasm + js + css of the release build) — raw, gzip -9
# and brotli -q 11 — next to a baseline built in the same run: the same page without wasm-opt.
# Usage: bash tests/bench/size.sh        (builds both; prints a table)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tests/tools/setup.sh >/dev/null
# shellcheck source=tests/tools/env.sh
source tests/tools/env.sh

measure() { # dir label
  local raw=0 gz=0 br=0 f
  # The start page's own module, glue and style; the hashing worker's files load only to hash.
  for f in "$1"/flockboard-*.wasm "$1"/flockboard-*.js "$1"/*.css; do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    br=$((br + $(brotli -q 11 -c "$f" | wc -c)))
  done
  printf '| %-34s | %9d | %9d | %9d |\n' "$2" "$raw" "$gz" "$br"
  echo "$br" >"$1/.brotli-total"
}

work=$(mktemp -d)
# The baseline page must sit beside Cargo.toml for trunk to find the crate.
baseline_html=".bench-baseline.html"
trap 'rm -rf "$work" "$baseline_html"' EXIT
trunk build --release --locked --dist "$work/optimised" >/dev/null 2>&1
# Baseline: identical page and cargo profile, wasm-opt off.
sed 's/data-wasm-opt="z"/data-wasm-opt="0"/' index.html >"$baseline_html"
trunk build --release --locked --dist "$work/baseline" "$baseline_html" >/dev/null 2>&1
echo "| first download (wasm + js + css)   | raw bytes | gzip -9   | brotli 11 |"
echo "|------------------------------------|-----------|-----------|-----------|"
measure "$work/optimised" "release (opt z, LTO, wasm-opt -Oz)"
measure "$work/baseline" "baseline: same without wasm-opt"
awk -v a="$(cat "$work/optimised/.brotli-total")" -v b="$(cat "$work/baseline/.brotli-total")" \
  'BEGIN { printf "brotli size vs baseline: %.2fx (%.0f%% smaller)\n", a / b, 100 * (1 - a / b) }'
