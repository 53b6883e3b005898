/**
 * Node ≥ 20: the .wasm is read from disk and compiled at import, so the
 * constructor is synchronous. If a bundler left the file behind, importing
 * still works and the first run says how to hand it over (`initCascade`).
 */
import { readFileSync } from 'node:fs';
import * as glue from './wasm/cascade_edge.js';
import { moduleLoader, setLoader } from './runtime.js';
import { nodeLoadError } from './wasm-source.js';

let where = './wasm/cascade_edge_bg.wasm';
setLoader({
  ...moduleLoader(
    glue,
    () => {
      // Inside `find`: in a CommonJS bundle `import.meta.url` is empty and this throws.
      const url = new URL('./wasm/cascade_edge_bg.wasm', import.meta.url);
      where = url.protocol === 'file:' ? decodeURIComponent(url.pathname) : url.href;
      return new WebAssembly.Module(new Uint8Array(readFileSync(url)));
    },
    (cause) => nodeLoadError(where, cause),
  ),
  env: () => (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env,
});

export * from './index.js';
