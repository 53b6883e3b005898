/**
 * Browsers: the .wasm is fetched and instantiated lazily, on the first run
 * (or `await ready()`), so importing the package costs nothing up front.
 * Agents made here tell the engine they run in a browser, so that Anthropic
 * requests carry the header its CORS rules require.
 */
import init from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader } from './runtime.js';

let loaded = false;
let loading: Promise<typeof glue> | undefined;
/** After a crash: the compiled module, so a restart does not fetch it again. */
let compiled: WebAssembly.Module | undefined;

setLoader({
  browser: true,
  ready: () => (loaded ? glue : undefined),
  load: () =>
    (loading ??= init({ module_or_path: compiled ?? new URL('./wasm/cascade_edge_bg.wasm', import.meta.url) }).then(() => {
      loaded = true;
      return glue;
    })),
  // Browsers refuse to instantiate a large module synchronously on the
  // main thread, so the new instance is made by the next `load()`.
  reset: () => {
    compiled = glue.__cascadeReset() ?? compiled;
    loaded = false;
    loading = undefined;
  },
});

export * from './index.js';
