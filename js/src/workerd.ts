/**
 * Cloudflare Workers: wrangler/esbuild turn the .wasm import into a
 * precompiled `WebAssembly.Module` (Workers forbid compiling from bytes).
 */
import wasmModule from './wasm/cascade_edge_bg.wasm';
import { initSync } from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader, syncLoader } from './runtime.js';

setLoader(syncLoader(glue, () => initSync({ module: wasmModule })));

export * from './index.js';
