/**
 * Browsers: the .wasm is fetched and instantiated lazily, on the first run
 * (or `await ready()`), so importing the package costs nothing up front.
 */
import init from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader } from './runtime.js';

let loaded = false;
let loading: Promise<typeof glue> | undefined;

setLoader({
  ready: () => (loaded ? glue : undefined),
  load: () =>
    (loading ??= init({ module_or_path: new URL('./wasm/cascade_edge_bg.wasm', import.meta.url) }).then(() => {
      loaded = true;
      return glue;
    })),
});

export * from './index.js';
