// Optional job: a real LiteLLM proxy (PyPI `litellm[proxy]==1.102.4`) in
// front of aimock, so that the Anthropic SSE our codec reads is written by
// someone else's encoder (LiteLLM's /v1/messages translates to the OpenAI
// backend and encodes the answer back, with its own block order and extra
// blocks such as `redacted_thinking`). Slow to start (~20 s), so it only
// runs when asked:
//
//   bash scripts/test-litellm.sh
//
// which installs LiteLLM into target/litellm-venv and runs this file with
// CASCADE_LITELLM=1. With LiteLLM already installed elsewhere:
//
//   CASCADE_LITELLM=1 CASCADE_LITELLM_BIN=/path/to/litellm \
//     node --test --test-concurrency=1 tests/js/litellm.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pkg, CascadeAgent } from './helpers/pkg.mjs';
import { collect, recordingFetch, startMock } from './helpers/mock.mjs';

const { validateApiKey } = pkg;
const ENABLED = process.env.CASCADE_LITELLM === '1';
const BIN = process.env.CASCADE_LITELLM_BIN || 'litellm';
const MASTER = 'sk-litellm-master-0001';
const MODEL = 'claude-via-litellm';
const ANSWER = 'Paris is the capital of France.';
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, log, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`litellm exited with ${child.exitCode}:\n${log.join('')}`);
    try {
      const r = await fetch(`${url}/health/liveliness`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`litellm did not come up within ${ms} ms:\n${log.join('')}`);
}

describe('LiteLLM proxy in front of aimock', { skip: ENABLED ? false : 'set CASCADE_LITELLM=1 (bash scripts/test-litellm.sh)' }, () => {
  let mock;
  let proxy;
  let url;
  let dir;
  const log = [];

  before(async () => {
    mock = await startMock();
    mock.on(
      { model: 'backend-model', toolName: 'get_weather', hasToolResult: false },
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], usage: { prompt_tokens: 20, completion_tokens: 5 } },
    );
    mock.on({ model: 'backend-model' }, { content: ANSWER, usage: { prompt_tokens: 12, completion_tokens: 7 } });
    dir = mkdtempSync(join(tmpdir(), 'cascade-litellm-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'model_list:',
        `  - model_name: ${MODEL}`,
        '    litellm_params:',
        '      model: openai/backend-model',
        `      api_base: ${mock.url}/v1`,
        '      api_key: sk-aimock-backend',
        'general_settings:',
        `  master_key: ${MASTER}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proxy = spawn(BIN, ['--config', config, '--host', '127.0.0.1', '--port', String(port)], {
      env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_LOG: 'ERROR' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proxy.stdout.on('data', (d) => log.push(String(d)));
    proxy.stderr.on('data', (d) => log.push(String(d)));
    await waitReady(url, proxy, log);
  });

  after(async () => {
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((r) => proxy.once('exit', r));
      proxy.kill('SIGTERM');
      await exited;
    }
    await mock?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const agent = (provider, f) =>
    new CascadeAgent({
      models: [{ name: MODEL, provider, baseUrl: url, apiKey: MASTER, inputCost: 1, outputCost: 4 }],
      env: {},
      ...(f ? { fetch: f } : {}),
    });

  for (const provider of ['anthropic', 'litellm']) {
    test(`${provider} wire: run() through the proxy, usage passed along`, async () => {
      const f = recordingFetch();
      const r = await agent(provider, f).run('Capital of France?');
      assert.equal(r.content, ANSWER);
      assert.equal(r.finishReason, 'stop');
      assert.deepEqual(r.usage, { inputTokens: 12, outputTokens: 7, estimated: false });
      assert.equal(new URL(f.calls[0].url).pathname, provider === 'anthropic' ? '/v1/messages' : '/v1/chat/completions');
      // The proxy really went to aimock with the backend model.
      assert.ok(mock.getRequests().some((e) => e.body?.model === 'backend-model'));
    });

    test(`${provider} wire: stream() decodes LiteLLM's own encoder`, async () => {
      const out = await collect(agent(provider).stream('Capital of France?'));
      assert.equal(out.error, undefined, String(out.error));
      const text = out.events.filter((e) => e.type === 'chunk').map((e) => e.text).join('');
      assert.equal(text, ANSWER);
      assert.equal(out.result.content, ANSWER, 'no redacted_thinking or other block leaks into the answer');
      assert.deepEqual(out.result.usage, { inputTokens: 12, outputTokens: 7, estimated: false });
    });

    for (const streaming of [false, true]) {
      test(`${provider} wire: ${streaming ? 'streamed' : 'plain'} tool call, then a tool loop`, async () => {
        const a = agent(provider);
        const q = 'What is the weather in Paris?';
        const r = streaming ? (await collect(a.stream(q, { tools: TOOLS }))).result : await a.run(q, { tools: TOOLS });
        assert.equal(r.finishReason, 'tool_calls');
        assert.deepEqual(r.toolCalls.map((c) => [c.name, c.arguments]), [['get_weather', { city: 'Paris' }]]);
        const loop = await a.run(q, { tools: TOOLS, onToolCall: () => '21C and sunny' });
        assert.equal(loop.steps, 2);
        assert.equal(loop.content, ANSWER);
      });
    }
  }

  test('validateApiKey against the proxy: the master key passes, another is refused', async () => {
    const good = await validateApiKey('litellm', MASTER, { baseUrl: url });
    assert.equal(good.ok, true, good.reason);
    assert.ok(good.models.includes(MODEL));
    const bad = await validateApiKey('litellm', 'sk-wrong-key-0001', { baseUrl: url });
    assert.equal(bad.ok, false);
    // A proxy with a master key and no database answers any other key with
    // 400 "No connected db." rather than 401; either way it is a clear no.
    assert.ok([400, 401].includes(bad.status), JSON.stringify(bad));
    assert.ok(!JSON.stringify(bad).includes('sk-wrong-key-0001'));
  });
});
