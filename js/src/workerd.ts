/**
 * Cloudflare Workers: wrangler/esbuild turn the .wasm import into a
 * precompiled `WebAssembly.Module` (Workers forbid compiling from bytes).
 */
import wasmModule from './wasm/cascade_edge_bg.wasm';
import * as glue from './wasm/cascade_edge.js';
import { moduleLoader, setLoader } from './runtime.js';
import { edgeLoadError } from './wasm-source.js';

setLoader(moduleLoader(glue, () => wasmModule, (cause) => edgeLoadError('Cloudflare Workers', cause)));

export * from './index.js';
