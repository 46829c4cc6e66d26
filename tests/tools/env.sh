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

# Build the sandbox binary and the release page for the sandbox at $SANDBOX_URL; further
# arguments go to trunk (`--features bench` for the leaderboard bench's exports).
build_for_sandbox() {
  cargo build --locked --release -p sandbox
  FLOCKBOARD_FLOCK_API="$SANDBOX_URL/api/v1/" FLOCKBOARD_HUB="$HUB_URL/" trunk build --release --locked "$@"
}

# `cargo test --target wasm32-unknown-unknown` runs the browser tests in headless Chromium.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

# Start deploy/nginx/flockboard.conf in front of the sandbox, serving folder $1 on
# 127.0.0.1:$2, as an unprivileged process with its own prefix and temp folders (no system
# service, nothing under /etc or /var). Its prefix folder is printed in NGINX_PREFIX; the
# caller's EXIT trap stops it (it runs in the foreground of a background job).
start_nginx() {
  local root=$1 port=$2
  NGINX_PREFIX=$(mktemp -d)
  mkdir -p "$NGINX_PREFIX/tmp"
  python3 tests/tools/nginx_site.py deploy/nginx/flockboard.conf "$NGINX_PREFIX" "$root" "$port" \
    "127.0.0.1:$SANDBOX_PORT" "127.0.0.1:$HUB_PORT" >"$NGINX_PREFIX/site.conf"
  local brotli=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
  cat >"$NGINX_PREFIX/nginx.conf" <<CONF
load_module $brotli;
daemon off;
worker_processes 1;
pid $NGINX_PREFIX/nginx.pid;
error_log $NGINX_PREFIX/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  client_body_temp_path $NGINX_PREFIX/tmp/body;
  proxy_temp_path $NGINX_PREFIX/tmp/proxy;
  fastcgi_temp_path $NGINX_PREFIX/tmp/fastcgi;
  uwsgi_temp_path $NGINX_PREFIX/tmp/uwsgi;
  scgi_temp_path $NGINX_PREFIX/tmp/scgi;
  include $NGINX_PREFIX/site.conf;
}
CONF
  local run=() nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  if [ "$(id -u)" = 0 ]; then
    # Root runs it as nobody: the files it serves and its prefix must be readable by others.
    chmod -R a+rX "$root" "$NGINX_PREFIX"
    chown -R nobody "$NGINX_PREFIX"
    run=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  "${run[@]}" "$nginx" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log" -t -q
  "${run[@]}" "$nginx" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log" &
  wait_for_port "$port"
}
