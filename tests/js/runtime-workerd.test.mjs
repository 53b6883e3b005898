// Cloudflare Workers: examples/cloudflare-worker bundled as wrangler would
// (workerd condition, .wasm as a CompiledWasm module), run in workerd through
// Miniflare, against the fake provider on 127.0.0.1 passed in env bindings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { PKG, ROOT, consumerProject } from './runtimes/consumer.mjs';
import { bundleForWorkers, packageInputs } from './runtimes/bundle.mjs';
import { ACCEPTED, ESCALATED, KEYS, parseSSE, startFakeProvider } from './runtimes/fake-provider.mjs';
import { checkAnswer, checkStreamEvents } from './runtimes/expect.mjs';

const EXAMPLE = path.join(ROOT, 'examples/cloudflare-worker');
let fake;
let project;
let mf;
let bundle;

before(async () => {
  fake = await startFakeProvider();
  project = consumerProject('cascade-edge-workerd-');
  // The worker's source sits in the consumer project, next to its node_modules.
  fs.cpSync(path.join(EXAMPLE, 'src'), path.join(project.dir, 'src'), { recursive: true });
  fs.mkdirSync(path.join(project.dir, 'dist'));
  bundle = await bundleForWorkers({ entry: path.join(project.dir, 'src/index.js'), outdir: path.join(project.dir, 'dist') });
  const toml = fs.readFileSync(path.join(EXAMPLE, 'wrangler.toml'), 'utf8');
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)[1];
  mf = new Miniflare({
    modules: true,
    modulesRoot: path.dirname(bundle.script),
    scriptPath: bundle.script,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate,
    bindings: { ...KEYS, OPENAI_BASE_URL: fake.url, ANTHROPIC_BASE_URL: fake.url },
  });
  await mf.ready;
}, { timeout: 60_000 });

after(async () => {
  await withTimeout(mf?.dispose(), 10_000);
  project?.cleanup();
  await fake?.stop();
});

// Never let a stuck runtime hang the whole suite.
function withTimeout(p, ms) {
  let t;
  return Promise.race([Promise.resolve(p).catch(() => {}), new Promise((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}
const T = { timeout: 30_000 };

const ask = (question, query = '') =>
  mf.dispatchFetch(`http://worker.test/ask${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  });

test('workerd: the bundle takes the package\'s "workerd" entry and its .wasm as a separate module', () => {
  const inputs = packageInputs(bundle.metafile, PKG);
  assert.ok(inputs.includes('dist/workerd.js'), inputs.join(', '));
  for (const other of ['dist/node.js', 'dist/edge.js', 'dist/browser.js']) assert.ok(!inputs.includes(other), other);
  assert.deepEqual(bundle.wasm.map((p) => path.basename(p)), ['cascade_edge_bg.wasm']);
  assert.match(fs.readFileSync(bundle.script, 'utf8'), /from\s*["']\.\/cascade_edge_bg\.wasm["']/);
});

test('workerd: an accepted draft returns {answer, model, cost, savings}', T, async () => {
  fake.clear();
  const res = await ask(ACCEPTED.question);
  assert.equal(res.status, 200);
  checkAnswer(await res.json(), ACCEPTED);
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions']);
  assert.equal(reqs[0].headers.authorization, `Bearer ${KEYS.OPENAI_API_KEY}`, 'the key comes from env');
});

test('workerd: a truncated draft escalates to the verifier', T, async () => {
  fake.clear();
  const res = await ask(ESCALATED.question);
  assert.equal(res.status, 200);
  checkAnswer(await res.json(), ESCALATED);
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions', '/v1/messages']);
  assert.equal(reqs[1].headers['x-api-key'], KEYS.ANTHROPIC_API_KEY);
});

test('workerd: ?stream=1 answers with SSE from toSSEResponse()', T, async () => {
  const res = await ask(ESCALATED.question, '?stream=1');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const frames = parseSSE(await res.text());
  for (const f of frames) assert.equal(f.event, f.data.type, 'the SSE event name is the event type');
  checkStreamEvents(frames.map((f) => f.data), ESCALATED);
});

test('workerd: a bad request is refused before any provider call', T, async () => {
  fake.clear();
  const res = await mf.dispatchFetch('http://worker.test/ask', { method: 'POST', body: 'not json' });
  assert.equal(res.status, 400);
  await res.arrayBuffer();
  assert.equal(fake.requests().length, 0);
});
