#!/usr/bin/env bash
# Every test: Rust unit and integration tests on the host, the wasm build,
# the package tests on Node against aimock, and the runtime tests (workerd,
# edge-runtime, Chromium). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh --browser --redis --python
bash scripts/check-boundaries.sh

echo "== cargo fmt --check"
cargo fmt --check

echo "== cargo clippy (panic lints on the library, warnings denied; host and wasm)"
cargo clippy --all-targets --quiet -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --quiet -- -D warnings
# The core package's wasm is built without the proxy codecs (scripts/build.sh).
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --quiet -- -D warnings

echo "== cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

msrv=$(sed -n 's/^rust-version = "\([0-9.]*\)"/\1/p' Cargo.toml)
echo "== build at the declared rust-version ($msrv)"
CARGO_TARGET_DIR=target/msrv cargo "+$msrv" build --lib --quiet

echo "== cargo test (host)"
cargo test --quiet

echo "== build the package"
bash scripts/build.sh

echo "== size gate (what a Worker uploads, gzipped)"
bash scripts/size-gate.sh

echo "== package and runtime tests (node --test)"
node --test --test-concurrency=1 --test-reporter=spec tests/js/
