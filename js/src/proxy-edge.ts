/**
 * `cascade-edge/proxy` on Vercel Edge: the engine build with the proxy's
 * codecs, through the `?module` import (see edge.ts).
 */
import wasmModule from './wasm-proxy/cascade_edge_bg.wasm?module';
import * as glue from './wasm-proxy/cascade_edge.js';
import { ownRealm } from './realm.js';
import { hasLoader, setLoader, syncLoader, type Engine } from './runtime.js';

const module = ownRealm(wasmModule);
const loader = syncLoader(glue as unknown as Engine, () => glue.initSync({ module }));
if (!hasLoader()) setLoader(loader);

export * from './proxy/index.js';
