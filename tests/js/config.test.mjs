// Configuration and options: every validation error names its field, and
// prices (given, blended, from the table, or unknown) come out right.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent, CascadeError, ConfigError } from './helpers/pkg.mjs';
import { reply, sent, useMock } from './helpers/mock.mjs';
import { exec, failed, near, ok } from './helpers/wire-suite.mjs';

const base = (over = {}) => ({ name: 'm', provider: 'openai', apiKey: 'sk-x', cost: 0.001, ...over });

/** The ConfigError the constructor throws (synchronously) for these models. */
function configError(input) {
  let err;
  try {
    new CascadeAgent(input);
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'expected the constructor to throw');
  assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err?.name}: ${err?.message}`);
  assert.ok(err instanceof CascadeError && err instanceof Error);
  assert.equal(err.code, 'E_CONFIG');
  assert.equal(err.name, 'ConfigError');
  return err;
}

describe('model validation names the field', () => {
  const cases = [
    ['a negative cost', [base(), base({ name: 'b', cost: -1 })], /models\[1\]\.cost: expected a non-negative number/],
    ['a cost given as text', [base(), base({ name: 'b', cost: '0.01' })], /models\[1\]\.cost: .*got a string/],
    ['a missing name', [{ provider: 'openai', cost: 1 }], /models\[0\]\.name: required/],
    ['an empty name', [base({ name: '' })], /models\[0\]\.name: expected a non-empty string/],
    ['a provider that is a number', [base({ provider: 42 })], /models\[0\]\.provider/],
    ['a baseUrl without a scheme', [base(), base({ name: 'b', baseUrl: 'localhost:8000' })], /models\[1\]\.baseUrl: expected an http/],
    ['a qualityThreshold above 1', [base({ qualityThreshold: 1.5 })], /models\[0\]\.qualityThreshold: expected a number from 0 to 1/],
    ['a fractional maxTokens', [base({ maxTokens: 1.5 })], /models\[0\]\.maxTokens: expected a positive integer/],
    ['a zero maxTokens', [base({ maxTokens: 0 })], /models\[0\]\.maxTokens: expected a positive integer/],
    ['a temperature above 2', [base({ temperature: 3 })], /models\[0\]\.temperature: expected a number from 0 to 2/],
    ['a header that is not a string', [base({ headers: { 'x-n': 1 } })], /models\[0\]\.headers\.x-n: expected a string/],
    ['parameters that are not an object', [base({ parameters: [1] })], /models\[0\]\.parameters: expected an object/],
    ['inputCost without outputCost', [base({ cost: undefined, inputCost: 1 })], /models\[0\]: inputCost and outputCost go together/],
    ['a value JSON cannot hold', [base({ parameters: { seed: 1n } })], /config: cannot be sent to the engine as JSON/],
    ['a misspelt field', [base({ costt: 1 })], /models\[0\]\.costt: unknown field \(did you mean `cost`\?/],
    ['a line break in a header value', [base({ headers: { 'x-team': 'a\nx-injected: yes' } })], /models\[0\]\.headers\.x-team: the value contains the control character/],
    ['a header name that is not a token', [base({ headers: { 'x bad': 'v' } })], /models\[0\]\.headers: "x bad" is not a valid header name/],
    ['a line break in the model name', [base({ name: 'gpt-4o\r\nx-injected: yes' })], /models\[0\]\.name: contains the control character/],
    ['a line break in the key', [base({ apiKey: 'sk-abc\nx-injected: yes' })], /models\[0\]\.apiKey: contains a line break/],
    ['a model that is not an object', [base(), 'gpt-4o'], /models\[1\]: expected a model object/],
  ];
  for (const [what, models, re] of cases) {
    test(what, () => {
      const e = configError(models);
      assert.match(e.message, re);
    });
  }

  test('the agent options themselves', () => {
    assert.match(configError([]).message, /config\.models: expected at least one model/);
    assert.match(configError({}).message, /config\.models: required/);
    assert.match(configError({ models: 'gpt-4o' }).message, /config\.models/);
    assert.match(configError({ models: [base()], keepOrder: 'yes' }).message, /config\.keepOrder: expected a boolean/);
    assert.match(configError({ models: [base()], colour: 'red' }).message, /config\.colour: unknown option/);
    assert.match(configError({ models: [base()], fetch: 42 }).message, /config\.fetch/);
  });

  test('snake_case spellings from the original are accepted', () => {
    const agent = new CascadeAgent([{ name: 'm', provider: 'openai', api_key: 'sk-x', base_url: 'http://127.0.0.1:9/v1', cost: 1 }]);
    assert.equal(agent.models[0].baseUrl, 'http://127.0.0.1:9/v1');
    assert.equal(agent.models[0].hasApiKey, true);
  });

  test('agent.models shows the reliability settings of each model, never a rotating key', () => {
    const keys = ['sk-rotate-AAAA-1111', 'sk-rotate-BBBB-2222'];
    const agent = new CascadeAgent([
      { name: 'small', provider: 'openai', apiKey: 'sk-x', cost: 0.1, contextWindow: 128000, rateLimit: { requestsPerMinute: 60 } },
      { name: 'big', provider: 'openai', cost: 1, keyRotation: { keys } },
    ]);
    const [small, big] = agent.models;
    assert.deepEqual([small.contextWindow, small.rateLimited, small.rotatingKeys], [128000, true, 0]);
    assert.deepEqual([big.contextWindow, big.rateLimited, big.rotatingKeys], [null, false, 2]);
    assert.ok(!JSON.stringify(agent.models).includes('sk-rotate'));
  });
});

describe('against aimock', () => {
  let mock;
  useMock((m) => (mock = m));
  beforeEach(() => {
    mock.on({ userMessage: '2+2' }, reply('openai', '4', { input: 1000, output: 500 }));
  });
  const at = (m) => ({ provider: 'openai', baseUrl: mock.url, apiKey: 'sk-x', ...m });

  describe('run options are validated too', () => {
    const agent = () => new CascadeAgent([at({ name: 'm', cost: 0.001 })]);
    const cases = [
      ['a query that is a number', 42, {}, /query: expected a string or an array of messages/],
      ['an empty query', '   ', {}, /query: expected a non-empty/],
      ['a message with an unknown role', [{ role: 'wizard', content: 'hi' }], {}, /messages\[0\]/],
      ['a signal that is not an AbortSignal', 'What is 2+2?', { signal: {} }, /options\.signal: expected an AbortSignal/],
      ['a negative timeoutMs', 'What is 2+2?', { timeoutMs: -5 }, /options\.timeoutMs: expected a positive number/],
      ['a maxTokens given as text', 'What is 2+2?', { maxTokens: 'lots' }, /options\.maxTokens: expected a positive integer/],
      ['a misspelt option', 'What is 2+2?', { maxTokes: 5 }, /options\.maxTokes: unknown option \(did you mean `maxTokens`\?/],
      ['another misspelt option', 'What is 2+2?', { sytemPrompt: 'Be brief.' }, /options\.sytemPrompt: unknown option \(did you mean `systemPrompt`\?/],
      ['options JSON cannot hold', 'What is 2+2?', { temperature: 1n }, /options: cannot be sent to the engine as JSON/],
    ];
    for (const [what, query, options, re] of cases) {
      for (const streaming of [false, true]) {
        test(`${what} (${streaming ? 'stream' : 'run'})`, async () => {
          const e = failed(await exec(agent(), query, streaming, options));
          assert.ok(e instanceof ConfigError, `got ${e.name}: ${e.message}`);
          assert.match(e.message, re);
          assert.deepEqual(sent(mock), [], 'nothing was sent');
        });
      }
    }

    test('an unknown provider name fails at construction, naming it, with the nearest known one', () => {
      const e = configError([{ name: 'm', provider: 'opnai', cost: 1 }]);
      assert.match(e.message, /unknown provider "opnai" \(did you mean "openai"\?/);
      assert.match(configError([{ name: 'm', provider: 'not-a-provider', cost: 1 }]).message, /"not-a-provider"/);
    });
  });

  describe('prices', () => {
    test('inputCost / outputCost are USD per 1M tokens, each direction at its own rate', async () => {
      const r = ok(await exec(new CascadeAgent([at({ name: 'm', inputCost: 2, outputCost: 8 })]), 'What is 2+2?', false));
      near(r.totalCost, (1000 * 2 + 500 * 8) / 1e6, 'totalCost');
    });

    test('cost is blended USD per 1K tokens', async () => {
      const r = ok(await exec(new CascadeAgent([at({ name: 'm', cost: 0.002 })]), 'What is 2+2?', false));
      near(r.totalCost, (1500 * 0.002) / 1000, 'totalCost');
    });

    test('well-known models are priced from the table', async () => {
      const agent = new CascadeAgent([at({ name: 'gpt-4o-mini' })]);
      assert.deepEqual([agent.models[0].inputCostPer1M, agent.models[0].outputCostPer1M], [0.15, 0.6]);
      const r = ok(await exec(agent, 'What is 2+2?', false));
      near(r.totalCost, (1000 * 0.15 + 500 * 0.6) / 1e6, 'totalCost');
    });

    test('an unknown price is null, never $0', async () => {
      const agent = new CascadeAgent([at({ name: 'my-private-finetune' }), at({ name: 'gpt-4o' })]);
      assert.equal(agent.models.at(-1).name, 'my-private-finetune', 'unknown prices sort last');
      assert.equal(agent.models.at(-1).inputCostPer1M, null);
      const single = new CascadeAgent([at({ name: 'my-private-finetune' })]);
      const r = ok(await exec(single, 'What is 2+2?', false));
      assert.equal(r.totalCost, null);
      assert.equal(r.costSaved, null);
      assert.equal(r.savingsPercentage, null);
      assert.equal(r.attempts[0].cost, null);
    });

    test('tiers are sorted cheapest first, unless keepOrder', () => {
      const models = [at({ name: 'gpt-4o' }), at({ name: 'big', cost: 0.01 }), at({ name: 'gpt-4o-mini' })];
      assert.deepEqual(new CascadeAgent(models).models.map((m) => m.name), ['gpt-4o-mini', 'gpt-4o', 'big']);
      assert.deepEqual(new CascadeAgent({ models, keepOrder: true }).models.map((m) => m.name), ['gpt-4o', 'big', 'gpt-4o-mini']);
    });

    test('agent.models never shows a key', () => {
      const agent = new CascadeAgent([at({ name: 'm', cost: 1, apiKey: 'sk-test-SECRET-123' })]);
      assert.ok(!JSON.stringify(agent.models).includes('SECRET'));
      assert.equal(agent.models[0].hasApiKey, true);
    });
  });

  test('defaults apply to every run and options override them', async () => {
    const agent = new CascadeAgent({
      models: [at({ name: 'm', cost: 1 })],
      defaults: { maxTokens: 64, systemPrompt: 'Default system.' },
    });
    await agent.run('What is 2+2?');
    await agent.run('What is 2+2?', { maxTokens: 32 });
    const [a, b] = sent(mock);
    assert.equal(a.body.max_tokens, 64);
    assert.equal(b.body.max_tokens, 32);
    assert.deepEqual(a.body.messages[0], { role: 'system', content: 'Default system.' });
  });

  test('a conversation (array of messages) is sent as given', async () => {
    const agent = new CascadeAgent([at({ name: 'm', cost: 1 })]);
    const messages = [
      { role: 'system', content: 'You add numbers.' },
      { role: 'user', content: 'What is 1+1?' },
      { role: 'assistant', content: '2' },
      { role: 'user', content: 'What is 2+2?' },
    ];
    const r = await agent.run(messages);
    assert.equal(r.content, '4');
    assert.deepEqual(sent(mock)[0].body.messages, messages);
  });
});
