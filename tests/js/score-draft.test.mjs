// scoreDraft(): the engine's judge on its own, offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent, ConfigError, scoreDraft } from './helpers/pkg.mjs';

test('"4" for "What is 2+2?" is accepted, with the documented shape', () => {
  const s = scoreDraft('What is 2+2?', '4');
  assert.equal(s.accepted, true);
  for (const key of ['accepted', 'score', 'threshold', 'complexity', 'checks']) assert.ok(key in s, key);
  assert.equal(typeof s.score, 'number');
  assert.equal(typeof s.threshold, 'number');
  assert.ok(s.score >= s.threshold);
  assert.ok(s.score >= 0 && s.score <= 1 && s.threshold >= 0 && s.threshold <= 1);
  assert.ok(['trivial', 'simple', 'moderate', 'hard', 'expert'].includes(s.complexity));
  assert.ok(Array.isArray(s.checks));
  for (const c of s.checks) {
    assert.equal(typeof c.name, 'string');
    assert.equal(typeof c.passed, 'boolean');
    assert.equal(typeof c.score, 'number');
  }
});

test('"Paris" for the capital of France is accepted', () => {
  assert.equal(scoreDraft('What is the capital of France?', 'Paris').accepted, true);
});

test('an empty draft is rejected', () => {
  const s = scoreDraft('Explain quantum entanglement in one sentence.', '');
  assert.equal(s.accepted, false);
  assert.ok(s.score < s.threshold);
});

test('a draft cut off by max_tokens is rejected', () => {
  const s = scoreDraft('Explain quantum entanglement in one sentence.', 'Quantum entanglement is', {
    finishReason: 'length',
  });
  assert.equal(s.accepted, false);
});

test('a refusal is rejected', () => {
  assert.equal(scoreDraft('Explain quantum entanglement in one sentence.', "I'm sorry, I don't know.").accepted, false);
});

test('a per-call qualityThreshold is the threshold used', () => {
  assert.equal(scoreDraft('What is 2+2?', '4', { qualityThreshold: 0.99 }).threshold, 0.99);
  assert.equal(scoreDraft('What is 2+2?', '4', { qualityThreshold: 0.01 }).accepted, true);
});

test('it is deterministic and agrees with the engine', () => {
  const a = scoreDraft('Summarise the causes of the First World War.', 'Alliances, militarism, imperialism, nationalism.');
  const b = scoreDraft('Summarise the causes of the First World War.', 'Alliances, militarism, imperialism, nationalism.');
  assert.deepEqual(a, b);
});

test('arguments that are not strings are a ConfigError', () => {
  assert.throws(() => scoreDraft(42, '4'), ConfigError);
  assert.throws(() => scoreDraft('What is 2+2?', null), ConfigError);
});

test('the engine judges a draft exactly as scoreDraft does', async () => {
  const q = 'What is the boiling point of water at sea level?';
  const draft = 'Water boils at 100 degrees Celsius at sea level.';
  const agent = new CascadeAgent([
    { name: 'small', provider: { complete: () => draft }, cost: 0.0001 },
    { name: 'big', provider: { complete: () => draft }, cost: 0.01 },
  ]);
  const r = await agent.run(q);
  const { verdict } = r.attempts[0];
  assert.deepEqual(verdict, scoreDraft(q, draft));
});
