/**
 * Cloudflare Workers: wrangler/esbuild turn the .wasm import into a
 * precompiled `WebAssembly.Module` (Workers forbid compiling from bytes).
 */
import wasmModule from './wasm/cascade_edge_bg.wasm';
import { initSync } from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader } from './runtime.js';

initSync({ module: wasmModule });
setLoader({
  ready: () => glue,
  load: async () => glue,
  reset: () => {
    glue.__cascadeReset();
    initSync({ module: wasmModule });
  },
});

export * from './index.js';
