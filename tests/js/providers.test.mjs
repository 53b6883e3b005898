// Every built-in provider id against aimock, through the built package:
// with its realistic base URL and the other shape users paste (with or
// without /v1), a non-streamed run, a streamed run, tool calls (both ways),
// an error status, usage, the key from its environment variable, and the
// connection check. Two views of each request: aimock's journal (the path
// it was served on, the header names, and the body as aimock understood it,
// normalised to the OpenAI shape) and a recording fetch (the exact bytes:
// wire-native body, header values, which the journal masks).
// OpenRouter, browser, connection-check and tool-loop specifics are in
// provider-features.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { pkg, CascadeAgent, RateLimitError } from './helpers/pkg.mjs';
import { collect, recordingFetch, rejection, useMock, journal as aimockJournal } from './helpers/mock.mjs';
import {
  BASES,
  KEY,
  PRICE,
  TABLE,
  TWO_CALLS,
  WEATHER_TOOL,
  answer,
  assertNativeTools,
  assertSent as assertSentTo,
  assertTwoCalls,
  assertUsage,
  authOf,
  providerAgent,
} from './helpers/providers.mjs';

const { validateApiKey } = pkg;

let mock;
useMock((m) => (mock = m));

const journal = () => aimockJournal(mock);

const agentFor = (id, base, name, extra) => providerAgent(mock, id, base, name, extra);

const assertSent = (...args) => assertSentTo(mock.url, ...args);

test('the table covers every built-in provider and nothing else', () => {
  assert.deepEqual(TABLE.map((p) => p.id).sort(), Object.keys(BASES).sort());
  for (const p of TABLE) assert.ok(['openai', 'anthropic', 'ollama'].includes(p.wire), p.id);
});

for (const { id, wire, envVar } of TABLE) {
  describe(`provider ${id}`, () => {
    for (const base of BASES[id]) {
      const where = `baseUrl <mock>${base || ''}`;

      test(`${where}: run() returns the text, usage and cost`, async () => {
        const name = `${id}-text`;
        mock.on({ model: name }, answer(wire, { content: 'Paris is the capital of France.' }));
        const { agent, calls } = agentFor(id, base, name);
        const r = await agent.run('What is the capital of France?', { maxTokens: 64, systemPrompt: 'Be brief.' });
        assert.equal(r.content, 'Paris is the capital of France.');
        assert.equal(r.modelUsed, name);
        assert.equal(r.provider, id);
        assert.equal(r.finishReason, 'stop');
        assert.equal(r.steps, 1);
        assertUsage(wire, r);
        const [j] = journal();
        assertSent(id, wire, base, name, j, calls[0], false);
        // As aimock understood it...
        assert.deepEqual(j.body.messages.map((m) => [m.role, m.content]), [
          ['system', 'Be brief.'],
          ['user', 'What is the capital of France?'],
        ]);
        assert.equal(j.body.max_tokens, 64);
        // ...and as we wrote it, in the wire's own form.
        const sentBody = calls[0].body;
        if (wire === 'anthropic') {
          assert.equal(sentBody.system, 'Be brief.');
          assert.deepEqual(sentBody.messages, [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] }]);
          assert.equal(sentBody.max_tokens, 64);
        } else if (wire === 'ollama') {
          assert.equal(sentBody.options.num_predict, 64);
          assert.equal(sentBody.max_tokens, undefined);
        } else {
          assert.equal(sentBody.max_tokens, 64);
        }
      });

      test(`${where}: stream() yields chunks, then the result with usage`, async () => {
        const name = `${id}-stream`;
        mock.on({ model: name }, answer(wire, { content: 'Paris is the capital of France.' }));
        const { agent, calls } = agentFor(id, base, name);
        const out = await collect(agent.stream('What is the capital of France?'));
        assert.equal(out.error, undefined, String(out.error));
        assert.equal(out.types[0], 'routing');
        assert.equal(out.types.at(-1), 'complete');
        const text = out.events.filter((e) => e.type === 'chunk').map((e) => e.text).join('');
        assert.equal(text, 'Paris is the capital of France.');
        assert.equal(out.result.content, text);
        assertUsage(wire, out.result);
        assertSent(id, wire, base, name, journal()[0], calls[0], true);
      });

      for (const streaming of [false, true]) {
        test(`${where}: ${streaming ? 'stream()' : 'run()'} parses two tool calls in one message`, async () => {
          const name = `${id}-tools`;
          mock.on({ model: name }, answer(wire, { toolCalls: TWO_CALLS }));
          const { agent, calls } = agentFor(id, base, name);
          const opts = { tools: [WEATHER_TOOL] };
          const q = 'What is the weather in Paris and in Rome?';
          let r;
          if (streaming) {
            const out = await collect(agent.stream(q, opts));
            assert.equal(out.error, undefined, String(out.error));
            const deltas = out.events.filter((e) => e.type === 'toolCallDelta');
            assert.ok(deltas.length >= 2, 'tool call deltas were streamed');
            assert.deepEqual([...new Set(deltas.map((d) => d.index))].sort(), [0, 1]);
            r = out.result;
          } else {
            r = await agent.run(q, opts);
          }
          assertTwoCalls(r);
          const [j] = journal();
          assertSent(id, wire, base, name, j, calls[0], streaming);
          assert.deepEqual(j.body.tools.map((t) => t.function.name), ['get_weather']);
          assertNativeTools(wire, calls[0].body);
        });
      }

      test(`${where}: a 429 is a RateLimitError with the provider's message`, async () => {
        const name = `${id}-limited`;
        mock.on({ model: name }, { error: { message: 'slow down please', type: 'rate_limit_error' }, status: 429 });
        const { agent } = agentFor(id, base, name);
        for (const streaming of [false, true]) {
          const e = streaming
            ? (await collect(agent.stream('What is the capital of France?'))).error
            : await rejection(() => agent.run('What is the capital of France?'));
          assert.ok(e instanceof RateLimitError, `${e?.name}: ${e?.message}`);
          assert.equal(e.code, 'E_RATE_LIMITED');
          assert.equal(e.status, 429);
          assert.equal(e.provider, id);
          assert.equal(e.model, name);
          assert.match(e.message, /slow down please/);
          assert.ok(!e.message.includes(KEY));
          // aimock asks for a Retry-After longer than these tests' maxRetryAfterMs: no wait, no retry.
          assert.ok(e.retryAfterMs > 100, `retryAfterMs ${e.retryAfterMs}`);
          assert.equal(e.attempts.length, 1);
        }
        assert.deepEqual(journal().map((j) => j.status), [429, 429]);
      });
    }

    test(`the key comes from ${envVar ?? 'no environment variable'} (the engine's table)`, async () => {
      const name = `${id}-env`;
      mock.on({ model: name }, answer(wire, { content: 'ok' }));
      const f = recordingFetch();
      const base = BASES[id][0];
      const env = envVar ? { [envVar]: 'sk-test-from-env-0001' } : { OPENAI_API_KEY: 'sk-test-wrong-var' };
      const agent = new CascadeAgent({ models: [{ name, provider: id, baseUrl: mock.url + base, ...PRICE }], env, fetch: f });
      await agent.run('Say ok.');
      const [authName, authValue] = authOf(wire, 'sk-test-from-env-0001');
      if (envVar) assert.equal(f.calls[0].headers[authName], authValue);
      else assert.ok(!('authorization' in f.calls[0].headers) && !('x-api-key' in f.calls[0].headers));
      assert.equal(agent.models[0].hasApiKey, Boolean(envVar));
    });
  });
}

describe('validateApiKey per provider', () => {
  const LIST_PATH = { openai: (base) => `${base || '/v1'}/models`, anthropic: () => '/v1/models', ollama: () => '/api/tags' };

  for (const { id, wire } of TABLE) {
    test(`validateApiKey("${id}") lists models with a GET on its own wire`, async () => {
      mock.on({ model: `${id}-listed` }, { content: 'unused' });
      const f = recordingFetch();
      const base = BASES[id][0];
      const r = await validateApiKey(id, KEY, { baseUrl: mock.url + base, fetch: f });
      assert.equal(r.ok, true, r.reason);
      assert.equal(r.status, 200);
      assert.ok(r.models.includes(`${id}-listed`), JSON.stringify(r.models));
      assert.ok(r.models.length <= 50);
      assert.equal(typeof r.latencyMs, 'number');
      assert.equal(f.calls.length, 1);
      assert.equal(f.calls[0].method, 'GET');
      assert.equal(new URL(f.calls[0].url).pathname, LIST_PATH[wire](base));
      const [authName, authValue] = authOf(wire);
      assert.equal(f.calls[0].headers[authName], authValue);
      assert.equal(f.calls[0].body, undefined);
    });
  }

});
