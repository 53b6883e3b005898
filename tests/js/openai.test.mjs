// OpenAI Chat Completions wire against aimock: the shared cascade suite, then
// what we put on the wire (aimock's journal plus our own recording fetch).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { AuthError, CascadeAgent } from './helpers/pkg.mjs';
import { GOOD_LONG, PRICES, agentFor, httpJournal, recordingFetch, reply, sent, startMock } from './helpers/mock.mjs';
import { cascadeSuite, exec, ok } from './helpers/wire-suite.mjs';

const Q = 'Explain quantum entanglement in one sentence.';

describe('openai', () => {
  const ctx = cascadeSuite('openai');

  describe('what we send', () => {
    test('run(): POST /v1/chat/completions, Bearer key, model, messages, options; logprobs on drafts only', async () => {
      const { mock } = ctx;
      mock.on({ model: 'drafter' }, reply('openai', '', { input: 20, output: 1 }));
      mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 20, output: 60 }));
      const { agent, calls } = agentFor(mock, 'openai', ['drafter', 'verifier']);
      ok(await exec(agent, Q, false, { maxTokens: 200, temperature: 0.2, systemPrompt: 'Be brief.' }));

      const [draft, final] = sent(mock);
      assert.equal(draft.path, '/v1/chat/completions');
      assert.equal(final.path, '/v1/chat/completions');
      assert.ok('authorization' in draft.headers, 'an Authorization header was sent');
      assert.match(draft.headers['content-type'], /^application\/json/);
      assert.equal(draft.body.model, 'drafter');
      assert.equal(final.body.model, 'verifier');
      for (const { body } of [draft, final]) {
        assert.deepEqual(body.messages, [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: Q },
        ]);
        assert.equal(body.max_tokens, 200);
        assert.equal(body.temperature, 0.2);
        assert.ok(!body.stream, 'not a streaming request');
      }
      // The drafter is asked for logprobs (the judge's confidence signal); the final tier is not judged.
      assert.equal(draft.body.logprobs, true);
      assert.ok(draft.body.top_logprobs > 0);
      assert.equal(final.body.logprobs, undefined);

      // The same journal over aimock's HTTP control API.
      const http = (await httpJournal(mock)).filter((e) => e.path === '/v1/chat/completions');
      assert.deepEqual(http.map((e) => e.body.model), ['drafter', 'verifier']);

      // Exact header values, as handed to fetch (aimock's journal masks key headers).
      assert.equal(calls[0].headers.authorization, 'Bearer sk-test-openai-0');
      assert.equal(calls[1].headers.authorization, 'Bearer sk-test-openai-1');
      assert.ok(!('x-api-key' in calls[0].headers));
    });

    test('stream(): stream true with stream_options.include_usage', async () => {
      const { mock } = ctx;
      mock.on({ model: 'drafter' }, reply('openai', '4', { input: 14, output: 1 }));
      const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
      const r = ok(await exec(agent, 'What is 2+2?', true));
      assert.equal(r.usage.estimated, false);
      const [req] = sent(mock);
      assert.equal(req.path, '/v1/chat/completions');
      assert.equal(req.body.stream, true);
      assert.deepEqual(req.body.stream_options, { include_usage: true });
      assert.equal(req.body.logprobs, true);
    });

    test('aimock with inbound auth accepts our Bearer key and refuses a wrong one', async () => {
      const mock = await startMock({ auth: { apiKeys: ['sk-test-good'] } });
      try {
        mock.on({ userMessage: '2+2' }, reply('openai', '4', { input: 14, output: 1 }));
        const agent = (apiKey) =>
          new CascadeAgent({ models: [{ name: 'm', provider: 'openai', baseUrl: mock.url, apiKey, cost: 0.001 }], env: {} });
        assert.equal((await agent('sk-test-good').run('What is 2+2?')).content, '4');
        const e = await exec(agent('sk-test-wrong'), 'What is 2+2?', false);
        assert.ok(e.error instanceof AuthError);
        assert.equal(e.error.status, 401);
      } finally {
        await mock.stop();
      }
    });

    test('parameters and headers pass through; a key can come from env', async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('openai', '4', { input: 14, output: 1 }));
      const f = recordingFetch();
      const agent = new CascadeAgent({
        models: [
          {
            name: 'm',
            provider: 'openai',
            baseUrl: mock.url,
            cost: 0.001,
            parameters: { seed: 7, top_p: 0.5 },
            headers: { 'X-Trace-Id': 'trace-1' },
          },
        ],
        env: { OPENAI_API_KEY: 'sk-test-from-env' },
        fetch: f,
      });
      ok(await exec(agent, 'What is 2+2?', false));
      const [req] = sent(mock);
      assert.equal(req.body.seed, 7);
      assert.equal(req.body.top_p, 0.5);
      assert.equal(req.headers['x-trace-id'], 'trace-1');
      assert.equal(f.calls[0].headers.authorization, 'Bearer sk-test-from-env');
      assert.ok(!JSON.stringify(agent.models).includes('sk-test-from-env'));
      assert.equal(agent.models[0].hasApiKey, true);
    });

    for (const base of ['', '/', '/v1', '/v1/']) {
      test(`baseUrl "<mock>${base}" reaches /v1/chat/completions`, async () => {
        const { mock } = ctx;
        mock.on({ model: 'm' }, reply('openai', '4', { input: 14, output: 1 }));
        const agent = new CascadeAgent({
          models: [{ name: 'm', provider: 'openai', baseUrl: mock.url + base, apiKey: 'sk-x', cost: 0.001 }],
          env: {},
        });
        assert.equal((await agent.run('What is 2+2?')).content, '4');
        assert.deepEqual(sent(mock).map((s) => s.path), ['/v1/chat/completions']);
      });
    }

    for (const provider of ['openai-compatible', 'vllm', 'litellm']) {
      for (const base of ['', '/v1']) {
        test(`${provider} with baseUrl "<mock>${base}" speaks the OpenAI wire`, async () => {
          const { mock } = ctx;
          mock.on({ model: 'served-model' }, reply('openai', '4', { input: 14, output: 1 }));
          const f = recordingFetch();
          const agent = new CascadeAgent({
            models: [{ name: 'served-model', provider, baseUrl: mock.url + base, apiKey: 'sk-compat', cost: 0.001 }],
            env: {},
            fetch: f,
          });
          const r = await agent.run('What is 2+2?');
          assert.equal(r.content, '4');
          assert.equal(r.provider, provider);
          assert.deepEqual(sent(mock).map((s) => s.path), ['/v1/chat/completions']);
          assert.equal(f.calls[0].headers.authorization, 'Bearer sk-compat');
        });
      }
    }

    test('openai-compatible without a baseUrl is a ConfigError naming the field', () => {
      assert.throws(
        () => new CascadeAgent([{ name: 'x', provider: 'openai-compatible', cost: 1 }]),
        (e) => e.code === 'E_CONFIG' && /models\[0\]\.baseUrl: required/.test(e.message),
      );
    });
  });

  for (const streaming of [false, true]) {
    const how = streaming ? 'stream()' : 'run()';

    test(`${how}: a draft cut off by max_tokens (finish_reason "length") is rejected`, async () => {
      const { mock } = ctx;
      mock.on({ model: 'drafter' }, { ...reply('openai', 'Quantum entanglement is', { input: 20, output: 4 }), finishReason: 'length' });
      mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 20, output: 60 }));
      const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
      const r = ok(await exec(agent, Q, streaming));
      assert.equal(r.modelUsed, 'verifier');
      assert.equal(r.attempts[0].outcome, 'rejected');
      assert.equal(r.attempts[0].verdict.accepted, false);
      assert.equal(r.finishReason, 'stop');
    });

    test(`${how}: a server that reports no usage gets an estimate, flagged, and still priced`, async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('openai', GOOD_LONG));
      // An OpenAI-compatible server that omits usage: strip it from aimock's
      // answers (run) or ignore include_usage (stream).
      const noUsage = async (url, init) => {
        const body = JSON.parse(init.body);
        delete body.stream_options;
        const res = await fetch(url, { ...init, body: JSON.stringify(body) });
        if (body.stream) return res;
        const json = await res.json();
        assert.ok(json.usage, 'aimock sent usage, which we now drop');
        delete json.usage;
        return new Response(JSON.stringify(json), { status: res.status, headers: res.headers });
      };
      const agent = new CascadeAgent({
        models: [{ name: 'm', provider: 'openai', baseUrl: mock.url, apiKey: 'sk-x', ...PRICES.top }],
        env: {},
        fetch: noUsage,
      });
      const r = ok(await exec(agent, Q, streaming));
      assert.equal(r.content, GOOD_LONG);
      assert.equal(r.usage.estimated, true);
      assert.equal(r.attempts[0].usage.estimated, true);
      assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 10, JSON.stringify(r.usage));
      assert.ok(r.totalCost > 0);
    });
  }
});
