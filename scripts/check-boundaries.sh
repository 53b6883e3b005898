#!/usr/bin/env bash
# Architecture guards: JS bindings only under src/wasm/, no clocks in the core.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rlE '\b(wasm_bindgen|js_sys|web_sys|gloo_net|serde_wasm_bindgen|JsValue)\b' src --include='*.rs' | grep -v '^src/wasm/' | grep -v '^src/lib.rs$' || true)
if [ -n "$bad" ]; then echo "JS bindings outside src/wasm/: $bad"; exit 1; fi
clocks=$(grep -rnE 'Instant::now|SystemTime::now|thread::sleep' src --include='*.rs' | grep -v '^src/wasm/' || true)
if [ -n "$clocks" ]; then echo "clock or sleep in the core (panics on wasm32): $clocks"; exit 1; fi
echo "boundaries ok"
