// The cascade behaviours every wire format must show, against aimock, each
// run twice: with `agent.run()` and with `agent.stream()`. The per-wire test
// files call `cascadeSuite(wire)` and add what is specific to their wire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { AllModelsFailedError, AuthError, CascadeError, ProviderError } from './pkg.mjs';
import {
  GOOD_LONG,
  PRICES,
  WIRES,
  agentFor,
  collect,
  costOf,
  rejection,
  reply,
  sent,
  useMock,
} from './mock.mjs';

export const KEY = 'sk-test-SECRET-123';

/** |a - b| within a nano-dollar (the engine rounds to 1e-10). */
export function near(actual, expected, what) {
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

/** Run or stream; either way return `{ result, error, events }`. */
export async function exec(agent, query, streaming, options = {}) {
  if (streaming) return collect(agent.stream(query, options));
  try {
    return { result: await agent.run(query, options), events: [] };
  } catch (error) {
    return { error, events: [] };
  }
}

export function ok(out) {
  if (out.error) throw out.error;
  assert.ok(out.result, 'expected a result');
  return out.result;
}

export function failed(out) {
  assert.equal(out.result, undefined, 'expected no result');
  assert.ok(out.error instanceof CascadeError, `expected a CascadeError, got ${out.error}`);
  return out.error;
}

/** Every attempt is priced from its own usage at its own tier's rates; totals and savings add up. */
export function assertCosts(r, prices) {
  let total = 0;
  r.attempts.forEach((a, i) => {
    if (a.outcome === 'failed') {
      assert.equal(a.cost, null, `attempts[${i}] failed: no cost`);
      return;
    }
    near(a.cost, costOf(prices[i], a.usage), `attempts[${i}].cost`);
    total += a.cost;
  });
  near(r.totalCost, total, 'totalCost');
  const baseline = costOf(prices.at(-1), r.attempts.at(-1).usage);
  near(r.costSaved, baseline - total, 'costSaved');
  assert.ok(Math.abs(r.savingsPercentage - ((baseline - total) / baseline) * 100) < 0.01, 'savingsPercentage');
}

/**
 * Registers the shared tests (and the aimock server's lifecycle hooks) in the
 * enclosing `describe`; returns a handle whose `mock` is the running server.
 */
export function cascadeSuite(wire) {
  const W = WIRES[wire];
  const reportsUsage = W.usage !== null;
  let mock;
  useMock((m) => (mock = m));
  const models = () => sent(mock).map((s) => s.body.model);

  for (const streaming of [false, true]) {
    describe(streaming ? 'stream()' : 'run()', () => {
      test('a trivial question is answered by the accepted draft', async () => {
        mock.on({ model: 'drafter', userMessage: 'What is 2+2?' }, reply(wire, '4', { input: 14, output: 1 }));
        mock.on({ model: 'verifier' }, reply(wire, 'the verifier must not be called'));
        const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
        const r = ok(await exec(agent, 'What is 2+2?', streaming));

        assert.equal(r.content, '4');
        assert.equal(r.modelUsed, 'drafter');
        assert.equal(r.provider, wire);
        assert.equal(r.draftAccepted, true);
        assert.equal(r.cascaded, false);
        assert.equal(r.finishReason, 'stop');
        assert.equal(r.attempts.length, 1);
        assert.equal(r.attempts[0].outcome, 'accepted');
        assert.equal(r.attempts[0].verdict.accepted, true);
        if (reportsUsage) {
          assert.deepEqual(r.usage, { inputTokens: 14, outputTokens: 1, estimated: false });
        } else {
          assert.equal(r.usage.estimated, true);
          assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0);
        }
        assert.ok(r.totalCost > 0, 'a draft costs something');
        assert.ok(r.costSaved > 0 && r.savingsPercentage > 90, 'most of the top-tier price is saved');
        assertCosts(r, [PRICES.draft, PRICES.top]);
        assert.deepEqual(models(), ['drafter']);
      });

      test('an empty draft is rejected and the verifier answers', async () => {
        mock.on({ model: 'drafter' }, reply(wire, '', { input: 12, output: 1 }));
        mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 12, output: 60 }));
        const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
        const r = ok(await exec(agent, 'Explain quantum entanglement in one sentence.', streaming));

        assert.equal(r.content, GOOD_LONG);
        assert.equal(r.modelUsed, 'verifier');
        assert.equal(r.draftAccepted, false);
        assert.equal(r.cascaded, true);
        assert.deepEqual(r.attempts.map((a) => a.outcome), ['rejected', 'accepted']);
        const v = r.attempts[0].verdict;
        assert.equal(v.accepted, false);
        assert.ok(v.score < v.threshold, `score ${v.score} under threshold ${v.threshold}`);
        assert.match(r.reason, /drafter/);
        // The draft was paid for and thrown away: the cascade cost more than the top tier alone.
        assert.ok(r.costSaved < 0 && r.savingsPercentage < 0, `negative savings, got ${r.costSaved}`);
        assertCosts(r, [PRICES.draft, PRICES.top]);
        assert.deepEqual(models(), ['drafter', 'verifier']);
      });

      test('a refusal ("I don\'t know") is rejected and escalated', async () => {
        mock.on({ model: 'drafter' }, reply(wire, "I'm sorry, I don't know.", { input: 20, output: 8 }));
        mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }));
        const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
        const r = ok(await exec(agent, 'Explain quantum entanglement in one sentence.', streaming));
        assert.equal(r.modelUsed, 'verifier');
        assert.equal(r.attempts[0].outcome, 'rejected');
        assert.ok(!r.content.includes("don't know"));
      });

      test('three tiers: two rejected drafts, the top tier answers', async () => {
        mock.on({ model: 'small' }, reply(wire, '', { input: 10, output: 1 }));
        mock.on({ model: 'medium' }, reply(wire, '', { input: 10, output: 1 }));
        mock.on({ model: 'large' }, reply(wire, GOOD_LONG, { input: 10, output: 60 }));
        const { agent } = agentFor(mock, wire, ['small', 'medium', 'large']);
        const r = ok(await exec(agent, 'Explain quantum entanglement in one sentence.', streaming));
        assert.equal(r.modelUsed, 'large');
        assert.deepEqual(r.attempts.map((a) => [a.tier, a.model, a.outcome]), [
          [0, 'small', 'rejected'],
          [1, 'medium', 'rejected'],
          [2, 'large', 'accepted'],
        ]);
        assertCosts(r, [PRICES.draft, PRICES.mid, PRICES.top]);
        assert.deepEqual(models(), ['small', 'medium', 'large']);
      });

      test('three tiers: the middle tier is accepted and the top tier never called', async () => {
        mock.on({ model: 'small' }, reply(wire, '', { input: 10, output: 1 }));
        mock.on({ model: 'medium' }, reply(wire, 'The capital of France is Paris.', { input: 10, output: 8 }));
        mock.on({ model: 'large' }, reply(wire, 'the top tier must not be called'));
        const { agent } = agentFor(mock, wire, ['small', 'medium', 'large']);
        const r = ok(await exec(agent, 'What is the capital of France?', streaming));
        assert.equal(r.content, 'The capital of France is Paris.');
        assert.equal(r.modelUsed, 'medium');
        assert.equal(r.draftAccepted, false);
        assert.equal(r.cascaded, true);
        assert.deepEqual(r.attempts.map((a) => a.outcome), ['rejected', 'accepted']);
        assertCosts(r, [PRICES.draft, PRICES.mid, PRICES.top]);
        assert.ok(r.costSaved > 0, 'cheaper than the top tier');
        assert.deepEqual(models(), ['small', 'medium']);
      });

      test('a 503 from the drafter is recorded and the verifier answers', async () => {
        mock.on({ model: 'drafter' }, { error: { message: 'overloaded', type: 'server_error' }, status: 503 });
        mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 12, output: 60 }));
        const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
        const r = ok(await exec(agent, 'Explain quantum entanglement in one sentence.', streaming));
        assert.equal(r.modelUsed, 'verifier');
        assert.equal(r.cascaded, true);
        // Backed off and tried twice more, then moved on.
        assert.deepEqual(r.attempts.map((a) => a.outcome), ['failed', 'failed', 'failed', 'accepted']);
        assert.deepEqual(r.attempts.map((a) => typeof a.retryInMs), ['number', 'number', 'undefined', 'undefined']);
        for (const a of r.attempts.slice(0, 3)) {
          assert.equal(a.cost, null);
          assert.equal(a.error.code, 'E_PROVIDER_UNAVAILABLE');
          assert.equal(a.error.status, 503);
          assert.match(a.error.message, /overloaded/);
        }
        assert.match(r.reason, /drafter failed/);
        // Only the top tier was paid for: no saving, no loss.
        near(r.costSaved, 0, 'costSaved');
        assertCosts(r, [PRICES.draft, PRICES.draft, PRICES.draft, PRICES.top]);
        assert.deepEqual(models(), ['drafter', 'drafter', 'drafter', 'verifier']);
      });

      test('a 400 fails fast: ProviderError, one attempt, the verifier is never called', async () => {
        mock.on(
          { model: 'drafter' },
          { error: { message: 'max_tokens is too large', type: 'invalid_request_error' }, status: 400 },
        );
        mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG));
        const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
        const out = await exec(agent, 'Explain quantum entanglement in one sentence.', streaming);
        const e = failed(out);
        assert.ok(e instanceof ProviderError);
        assert.equal(e.code, 'E_PROVIDER_STATUS');
        assert.equal(e.status, 400);
        assert.equal(e.provider, wire);
        assert.equal(e.model, 'drafter');
        assert.match(e.message, /max_tokens is too large/);
        assert.equal(e.attempts.length, 1);
        assert.equal(e.attempts[0].outcome, 'failed');
        assert.deepEqual(models(), ['drafter']);
        if (streaming) {
          assert.equal(out.types.at(-1), 'error');
          assert.ok(!out.types.includes('complete'));
        }
      });

      test('a 401 that echoes the API key never leaks it', async () => {
        const echo = { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'authentication_error' }, status: 401 };
        mock.on({ model: 'drafter' }, echo);
        mock.on({ model: 'verifier' }, echo);
        for (const names of [['verifier'], ['drafter', 'verifier']]) {
          const { agent, calls } = agentFor(mock, wire, names, { perModel: names.map(() => ({ apiKey: KEY })) });
          const out = await exec(agent, 'Explain quantum entanglement in one sentence.', streaming);
          const e = failed(out);
          // The key was sent (so there was something to leak)...
          assert.ok(calls.length === names.length && calls.every((c) => JSON.stringify(c.headers).includes(KEY)));
          // ...and the provider's message came through, with the key masked.
          assert.match(e.message, /Incorrect API key provided/);
          if (names.length === 1) {
            assert.ok(e instanceof AuthError);
            assert.equal(e.code, 'E_AUTH');
          } else {
            // An auth failure escalates; when every tier fails, one error carries the trace.
            assert.ok(e instanceof AllModelsFailedError);
            assert.deepEqual(e.attempts.map((a) => a.error.code), ['E_AUTH', 'E_AUTH']);
          }
          assert.equal(e.status, 401);
          for (const text of [e.message, e.stack, JSON.stringify(e), JSON.stringify(e.attempts), JSON.stringify(out.events)]) {
            assert.ok(!String(text).includes(KEY), `key leaked in: ${text}`);
          }
          mock.clearRequests();
        }
      });
    });
  }
  return {
    get mock() {
      return mock;
    },
  };
}
