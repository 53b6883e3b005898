// Vercel Edge: examples/vercel-edge's route handler bundled as Vercel/Next.js
// do (edge-light condition, `?module` wasm bindings), run in @edge-runtime/vm
// with code generation from strings and wasm bytes disallowed, as in
// production, against the fake provider on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PKG, ROOT, consumerProject } from './runtimes/consumer.mjs';
import { bundleForVercelEdge, packageInputs } from './runtimes/bundle.mjs';
import { callRoute, edgeSandbox } from './runtimes/edge-vm.mjs';
import { ACCEPTED, ESCALATED, KEYS, parseSSE, startFakeProvider } from './runtimes/fake-provider.mjs';
import { checkAnswer, checkStreamEvents } from './runtimes/expect.mjs';

const T = { timeout: 30_000 };
let fake;
let project;
let bundle;
let vm;
let env;

before(async () => {
  fake = await startFakeProvider();
  project = consumerProject('cascade-edge-vercel-');
  fs.cpSync(path.join(ROOT, 'examples/vercel-edge/app'), path.join(project.dir, 'app'), { recursive: true });
  bundle = await bundleForVercelEdge({
    entry: path.join(project.dir, 'app/api/ask/route.js'),
    outdir: path.join(project.dir, '.vercel-out'),
    globalName: 'route',
  });
  env = { ...KEYS, OPENAI_BASE_URL: fake.url, ANTHROPIC_BASE_URL: fake.url };
  vm = await edgeSandbox({ ...bundle, env });
}, { timeout: 60_000 });

after(async () => {
  project?.cleanup();
  await fake?.stop();
});

const ask = (sandbox, question, query = '') =>
  callRoute(sandbox, 'route', 'POST', `http://edge.test/api/ask${query}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  });

test('edge: the bundle takes the package\'s "edge-light" entry and one ?module wasm binding', () => {
  const inputs = packageInputs(bundle.metafile, PKG);
  assert.ok(inputs.includes('dist/edge.js'), inputs.join(', '));
  for (const other of ['dist/workerd.js', 'dist/node.js', 'dist/browser.js']) assert.ok(!inputs.includes(other), other);
  const names = Object.keys(bundle.bindings);
  assert.equal(names.length, 1);
  assert.match(names[0], /^wasm_[0-9a-f]{40}$/);
  assert.equal(path.basename(bundle.bindings[names[0]]), 'cascade_edge_bg.wasm');
});

test('edge: the sandbox forbids eval and compiling wasm, as Vercel Edge does', () => {
  assert.throws(() => vm.evaluate('eval("1 + 1")'), /Code generation from strings disallowed/);
  assert.throws(
    () => vm.evaluate('new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))'),
    /Wasm code generation disallowed/,
  );
});

test('edge: an accepted draft returns {answer, model, cost, savings}', T, async () => {
  fake.clear();
  const res = await ask(vm, ACCEPTED.question);
  assert.equal(res.status, 200);
  checkAnswer(await res.json(), ACCEPTED);
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions']);
  assert.equal(reqs[0].headers.authorization, `Bearer ${KEYS.OPENAI_API_KEY}`, 'the key comes from process.env');
});

test('edge: a truncated draft escalates to the verifier', T, async () => {
  fake.clear();
  const res = await ask(vm, ESCALATED.question);
  assert.equal(res.status, 200);
  checkAnswer(await res.json(), ESCALATED);
  assert.deepEqual(fake.requests().map((r) => r.path), ['/v1/chat/completions', '/v1/messages']);
});

test('edge: ?stream=1 answers with SSE from toSSEResponse()', T, async () => {
  const res = await ask(vm, ESCALATED.question, '?stream=1');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const frames = parseSSE(await res.text());
  checkStreamEvents(frames.map((f) => f.data), ESCALATED);
});

test('edge: also loads when the Module was compiled outside the sandbox (next dev, vercel dev)', T, async () => {
  const devVm = await edgeSandbox({ ...bundle, env, realm: 'host' });
  const res = await ask(devVm, ACCEPTED.question);
  checkAnswer(await res.json(), ACCEPTED);
});
