#!/usr/bin/env bash
# Build the npm package into pkg/: Rust -> wasm -> wasm-bindgen (web target)
# -> wasm-opt -> TypeScript wrapper -> package template. Incremental: cargo
# and the copy steps only redo what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# Two builds of the engine: the core one, without the proxy's codecs, is
# what `cascade-edge` loads (and what the size gate measures); the proxy's,
# with them (the `serve` feature), is loaded only by `cascade-edge/proxy`.
# Each has its own target directory so that both stay incremental.
WASM_OUT=js/src/wasm
RAW=target/wasm32-unknown-unknown/release/cascade_edge.wasm
PROXY_OUT=js/src/wasm-proxy
PROXY_RAW=target/proxy/wasm32-unknown-unknown/release/cascade_edge.wasm

cargo build --quiet --release --target wasm32-unknown-unknown --lib --no-default-features
CARGO_TARGET_DIR=target/proxy cargo build --quiet --release --target wasm32-unknown-unknown --lib

# After a trap the wrapper starts a new instance from the same compiled
# module (js/src/runtime.ts). wasm-bindgen's glue caches its instance and
# offers no way to drop it, so add one; fail loudly if the glue's shape
# changes under a new wasm-bindgen.
patch_glue() {
  local js="$1/cascade_edge.js" dts="$1/cascade_edge.d.ts"
  for name in 'let wasmModule, wasmInstance, wasm;' 'let __wbg_init_promise;'; do
    grep -qF "$name" "$js" || { echo "build.sh: wasm-bindgen glue changed (no '$name'); update patch_glue" >&2; exit 1; }
  done
  cat >>"$js" <<'JS'

/** cascade-edge: forget the current instance; returns its compiled module for the next one. */
export function __cascadeReset() {
    const module = wasmModule;
    wasm = undefined;
    wasmInstance = undefined;
    wasmModule = undefined;
    __wbg_init_promise = undefined;
    return module;
}
JS
  printf '\n/** cascade-edge: forget the current instance; returns its compiled module. */\nexport function __cascadeReset(): WebAssembly.Module | undefined;\n' >>"$dts"
}

# wasm-bindgen, the glue patch and wasm-opt for one raw build into `out`.
bind() {
  local raw="$1" out="$2"
  mkdir -p "$out"
  if [ ! -f "$out/cascade_edge_bg.wasm" ] || [ "$raw" -nt "$out/cascade_edge_bg.wasm" ]; then
    wasm-bindgen "$raw" --target web --out-dir "$out" --out-name cascade_edge
    patch_glue "$out"
    # The glue repeats each export's Rust doc comment as JSDoc; the .d.ts
    # keeps them for editors, the shipped JS need not (1.6 KiB of a Worker's
    # gzipped upload). Only whole-line /** */ blocks go.
    perl -0pi -e 's{^[ \t]*/\*\*.*?\*/[ \t]*\n}{}gms' "$out/cascade_edge.js"
    # The --enable flags: the features rustc enables by default for
    # wasm32-unknown-unknown. --converge repeats -Oz until it stops paying
    # (1.2 KiB gzipped, 8 s more). --low-memory-unused lets addresses fold
    # into load/store offsets (1.4 KiB): it assumes no access below 1 KiB,
    # which only a wrapped-around pointer could make (the stack's bottom
    # 1 KiB is reached only at the edge of a stack overflow). The producers
    # and target_features sections are for tools, not for running.
    wasm-opt -Oz --converge --low-memory-unused --strip-producers --strip-target-features \
      --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out/cascade_edge_bg.wasm" -o "$out/cascade_edge_bg.wasm"
  fi
}
bind "$RAW" "$WASM_OUT"
bind "$PROXY_RAW" "$PROXY_OUT"

# Assemble beside pkg/ and swap it in at the end, so that a test or demo
# running during a rebuild never sees a half-built package.
stage=$(mktemp -d "$PWD/.pkg-build.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/dist/wasm" "$stage/dist/wasm-proxy"
# JS without comments (what a bundle ships; about 1.5 KiB of a Worker's
# gzipped upload), declarations with them (what editors show).
tsc -p js/tsconfig.json --outDir "$stage/dist" --removeComments --declaration false
tsc -p js/tsconfig.json --outDir "$stage/dist" --emitDeclarationOnly
cp "$WASM_OUT"/cascade_edge.js "$WASM_OUT"/cascade_edge.d.ts "$WASM_OUT"/cascade_edge_bg.wasm "$stage/dist/wasm/"
cp "$PROXY_OUT"/cascade_edge.js "$PROXY_OUT"/cascade_edge.d.ts "$PROXY_OUT"/cascade_edge_bg.wasm "$stage/dist/wasm-proxy/"
# CommonJS consumers that type-check with `moduleResolution: node16` read
# ESM-format .d.ts as "cannot be required" (TS1479), although Node >= 20.19
# requires the package fine: give them the same declarations as .d.cts
# (the `require` branch of each entry's `types` condition).
node --input-type=module - "$stage/dist" <<'JS'
import fs from 'node:fs';
import path from 'node:path';
const dist = process.argv[2];
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []);
for (const file of walk(dist)) {
  const text = fs.readFileSync(file, 'utf8').replace(/(['"])(\.\.?\/[^'"]*?)\.js\1/g, '$1$2.cjs$1');
  fs.writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), text);
}
JS
cp pkg-template/package.json pkg-template/README.md LICENSE "$stage/"
rm -rf pkg.old
[ -d pkg ] && mv pkg pkg.old
mv "$stage" pkg
rm -rf pkg.old
echo "built pkg/ ($(wc -c < pkg/dist/wasm/cascade_edge_bg.wasm) bytes of wasm; the proxy's $(wc -c < pkg/dist/wasm-proxy/cascade_edge_bg.wasm))"
