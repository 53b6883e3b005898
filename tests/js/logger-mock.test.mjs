// The `logger` option (one line per run, the trace at debug, off by
// default, never a key) and `cascade-edge/testing`'s MockProvider
// (scripted answers per model, usage, errors, streaming) through the real
// cascade.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CascadeAgent } from './helpers/pkg.mjs';
import { GOOD_LONG, PRICES, agentFor, collect, costOf, reply, useMock, FAST_RETRY } from './helpers/mock.mjs';

const pkgDir = new URL('../../pkg/', import.meta.url);
const entry = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8')).exports['./testing'].default;
const { MockProvider } = await import(new URL(entry, pkgDir).href);

const Q = 'Explain quantum entanglement in a few sentences.';
const KEY = 'sk-test-LOGGER-SECRET-0042';

/** A logger that keeps every line with its level. */
function recorder() {
  const lines = [];
  const at = (level) => (msg, ...rest) => lines.push({ level, text: [msg, ...rest].map(String).join(' ') });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('logger', () => {
  let mock;
  useMock((m) => {
    mock = m;
  });

  test('one info line per run with the decision, the trace at debug, and never the key', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', 'Quantum', { input: 30, output: 2, finishReason: 'length' }));
    mock.on({ model: 'top-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { lines, logger } = recorder();
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m'], { logger, perModel: [{ apiKey: KEY }, { apiKey: KEY }] });
    const r = await agent.run(Q);
    assert.deepEqual(lines.map((l) => l.level), ['info', 'debug']);
    assert.match(lines[0].text, /escalated: top-m answered/);
    assert.match(lines[0].text, /60\+52 tokens/);
    assert.ok(lines[0].text.includes(`$${r.totalCost.toFixed(6)}`), lines[0].text);
    const trace = JSON.parse(lines[1].text.replace(/^cascade-edge: trace /, ''));
    assert.deepEqual(trace.map((a) => [a.model, a.outcome]), [['draft-m', 'rejected'], ['top-m', 'accepted']]);
    for (const l of lines) {
      assert.ok(!l.text.includes(KEY) && !l.text.includes(KEY.slice(0, 12)), `a key in: ${l.text}`);
      assert.ok(!l.text.includes(GOOD_LONG.slice(0, 30)), 'no answer text in the log');
    }
  });

  test('a streamed run logs the same way; a failed run is one warn line with its code', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { lines, logger } = recorder();
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m'], { logger });
    await collect(agent.stream(Q));
    assert.deepEqual(lines.map((l) => l.level), ['info', 'debug']);
    assert.match(lines[0].text, /draft accepted: draft-m answered/);

    mock.reset();
    mock.on({ model: 'draft-m' }, { error: { message: 'bad request', type: 'invalid_request_error' }, status: 400 });
    lines.length = 0;
    await assert.rejects(agent.run(Q), { code: 'E_PROVIDER_STATUS' });
    assert.equal(lines[0].level, 'warn');
    assert.match(lines[0].text, /run failed: E_PROVIDER_STATUS/);
  });

  test('off by default: an agent without a logger writes nothing to the console', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const seen = [];
    const saved = {};
    for (const level of ['debug', 'info', 'warn', 'error', 'log']) {
      saved[level] = console[level];
      console[level] = (...args) => seen.push(args.join(' '));
    }
    try {
      const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
      await agent.run(Q);
    } finally {
      Object.assign(console, saved);
    }
    assert.deepEqual(seen, []);
  });

  test('a logger without the four methods is a ConfigError naming the field', () => {
    assert.throws(() => new CascadeAgent({ models: [{ name: 'm', provider: 'openai', apiKey: 'k' }], logger: { info() {} } }), {
      code: 'E_CONFIG',
      message: /config\.logger: .*debug is missing/,
    });
  });
});

describe('MockProvider', () => {
  const models = (mock) => [
    { name: 'small', provider: mock, ...PRICES.draft },
    { name: 'large', provider: mock, ...PRICES.top },
  ];

  test('scripted per model: a truncated draft escalates, costs come from the scripted usage, calls are recorded', async () => {
    const mock = new MockProvider({
      answers: {
        small: [{ content: 'Quantum', finishReason: 'length', usage: { inputTokens: 10, outputTokens: 2 } }],
        large: [{ content: GOOD_LONG, usage: { inputTokens: 10, outputTokens: 40 } }],
      },
    });
    const agent = new CascadeAgent({ models: models(mock), env: {} });
    const r = await agent.run(Q);
    assert.equal(r.content, GOOD_LONG);
    assert.equal(r.modelUsed, 'large');
    const expected = costOf(PRICES.draft, { inputTokens: 10, outputTokens: 2 }) + costOf(PRICES.top, { inputTokens: 10, outputTokens: 40 });
    assert.ok(Math.abs(r.totalCost - expected) < 1e-9, `${r.totalCost} != ${expected}`);
    assert.deepEqual(mock.calls.map((c) => c.model), ['small', 'large']);
    assert.equal(mock.calls[0].messages.at(-1).content, Q);
    assert.equal(mock.callCount('large'), 1);
  });

  test('a scripted error is retried like any provider failure, then the next answer is used', async () => {
    const mock = new MockProvider({ answers: { small: [{ error: 'scripted outage' }, GOOD_LONG], large: ['unused'] } });
    const agent = new CascadeAgent({ models: models(mock), env: {}, retry: FAST_RETRY });
    const r = await agent.run(Q);
    assert.equal(r.content, GOOD_LONG);
    assert.equal(r.modelUsed, 'small');
    assert.equal(r.attempts[0].outcome, 'failed');
    assert.equal(r.attempts[0].error.code, 'E_CUSTOM_PROVIDER');
    assert.match(r.attempts[0].error.message, /scripted outage/);
    assert.equal(mock.callCount('large'), 0);
  });

  test('streams in the given chunks, with tool calls, through agent.stream()', async () => {
    const mock = new MockProvider({
      answers: [
        { content: GOOD_LONG, chunks: [GOOD_LONG.slice(0, 40), GOOD_LONG.slice(40)], usage: { inputTokens: 5, outputTokens: 50 } },
      ],
    });
    const agent = new CascadeAgent({ models: [{ name: 'only', provider: mock, inputCost: 1, outputCost: 1 }], env: {} });
    const out = await collect(agent.stream(Q));
    assert.equal(out.error, undefined, String(out.error));
    assert.equal(out.events.filter((e) => e.type === 'chunk').map((e) => e.text).join(''), GOOD_LONG);
    assert.deepEqual([out.result.usage.inputTokens, out.result.usage.outputTokens], [5, 50]);

    const tools = new MockProvider({ answers: [{ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }] });
    const a2 = new CascadeAgent({ models: [{ name: 'only', provider: tools, inputCost: 1, outputCost: 1 }], env: {} });
    const r = await a2.run('What is the weather in Paris?', { tools: [{ name: 'get_weather', parameters: { type: 'object' } }] });
    assert.equal(r.toolCalls[0].name, 'get_weather');
    assert.deepEqual(r.toolCalls[0].arguments, { city: 'Paris' });
  });

  test("whenExhausted: 'throw' fails the attempt once the script is used up", async () => {
    const mock = new MockProvider({ answers: [GOOD_LONG], whenExhausted: 'throw' });
    const agent = new CascadeAgent({ models: [{ name: 'only', provider: mock, inputCost: 1, outputCost: 1 }], env: {}, retry: { maxRetries: 0 } });
    assert.equal((await agent.run(Q)).content, GOOD_LONG);
    const err = await agent.run(Q).then(() => assert.fail('resolved'), (e) => e);
    assert.match(JSON.stringify(err.attempts), /used up/);
  });
});
