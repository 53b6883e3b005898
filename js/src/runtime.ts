/**
 * How the wasm engine is reached. Each runtime entry (node, workerd,
 * edge-light, browser) initialises it its own way and registers it here; the
 * rest of the wrapper only asks for it.
 */
import type * as Glue from './wasm/cascade_edge.js';

export type Engine = typeof Glue;

interface Loader {
  /** The engine, if it is already initialised. */
  ready(): Engine | undefined;
  /** Initialise it (browser: fetch and instantiate on first use). */
  load(): Promise<Engine>;
  /** Where to read API keys by default (Node: `process.env`). */
  env?: () => Record<string, unknown> | undefined;
  /** Set by the browser entry: requests leave from a web page. */
  browser?: boolean;
}

let loader: Loader | undefined;

export function setLoader(l: Loader): void {
  loader = l;
}

export function engineSync(): Engine | undefined {
  return loader?.ready();
}

export async function engine(): Promise<Engine> {
  if (!loader) throw new Error('cascade-edge: no runtime entry was loaded; import the package, not a file inside it');
  return loader.ready() ?? loader.load();
}

export function defaultEnv(): Record<string, unknown> | undefined {
  return loader?.env?.();
}

/** Whether the browser entry loaded the package (Anthropic then needs its CORS opt-in header). */
export function isBrowserEntry(): boolean {
  return loader?.browser === true;
}
