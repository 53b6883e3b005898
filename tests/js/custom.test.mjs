// Providers written in JS: an object with complete(), optionally stream();
// registered by name; mixed with a real wire (aimock) in one cascade.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent, CustomProviderError, registerProvider } from './helpers/pkg.mjs';
import { GOOD_LONG, collect, reply, sent, useMock } from './helpers/mock.mjs';
import { exec, failed, near, ok } from './helpers/wire-suite.mjs';

const Q = 'Explain quantum entanglement in one sentence.';

/** A provider that answers from `answer(request)` and records the requests it got. */
function fake(answer, extra = {}) {
  const requests = [];
  return {
    requests,
    complete(req) {
      requests.push(req);
      return answer(req);
    },
    ...extra,
  };
}

let mock;
useMock((m) => (mock = m));

describe('complete()', () => {
  test('a plain string answer is accepted; usage is estimated', async () => {
    const p = fake(() => '4', { name: 'tiny' });
    const agent = new CascadeAgent([
      { name: 'tiny-1', provider: p, cost: 0.0001 },
      { name: 'big', provider: fake(() => 'must not be called'), cost: 0.01 },
    ]);
    const r = await agent.run('What is 2+2?', { maxTokens: 50, temperature: 0 });
    assert.equal(r.content, '4');
    assert.equal(r.provider, 'tiny');
    assert.equal(r.modelUsed, 'tiny-1');
    assert.equal(r.draftAccepted, true);
    assert.equal(r.usage.estimated, true);
    assert.equal(p.requests.length, 1);
    const [req] = p.requests;
    assert.equal(req.model, 'tiny-1');
    assert.equal(req.provider, 'tiny');
    assert.equal(req.stream, false);
    assert.equal(req.maxTokens, 50);
    assert.equal(req.temperature, 0);
    assert.deepEqual(req.messages, [{ role: 'user', content: 'What is 2+2?' }]);
    assert.deepEqual(req.parameters, {});
  });

  test('an object answer with usage is priced from it', async () => {
    const p = fake(async () => ({ content: GOOD_LONG, usage: { inputTokens: 100, outputTokens: 40 }, finishReason: 'stop' }));
    const agent = new CascadeAgent([{ name: 'm', provider: p, inputCost: 1, outputCost: 2 }]);
    const r = await agent.run(Q);
    assert.deepEqual(r.usage, { inputTokens: 100, outputTokens: 40, estimated: false });
    near(r.totalCost, (100 * 1 + 40 * 2) / 1e6, 'totalCost');
  });

  test('parameters reach the provider as given', async () => {
    const p = fake(() => '4');
    const agent = new CascadeAgent([{ name: 'm', provider: p, cost: 1, parameters: { seed: 3, mode: 'fast' } }]);
    await agent.run('What is 2+2?');
    assert.deepEqual(p.requests[0].parameters, { seed: 3, mode: 'fast' });
  });

  test('a rejected custom draft escalates to a real wire (aimock)', async () => {
    mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 20, output: 60 }));
    const agent = new CascadeAgent({
      models: [
        { name: 'local', provider: fake(() => ({ content: 'Quantum', finishReason: 'length' })), cost: 0.0001 },
        { name: 'verifier', provider: 'openai', baseUrl: mock.url, apiKey: 'sk-x', cost: 0.01 },
      ],
      env: {},
    });
    const r = await agent.run(Q);
    assert.equal(r.modelUsed, 'verifier');
    assert.deepEqual(r.attempts.map((a) => [a.model, a.outcome]), [
      ['local', 'rejected'],
      ['verifier', 'accepted'],
    ]);
    assert.equal(sent(mock).length, 1);
  });

  test('a provider that throws is recorded as E_CUSTOM_PROVIDER and escalated', async () => {
    const boom = fake(() => {
      throw new Error('GPU on fire');
    });
    const agent = new CascadeAgent([
      { name: 'flaky', provider: boom, cost: 0.0001 },
      { name: 'steady', provider: fake(() => GOOD_LONG), cost: 0.01 },
    ]);
    const r = await agent.run(Q);
    assert.equal(r.modelUsed, 'steady');
    assert.equal(r.attempts[0].outcome, 'failed');
    assert.equal(r.attempts[0].error.code, 'E_CUSTOM_PROVIDER');
    assert.match(r.attempts[0].error.message, /GPU on fire/);

    const alone = new CascadeAgent([{ name: 'flaky', provider: boom, cost: 0.0001 }]);
    const e = failed(await exec(alone, Q, false));
    assert.ok(e instanceof CustomProviderError, `got ${e.name}`);
    assert.equal(e.code, 'E_CUSTOM_PROVIDER');
  });

  for (const [what, value] of [
    ['a number', 42],
    ['an object whose content is not text', { content: { text: 'hi' } }],
  ]) {
    test(`returning ${what} is a clear E_CUSTOM_PROVIDER error`, async () => {
      const agent = new CascadeAgent([{ name: 'odd', provider: fake(() => value), cost: 1 }]);
      const e = failed(await exec(agent, Q, false));
      assert.equal(e.code, 'E_CUSTOM_PROVIDER');
      assert.match(e.message, /complete\(\)|content/);
    });
  }
});

describe('stream()', () => {
  const streamer = (pieces, usage) =>
    fake(() => pieces.join(''), {
      name: 'streamer',
      async *stream(req) {
        this.streamed = req;
        for (const p of pieces) {
          await new Promise((r) => setTimeout(r, 1));
          yield p;
        }
        if (usage) yield { type: 'usage', usage };
      },
    });

  test('agent.stream() uses the async generator; pieces arrive as chunk events', async () => {
    const p = streamer(['The capital ', 'of France ', 'is Paris.'], { inputTokens: 9, outputTokens: 7 });
    const agent = new CascadeAgent([{ name: 'm', provider: p, cost: 1 }]);
    const { events, result } = await collect(agent.stream('What is the capital of France?'));
    assert.deepEqual(
      events.filter((e) => e.type === 'chunk').map((e) => e.text),
      ['The capital ', 'of France ', 'is Paris.'],
    );
    assert.equal(result.content, 'The capital of France is Paris.');
    assert.deepEqual(result.usage, { inputTokens: 9, outputTokens: 7, estimated: false });
    assert.equal(p.streamed.stream, true);
    assert.equal(p.requests.length, 0, 'complete() was not used for a stream');
  });

  test('agent.run() uses complete() even when stream() exists', async () => {
    const p = streamer(['4']);
    const agent = new CascadeAgent([{ name: 'm', provider: p, cost: 1 }]);
    assert.equal((await agent.run('What is 2+2?')).content, '4');
    assert.equal(p.requests.length, 1);
    assert.equal(p.streamed, undefined);
  });

  test('a provider without stream() still streams: its answer is one chunk', async () => {
    const agent = new CascadeAgent([{ name: 'm', provider: fake(() => GOOD_LONG), cost: 1 }]);
    const { events } = await collect(agent.stream(Q));
    assert.deepEqual(events.filter((e) => e.type === 'chunk').map((e) => e.text), [GOOD_LONG]);
  });

  test('a generator that throws mid-way: draft escalates; alone it is an error, not a short answer', async () => {
    const broken = fake(() => '', {
      async *stream() {
        yield 'Quantum entanglement ';
        throw new Error('connection to local model lost');
      },
    });
    const agent = new CascadeAgent([
      { name: 'broken', provider: broken, cost: 0.0001 },
      { name: 'steady', provider: fake(() => GOOD_LONG), cost: 0.01 },
    ]);
    const r = await collect(agent.stream(Q, { mode: 'live' }));
    assert.equal(r.result.modelUsed, 'steady');
    assert.equal(r.result.attempts[0].error.code, 'E_CUSTOM_PROVIDER');
    // The steady model starts over and reproduces what was shown: only the rest follows.
    const escalations = r.events.filter((e) => e.type === 'escalated');
    assert.deepEqual(escalations.map((e) => e.discard), [false]);
    assert.equal(r.events.filter((e) => e.type === 'chunk').map((e) => e.text).join(''), GOOD_LONG);

    const alone = new CascadeAgent([{ name: 'broken', provider: broken, cost: 0.0001 }]);
    const out = await collect(alone.stream(Q));
    assert.equal(out.result, undefined);
    assert.ok(out.error instanceof CustomProviderError, `got ${out.error?.name}`);
    assert.match(out.error.message, /connection to local model lost/);
  });
});

describe('registerProvider()', () => {
  test('a provider registered by name is used as { provider: name }', async () => {
    const p = fake(() => '4');
    registerProvider('in-house-llm', p);
    const agent = new CascadeAgent([{ name: 'house-small', provider: 'in-house-llm', cost: 1 }]);
    const r = ok(await exec(agent, 'What is 2+2?', false));
    assert.equal(r.content, '4');
    assert.equal(r.provider, 'in-house-llm');
    assert.equal(p.requests[0].provider, 'in-house-llm');
    assert.equal(p.requests[0].model, 'house-small');
  });

  test('registering checks its arguments', () => {
    assert.throws(() => registerProvider('', fake(() => '')), TypeError);
    assert.throws(() => registerProvider('x', { stream() {} }), TypeError);
  });

  test('an object that is not a provider is a ConfigError naming the model', () => {
    assert.throws(
      () => new CascadeAgent([{ name: 'm', provider: 17, cost: 1 }]),
      (e) => e.code === 'E_CONFIG' && /models\[0\]\.provider/.test(e.message),
    );
  });
});
