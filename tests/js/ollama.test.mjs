// Ollama's native /api/chat wire (NDJSON streams) against aimock: the shared
// cascade suite, then what we put on the wire. aimock's Ollama reports 0
// tokens, so every usage here is an estimate.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent } from './helpers/pkg.mjs';
import { GOOD_LONG, PRICES, agentFor, recordingFetch, reply, sent } from './helpers/mock.mjs';
import { cascadeSuite, exec, ok } from './helpers/wire-suite.mjs';

const Q = 'Explain quantum entanglement in one sentence.';

describe('ollama', () => {
  const ctx = cascadeSuite('ollama');

  describe('what we send', () => {
    for (const streaming of [false, true]) {
      test(`${streaming ? 'stream()' : 'run()'}: POST /api/chat with model, messages, stream and options`, async () => {
        const { mock } = ctx;
        mock.on({ model: 'drafter' }, reply('ollama', ''));
        mock.on({ model: 'verifier' }, reply('ollama', GOOD_LONG));
        const { agent, calls } = agentFor(mock, 'ollama', ['drafter', 'verifier']);
        ok(await exec(agent, Q, streaming, { maxTokens: 128, temperature: 0.1, systemPrompt: 'Be brief.' }));

        const journal = sent(mock);
        assert.deepEqual(journal.map((s) => [s.path, s.body.model]), [
          ['/api/chat', 'drafter'],
          ['/api/chat', 'verifier'],
        ]);
        for (const [i, { body }] of journal.entries()) {
          // Ollama streams unless told not to, so `stream` is always explicit.
          assert.equal(body.stream, streaming);
          assert.deepEqual(body.messages, [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: Q },
          ]);
          assert.equal(calls[i].body.options.num_predict, 128);
          assert.equal(calls[i].body.options.temperature, 0.1);
          assert.equal(calls[i].headers.authorization, `Bearer sk-test-ollama-${i}`);
        }
      });
    }

    test('no key configured: no Authorization header at all', async () => {
      const { mock } = ctx;
      mock.on({ model: 'llama3.2' }, reply('ollama', '4'));
      const f = recordingFetch();
      const agent = new CascadeAgent({ models: [{ name: 'llama3.2', provider: 'ollama', baseUrl: mock.url }], env: {}, fetch: f });
      const r = await agent.run('What is 2+2?');
      assert.equal(r.content, '4');
      assert.ok(!('authorization' in f.calls[0].headers), JSON.stringify(f.calls[0].headers));
      assert.ok(!('authorization' in sent(mock)[0].headers));
      // Self-hosted: the price table knows it is free, so the cost is a real $0, not unknown.
      assert.equal(r.totalCost, 0);
    });

    test('sampling parameters go into options; keep_alive stays top-level', async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('ollama', '4'));
      const { agent, calls } = agentFor(mock, 'ollama', ['m'], {
        perModel: [{ parameters: { num_ctx: 4096, keep_alive: '5m' } }],
      });
      await agent.run('What is 2+2?');
      assert.equal(calls[0].body.options.num_ctx, 4096);
      assert.equal(calls[0].body.keep_alive, '5m');
      assert.equal(calls[0].body.options.keep_alive, undefined);
    });

    for (const base of ['', '/', '/v1', '/api']) {
      test(`baseUrl "<mock>${base}" reaches /api/chat`, async () => {
        const { mock } = ctx;
        mock.on({ model: 'm' }, reply('ollama', '4'));
        const agent = new CascadeAgent({ models: [{ name: 'm', provider: 'ollama', baseUrl: mock.url + base }], env: {} });
        assert.equal((await agent.run('What is 2+2?')).content, '4');
        assert.deepEqual(sent(mock).map((s) => s.path), ['/api/chat']);
      });
    }
  });

  for (const streaming of [false, true]) {
    test(`${streaming ? 'stream()' : 'run()'}: zero token counts are estimated, flagged and priced`, async () => {
      const { mock } = ctx;
      mock.on({ model: 'm' }, reply('ollama', GOOD_LONG));
      const agent = new CascadeAgent({
        models: [{ name: 'm', provider: 'ollama', baseUrl: mock.url, ...PRICES.top }],
        env: {},
      });
      const r = ok(await exec(agent, Q, streaming));
      assert.equal(r.content, GOOD_LONG);
      assert.equal(r.usage.estimated, true);
      assert.equal(r.attempts[0].usage.estimated, true);
      // About four characters a token.
      const approx = Math.ceil(GOOD_LONG.length / 4);
      assert.ok(Math.abs(r.usage.outputTokens - approx) <= approx / 4, `outputTokens ${r.usage.outputTokens} ~ ${approx}`);
      assert.ok(r.usage.inputTokens > 0);
      assert.ok(r.totalCost > 0);
    });
  }
});
