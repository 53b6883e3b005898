// run() hands its result over as a tape (src/tape_out.rs, js/src/tape.ts),
// stream() as JSON. The same run must read back identically both ways, key
// order included, for every kind of result: this is what keeps the two
// encoders of one shape in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent } from './helpers/pkg.mjs';
import { collect } from './helpers/mock.mjs';

const LONG =
  'Photosynthesis turns light into chemical energy: chlorophyll absorbs light, water is split, ' +
  'and the energy drives the Calvin cycle, which fixes carbon dioxide into sugars the plant uses to grow.';

/** A provider answering from a list, one entry per call (the last repeats). */
function scripted(name, answers) {
  let n = 0;
  return {
    name,
    complete() {
      const a = answers[Math.min(n++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

/** Latencies differ between two runs; everything else must not. */
function canonical(result) {
  return JSON.stringify(result, (k, v) => (k === 'latencyMs' ? 0 : v));
}

async function bothWays(makeModels, query, options = {}) {
  // Retries without jitter: both forms must wait (and say they waited) the same.
  const retry = { jitter: false, baseDelayMs: 2 };
  const ran = await new CascadeAgent({ models: makeModels(), retry }).run(query, options);
  const streamed = await collect(new CascadeAgent({ models: makeModels(), retry }).stream(query, options));
  assert.equal(streamed.error, undefined, String(streamed.error));
  assert.equal(canonical(ran), canonical(streamed.result));
  assert.deepStrictEqual(JSON.parse(canonical(ran)), JSON.parse(canonical(streamed.result)));
  return ran;
}

const CASES = [
  {
    name: 'an accepted draft',
    models: () => [
      { name: 'small', provider: scripted('s', [{ content: 'Paris.', usage: { inputTokens: 9, outputTokens: 2 } }]), cost: 0.0002 },
      { name: 'big', provider: scripted('b', ['unused']), cost: 0.01 },
    ],
    query: 'What is the capital of France?',
    check: (r) => assert.equal(r.draftAccepted, true),
  },
  {
    name: 'text that looks like tape syntax, non-ASCII, an emoji and NUL',
    models: () => [{ name: 'm', provider: scripted('s', ['~ 12:ab; 1 0 ;; é 中文 🙂\u0000 \\"x\n\t']), cost: 0.001 }],
    query: 'Échoue: 🙂 ~ 3:x;',
    check: (r) => assert.equal(r.content, '~ 12:ab; 1 0 ;; é 中文 🙂\u0000 \\"x\n\t'),
  },
  {
    name: 'a rejected draft, then the verifier; estimated usage',
    models: () => [
      { name: 'small', provider: scripted('s', ["I'm sorry, I don't know."]), cost: 0.0002 },
      { name: 'big', provider: scripted('b', [LONG]), cost: 0.01 },
    ],
    query: 'How does photosynthesis work?',
    check: (r) => {
      assert.equal(r.cascaded, true);
      assert.equal(r.attempts.length, 2);
      assert.ok(r.attempts[0].verdict.checks.some((c) => c.detail), 'a check with a detail');
      assert.equal(r.usage.estimated, true);
    },
  },
  {
    name: 'a failed tier with its error, and unknown prices as null',
    models: () => [
      { name: 'flaky-model-x1', provider: scripted('flaky', [new Error('upstream exploded')]) },
      { name: 'steady-model-x2', provider: scripted('steady', [LONG]) },
    ],
    query: 'How does photosynthesis work?',
    check: (r) => {
      assert.deepEqual(r.attempts.map((a) => a.outcome), ['failed', 'failed', 'failed', 'accepted']);
      assert.deepEqual(r.attempts.map((a) => a.retryInMs), [2, 4, undefined, undefined]);
      assert.equal(typeof r.attempts[0].error.code, 'string');
      assert.equal(r.totalCost, null);
      assert.equal(r.attempts[3].cost, null);
    },
  },
  {
    name: 'tool calls and thinking',
    models: () => [
      {
        name: 'm',
        provider: scripted('s', [
          {
            content: '',
            thinking: 'The user wants weather; call the tool.',
            toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
            finishReason: 'tool_calls',
            usage: { inputTokens: 30, outputTokens: 12 },
          },
        ]),
        cost: 0.001,
      },
    ],
    query: 'Weather in Paris?',
    options: { tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }] },
    check: (r) => {
      assert.deepEqual(r.toolCalls.map((c) => c.name), ['get_weather']);
      assert.equal(typeof r.thinking, 'string');
    },
  },
  {
    name: 'structured output, parsed',
    models: () => [{ name: 'm', provider: scripted('s', ['{"city": "Paris", "n": [1, 2.5, null]}']), cost: 0.001 }],
    query: 'Give the city as JSON.',
    options: { responseFormat: { type: 'json_object' } },
    check: (r) => assert.deepEqual(r.parsed, { city: 'Paris', n: [1, 2.5, null] }),
  },
  {
    name: 'a tool loop: two steps, attempts numbered by step',
    models: () => [
      {
        name: 'm',
        provider: scripted('s', [
          { content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }], finishReason: 'tool_calls' },
          'It is sunny in Paris, 21 degrees.',
        ]),
        cost: 0.001,
      },
    ],
    query: 'Weather in Paris?',
    options: {
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
      onToolCall: async () => ({ sky: 'sunny', tempC: 21 }),
    },
    check: (r) => assert.deepEqual(r.attempts.map((a) => a.step), [1, 2]),
  },
];

for (const c of CASES) {
  test(`run() and stream() give the same result: ${c.name}`, async () => {
    c.check(await bothWays(c.models, c.query, c.options));
  });
}

test('optional parts are left out, not set to undefined', async () => {
  const r = await new CascadeAgent([{ name: 'm', provider: scripted('s', ['Paris.']), cost: 0.001 }]).run('Capital of France?');
  for (const k of ['toolCalls', 'thinking', 'parsed']) assert.equal(k in r, false, k);
  for (const k of ['error', 'step']) assert.equal(k in r.attempts[0], false, k);
});

test('a malformed tape is an error that says so, never a hang or a half-read result', async () => {
  // Internal module, loaded from the built package's files: only an engine bug could produce these.
  const { readResult } = await import(new URL('../../pkg/dist/tape.js', import.meta.url).href);
  for (const bad of ['', '5:Paris', '5:Paris5:', 'x', '31:The capital of France is Paris.11:gpt-4o-mini6:openai6.3e-6']) {
    assert.throws(() => readResult(bad), /the engine's result could not be read/, JSON.stringify(bad));
  }
});
