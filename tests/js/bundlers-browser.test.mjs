// Any bundler, browser side: the same tiny app built for the browser by
// esbuild, Vite, webpack and Rollup, served from 127.0.0.1 and run in
// headless Chromium (Debian's) against the fake provider. Bundlers that
// follow `new URL('x.wasm', import.meta.url)` (Vite, webpack) need nothing;
// for the others the page either reports E_WASM_LOAD with the fix or, with
// `initCascade`, answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { consumerProject } from './runtimes/consumer.mjs';
import { ACCEPTED, startFakeProvider } from './runtimes/fake-provider.mjs';
import { BROWSER_MAIN, INDEX_HTML, appModule, buildEsbuild, buildRollup, buildVite, buildWebpack, writeFiles } from './runtimes/bundlers.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const T = { timeout: 120_000 };
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
let fake;
let project;
let site;
let siteUrl;
let profile;
let context;

before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run \`bash scripts/setup.sh --browser\` (Debian's chromium) or set CHROMIUM_PATH`);
  }
  fake = await startFakeProvider();
  project = consumerProject('cascade-edge-bundlers-browser-');
  // Every build's output under project/www/<name>/, served as static files.
  site = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(project.dir, 'www', rel);
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(path.join(project.dir, 'www') + path.sep) || !type || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': type });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cascade-edge-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
}, { timeout: 60_000 });

after(async () => {
  await context?.close().catch(() => {});
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  site?.closeAllConnections?.();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
  project?.cleanup();
  await fake?.stop();
});

/** A fresh app folder inside the consumer project; its output goes to www/<name>/. */
function app(name, door = '', imports = '') {
  const dir = path.join(project.dir, 'src', name);
  writeFiles(dir, { 'app.js': appModule(door, imports), 'main.js': BROWSER_MAIN, 'index.html': INDEX_HTML });
  fs.symlinkSync(path.join(project.dir, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, out: path.join(project.dir, 'www', name) };
}

/** Open www/<name>/index.html and wait for the app's report. */
async function report(name) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  try {
    await page.goto(`${siteUrl}/${name}/index.html?base=${encodeURIComponent(fake.url)}`);
    await page.waitForFunction(() => window.__report !== undefined, null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.__report);
    assert.deepEqual(problems, [], 'no uncaught error on the page');
    return r;
  } finally {
    await page.close();
  }
}

const answered = (r) => assert.deepEqual(r, { answer: ACCEPTED.answer, model: ACCEPTED.model });

test('esbuild, browser: without the door the page reports E_WASM_LOAD naming the fix', T, async () => {
  const { dir, out } = app('esbuild-plain');
  await buildEsbuild({ dir, outfile: path.join(out, 'main.js'), platform: 'browser' });
  fs.copyFileSync(path.join(dir, 'index.html'), path.join(out, 'index.html'));
  const r = await report('esbuild-plain');
  assert.equal(r.code, 'E_WASM_LOAD', JSON.stringify(r));
  assert.match(r.message, /initCascade\(\{ url \}\)/);
});

test("esbuild, browser: `cascade-edge/wasm` through the file loader and initCascade({ url }) answers", T, async () => {
  const { dir, out } = app('esbuild-url', 'await initCascade({ url: wasmUrl });', "import wasmUrl from 'cascade-edge/wasm';");
  await buildEsbuild({ dir, outfile: path.join(out, 'main.js'), platform: 'browser', loader: { '.wasm': 'file' } });
  fs.copyFileSync(path.join(dir, 'index.html'), path.join(out, 'index.html'));
  assert.ok(fs.readdirSync(out).some((f) => f.endsWith('.wasm')), 'esbuild copied the engine');
  answered(await report('esbuild-url'));
});

test('Vite 8 build: the engine is an asset and the page answers with no door', T, async () => {
  const { dir, out } = app('vite');
  await buildVite({ dir, outDir: out });
  answered(await report('vite'));
});

test("Vite 8 build: `import url from 'cascade-edge/wasm?url'` with initCascade({ url }) answers too", T, async () => {
  const { dir, out } = app('vite-url', 'await initCascade({ url: wasmUrl });', "import wasmUrl from 'cascade-edge/wasm?url';");
  await buildVite({ dir, outDir: out });
  answered(await report('vite-url'));
});

test('webpack 5, target web: the engine is an asset and the page answers with no door', T, async () => {
  const { dir, out } = app('webpack');
  await buildWebpack({ dir, outDir: out, target: 'web', filename: 'main.js' });
  fs.copyFileSync(path.join(dir, 'index.html'), path.join(out, 'index.html'));
  answered(await report('webpack'));
});

test('Rollup + node-resolve, browser: the engine copied beside the bundle and initCascade({ url }) answers', T, async () => {
  const { dir, out } = app('rollup', "await initCascade({ url: new URL('./engine.wasm', import.meta.url) });");
  await buildRollup({ dir, outDir: out, browser: true });
  fs.copyFileSync(path.join(dir, 'index.html'), path.join(out, 'index.html'));
  fs.copyFileSync(path.join(dir, 'node_modules/cascade-edge/dist/wasm/cascade_edge_bg.wasm'), path.join(out, 'engine.wasm'));
  answered(await report('rollup'));
});
