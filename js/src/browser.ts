/**
 * Browsers: the .wasm is fetched and instantiated lazily, on the first run
 * (or `await ready()`), so importing the package costs nothing up front.
 * Agents made here tell the engine they run in a browser, so that Anthropic
 * requests carry the header its CORS rules require. A failed fetch is not
 * remembered: the next run tries again, or uses what `initCascade` gave.
 */
import init from './wasm/cascade_edge.js';
import * as glue from './wasm/cascade_edge.js';
import { setLoader } from './runtime.js';
import { browserLoadError } from './wasm-source.js';

let loaded = false;
let loading: Promise<typeof glue> | undefined;
/** After a crash, or from `initCascade`: the compiled module, so nothing is fetched again. */
let compiled: WebAssembly.Module | undefined;

/** The package's own .wasm, beside this file (a bundler may have moved or dropped it). */
function ownWasm(): URL | string {
  try {
    return new URL('./wasm/cascade_edge_bg.wasm', import.meta.url);
  } catch {
    // A classic-script bundle (iife) has no import.meta.url: nothing beside us to fetch.
    return 'cascade_edge_bg.wasm (no import.meta.url in this bundle)';
  }
}

setLoader({
  browser: true,
  ready: () => (loaded ? glue : undefined),
  load: () => {
    if (loading) return loading;
    const source = compiled ?? ownWasm();
    loading = (typeof source === 'string' ? Promise.reject(new Error('the bundle has no import.meta.url')) : init({ module_or_path: source })).then(
      () => {
        loaded = true;
        return glue;
      },
      (e: unknown) => {
        loading = undefined;
        throw browserLoadError(String(source instanceof WebAssembly.Module ? 'the module given' : source), e);
      },
    );
    return loading;
  },
  // Browsers refuse to instantiate a large module synchronously on the
  // main thread, so the new instance is made by the next `load()`.
  reset: () => {
    compiled = glue.__cascadeReset() ?? compiled;
    loaded = false;
    loading = undefined;
  },
  provide: (module) => {
    if (loaded) return;
    compiled = module;
    loading = undefined;
  },
});

export * from './index.js';
