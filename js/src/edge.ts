/**
 * Vercel Edge: the `?module` import is Vercel's way to get a precompiled
 * `WebAssembly.Module`; compiling from bytes is forbidden there.
 */
import wasmModule from './wasm/cascade_edge_bg.wasm?module';
import * as glue from './wasm/cascade_edge.js';
import { moduleLoader, setLoader } from './runtime.js';
import { ownRealm } from './realm.js';
import { edgeLoadError } from './wasm-source.js';

setLoader(moduleLoader(glue, () => ownRealm(wasmModule), (cause) => edgeLoadError('Vercel Edge', cause)));

export * from './index.js';
