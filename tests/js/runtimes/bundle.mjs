// Bundle an example the way its platform's build does, resolving
// `cascade-edge` from a consumer project's node_modules through the
// package's `exports` conditions.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

/**
 * Cloudflare Workers (what wrangler does): conditions workerd/worker, and every
 * `.wasm` import left external as a separate module that the runtime hands
 * over precompiled (a `CompiledWasm` module in workerd's terms).
 * Returns `{ script, wasm: [paths] }` inside `outdir`.
 */
export async function bundleForWorkers({ entry, outdir, nodePaths }) {
  const wasm = [];
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: path.join(outdir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'import'],
    mainFields: ['module', 'main'],
    nodePaths,
    logLevel: 'silent',
    metafile: true,
    plugins: [
      {
        name: 'workers-compiled-wasm',
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            const abs = path.resolve(args.resolveDir, args.path);
            const name = path.basename(abs);
            fs.copyFileSync(abs, path.join(outdir, name));
            wasm.push(path.join(outdir, name));
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  return { script: path.join(outdir, 'worker.js'), wasm, metafile: result.metafile };
}

/**
 * Vercel Edge (what `vercel build` / Next.js do): condition edge-light first;
 * `import m from 'x.wasm?module'` becomes a read of a global binding named
 * after the file's hash, which the platform fills with a compiled
 * `WebAssembly.Module` before the code runs. The output is a classic script
 * that leaves the route's exports on `globalThis[globalName]`.
 * Returns `{ script, bindings: { name: wasmPath } }`.
 */
export async function bundleForVercelEdge({ entry, outdir, nodePaths, globalName }) {
  const bindings = {};
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: path.join(outdir, 'edge.js'),
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser', 'module', 'import'],
    nodePaths,
    logLevel: 'silent',
    metafile: true,
    plugins: [
      {
        name: 'vercel-wasm-module',
        setup(b) {
          b.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
            const abs = path.resolve(args.resolveDir, args.path.replace(/\?module$/, ''));
            const name = `wasm_${crypto.createHash('sha1').update(fs.readFileSync(abs)).digest('hex')}`;
            bindings[name] = abs;
            return { path: name, namespace: 'vercel-wasm' };
          });
          b.onLoad({ filter: /.*/, namespace: 'vercel-wasm' }, (args) => ({
            contents: `export default globalThis[${JSON.stringify(args.path)}];`,
            loader: 'js',
          }));
          // Vercel Edge has no other way to get a Module: a bare .wasm import is a bug.
          b.onResolve({ filter: /\.wasm$/ }, (args) => ({
            errors: [{ text: `${args.path}: Vercel Edge loads wasm only through "?module" imports` }],
          }));
        },
      },
    ],
  });
  return { script: path.join(outdir, 'edge.js'), bindings, metafile: result.metafile };
}

/** The package files a bundle pulled in, relative to the package root (to check which entry won). */
export function packageInputs(metafile, pkgDir) {
  const root = fs.realpathSync(pkgDir) + path.sep;
  return Object.keys(metafile.inputs)
    .map((p) => path.resolve(p.replace(/^[a-z-]+:/, '')))
    .filter((p) => p.startsWith(root))
    .map((p) => p.slice(root.length).split(path.sep).join('/'));
}
