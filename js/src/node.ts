/** Node ≥ 20: the .wasm is read from disk and compiled at import, so the constructor is synchronous. */
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader, syncLoader } from './runtime.js';

const module = new WebAssembly.Module(new Uint8Array(readFileSync(new URL('./wasm/cascade_edge_bg.wasm', import.meta.url))));
setLoader({
  ...syncLoader(glue, () => initSync({ module })),
  env: () => (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env,
});

export * from './index.js';
