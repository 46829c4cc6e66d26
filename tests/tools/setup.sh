#!/usr/bin/env bash
# Install what building, running and testing flockboard needs, from package registries only
# (Debian apt, crates.io, npm; never GitHub release downloads). Idempotent: each step is skipped
# when the pinned version is already there.
#   - Debian: chromium + chromium-driver (browser tests), brotli (size bench), nginx with its
#     brotli_static module (the deploy/nginx recipe, run by the tests)
#   - rustup target wasm32-unknown-unknown, rustfmt, clippy
#   - trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli = the wasm-bindgen in Cargo.lock
#   - npm (tests/e2e): binaryen 132 (wasm-opt), playwright-core (drives Debian's Chromium),
#     miniflare (runs deploy/worker in workerd, the Workers runtime its package carries)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
: "${WASM_BINDGEN_VERSION:?could not read the wasm-bindgen version from Cargo.lock}"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[setup] %s\n' "$*"; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v brotli >/dev/null || missing+=(brotli)
# nginx runs deploy/nginx/flockboard.conf in the tests (as a plain process, not a service).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || missing+=(libnginx-mod-http-brotli-static)
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "rustup component add $component"
    rustup component add "$component"
  fi
done

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "cargo install trunk $TRUNK_VERSION (about 5 minutes on 2 cores)"
  # Trunk's own release profile is fat LTO with one codegen unit; lifting that saves ~2 minutes.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] ||
  [ "$(wasm-bindgen-test-runner --version 2>/dev/null)" != "wasm-bindgen-test-runner $WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Its published lock file can name a crate version the registry does not serve; then resolve fresh.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force ||
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ] || [ ! -d tests/e2e/node_modules/playwright-core ] ||
  [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  log "npm ci (tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# Python: the official Hub client for the fake Hub's fidelity test, in a venv of its own.
VENV="${FLOCKBOARD_VENV:-$HOME/.cache/flockboard-venv}"
HF_HUB_PIN=$(awk -F'==' '/^huggingface_hub==/ { print $2 }' tests/hub_fidelity/requirements.txt)
if [ "$("$VENV/bin/python" -c 'import huggingface_hub; print(huggingface_hub.__version__)' 2>/dev/null)" != "$HF_HUB_PIN" ]; then
  log "pip install huggingface_hub $HF_HUB_PIN (venv $VENV)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/hub_fidelity/requirements.txt
fi

cargo fetch --locked --quiet
