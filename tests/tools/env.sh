# Sourced by the tool scripts: one shared target dir, the pinned tools first on PATH, no
# downloads by trunk.
export PATH="$PWD/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH" # npm wasm-opt before any other
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flockboard-target}" # kept across fresh clones
export TRUNK_OFFLINE=true
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export SANDBOX_PORT="${SANDBOX_PORT:-18181}"
export SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
export HUB_PORT="${HUB_PORT:-18182}"
export HUB_URL="http://127.0.0.1:$HUB_PORT"
export STORAGE_PORT="${STORAGE_PORT:-18183}" # the fake Hub's storage: another origin, as S3 is
export FLOCKBOARD_VENV="${FLOCKBOARD_VENV:-$HOME/.cache/flockboard-venv}"

# Wait until something listens on 127.0.0.1:$1 (at most ~15 s).
wait_for_port() {
  for _ in $(seq 150); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# Start the sandbox (FLock API, Hub, Hub storage) in the background of the calling script and
# wait until all listen; the caller's EXIT trap stops it. Output goes where the caller's stdout goes.
start_sandbox() {
  "$CARGO_TARGET_DIR/release/sandbox" --addr "127.0.0.1:$SANDBOX_PORT" --hub-addr "127.0.0.1:$HUB_PORT" \
    --storage-addr "127.0.0.1:$STORAGE_PORT" &
  wait_for_port "$SANDBOX_PORT"
  wait_for_port "$HUB_PORT"
  wait_for_port "$STORAGE_PORT"
}

# Build the sandbox binary and the release page for the sandbox at $SANDBOX_URL.
build_for_sandbox() {
  cargo build --locked --release -p sandbox
  FLOCKBOARD_FLOCK_API="$SANDBOX_URL/api/v1/" FLOCKBOARD_HUB="$HUB_URL/" trunk build --release --locked
}

# `cargo test --target wasm32-unknown-unknown` runs the browser tests in headless Chromium.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
