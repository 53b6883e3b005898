// A tiny app built by each real bundler (esbuild, Vite, webpack, Rollup)
// from a consumer project, the way a user's build would see the package:
// `cascade-edge` resolved through its exports map, the engine's .wasm
// either carried along by the bundler or handed over with `initCascade`.
// The app asks one question of the fake provider and reports the answer,
// or the error's code and message.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { DRAFTER, VERIFIER, KEYS, ACCEPTED } from './fake-provider.mjs';

/**
 * The app's shared part. `door` is code run before the first use of the
 * engine (an `initCascade` call), or '' to rely on the bundler.
 */
export function appModule(door = '', imports = '') {
  return `import { CascadeAgent, initCascade } from 'cascade-edge';
${imports}
export async function ask(baseUrl) {
  try {
    ${door}
    const agent = new CascadeAgent({
      models: [
        { ...${JSON.stringify(DRAFTER)}, baseUrl, apiKey: ${JSON.stringify(KEYS.OPENAI_API_KEY)} },
        { ...${JSON.stringify(VERIFIER)}, baseUrl, apiKey: ${JSON.stringify(KEYS.ANTHROPIC_API_KEY)} },
      ],
      env: {},
    });
    const r = await agent.run(${JSON.stringify(ACCEPTED.question)});
    return { answer: r.content, model: r.modelUsed };
  } catch (e) {
    return { code: e?.code, name: e?.name, message: String(e?.message ?? e), cascade: typeof initCascade === 'function' };
  }
}
`;
}

/** A Node entry: prints the app's report as JSON (no top-level await, so CommonJS bundles work too). */
export const NODE_MAIN = `import { ask } from './app.js';
ask(process.env.BASE_URL).then((r) => console.log(JSON.stringify(r)));
`;

/** A browser entry: leaves the report on `window.__report` (the fake's URL comes in the query). */
export const BROWSER_MAIN = `import { ask } from './app.js';
ask(new URLSearchParams(location.search).get('base')).then((r) => { window.__report = r; });
`;

export const INDEX_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>bundled</title></head>
<body><script type="module" src="./main.js"></script></body></html>
`;

/** Write `files` ({ name: text }) into `dir`. */
export function writeFiles(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

/** esbuild, as a user calls it: `bundle: true`, with whatever `loader` their door needs. */
export async function buildEsbuild({ dir, outfile, platform, format = 'esm', loader, entry = 'main.js' }) {
  await esbuild.build({
    entryPoints: [path.join(dir, entry)],
    outfile,
    bundle: true,
    platform,
    format,
    // esbuild's default target lets its `binary` loader call Uint8Array.fromBase64, which Node 20 lacks.
    target: platform === 'node' ? 'node20' : 'es2022',
    loader,
    logLevel: 'silent',
  });
}

/** Vite's production build of `dir/index.html` into `outDir` (relative asset URLs). */
export async function buildVite({ dir, outDir }) {
  const { build } = await import('vite');
  await build({ root: dir, base: './', logLevel: 'silent', configFile: false, build: { outDir, emptyOutDir: true } });
}

/** webpack 5 in production mode, for `target` 'web' or 'node'. */
export async function buildWebpack({ dir, outDir, target, filename }) {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => {
    webpack(
      {
        mode: 'production',
        context: dir,
        entry: './main.js',
        target,
        output: { path: outDir, filename },
        resolve: { modules: [path.join(dir, 'node_modules')] },
        infrastructureLogging: { level: 'none' },
      },
      (err, s) => (err ? reject(err) : resolve(s)),
    );
  });
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
}

/** Rollup with node-resolve (the plugin every Rollup user adds), ES module output. */
export async function buildRollup({ dir, outDir, browser }) {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const bundle = await rollup({
    input: path.join(dir, 'main.js'),
    plugins: [nodeResolve({ browser, exportConditions: browser ? ['browser'] : ['node'], rootDir: dir })],
    external: browser ? [] : [/^node:/],
    onwarn: () => {},
  });
  await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'main.js' });
  await bundle.close();
}
