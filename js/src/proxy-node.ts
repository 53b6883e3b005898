/**
 * `cascade-edge/proxy` on Node: the engine build with the proxy's codecs
 * (`wasm-proxy/`), read from disk and compiled at import. It also runs the
 * cascades, unless the core entry registered its own build first.
 */
import { readFileSync } from 'node:fs';
import * as glue from './wasm-proxy/cascade_edge.js';
import { hasLoader, setLoader, syncLoader, type Engine } from './runtime.js';

const module = new WebAssembly.Module(new Uint8Array(readFileSync(new URL('./wasm-proxy/cascade_edge_bg.wasm', import.meta.url))));
const loader = syncLoader(glue as unknown as Engine, () => glue.initSync({ module }));
if (!hasLoader()) {
  setLoader({ ...loader, env: () => (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env });
}

export * from './proxy/index.js';
