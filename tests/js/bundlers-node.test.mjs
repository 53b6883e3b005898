// Any bundler, Node side: a tiny app bundled by esbuild, webpack and Rollup
// from a consumer project, then run with Node against the fake provider.
// Where the bundler leaves the .wasm behind, the first run fails with
// E_WASM_LOAD and a message that names the fix, and the same app with
// `initCascade` answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { consumerProject } from './runtimes/consumer.mjs';
import { ACCEPTED, DRAFTER, startFakeProvider } from './runtimes/fake-provider.mjs';
import { NODE_MAIN, appModule, buildEsbuild, buildRollup, buildWebpack, writeFiles } from './runtimes/bundlers.mjs';

const exec = promisify(execFile);
const T = { timeout: 120_000 };
let fake;
let project;

before(async () => {
  fake = await startFakeProvider();
  project = consumerProject('cascade-edge-bundlers-node-');
}, { timeout: 30_000 });
after(async () => {
  project?.cleanup();
  await fake?.stop();
});

/** A fresh app folder inside the consumer project (so `cascade-edge` resolves from its node_modules). */
function app(name, door = '', imports = '') {
  const dir = path.join(project.dir, name);
  writeFiles(dir, { 'app.js': appModule(door, imports), 'main.js': NODE_MAIN });
  fs.symlinkSync(path.join(project.dir, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}

async function runNode(file) {
  const { stdout } = await exec(process.execPath, [file], {
    env: { PATH: process.env.PATH, BASE_URL: fake.url },
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

function answered(report) {
  assert.deepEqual(report, { answer: ACCEPTED.answer, model: ACCEPTED.model });
}

/** The bundle ran, did not crash at import, and said what to do. */
function toldHowToFix(report) {
  assert.equal(report.code, 'E_WASM_LOAD', JSON.stringify(report));
  assert.equal(report.name, 'WasmLoadError');
  assert.match(report.message, /initCascade\(\{/);
  assert.match(report.message, /cascade-edge\/wasm/);
}

test('esbuild, Node ESM: the .wasm left behind is an E_WASM_LOAD that names the fix, not a crash at import', T, async () => {
  const dir = app('esbuild-plain');
  const out = path.join(dir, 'out/main.mjs');
  await buildEsbuild({ dir, outfile: out, platform: 'node' });
  const report = await runNode(out);
  toldHowToFix(report);
  assert.match(report.message, /ENOENT/, 'the cause is in the message');
});

test('esbuild, Node CommonJS output (no import.meta.url): the same error, not a TypeError', T, async () => {
  const dir = app('esbuild-cjs');
  const out = path.join(dir, 'out/main.cjs');
  await buildEsbuild({ dir, outfile: out, platform: 'node', format: 'cjs' });
  toldHowToFix(await runNode(out));
});

test("esbuild, Node: `cascade-edge/wasm` through the binary loader and initCascade({ bytes }) answers", T, async () => {
  const dir = app('esbuild-bytes', 'await initCascade({ bytes: wasm });', "import wasm from 'cascade-edge/wasm';");
  const out = path.join(dir, 'out/main.mjs');
  await buildEsbuild({ dir, outfile: out, platform: 'node', loader: { '.wasm': 'binary' } });
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ['main.mjs'], 'one file: the engine is inside the bundle');
  answered(await runNode(out));
});

test('esbuild, Node: initCascade({ url }) with a file: URL the app copied the engine to answers', T, async () => {
  const dir = app('esbuild-url', "await initCascade({ url: new URL('./engine.wasm', import.meta.url) });");
  const out = path.join(dir, 'out/main.mjs');
  await buildEsbuild({ dir, outfile: out, platform: 'node' });
  fs.copyFileSync(path.join(dir, 'node_modules/cascade-edge/dist/wasm/cascade_edge_bg.wasm'), path.join(dir, 'out/engine.wasm'));
  answered(await runNode(out));
});

test('webpack 5, target node: the .wasm is emitted as an asset and the bundle answers with no door', T, async () => {
  const dir = app('webpack-node');
  const outDir = path.join(dir, 'out');
  await buildWebpack({ dir, outDir, target: 'node', filename: 'main.cjs' });
  assert.ok(fs.readdirSync(outDir).some((f) => f.endsWith('.wasm')), 'webpack copied the engine');
  answered(await runNode(path.join(outDir, 'main.cjs')));
});

test('Rollup + node-resolve, Node: E_WASM_LOAD without the door, an answer with initCascade({ bytes }) read from disk', T, async () => {
  const plain = app('rollup-plain');
  await buildRollup({ dir: plain, outDir: path.join(plain, 'out'), browser: false });
  toldHowToFix(await runNode(path.join(plain, 'out/main.js')));

  const dir = app(
    'rollup-bytes',
    "await initCascade({ bytes: readFileSync(createRequire(import.meta.url).resolve('cascade-edge/wasm')) });",
    "import { readFileSync } from 'node:fs';\nimport { createRequire } from 'node:module';",
  );
  await buildRollup({ dir, outDir: path.join(dir, 'out'), browser: false });
  answered(await runNode(path.join(dir, 'out/main.js')));
});

test('initCascade refuses a wrong source with a CascadeError, and a failed load is not kept', T, async () => {
  const dir = app(
    'esbuild-wrong',
    `const seen = [];
    for (const bad of [{}, { bytes: new Uint8Array([1, 2, 3]) }, { url: new URL('./missing.wasm', import.meta.url) }, { module: 5 }]) {
      try { await initCascade(bad); seen.push('resolved'); } catch (e) { seen.push(e.code); }
    }
    const early = new CascadeAgent([{ ...${JSON.stringify(DRAFTER)}, baseUrl, apiKey: 'sk-early' }]);
    const first = await early.run(${JSON.stringify(ACCEPTED.question)}).catch((e) => e.code);
    if (JSON.stringify(seen) !== JSON.stringify(['E_CONFIG', 'E_WASM_LOAD', 'E_WASM_LOAD', 'E_CONFIG']) || first !== 'E_WASM_LOAD') {
      return { seen, first };
    }
    await initCascade({ bytes: readFileSync(createRequire(import.meta.url).resolve('cascade-edge/wasm')) });
    // The agent made before the engine came now runs too.
    const late = await early.run(${JSON.stringify(ACCEPTED.question)});
    if (late.content !== ${JSON.stringify(ACCEPTED.answer)}) return { late: late.content };`,
    "import { readFileSync } from 'node:fs';\nimport { createRequire } from 'node:module';",
  );
  const out = path.join(dir, 'out/main.mjs');
  await buildEsbuild({ dir, outfile: out, platform: 'node' });
  answered(await runNode(out));
});
