#!/usr/bin/env bash
# Install what the build and tests need, idempotently: each step checks
# first and does nothing when the right thing is already there.
#   scripts/setup.sh            Rust wasm target, wasm-bindgen-cli, npm packages
#   scripts/setup.sh --browser  ...and Debian's chromium for the browser tests
#   scripts/setup.sh --redis    ...and Debian's redis-server for the store tests
#   scripts/setup.sh --python   ...and a venv (.tools/pysdk) with the official
#                               anthropic and openai Python SDKs from PyPI, for the proxy tests
# (flags combine: scripts/test.sh passes all three)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*"; }

want_browser=false want_redis=false want_python=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --redis) want_redis=true ;;
    --python) want_python=true ;;
    *) say "unknown option $arg"; exit 2 ;;
  esac
done

command -v cargo >/dev/null || { say "Rust is required (https://rustup.rs)"; exit 1; }
command -v node >/dev/null || { say "Node.js >= 20 is required"; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { say "Node.js >= 20 is required"; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# CI's checks: formatting and lints on the toolchain in use, and a build on
# the oldest compiler Cargo.toml promises (its rust-version).
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done
msrv=$(sed -n 's/^rust-version = "\([0-9.]*\)"/\1/p' Cargo.toml)
if [ -n "$msrv" ] && ! rustup toolchain list 2>/dev/null | grep -q "^$msrv"; then
  say "installing Rust $msrv (Cargo.toml's rust-version) for the MSRV build"
  rustup toolchain install "$msrv" --profile minimal
fi

# The CLI must match the wasm-bindgen crate pinned in Cargo.toml exactly.
want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$want"
fi

# npm packages (wasm-opt comes from npm's binaryen): reinstall only when the lockfile changed.
stamp=node_modules/.setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# Debian packages: try without a fresh index first (fast when it is recent),
# then update it once and try again.
apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  ($sudo apt-get install -y -q "$@" >/dev/null 2>&1) || ($sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$@" >/dev/null)
}

if $want_browser && ! command -v chromium >/dev/null; then
  say "installing Debian's chromium for the browser tests"
  apt_install chromium
fi
# The Redis and Upstash store tests start their own redis-server on a free
# loopback port; the package's service is not used.
if $want_redis && ! command -v redis-server >/dev/null; then
  say "installing Debian's redis-server for the store tests"
  apt_install redis-server
fi
# The Python SDKs the proxy is tested with, pinned, in a venv of our own.
PY_SDKS="anthropic==2.10.0 openai==3.51.0"
if $want_python; then
  venv=.tools/pysdk
  if [ ! -f "$venv/.installed" ] || [ "$(cat "$venv/.installed")" != "$PY_SDKS" ]; then
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
    say "installing the Python SDKs ($PY_SDKS)"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet --disable-pip-version-check $PY_SDKS
    echo "$PY_SDKS" >"$venv/.installed"
  fi
fi
say "ready"
