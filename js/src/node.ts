/** Node ≥ 20: the .wasm is read from disk and compiled at import, so the constructor is synchronous. */
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader } from './runtime.js';

initSync({ module: readFileSync(new URL('./wasm/cascade_edge_bg.wasm', import.meta.url)) });
setLoader({
  ready: () => glue,
  load: async () => glue,
  env: () => (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env,
});

export * from './index.js';
