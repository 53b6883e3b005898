// Assertions shared by the runtime tests: every runtime must give the same
// answers, models and costs for the same fake provider.
import assert from 'node:assert/strict';
import { ESCALATED } from './fake-provider.mjs';

export function near(actual, expected, label) {
  assert.equal(typeof actual, 'number', `${label}: expected a number, got ${JSON.stringify(actual)}`);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${label}: ${actual} != ${expected}`);
}

/** `{answer, model, cost, savings}` as the examples return it. */
export function checkAnswer(out, c) {
  assert.equal(out.model, c.model, 'model');
  assert.equal(out.answer, c.answer, 'answer');
  near(out.cost, c.cost, 'cost');
  near(out.savings, c.savings, 'savings');
}

/**
 * A buffered stream's events (`{type, ...}` objects): the answer arrives in
 * several chunks from the model that answered, a rejected draft never shows.
 */
export function checkStreamEvents(events, c) {
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'routing', `first event: ${types.join(',')}`);
  assert.equal(types.at(-1), 'complete', `last event: ${types.join(',')}`);
  const decisions = events.filter((e) => e.type === 'draftDecision');
  assert.ok(decisions.length >= 1, 'a draftDecision event');
  const escalated = c === ESCALATED;
  assert.equal(decisions[0].accepted, !escalated, `judge decision: ${JSON.stringify(decisions[0])}`);
  if (escalated) {
    const esc = events.find((e) => e.type === 'escalated');
    assert.ok(esc, 'an escalated event');
    assert.equal(esc.to, c.model);
  }
  const chunks = events.filter((e) => e.type === 'chunk');
  assert.ok(chunks.length > 1, `streamed in several chunks, got ${chunks.length}`);
  for (const ch of chunks) assert.equal(ch.model, c.model, 'every chunk comes from the answering model');
  const text = chunks.map((ch) => ch.text).join('');
  assert.equal(text, c.answer);
  if (escalated) assert.ok(!text.includes(c.draft), 'the rejected draft never reaches the reader');
  const { result } = events.at(-1);
  assert.equal(result.modelUsed, c.model);
  assert.equal(result.content, c.answer);
  near(result.totalCost, c.cost, 'stream cost');
  near(result.costSaved, c.savings, 'stream savings');
}
