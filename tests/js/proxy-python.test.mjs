// The routing proxy with the official Python SDKs (anthropic, openai from
// PyPI, in the venv scripts/setup.sh --python makes): plain and streamed
// calls on both endpoints, the answering model reported, a wrong key
// refused in Anthropic's shape. Upstream is aimock on 127.0.0.1.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { reply, startMock } from './helpers/mock.mjs';
import { startProxyBin } from './helpers/proxy.mjs';

const python = fileURLToPath(new URL('../../.tools/pysdk/bin/python', import.meta.url));
const script = fileURLToPath(new URL('./python/clients.py', import.meta.url));
const KEY = 'python-proxy-key-31c';
const GOOD = 'The capital of France is Paris, which is also its largest city and the seat of its government.';
// Without the venv the test cannot run; in CI that is a failure, not a skip.
const missing = !existsSync(python) && !process.env.CI ? 'run scripts/setup.sh --python for the Python SDKs' : false;

let mock;
let proxy;
before(async () => {
  if (missing) return;
  mock = await startMock();
  mock.on({ model: 'claude-haiku-4-5' }, reply('anthropic', GOOD, { input: 14, output: 20 }));
  proxy = await startProxyBin({
    keys: [KEY],
    providers: { anthropic: { apiKey: 'upstream-key-py', baseUrl: mock.url } },
    routes: { 'cascade-py': ['claude-haiku-4-5', 'claude-sonnet-4-5'] },
  });
});
after(async () => {
  await proxy?.stop();
  await mock?.stop();
});

it('the Python SDKs, plain and streamed, on both endpoints', { skip: missing }, async () => {
  const { stdout } = await promisify(execFile)(python, [script, proxy.url, KEY, 'cascade-py'], { timeout: 60_000 });
  const r = JSON.parse(stdout);
  assert.deepEqual(r.anthropic, { text: GOOD, model: 'claude-haiku-4-5', stop: 'end_turn', output_tokens: 20 });
  assert.deepEqual(r.anthropic_stream, { text: GOOD, model: 'claude-haiku-4-5', stop: 'end_turn' });
  assert.deepEqual(r.openai, { text: GOOD, model: 'claude-haiku-4-5', finish: 'stop' });
  assert.deepEqual(r.openai_stream, { text: GOOD, models: ['claude-haiku-4-5'], completion_tokens: 20 });
  assert.deepEqual(r.refused, { status: 401, type: 'authentication_error' });
});
