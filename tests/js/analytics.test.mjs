// agent.getAnalytics() / resetAnalytics() over several runs against JS
// providers with exact usage, so every figure can be checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent } from './helpers/pkg.mjs';

const EXPLAIN = 'Explain quantum entanglement in one sentence.';
const GOOD =
  'Quantum entanglement is a physical phenomenon in which two particles share a single quantum state, ' +
  'so that measuring a property of one immediately fixes the correlated property of the other.';

/** The drafter: short right answers, a truncated one for EXPLAIN, throws on "fail". */
const small = {
  name: 'small-p',
  complete(req) {
    const q = req.messages.at(-1).content;
    if (q.includes('fail')) throw new Error('drafter down');
    if (q === EXPLAIN) return { content: 'Quantum', finishReason: 'length', usage: { inputTokens: 20, outputTokens: 5 } };
    return { content: q.includes('2+2') ? '4' : 'Paris', usage: { inputTokens: 10, outputTokens: 1 } };
  },
};
const big = { name: 'big-p', complete: () => ({ content: GOOD, usage: { inputTokens: 20, outputTokens: 60 } }) };

// USD per 1M tokens: small 1/2, big 10/20.
const SMALL = { name: 'small', provider: small, inputCost: 1, outputCost: 2 };
const BIG = { name: 'big', provider: big, inputCost: 10, outputCost: 20 };

const EMPTY = {
  runs: 0, failedRuns: 0, totalCost: 0, costSaved: 0, baselineCost: 0, savingsPercentage: 0, runsWithUnknownCost: 0,
  drafterAcceptance: { drafts: 0, accepted: 0, rate: 0 }, perModel: {}, byComplexity: {}, byDomain: {},
};

const near = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('a new agent has empty analytics of the documented shape', () => {
  assert.deepEqual(new CascadeAgent([SMALL, BIG]).getAnalytics(), EMPTY);
});

test('totals, savings, acceptance and per-model figures over several runs', async () => {
  const agent = new CascadeAgent([SMALL, BIG]);
  const results = [];
  results.push(await agent.run('What is the capital of France?')); // accepted: 10*1 + 1*2 = 12e-6
  results.push(await agent.run(EXPLAIN)); // rejected (cut off), then big: 30e-6 + 1400e-6
  results.push(await agent.run('What is 2+2?')); // accepted: 12e-6
  const streamed = agent.stream('What is 2+2?');
  for await (const ev of streamed) if (ev.type === 'complete') results.push(ev.result);
  assert.deepEqual(results.map((r) => r.draftAccepted), [true, false, true, true]);

  const a = agent.getAnalytics();
  assert.equal(a.runs, 4);
  assert.equal(a.failedRuns, 0);
  assert.equal(a.runsWithUnknownCost, 0);
  near(a.totalCost, (12 + 1430 + 12 + 12) * 1e-6, 'totalCost');
  // Against big alone on each answer's tokens: 120e-6 per short answer, 1400e-6 for EXPLAIN.
  near(a.baselineCost, (120 * 3 + 1400) * 1e-6, 'baselineCost');
  near(a.costSaved, (108 * 3 - 30) * 1e-6, 'costSaved');
  near(a.savingsPercentage, (294 / 1760) * 100, 'savingsPercentage');
  near(a.totalCost, results.reduce((s, r) => s + r.totalCost, 0), 'sum of the results');
  near(a.costSaved, results.reduce((s, r) => s + r.costSaved, 0), 'saved, sum of the results');

  assert.deepEqual(a.drafterAcceptance, { drafts: 4, accepted: 3, rate: 0.75 });
  assert.deepEqual(Object.keys(a.perModel).sort(), ['big', 'small']);
  assert.equal(a.perModel.small.calls, 4);
  assert.equal(a.perModel.small.failures, 0);
  near(a.perModel.small.cost, (12 + 30 + 12 + 12) * 1e-6, 'small cost');
  assert.equal(a.perModel.big.calls, 1);
  near(a.perModel.big.cost, 1400e-6, 'big cost');

  // By complexity and domain: the same counts the results report.
  for (const [key, field] of [['byComplexity', 'complexity'], ['byDomain', 'domain']]) {
    const want = {};
    for (const r of results) {
      const e = (want[r[field]] ??= { drafts: 0, accepted: 0, rate: 0 });
      e.drafts += 1;
      e.accepted += r.draftAccepted ? 1 : 0;
      e.rate = e.accepted / e.drafts;
    }
    assert.deepEqual(a[key], want, key);
  }
  assert.equal(a.byComplexity[results[1].complexity].accepted < a.byComplexity[results[1].complexity].drafts, true);
});

test('resetAnalytics() starts over; getAnalytics() returns a copy', async () => {
  const agent = new CascadeAgent([SMALL, BIG]);
  await agent.run('What is the capital of France?');
  const before = agent.getAnalytics();
  before.runs = 99;
  before.perModel.small.calls = 99;
  assert.equal(agent.getAnalytics().runs, 1);
  assert.equal(agent.getAnalytics().perModel.small.calls, 1);
  agent.resetAnalytics();
  assert.deepEqual(agent.getAnalytics(), EMPTY);
  await agent.run(EXPLAIN);
  const a = agent.getAnalytics();
  assert.equal(a.runs, 1);
  assert.deepEqual(a.drafterAcceptance, { drafts: 1, accepted: 0, rate: 0 });
  near(a.totalCost, 1430e-6, 'totalCost after reset');
});

test('a failed drafter call is a failure of that model, not a judged draft', async () => {
  const agent = new CascadeAgent({ models: [SMALL, BIG], retry: { baseDelayMs: 2 } });
  const r = await agent.run('Please fail over to the next tier');
  assert.deepEqual(r.attempts.map((x) => x.outcome), ['failed', 'failed', 'failed', 'accepted']);
  const a = agent.getAnalytics();
  // Each try is a call, and each failed.
  assert.deepEqual(a.perModel.small, { calls: 3, failures: 3, cost: 0 });
  assert.equal(a.perModel.big.calls, 1);
  assert.deepEqual(a.drafterAcceptance, { drafts: 0, accepted: 0, rate: 0 });
  assert.deepEqual(a.byDomain, {});
});

test('a run that fails everywhere counts as a failed run', async () => {
  const down = { name: 'down', complete: () => { throw new Error('down'); } };
  const agent = new CascadeAgent([{ ...SMALL, provider: down }, { ...BIG, provider: down }]);
  await assert.rejects(agent.run('What is 2+2?'));
  const a = agent.getAnalytics();
  assert.equal(a.runs, 1);
  assert.equal(a.failedRuns, 1);
  assert.equal(a.drafterAcceptance.drafts, 0);
});

test('only an answer a later tier could replace counts as a draft', async () => {
  const solo = { name: 'solo-p', complete: () => ({ content: '42', usage: { inputTokens: 5, outputTokens: 1 } }) };
  // Maths goes to a single-tier route: its answer is final, whatever its verdict.
  const agent = new CascadeAgent({
    models: [SMALL, BIG],
    domains: { math: [{ name: 'solo', provider: solo, inputCost: 3, outputCost: 3 }] },
  });
  const routed = await agent.run('What is 6 * 7?');
  assert.equal(routed.modelUsed, 'solo');
  await agent.run('What is the capital of France?');
  const a = agent.getAnalytics();
  assert.equal(a.runs, 2);
  assert.deepEqual(a.drafterAcceptance, { drafts: 1, accepted: 1, rate: 1 });
  assert.equal(a.byDomain.math, undefined);
  assert.equal(a.perModel.solo.calls, 1);
  near(a.perModel.solo.cost, 18e-6, 'solo cost');

  // A one-model agent whose maths route is a real cascade: those drafts count.
  const mixed = new CascadeAgent({ models: [BIG], domains: { math: [SMALL, BIG] } });
  const r = await mixed.run('What is 2+2?');
  assert.equal(r.draftAccepted, true);
  assert.deepEqual(mixed.getAnalytics().drafterAcceptance, { drafts: 1, accepted: 1, rate: 1 });

  // Pre-routed past the drafter: no draft was judged.
  const pre = new CascadeAgent({ models: [SMALL, BIG], preRouting: { skipDrafterFrom: 'trivial' } });
  await pre.run('What is the capital of France?');
  const p = pre.getAnalytics();
  assert.equal(p.drafterAcceptance.drafts, 0);
  assert.equal(p.perModel.small, undefined, 'a skipped tier is not a call');
  assert.equal(p.perModel.big.calls, 1);
});

test('a model without a price makes a run of unknown cost, kept out of the totals', async () => {
  const agent = new CascadeAgent({ models: [{ name: 'my-local-model', provider: small }, BIG], keepOrder: true });
  const r = await agent.run('What is the capital of France?');
  assert.equal(r.totalCost, null);
  const a = agent.getAnalytics();
  assert.equal(a.runsWithUnknownCost, 1);
  assert.equal(a.totalCost, 0);
  assert.equal(a.savingsPercentage, 0);
  assert.deepEqual(a.perModel['my-local-model'], { calls: 1, failures: 0, cost: 0 });
});
