/**
 * Vercel Edge: the `?module` import is Vercel's way to get a precompiled
 * `WebAssembly.Module`; compiling from bytes is forbidden there.
 */
import wasmModule from './wasm/cascade_edge_bg.wasm?module';
import { initSync } from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader, syncLoader } from './runtime.js';
import { ownRealm } from './realm.js';

const module = ownRealm(wasmModule);
setLoader(syncLoader(glue, () => initSync({ module })));

export * from './index.js';
