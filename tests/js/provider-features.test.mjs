// Provider features beyond the per-provider matrix (providers.test.mjs),
// against aimock through the built package: OpenRouter's catalogue prices,
// statuses and attribution headers; the Anthropic browser header (also
// from the real browser entry); testConnection/validateApiKey edge cases;
// and the tool loop (onToolCall, maxSteps) on each wire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { pkg, CascadeAgent, ConfigError } from './helpers/pkg.mjs';
import { collect, recordingFetch, rejection, startMock, useMock, journal as aimockJournal } from './helpers/mock.mjs';
import { KEY, PRICE, TWO_CALLS, WEATHER_TOOL, answer, near, wireOf, providerAgent } from './helpers/providers.mjs';

const { testConnection, validateApiKey, ToolError, BudgetError } = pkg;

let mock;
useMock((m) => (mock = m));

const journal = () => aimockJournal(mock);

const agentFor = (id, base, name, extra) => providerAgent(mock, id, base, name, extra);

describe('openrouter specifics', () => {
  const catalogue = {
    data: [
      { id: 'meta-llama/llama-3.1-8b-instruct', pricing: { prompt: '0.00000002', completion: '0.00000005' } },
      { id: 'anthropic/claude-3.5-sonnet', pricing: { prompt: '0.000003', completion: '0.000015' } },
    ],
  };
  /** Serves the catalogue (or `status`) for GET /models; everything else goes to aimock. */
  function catalogueFetch(status = 200) {
    const f = recordingFetch();
    const inner = async (url, init = {}) => {
      if ((init.method ?? 'GET') === 'GET' && String(url).endsWith('/models')) {
        f.calls.push({ url: String(url), method: 'GET', headers: init.headers });
        const body = status === 200 ? JSON.stringify(catalogue) : '{"error":{"code":500,"message":"catalogue down"}}';
        return new Response(body, { status, headers: { 'content-type': 'application/json' } });
      }
      return f(url, init);
    };
    inner.calls = f.calls;
    return inner;
  }
  const model = (name, extra = {}) => ({ name, provider: 'openrouter', baseUrl: `${mock.url}/api/v1`, apiKey: KEY, ...extra });

  test('a tier without a price is priced from GET /models, once per agent', async () => {
    mock.on({ model: 'meta-llama/llama-3.1-8b-instruct' }, answer('openai', { content: 'Paris.' }, 1000, 100));
    const f = catalogueFetch();
    const agent = new CascadeAgent({ models: [model('meta-llama/llama-3.1-8b-instruct')], env: {}, fetch: f });
    const r = await agent.run('Capital of France?');
    near(r.totalCost, (1000 * 0.02 + 100 * 0.05) / 1e6, 'totalCost');
    await agent.run('Capital of France?');
    const gets = f.calls.filter((c) => c.method === 'GET');
    assert.equal(gets.length, 1, 'the catalogue is cached');
    assert.equal(gets[0].url, `${mock.url}/api/v1/models`);
    assert.equal(gets[0].headers.authorization, `Bearer ${KEY}`);
  });

  test("aimock's own catalogue (all prices 0) gives a known $0, not null", async () => {
    mock.on({ model: 'vendor/free-model' }, answer('openai', { content: 'Paris.' }));
    const agent = new CascadeAgent({ models: [model('vendor/free-model')], env: {} });
    const r = await agent.run('Capital of France?');
    assert.equal(r.totalCost, 0);
    assert.deepEqual(journal().map((j) => `${j.method} ${j.path}`), ['GET /api/v1/models', 'POST /api/v1/chat/completions']);
  });

  test('a catalogue that fails leaves the cost null, says why, and the run still answers', async () => {
    mock.on({ model: 'meta-llama/llama-3.1-8b-instruct' }, answer('openai', { content: 'Paris.' }));
    const agent = new CascadeAgent({ models: [model('meta-llama/llama-3.1-8b-instruct')], env: {}, fetch: catalogueFetch(500) });
    const r = await agent.run('Capital of France?');
    assert.equal(r.content, 'Paris.');
    assert.equal(r.totalCost, null);
    assert.equal(r.attempts[0].cost, null);
    assert.match(r.attempts[0].reason, /OpenRouter prices could not be loaded.*catalogue down/);
  });

  test('402 is a BudgetError about credits; 503 escalates to the next tier', async () => {
    mock.on({ model: 'broke/model' }, { error: { message: 'Insufficient credits' }, status: 402 });
    const agent = new CascadeAgent({ models: [model('broke/model', PRICE)], env: {} });
    const e = await rejection(() => agent.run('Capital of France?'));
    assert.ok(e instanceof BudgetError, `${e.name}: ${e.message}`);
    assert.equal(e.code, 'E_BUDGET');
    assert.equal(e.status, 402);
    assert.match(e.message, /insufficient credits/i);

    mock.on({ model: 'down/model' }, { error: { message: 'No available provider for this model' }, status: 503 });
    mock.on({ model: 'up/model' }, answer('openai', { content: 'Paris is the capital of France.' }));
    const two = new CascadeAgent({
      models: [model('down/model', { inputCost: 0.1, outputCost: 0.1 }), model('up/model', PRICE)],
      env: {},
    });
    const r = await two.run('Capital of France?');
    assert.equal(r.modelUsed, 'up/model');
    assert.equal(r.attempts[0].outcome, 'failed');
    assert.equal(r.attempts[0].error.status, 503);
    assert.match(r.attempts[0].error.message, /no provider available.*No available provider/);
  });

  test('attribution headers follow the model headers; an empty value drops one', async () => {
    mock.on({ model: 'a/b' }, answer('openai', { content: 'ok' }));
    const agent = new CascadeAgent({
      models: [model('a/b', { ...PRICE, headers: { 'HTTP-Referer': 'https://my.app', 'X-Title': '' } })],
      env: {},
    });
    await agent.run('Say ok.');
    const [j] = journal();
    assert.equal(j.headers['http-referer'], 'https://my.app');
    assert.equal(j.headers['x-title'], undefined);
  });
});

describe('anthropic from a browser', () => {
  for (const browser of [true, false, undefined]) {
    test(`browser: ${browser} ${browser ? 'sends' : 'does not send'} the CORS opt-in header`, async () => {
      mock.on({ model: 'claude-x' }, answer('anthropic', { content: 'ok' }));
      const agent = new CascadeAgent({
        models: [{ name: 'claude-x', provider: 'anthropic', baseUrl: mock.url, apiKey: KEY, ...PRICE }],
        env: {},
        ...(browser === undefined ? {} : { browser }),
      });
      await agent.run('Say ok.');
      await collect(agent.stream('Say ok.'));
      for (const j of journal()) {
        assert.equal(j.headers['anthropic-dangerous-direct-browser-access'], browser ? 'true' : undefined);
      }
    });
  }

  test('the browser entry turns it on by itself (child process, lazy .wasm load)', async () => {
    mock.on({ model: 'claude-browser' }, answer('anthropic', { content: 'ok' }));
    // Node's fetch cannot read file: URLs, which is how the browser entry
    // finds its .wasm next to it; serve those from disk, send the rest.
    const script = `
      import { readFile } from 'node:fs/promises';
      const real = globalThis.fetch;
      globalThis.fetch = async (url, init) => String(url).startsWith('file:')
        ? new Response(await readFile(new URL(String(url))), { headers: { 'content-type': 'application/wasm' } })
        : real(url, init);
      const { CascadeAgent, validateApiKey } = await import(${JSON.stringify(new URL('../../pkg/dist/browser.js', import.meta.url).href)});
      const base = process.env.MOCK_URL;
      const agent = new CascadeAgent({ models: [{ name: 'claude-browser', provider: 'anthropic', baseUrl: base, apiKey: 'k', cost: 0.001 }] });
      const r = await agent.run('Say ok.');
      const probe = await validateApiKey('anthropic', 'k', { baseUrl: base });
      console.log(JSON.stringify({ content: r.content, probe: probe.ok }));
    `;
    const { execFile } = await import('node:child_process');
    const out = await new Promise((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, MOCK_URL: mock.url } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)), { content: 'ok', probe: true });
    const seen = journal();
    assert.deepEqual(seen.map((j) => j.path), ['/v1/messages']);
    assert.equal(seen[0].headers['anthropic-dangerous-direct-browser-access'], 'true');
  });

  test('validateApiKey(..., { browser: true }) sends it on the probe too', async () => {
    const f = recordingFetch();
    const r = await validateApiKey('anthropic', KEY, { baseUrl: mock.url, fetch: f, browser: true });
    assert.equal(r.ok, true);
    assert.equal(f.calls[0].headers['anthropic-dangerous-direct-browser-access'], 'true');
  });
});

describe('testConnection and validateApiKey', () => {
  test('a refused key is ok: false with the status and a reason that never holds the key', async () => {
    const guarded = await startMock({ auth: { apiKeys: ['sk-test-good-key-0001'] } });
    try {
      for (const [provider, base] of [['openai', '/v1'], ['anthropic', ''], ['groq', '/openai/v1'], ['openrouter', '/api/v1']]) {
        const good = await validateApiKey(provider, 'sk-test-good-key-0001', { baseUrl: guarded.url + base });
        assert.equal(good.ok, true, `${provider}: ${good.reason}`);
        const bad = await validateApiKey(provider, KEY, { baseUrl: guarded.url + base });
        assert.equal(bad.ok, false, provider);
        assert.equal(bad.status, 401);
        assert.match(bad.reason, /401.*(invalid key|refused)/);
        assert.ok(!JSON.stringify(bad).includes(KEY), JSON.stringify(bad));
      }
    } finally {
      await guarded.stop();
    }
  });

  test('testConnection takes the key from env and notes a model the server does not list', async () => {
    mock.on({ model: 'listed-model' }, { content: 'unused' });
    const f = recordingFetch();
    const r = await testConnection(
      { name: 'missing-model', provider: 'groq', baseUrl: `${mock.url}/openai/v1` },
      { env: { GROQ_API_KEY: 'sk-test-groq-env-0001' }, fetch: f },
    );
    assert.equal(r.ok, true);
    assert.match(r.reason, /"missing-model" is not among them/);
    assert.equal(f.calls[0].headers.authorization, 'Bearer sk-test-groq-env-0001');
    const listed = await testConnection({ name: 'listed-model', provider: 'ollama', baseUrl: mock.url });
    assert.ok(listed.ok && !/not among/.test(listed.reason), listed.reason);
  });

  test('an unreachable server or a timeout is ok: false, not an exception', async () => {
    const down = await validateApiKey('openai', KEY, { baseUrl: 'http://127.0.0.1:9/v1' });
    assert.equal(down.ok, false);
    assert.equal(down.status, undefined);
    assert.match(down.reason, /could not reach/);
    // A server that accepts the connection and never answers.
    const hung = async (_url, init) =>
      new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    const slow = await validateApiKey('openai', KEY, { baseUrl: mock.url, fetch: hung, timeoutMs: 50 });
    assert.equal(slow.ok, false);
    assert.match(slow.reason, /timed out/);
  });

  test('unknown providers and custom ones are ConfigErrors; a caller abort throws', async () => {
    for (const call of [
      () => validateApiKey('no-such-provider', KEY),
      () => validateApiKey('openai-compatible', KEY),
      () => testConnection({ name: 'm', provider: { complete: async () => 'x' } }),
      () => testConnection({ name: 'm', provider: 'never-registered' }),
    ]) {
      const e = await rejection(call);
      assert.ok(e instanceof ConfigError, `${e.name}: ${e.message}`);
    }
    const ctl = new AbortController();
    ctl.abort();
    const e = await rejection(() => validateApiKey('openai', KEY, { baseUrl: mock.url, signal: ctl.signal }));
    assert.equal(e.code, 'E_ABORTED');
  });
});

describe('tool loop (onToolCall)', () => {
  const Q = 'What is the weather in Paris right now?';
  const FINAL = 'It is sunny in Paris, 21 degrees.';

  for (const [id, base] of [['openai', '/v1'], ['anthropic', ''], ['ollama', '']]) {
    const wire = wireOf(id);
    for (const streaming of [false, true]) {
      test(`${id}, ${streaming ? 'stream()' : 'run()'}: runs the call, feeds the result back, sums two steps`, async () => {
        const name = `${id}-loop`;
        mock.on({ model: name, hasToolResult: false }, answer(wire, { toolCalls: [TWO_CALLS[0]] }, 20, 5));
        mock.on({ model: name, hasToolResult: true }, answer(wire, { content: FINAL }, 40, 9));
        const { agent, calls } = agentFor(id, base, name);
        const seen = [];
        const opts = {
          tools: [WEATHER_TOOL],
          onToolCall: async (call) => {
            seen.push(call);
            return { city: call.arguments.city, tempC: 21, sky: 'sunny' };
          },
        };
        let r;
        if (streaming) {
          const out = await collect(agent.stream(Q, opts));
          assert.equal(out.error, undefined, String(out.error));
          const i = out.types.indexOf('toolResult');
          assert.ok(i > 0, out.types.join(','));
          assert.equal(out.types.filter((t) => t === 'routing').length, 2);
          assert.equal(out.events[i].step, 1);
          assert.equal(out.events[i].name, 'get_weather');
          assert.deepEqual(JSON.parse(out.events[i].content), { city: 'Paris', tempC: 21, sky: 'sunny' });
          r = out.result;
        } else {
          r = await agent.run(Q, opts);
        }
        assert.equal(r.content, FINAL);
        assert.equal(r.steps, 2);
        assert.deepEqual(r.toolCalls ?? [], []);
        assert.deepEqual(seen.map((c) => [c.name, c.arguments]), [['get_weather', { city: 'Paris' }]]);
        assert.deepEqual(r.attempts.map((a) => a.step), [1, 2]);
        if (wire !== 'ollama') {
          assert.deepEqual([r.usage.inputTokens, r.usage.outputTokens], [60, 14]);
          near(r.totalCost, (60 * PRICE.inputCost + 14 * PRICE.outputCost) / 1e6, 'totalCost over both steps');
        }
        const [, second] = journal();
        assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
        const msgs = calls[1].body.messages;
        const result = JSON.stringify({ city: 'Paris', tempC: 21, sky: 'sunny' });
        if (wire === 'anthropic') {
          assert.equal(msgs[1].role, 'assistant');
          assert.equal(msgs[1].content[0].type, 'tool_use');
          assert.deepEqual(msgs[1].content[0].input, { city: 'Paris' });
          assert.deepEqual(msgs[2], {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: seen[0].id, content: result }],
          });
        } else if (wire === 'ollama') {
          assert.deepEqual(msgs[1].tool_calls, [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }]);
          assert.deepEqual(msgs[2], { role: 'tool', content: result, tool_name: 'get_weather' });
        } else {
          assert.equal(msgs[1].tool_calls[0].id, seen[0].id);
          assert.deepEqual(msgs[2], { role: 'tool', tool_call_id: seen[0].id, content: result });
        }
      });
    }
  }

  test('maxSteps: 1 hands the calls back without running them', async () => {
    mock.on({ model: 'loop-1' }, answer('openai', { toolCalls: [TWO_CALLS[0]] }));
    const { agent } = agentFor('openai', '/v1', 'loop-1');
    let ran = 0;
    const r = await agent.run(Q, { tools: [WEATHER_TOOL], maxSteps: 1, onToolCall: () => ran++ });
    assert.equal(ran, 0);
    assert.equal(r.steps, 1);
    assert.equal(r.toolCalls[0].name, 'get_weather');
    assert.equal(journal().length, 1);
  });

  test('a string result goes back as is; a throwing executor is a ToolError with its cause', async () => {
    mock.on({ model: 'loop-2', hasToolResult: false }, answer('openai', { toolCalls: [TWO_CALLS[0]] }));
    mock.on({ model: 'loop-2', hasToolResult: true }, answer('openai', { content: FINAL }));
    const { agent } = agentFor('openai', '/v1', 'loop-2');
    const r = await agent.run(Q, { tools: [WEATHER_TOOL], onToolCall: () => '21C, sunny' });
    assert.equal(journal()[1].body.messages[2].content, '21C, sunny');
    assert.equal(journal()[1].body.messages[2].role, 'tool');
    assert.equal(r.steps, 2);

    mock.clearRequests();
    const boom = new Error('weather API down');
    for (const streaming of [false, true]) {
      const opts = { tools: [WEATHER_TOOL], onToolCall: async () => { throw boom; } };
      const e = streaming ? (await collect(agent.stream(Q, opts))).error : await rejection(() => agent.run(Q, opts));
      assert.ok(e instanceof ToolError, `${e?.name}: ${e?.message}`);
      assert.equal(e.code, 'E_TOOL');
      assert.equal(e.cause, boom);
      assert.match(e.message, /get_weather.*weather API down/);
      assert.equal(e.attempts.length, 1);
    }
    assert.equal(journal().length, 2, 'no step after a failed tool');
  });

  test('onToolCall must be a function', async () => {
    const { agent } = agentFor('openai', '/v1', 'loop-3');
    const e = await rejection(() => agent.run(Q, { tools: [WEATHER_TOOL], onToolCall: 'nope' }));
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /onToolCall/);
  });
});
