// The routing proxy in Cloudflare Workers: examples/proxy-worker bundled as
// wrangler would (the package's "workerd" proxy entry, the .wasm as a
// CompiledWasm module), run in workerd through Miniflare, with provider keys,
// base URLs and proxy keys in env bindings and aimock on 127.0.0.1 upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { PKG, ROOT, consumerProject } from './runtimes/consumer.mjs';
import { bundleForWorkers, packageInputs } from './runtimes/bundle.mjs';
import { journal, reply, startMock } from './helpers/mock.mjs';

const EXAMPLE = path.join(ROOT, 'examples/proxy-worker');
const PROXY_KEY = 'worker-proxy-key-41c2';
const GOOD = 'The capital of France is Paris, which is also its largest city and the seat of its government.';
let mock;
let project;
let mf;
let bundle;

before(async () => {
  mock = await startMock();
  project = consumerProject('cascade-edge-proxy-workerd-');
  fs.cpSync(path.join(EXAMPLE, 'src'), path.join(project.dir, 'src'), { recursive: true });
  fs.mkdirSync(path.join(project.dir, 'dist'));
  bundle = await bundleForWorkers({ entry: path.join(project.dir, 'src/index.js'), outdir: path.join(project.dir, 'dist') });
  const toml = fs.readFileSync(path.join(EXAMPLE, 'wrangler.toml'), 'utf8');
  mf = new Miniflare({
    modules: true,
    modulesRoot: path.dirname(bundle.script),
    scriptPath: bundle.script,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)[1],
    bindings: { PROXY_KEYS: PROXY_KEY, ANTHROPIC_API_KEY: 'upstream-a', ANTHROPIC_BASE_URL: mock.url },
  });
  await mf.ready;
}, { timeout: 60_000 });

after(async () => {
  await Promise.race([mf?.dispose().catch(() => {}), new Promise((r) => setTimeout(r, 10_000).unref())]);
  project?.cleanup();
  await mock?.stop();
});

const T = { timeout: 30_000 };
const messages = (body, key = PROXY_KEY) =>
  mf.dispatchFetch('http://proxy.test/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });

test('workerd: the bundle takes the proxy\'s "workerd" entry, not the Node one', () => {
  const inputs = packageInputs(bundle.metafile, PKG);
  assert.ok(inputs.includes('dist/proxy-workerd.js'), inputs.join(', '));
  for (const other of ['dist/proxy-node.js', 'dist/node.js', 'dist/cli.js']) assert.ok(!inputs.includes(other), other);
});

test('workerd: a Sonnet request is answered by an accepted Haiku draft, plain and streamed', T, async () => {
  mock.reset();
  mock.on({ model: 'claude-haiku-4-5' }, reply('anthropic', GOOD, { input: 14, output: 20 }));
  const body = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'What is the capital of France?' }] };
  const res = await messages(body);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-cascade-decision'), 'accepted');
  const msg = await res.json();
  assert.equal(msg.model, 'claude-haiku-4-5');
  assert.equal(msg.content[0].text, GOOD);
  const sse = await (await messages({ ...body, stream: true })).text();
  const events = [...sse.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  assert.equal(events[0], 'message_start');
  assert.equal(events.at(-1), 'message_stop');
  assert.ok(events.includes('message_delta'));
  const text = [...sse.matchAll(/^data: (.*)$/gm)]
    .map((m) => JSON.parse(m[1]))
    .filter((d) => d.type === 'content_block_delta')
    .map((d) => d.delta.text)
    .join('');
  assert.equal(text, GOOD);
  assert.deepEqual(journal(mock).map((r) => r.body.model), ['claude-haiku-4-5', 'claude-haiku-4-5']);
});

test('workerd: a wrong key is refused in Anthropic\'s shape before anything goes upstream', T, async () => {
  mock.reset();
  const res = await messages({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [] }, 'nope');
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.type, 'authentication_error');
  assert.equal(journal(mock).length, 0);
});
