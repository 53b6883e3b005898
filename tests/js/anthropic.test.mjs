// Anthropic Messages wire against aimock: the shared cascade suite, then what
// we put on the wire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { AuthError, CascadeAgent } from './helpers/pkg.mjs';
import { GOOD_LONG, PRICES, agentFor, reply, sent, startMock } from './helpers/mock.mjs';
import { cascadeSuite, exec, ok } from './helpers/wire-suite.mjs';

const Q = 'Explain quantum entanglement in one sentence.';

describe('anthropic', () => {
  const ctx = cascadeSuite('anthropic');

  describe('what we send', () => {
    for (const streaming of [false, true]) {
      test(`${streaming ? 'stream()' : 'run()'}: POST /v1/messages, x-api-key + anthropic-version, system apart`, async () => {
        const { mock } = ctx;
        mock.on({ model: 'drafter' }, reply('anthropic', '', { input: 20, output: 1 }));
        mock.on({ model: 'verifier' }, reply('anthropic', GOOD_LONG, { input: 20, output: 60 }));
        const { agent, calls } = agentFor(mock, 'anthropic', ['drafter', 'verifier']);
        ok(await exec(agent, Q, streaming, { maxTokens: 300, temperature: 0.3, systemPrompt: 'Be brief.' }));

        const journal = sent(mock);
        assert.deepEqual(journal.map((s) => [s.path, s.body.model]), [
          ['/v1/messages', 'drafter'],
          ['/v1/messages', 'verifier'],
        ]);
        for (const [i, { headers, body }] of journal.entries()) {
          assert.ok('x-api-key' in headers, 'an x-api-key header reached the server');
          assert.equal(headers['anthropic-version'], '2023-06-01');
          assert.equal(body.max_tokens, 300);
          assert.equal(body.stream ?? false, streaming);
          // Exactly what we handed to fetch.
          const c = calls[i];
          assert.equal(c.url, `${mock.url}/v1/messages`);
          assert.equal(c.headers['x-api-key'], `sk-test-anthropic-${i}`);
          assert.ok(!('authorization' in c.headers), 'no Bearer header on the Anthropic wire');
          assert.equal(c.body.temperature, 0.3);
          // The system prompt is a top-level field, never a message.
          assert.match(JSON.stringify(c.body.system), /Be brief\./);
          assert.ok(c.body.messages.every((m) => m.role !== 'system'));
          assert.equal(c.body.messages.length, 1);
          assert.equal(c.body.messages[0].role, 'user');
          assert.match(JSON.stringify(c.body.messages[0].content), /quantum entanglement/);
          assert.equal(c.body.logprobs, undefined, 'Anthropic has no logprobs to ask for');
        }
      });
    }

    test('max_tokens is always sent (the Messages API requires it)', async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('anthropic', '4', { input: 14, output: 1 }));
      const agent = new CascadeAgent({
        models: [{ name: 'm', provider: 'anthropic', baseUrl: mock.url, apiKey: 'sk-ant-x', cost: 0.001 }],
        env: {},
      });
      await agent.run('What is 2+2?');
      const [req] = sent(mock);
      assert.ok(Number.isInteger(req.body.max_tokens) && req.body.max_tokens > 0, `max_tokens ${req.body.max_tokens}`);
    });

    test('aimock with inbound auth accepts our x-api-key and refuses a wrong one', async () => {
      const mock = await startMock({ auth: { apiKeys: ['sk-ant-good'] } });
      try {
        mock.on({ userMessage: '2+2' }, reply('anthropic', '4', { input: 14, output: 1 }));
        const agent = (apiKey) =>
          new CascadeAgent({ models: [{ name: 'm', provider: 'anthropic', baseUrl: mock.url, apiKey, cost: 0.001 }], env: {} });
        assert.equal((await agent('sk-ant-good').run('What is 2+2?')).content, '4');
        const e = await exec(agent('sk-ant-wrong'), 'What is 2+2?', false);
        assert.ok(e.error instanceof AuthError);
        assert.equal(e.error.status, 401);
      } finally {
        await mock.stop();
      }
    });

    test('the key can come from ANTHROPIC_API_KEY in env', async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('anthropic', '4', { input: 14, output: 1 }));
      const calls = [];
      const agent = new CascadeAgent({
        models: [{ name: 'm', provider: 'anthropic', baseUrl: mock.url, cost: 0.001 }],
        env: { ANTHROPIC_API_KEY: 'sk-ant-from-env', OPENAI_API_KEY: 'sk-wrong-provider' },
        fetch: (url, init) => (calls.push(init.headers), fetch(url, init)),
      });
      await agent.run('What is 2+2?');
      assert.equal(calls[0]['x-api-key'], 'sk-ant-from-env');
    });

    for (const base of ['', '/', '/v1', '/v1/']) {
      test(`baseUrl "<mock>${base}" reaches /v1/messages`, async () => {
        const { mock } = ctx;
        mock.on({ model: 'm' }, reply('anthropic', '4', { input: 14, output: 1 }));
        const agent = new CascadeAgent({
          models: [{ name: 'm', provider: 'anthropic', baseUrl: mock.url + base, apiKey: 'sk-ant-x', cost: 0.001 }],
          env: {},
        });
        assert.equal((await agent.run('What is 2+2?')).content, '4');
        assert.deepEqual(sent(mock).map((s) => s.path), ['/v1/messages']);
      });
    }
  });

  for (const streaming of [false, true]) {
    const how = streaming ? 'stream()' : 'run()';

    test(`${how}: a draft cut off by max_tokens (stop_reason "max_tokens") is rejected`, async () => {
      const { mock } = ctx;
      mock.on({ model: 'drafter' }, { ...reply('anthropic', 'Quantum entanglement is', { input: 20, output: 4 }), finishReason: 'length' });
      mock.on({ model: 'verifier' }, reply('anthropic', GOOD_LONG, { input: 20, output: 60 }));
      const { agent } = agentFor(mock, 'anthropic', ['drafter', 'verifier']);
      const r = ok(await exec(agent, Q, streaming));
      assert.equal(r.modelUsed, 'verifier');
      assert.equal(r.attempts[0].outcome, 'rejected');
      assert.equal(r.attempts[0].verdict.accepted, false);
    });

    test(`${how}: zero usage reported (aimock's default) is estimated, flagged, and priced`, async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('anthropic', GOOD_LONG)); // no usage override: aimock reports 0 / 0
      const agent = new CascadeAgent({
        models: [{ name: 'm', provider: 'anthropic', baseUrl: mock.url, apiKey: 'sk-ant-x', ...PRICES.top }],
        env: {},
      });
      const r = ok(await exec(agent, Q, streaming));
      assert.equal(r.usage.estimated, true);
      assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 10, JSON.stringify(r.usage));
      assert.ok(r.totalCost > 0, `priced from the estimate, got ${r.totalCost}`);
    });
  }
});
