/**
 * `initCascade()`: the one door every bundler can use to hand the engine's
 * `.wasm` over, and the errors that say so when the package's own file
 * could not be loaded.
 *
 * Each runtime entry finds the .wasm next to itself (a file read in Node,
 * a fetch in browsers, a compiled import in Workers). Bundlers that do not
 * follow `new URL('./x.wasm', import.meta.url)` (esbuild, Rollup without a
 * plugin) leave the file behind, and the user used to see a raw ENOENT at
 * import. Now importing always succeeds, the first call that needs the
 * engine fails with `E_WASM_LOAD` and a fix, and `initCascade({ module |
 * bytes | url })` takes the file from wherever the app put it.
 */
import { ConfigError, WasmLoadError } from './errors.js';
import { engine, provideModule } from './runtime.js';

/** Where the engine's `.wasm` is, for `initCascade`. Give exactly one. */
export type WasmSource =
  | { module: WebAssembly.Module; bytes?: never; url?: never }
  | { bytes: BufferSource; module?: never; url?: never }
  | { url: string | URL; module?: never; bytes?: never };

const FIX =
  'Hand the engine over before the first run: `await initCascade({ url })` with the URL your bundler gives ' +
  "`cascade-edge/wasm` (Vite: `import url from 'cascade-edge/wasm?url'`; esbuild: the `file` loader), " +
  "`{ bytes }` (esbuild's `binary` loader, or the file read from disk), or `{ module }` (a compiled WebAssembly.Module)";

/** The package's own .wasm could not be read or compiled in Node. */
export function nodeLoadError(where: string, cause: unknown): WasmLoadError {
  return new WasmLoadError(
    'E_WASM_LOAD',
    `cascade-edge could not load its engine from ${where} (${describe(cause)}): a bundler probably left ` +
      'cascade_edge_bg.wasm out of the build. Copy node_modules/cascade-edge/dist/wasm/cascade_edge_bg.wasm ' +
      `to that place, or mark cascade-edge as external. ${FIX}; in Node, ` +
      "`{ bytes: readFileSync(createRequire(import.meta.url).resolve('cascade-edge/wasm')) }` works anywhere.",
    { cause },
  );
}

/** The browser entry's fetch or compile of its .wasm failed. */
export function browserLoadError(where: string, cause: unknown): WasmLoadError {
  return new WasmLoadError(
    'E_WASM_LOAD',
    `cascade-edge could not load its engine from ${where} (${describe(cause)}): the bundler did not serve ` +
      `cascade_edge_bg.wasm there. ${FIX}.`,
    { cause },
  );
}

/** Workers and Vercel Edge get a compiled module from the platform; it did not come. */
export function edgeLoadError(platform: string, cause: unknown): WasmLoadError {
  return new WasmLoadError(
    'E_WASM_LOAD',
    `cascade-edge could not start its engine on ${platform} (${describe(cause)}): the .wasm import did not give ` +
      'a WebAssembly.Module. Bundle with the platform\'s own tool (wrangler, `vercel build`, Next.js), or pass ' +
      'one yourself: `await initCascade({ module })` from a `.wasm` import of `cascade-edge/wasm` ' +
      '(compiling bytes at run time is forbidden there).',
    { cause },
  );
}

function describe(cause: unknown): string {
  if (cause === undefined) return 'nothing was found';
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/**
 * Hand the engine's `.wasm` to cascade-edge and start it. Needed only when a
 * bundler did not ship the file next to the package's code (the error of the
 * first run says so); harmless otherwise: if the engine already runs from
 * the package's own file, that one is kept.
 */
export async function initCascade(source: WasmSource): Promise<void> {
  const module = await compile(source);
  try {
    provideModule(module);
  } catch (e) {
    throw new WasmLoadError(
      'E_WASM_LOAD',
      `initCascade: the module could not be started (${describe(e)}); it must be the cascade_edge_bg.wasm of ` +
        'this version of cascade-edge (the `cascade-edge/wasm` export).',
      { cause: e },
    );
  }
  await engine();
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  const given = source && typeof source === 'object' ? Object.keys(source).filter((k) => (source as Record<string, unknown>)[k] !== undefined) : [];
  if (given.length !== 1 || !['module', 'bytes', 'url'].includes(given[0]!)) {
    throw new ConfigError(
      'E_CONFIG',
      `initCascade: expected one of { module }, { bytes } or { url }, got ${given.length ? `{ ${given.join(', ')} }` : typeof source}`,
    );
  }
  if ('module' in source && source.module !== undefined) return asModule(source.module);
  if ('bytes' in source && source.bytes !== undefined) return fromBytes(source.bytes, 'the bytes given');
  const url = (source as { url: string | URL }).url;
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new ConfigError('E_CONFIG', `initCascade: url must be a string or a URL, got ${typeof url}`);
  }
  return fromBytes(await download(url), String(url));
}

/** A Module made in another realm (a `vm` sandbox) is still a Module of this isolate. */
function asModule(m: unknown): WebAssembly.Module {
  if (m instanceof WebAssembly.Module) return m;
  if (Object.prototype.toString.call(m) === '[object WebAssembly.Module]') {
    return Object.setPrototypeOf(m, WebAssembly.Module.prototype) as WebAssembly.Module;
  }
  throw new ConfigError('E_CONFIG', 'initCascade: module must be a WebAssembly.Module (a compiled .wasm import)');
}

async function fromBytes(bytes: BufferSource, what: string): Promise<WebAssembly.Module> {
  if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
    throw new ConfigError('E_CONFIG', 'initCascade: bytes must be an ArrayBuffer or a typed array (a Uint8Array, a Buffer)');
  }
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    throw new WasmLoadError(
      'E_WASM_LOAD',
      `initCascade: ${what} could not be compiled as WebAssembly (${describe(e)}). Give the bytes of ` +
        'cascade_edge_bg.wasm (the `cascade-edge/wasm` export) unchanged; in Workers and Vercel Edge, where ' +
        'compiling at run time is forbidden, give `{ module }` from a `.wasm` import instead.',
      { cause: e },
    );
  }
}

/** `file:` URLs are read from disk (Node's fetch cannot); anything else is fetched. */
async function download(url: string | URL): Promise<BufferSource> {
  const href = String(url);
  try {
    if (href.startsWith('file:')) {
      const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as
        | { readFileSync(u: URL): Uint8Array<ArrayBuffer> }
        | undefined;
      if (!fs) throw new Error('file: URLs can only be read in Node (20.16 or later); pass { bytes } instead');
      return fs.readFileSync(new URL(href));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.arrayBuffer();
  } catch (e) {
    throw new WasmLoadError(
      'E_WASM_LOAD',
      `initCascade: ${href} could not be read (${describe(e)}). Check that your bundler copies ` +
        '`cascade-edge/wasm` to the place this URL names, or pass { bytes } or { module }.',
      { cause: e },
    );
  }
}
