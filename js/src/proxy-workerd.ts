/**
 * `cascade-edge/proxy` on Cloudflare Workers: the engine build with the
 * proxy's codecs, imported as a precompiled module (see workerd.ts).
 */
import wasmModule from './wasm-proxy/cascade_edge_bg.wasm';
import * as glue from './wasm-proxy/cascade_edge.js';
import { hasLoader, setLoader, syncLoader, type Engine } from './runtime.js';

const loader = syncLoader(glue as unknown as Engine, () => glue.initSync({ module: wasmModule }));
if (!hasLoader()) setLoader(loader);

export * from './proxy/index.js';
