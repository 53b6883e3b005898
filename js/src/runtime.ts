/**
 * How the wasm engine is reached. Each runtime entry (node, workerd,
 * edge-light, browser) initialises it its own way and registers it here; the
 * rest of the wrapper only asks for it.
 *
 * It is also where a crashed engine is replaced. A trap in wasm (a panic,
 * which should never happen, or an out-of-bounds access) leaves the
 * instance's memory in an unknown state: every later call could fail or,
 * worse, answer wrongly. So the first trap marks the instance dead, the
 * caller gets one `E_INTERNAL`, and the next call starts a fresh instance
 * from the same compiled module. Agents rebuild themselves on it.
 */
import type * as Glue from './wasm/cascade_edge.js';

export type Engine = typeof Glue;

interface Loader {
  /** The engine, if it is already initialised. */
  ready(): Engine | undefined;
  /** Initialise it (browser: fetch and instantiate on first use). */
  load(): Promise<Engine>;
  /**
   * Drop the instance; the next `ready()` (or, in browsers, `load()`)
   * makes a new one from the compiled module.
   */
  reset(): void;
  /** Where to read API keys by default (Node: `process.env`). */
  env?: () => Record<string, unknown> | undefined;
  /** Set by the browser entry: requests leave from a web page. */
  browser?: boolean;
}

let loader: Loader | undefined;
/** Which instance is current; bumped each time a crashed one is replaced. */
let generation = 0;
let crashed = false;
/** The engine's objects that hold memory of the current instance (see `track`). */
let live: WeakRef<{ __destroy_into_raw?: () => unknown }>[] = [];

export function setLoader(l: Loader): void {
  loader = l;
}

/** Whether a runtime entry has registered the engine already (the proxy's entries then keep it). */
export function hasLoader(): boolean {
  return loader !== undefined;
}

/**
 * The loader of a runtime that instantiates synchronously from a compiled
 * module (Node, workerd, Vercel Edge): `init` makes the instance now, and
 * again after a crash.
 */
export function syncLoader(glue: Engine, init: () => void): Loader {
  init();
  return {
    ready: () => glue,
    load: async () => glue,
    reset: () => {
      glue.__cascadeReset();
      init();
    },
  };
}

export function engineSync(): Engine | undefined {
  if (crashed) restart();
  return loader?.ready();
}

export async function engine(): Promise<Engine> {
  if (!loader) throw new Error('cascade-edge: no runtime entry was loaded; import the package, not a file inside it');
  if (crashed) restart();
  return loader.ready() ?? loader.load();
}

/** The current instance's number: work begun on an older one must not go on. */
export function currentGeneration(): number {
  return generation;
}

/**
 * Note an object the glue made (a `WasmAgent`). Its finalizer frees memory
 * in whichever instance is current when it runs, so after a crash it must
 * be detached first, or it would free memory of the new instance.
 */
export function track<T extends object>(obj: T): T {
  if (typeof WeakRef === 'function') {
    if (live.length >= 64 && live.length % 64 === 0) live = live.filter((r) => r.deref() !== undefined);
    live.push(new WeakRef(obj as { __destroy_into_raw?: () => unknown }));
  }
  return obj;
}

/** Whether `e` is a trap of the wasm instance (not an error the engine threw on purpose). */
export function isTrap(e: unknown): boolean {
  return typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError;
}

/** The instance trapped: retire it; the next call gets a new one. */
export function markCrashed(): void {
  if (crashed) return;
  crashed = true;
  generation++;
  for (const ref of live) ref.deref()?.__destroy_into_raw?.();
  live = [];
}

function restart(): void {
  crashed = false;
  loader?.reset();
}

export function defaultEnv(): Record<string, unknown> | undefined {
  return loader?.env?.();
}

/** Whether the browser entry loaded the package (Anthropic then needs its CORS opt-in header). */
export function isBrowserEntry(): boolean {
  return loader?.browser === true;
}
