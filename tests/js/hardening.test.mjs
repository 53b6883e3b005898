// What a hostile or unlucky provider (or user) cannot do: hang a run,
// flood memory, inject headers, leak a key, or leave a crashed engine behind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { CascadeAgent, ConfigError, scoreDraft, pkg } from './helpers/pkg.mjs';
import { ANSWER, useFaultServer } from './helpers/faults.mjs';
import { FAST_RETRY, collect, rejection } from './helpers/mock.mjs';

const glue = await import(new URL('../../pkg/dist/wasm/cascade_edge.js', import.meta.url).href);

const srv = useFaultServer();

const tier = (name, extra = {}) => ({ name, provider: 'openai', baseUrl: srv.url, apiKey: 'sk-test', inputCost: 0.1, outputCost: 0.1, ...extra });
const top = (extra = {}) => tier('ok', { inputCost: 5, outputCost: 5, ...extra });
const QUERY = 'What is the capital of France?';

describe('deadlines', () => {
  test('a drafter that never answers times out on its own deadline and the verifier answers', async () => {
    const agent = new CascadeAgent({ models: [tier('hang'), top()], keepOrder: true, timeouts: { firstByteMs: 300 } });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'ok');
    assert.equal(r.content, ANSWER);
    assert.equal(r.attempts[0].outcome, 'failed');
    assert.equal(r.attempts[0].error.code, 'E_TIMEOUT');
    assert.match(r.attempts[0].error.message, /firstByteMs \(300 ms\)/);
    assert.deepEqual(srv.log.map((e) => e.model), ['hang', 'ok'], 'the silent route is not retried');
  });

  test('a stream that stalls half-way escalates after idleMs, never returning the half answer', async () => {
    const agent = new CascadeAgent({ models: [tier('stall'), top()], keepOrder: true, timeouts: { idleMs: 300 } });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.equal(result.attempts[0].error.code, 'E_TIMEOUT');
    assert.match(result.attempts[0].error.message, /idleMs/);
    assert.ok(events.some((e) => e.type === 'escalated'));
    assert.deepEqual(srv.log.map((e) => e.model), ['stall', 'ok'], 'a stalled route is not retried');
    assert.ok(!events.some((e) => e.type === 'chunk' && e.model === 'stall'), 'the half answer was never shown');
  });

  test('a stream that only sends keep-alives is cut by firstTokenMs, and idleMs does not count them as silence', async () => {
    const agent = new CascadeAgent({ models: [tier('pings'), top()], keepOrder: true, timeouts: { firstTokenMs: 300, idleMs: 200 } });
    const { result } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.equal(result.attempts[0].error.code, 'E_TIMEOUT');
    assert.match(result.attempts[0].error.message, /firstTokenMs \(300 ms\)/);
    assert.deepEqual(srv.log.map((e) => e.model), ['pings', 'ok'], 'not retried');
    assert.equal(srv.log[0].closedEarly, true, 'the server saw the request given up');
  });

  test('timeoutMs stays the budget of the whole run', async () => {
    const agent = new CascadeAgent({ models: [tier('hang'), tier('hang', { inputCost: 1 })], keepOrder: true });
    const e = await rejection(() => agent.run(QUERY, { timeoutMs: 250 }));
    assert.equal(e.code, 'E_TIMEOUT');
  });

  test('a custom fetch that never settles and ignores its signal cannot hang the run', async () => {
    const never = () => new Promise(() => {});
    const agent = new CascadeAgent({ models: [tier('ok')], fetch: never });
    const e = await rejection(() => agent.run(QUERY, { timeoutMs: 200 }));
    assert.equal(e.code, 'E_TIMEOUT');
    const e2 = await rejection(() => new CascadeAgent({ models: [tier('ok')], fetch: never, timeouts: { attemptMs: 200 } }).run(QUERY));
    assert.equal(e2.code, 'E_TIMEOUT');
  });

  test('a custom provider that never settles is timed out by attemptMs, and the next tier answers', async () => {
    const stuck = { name: 'stuck', complete: () => new Promise(() => {}) };
    const agent = new CascadeAgent({
      models: [{ name: 's', provider: stuck, inputCost: 0.1, outputCost: 0.1 }, top()],
      timeouts: { attemptMs: 200 },
    });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'ok');
    assert.equal(r.attempts[0].error.code, 'E_TIMEOUT');
  });

  test('timeoutMs beyond setTimeout range, or Infinity, does not fire at once; defaults.timeoutMs applies', async () => {
    const agent = new CascadeAgent([tier('ok')]);
    for (const timeoutMs of [2 ** 31, 2 ** 40, Infinity]) {
      assert.equal((await agent.run(QUERY, { timeoutMs })).content, ANSWER, String(timeoutMs));
    }
    const withDefault = new CascadeAgent({ models: [tier('hang')], defaults: { timeoutMs: 200 } });
    assert.equal((await rejection(() => withDefault.run(QUERY))).code, 'E_TIMEOUT');
  });
});

describe('retries', () => {
  const agentOn = (model, retry) => new CascadeAgent({ models: [tier(model)], retry });

  test('a 429 with Retry-After in seconds is waited out on the same model, not sooner', async () => {
    const r = await agentOn('429-seconds-once').run(QUERY);
    assert.equal(r.content, ANSWER);
    assert.deepEqual(r.attempts.map((a) => [a.outcome, a.retryInMs]), [['failed', 1000], ['accepted', undefined]]);
    const [first, second] = srv.log;
    assert.ok(second.at - first.at >= 1000, `retried after ${second.at - first.at} ms`);
  });

  test('a 429 with Retry-After as an HTTP date is waited out too', async () => {
    const r = await agentOn('429-date-once').run(QUERY);
    assert.equal(r.content, ANSWER);
    assert.equal(r.attempts[0].error.code, 'E_RATE_LIMITED');
    assert.ok(r.attempts[0].retryInMs > 0 && r.attempts[0].retryInMs <= 2000, String(r.attempts[0].retryInMs));
    assert.ok(srv.log[1].at - srv.log[0].at >= r.attempts[0].retryInMs - 5);
  });

  test('a Retry-After longer than maxRetryAfterMs moves on to the next tier at once', async () => {
    const agent = new CascadeAgent({ models: [tier('429-seconds-once'), top()], keepOrder: true, retry: { maxRetryAfterMs: 500 } });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'ok');
    assert.equal(srv.log.length, 2);
  });

  test('a 500 once is retried with backoff and the same model answers; a persistent 500 gives up after maxRetries', async () => {
    const r = await agentOn('500-once', { baseDelayMs: 20, jitter: false }).run(QUERY);
    assert.equal(r.content, ANSWER);
    assert.deepEqual(r.attempts.map((a) => [a.model, a.outcome, a.retryInMs]), [['500-once', 'failed', 20], ['500-once', 'accepted', undefined]]);
    assert.ok(srv.log[1].at - srv.log[0].at >= 20);
    srv.reset();
    const e = await rejection(() => agentOn('500', { baseDelayMs: 5, maxRetries: 3 }).run(QUERY));
    assert.equal(e.code, 'E_PROVIDER_UNAVAILABLE');
    assert.equal(srv.log.length, 4);
    srv.reset();
    await rejection(() => agentOn('500', { maxRetries: 0 }).run(QUERY));
    assert.equal(srv.log.length, 1, 'maxRetries: 0 turns retries off');
  });

  test('aborting during a retry wait ends the run at once', async () => {
    const ctl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctl.abort(), 100);
    const e = await rejection(() => agentOn('500', { baseDelayMs: 5000 }).run(QUERY, { signal: ctl.signal }));
    assert.equal(e.code, 'E_ABORTED');
    assert.ok(Date.now() - started < 2000, 'did not sit out the wait');
  });

  test('retry options are validated, and the seed\'s errorConfig is accepted', () => {
    assert.throws(() => agentOn('ok', { maxRetrys: 1 }), /config\.retry\.maxRetrys: unknown option \(did you mean `maxRetries`\?/);
    assert.throws(() => agentOn('ok', { backoff: 'fibonacci' }), /config\.retry\.backoff: expected 'exponential', 'linear' or 'constant'/);
    assert.doesNotThrow(() => new CascadeAgent({ models: [tier('ok')], errorConfig: { retryOnError: true, maxRetries: 3, fallbackOnProviderError: true } }));
  });
});

describe('same-tier failover', () => {
  test('a failing drafter fails over to its equivalent, streamed or not; the result names the model that answered', async () => {
    const agent = new CascadeAgent({
      models: [[tier('500'), tier('ok', { inputCost: 0.2, outputCost: 0.2 })], tier('late', { inputCost: 5, outputCost: 5 })],
      retry: { maxRetries: 0 },
    });
    assert.deepEqual(agent.models.map((m) => [m.tier, m.name]), [[0, '500'], [0, 'ok'], [1, 'late']]);
    for (const streaming of [false, true]) {
      srv.reset();
      const r = streaming ? (await collect(agent.stream(QUERY))).result : await agent.run(QUERY);
      assert.equal(r.modelUsed, 'ok');
      assert.equal(r.draftAccepted, true);
      assert.deepEqual(r.attempts.map((a) => [a.tier, a.model, a.outcome]), [[0, '500', 'failed'], [0, 'ok', 'accepted']]);
      // The backup's own usage, as the fake reports it (streamed: in the include_usage chunk).
      assert.deepEqual([r.attempts[1].usage.outputTokens, r.attempts[1].usage.estimated], [20, false]);
      assert.deepEqual(srv.log.map((e) => e.model), ['500', 'ok']);
    }
  });
});

describe('budgets', () => {
  // Each call: about 30 prompt tokens estimated + 100 output tokens at $100 per 1M
  // is held ($0.013); it settles at what the fake reports (10 + 20 tokens: $0.003).
  const metered = (name = 'ok', extra = {}) => tier(name, { inputCost: 100, outputCost: 100, maxTokens: 100, ...extra });

  test('200 concurrent runs against a $0.10 limit never spend past it, and every refused run gets E_BUDGET', async () => {
    const agent = new CascadeAgent({ models: [metered()], budget: { daily: 0.1 } });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => agent.run(QUERY)));
    const done = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    assert.ok(done.length > 0 && refused.length > 0, `${done.length} done, ${refused.length} refused`);
    assert.ok(refused.every((e) => e.code === 'E_BUDGET' && e.name === 'BudgetError'), refused.find((e) => e.code !== 'E_BUDGET')?.message);
    const spent = done.reduce((sum, r) => sum + r.totalCost, 0);
    assert.ok(spent <= 0.1 + 1e-12, `spent ${spent}`);
    const b = await agent.getBudget();
    assert.ok(Math.abs(b.spentToday - spent) < 1e-9, `${b.spentToday} vs ${spent}`);
    assert.equal(b.reserved, 0);
    assert.equal(srv.log.length, done.length, 'a refused run sends nothing');
    // Later runs fit again, one at a time, until the limit itself is reached.
    let more = 0;
    while ((await agent.run(QUERY).then(() => true, (e) => (assert.equal(e.code, 'E_BUDGET'), false))) && more < 100) more++;
    assert.ok((await agent.getBudget()).spentToday <= 0.1 + 1e-12);
    assert.ok((await agent.getBudget()).remaining < 0.013);
  });

  test('per-user limits, and the hooks: onWarning once, onLimitExceeded on a refusal', async () => {
    const warned = [];
    const exceeded = [];
    const agent = new CascadeAgent({
      models: [metered()],
      budget: {
        perUser: { daily: 0.015 },
        warningThreshold: 0.1,
        onWarning: (s) => warned.push(s),
        onLimitExceeded: (s, e) => exceeded.push([s, e.code]),
      },
    });
    // $0.013 held fits under $0.015; it settles at $0.003, and the next $0.013 does not fit.
    await agent.run(QUERY, { userId: 'ana' });
    const e = await rejection(() => agent.run(QUERY, { userId: 'ana' }));
    assert.equal(e.code, 'E_BUDGET');
    assert.match(e.message, /user "ana"'s daily budget/);
    assert.ok((await agent.run(QUERY, { userId: 'bo' })).content, 'another user is not held back');
    assert.equal((await agent.getBudget("ana")).spentToday, 0.003);
    assert.ok((await agent.getBudget("ana")).atWarning);
    assert.deepEqual(warned.map((s) => s.userId), ['ana', 'bo'], 'once per user and day');
    assert.deepEqual(exceeded.map(([s, code]) => [s.userId, code]), [[null, 'E_BUDGET'], ['ana', 'E_BUDGET']]);
  });

  test('cheapest-only returns the draft already paid for when the verifier does not fit', async () => {
    const agent = new CascadeAgent({
      models: [metered('unsure'), metered('ok', { inputCost: 10000, outputCost: 10000 })],
      keepOrder: true,
      budget: { daily: 0.05, policy: 'cheapest-only' },
    });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'unsure');
    assert.deepEqual(r.attempts.map((a) => a.outcome), ['rejected', 'skipped']);
    assert.match(r.attempts[1].reason, /cheapest-only: the draft is returned/);
    const blocked = new CascadeAgent({ models: [metered('unsure'), metered('ok', { inputCost: 10000, outputCost: 10000 })], keepOrder: true, budget: { daily: 0.05 } });
    assert.equal((await rejection(() => blocked.run(QUERY))).code, 'E_BUDGET');
  });

  test('a model without a price cannot be bounded: E_BUDGET before anything is sent; bad options are named', async () => {
    const agent = new CascadeAgent({ models: [tier('ok', { inputCost: undefined, outputCost: undefined })], budget: { daily: 1 } });
    const e = await rejection(() => agent.run(QUERY));
    assert.equal(e.code, 'E_BUDGET');
    assert.match(e.message, /no known price/);
    assert.equal(srv.log.length, 0);
    assert.throws(() => new CascadeAgent({ models: [tier('ok')], budget: { dayly: 1 } }), /config\.budget\.dayly: unknown option \(did you mean `daily`\?/);
    assert.throws(() => new CascadeAgent({ models: [tier('ok')], budget: { daily: 1, onWarning: 'yes' } }), /config\.budget\.onWarning: expected a function/);
    assert.equal(await new CascadeAgent([tier("ok")]).getBudget(), null);
  });
});

describe('circuit breakers', () => {
  test('a failing drafter is skipped while its breaker is open, probed after the timeout, and let back in once it recovers', async () => {
    const agent = new CascadeAgent({
      models: [tier('fail-3'), top()],
      keepOrder: true,
      retry: { maxRetries: 0 },
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 200 },
    });
    const drafterCalls = () => srv.log.filter((e) => e.model === 'fail-3').length;
    const outcomes = async () => (await agent.run(QUERY)).attempts.map((a) => a.outcome);
    assert.deepEqual(await outcomes(), ['failed', 'accepted']);
    assert.deepEqual(await outcomes(), ['failed', 'accepted']); // the breaker opens
    assert.deepEqual(await outcomes(), ['skipped', 'accepted']);
    assert.equal(drafterCalls(), 2);
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(await outcomes(), ['failed', 'accepted'], 'the probe fails: open again');
    assert.deepEqual(await outcomes(), ['skipped', 'accepted']);
    await new Promise((r) => setTimeout(r, 250));
    const back = await agent.run(QUERY);
    assert.equal(back.modelUsed, 'fail-3', 'the recovered drafter answers the probe');
    assert.equal((await agent.run(QUERY)).modelUsed, 'fail-3');
    assert.equal(drafterCalls(), 5);
  });
});

describe('limits', () => {
  const memory = () => glue.__memoryBytes();

  test('a 50 MB answer fails cleanly, escalates, and never reaches wasm memory', async () => {
    const before = memory();
    const agent = new CascadeAgent({ models: [tier('huge'), top()], keepOrder: true });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'ok');
    assert.equal(r.attempts[0].error.code, 'E_BAD_RESPONSE');
    assert.match(r.attempts[0].error.message, /maxResponseBytes/);
    assert.ok(memory() - before < 16 * 1024 * 1024, `wasm memory grew by ${memory() - before} bytes`);
  });

  test('a gzip bomb is stopped at the limit while it inflates', async () => {
    const agent = new CascadeAgent({ models: [tier('bomb'), top()], keepOrder: true });
    const r = await agent.run(QUERY);
    assert.equal(r.attempts[0].error.code, 'E_BAD_RESPONSE');
    assert.equal(r.modelUsed, 'ok');
  });

  test('a stream of huge events is cut at the limit, and memory stays bounded', async () => {
    const before = memory();
    const agent = new CascadeAgent({ models: [tier('bigevents'), top()], keepOrder: true, limits: { maxResponseBytes: 4 * 1024 * 1024 } });
    const { result } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.equal(result.attempts[0].error.code, 'E_BAD_RESPONSE');
    assert.ok(memory() - before < 32 * 1024 * 1024, `wasm memory grew by ${memory() - before} bytes`);
  });

  test('limits and timeouts are validated, naming the field', () => {
    assert.throws(() => new CascadeAgent({ models: [tier('ok')], limits: { maxResponseByte: 5 } }), /config\.limits\.maxResponseByte: unknown option \(did you mean `maxResponseBytes`\?/);
    assert.throws(() => new CascadeAgent({ models: [tier('ok')], timeouts: { idleMs: 'soon' } }), /config\.timeouts\.idleMs: expected a positive number/);
  });
});

describe('abandoned streams', () => {
  test('breaking out of the loop cancels the provider request', async () => {
    const agent = new CascadeAgent([tier('slow')]);
    const s = agent.stream(QUERY, { mode: 'live' });
    let chunks = 0;
    for await (const e of s) {
      if (e.type === 'chunk' && ++chunks === 3) break;
    }
    const e = await rejection(() => s.result);
    assert.equal(e.code, 'E_ABORTED');
    assert.equal(e.attempts[0].outcome, 'cancelled');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(srv.log[0].closedEarly, true, 'the server saw the request cancelled');
    assert.equal(srv.log[0].finished, false);
  });

  test('cancelling toSSEResponse() cancels the provider request', async () => {
    const agent = new CascadeAgent([tier('slow')]);
    const res = agent.stream(QUERY, { mode: 'live' }).toSSEResponse();
    const reader = res.body.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(srv.log[0].closedEarly, true);
  });
});

describe('no key in any output', () => {
  const CANARY = 'sk-canary-9f8e7d6c5b4a3210fedcba98';
  const placements = {
    apiKey: (name) => tier(name, { apiKey: CANARY }),
    'headers.Authorization': (name) => tier(name, { apiKey: undefined, headers: { Authorization: `Bearer ${CANARY}` } }),
    'headers.x-api-key': (name) => tier(name, { apiKey: undefined, headers: { 'x-api-key': CANARY } }),
    'headers.api-key': (name) => tier(name, { apiKey: undefined, headers: { 'api-key': CANARY } }),
    'a custom header': (name) => tier(name, { headers: { 'x-gateway-token': CANARY } }),
    'baseUrl ?key=': (name) => tier(name, { baseUrl: `${srv.url}?key=${CANARY}` }),
  };

  function surfaces(err, agent, events) {
    return [
      ['message', err.message],
      ['JSON.stringify(error)', JSON.stringify(err)],
      ['inspect(error)', inspect(err, { depth: 8 })],
      ['cause', inspect(err.cause, { depth: 8 })],
      ['attempts', JSON.stringify(err.attempts)],
      ['events', JSON.stringify(events ?? [], (_, v) => (v instanceof Error ? { message: v.message, ...v } : v))],
      ['models', JSON.stringify(agent.models)],
    ];
  }

  for (const [where, make] of Object.entries(placements)) {
    for (const name of ['echo401', 'echo500']) {
      test(`${where}, ${name}: nowhere in errors, attempts, events or models`, async () => {
        const agent = new CascadeAgent({ models: [make(name)], retry: FAST_RETRY });
        const err = await rejection(() => agent.run(QUERY));
        const { events, error } = await collect(agent.stream(QUERY));
        assert.ok(srv.log.some((e) => JSON.stringify(e.headers).includes(CANARY) || e.url.includes(CANARY)), 'the key was sent');
        for (const [surface, text] of [...surfaces(err, agent), ...surfaces(error, agent, events)]) {
          assert.ok(!text.includes(CANARY), `${surface} holds the key: ${text.slice(0, 400)}`);
          assert.ok(!text.includes(CANARY.slice(0, 14)), `${surface} holds part of the key: ${text.slice(0, 400)}`);
        }
      });
    }
  }

  test('user:secret@ in baseUrl: not in the network error, nor in models', async () => {
    const agent = new CascadeAgent([tier('ok', { baseUrl: `http://user:${CANARY}@127.0.0.1:9/v1` })]);
    const err = await rejection(() => agent.run(QUERY));
    for (const [surface, text] of surfaces(err, agent)) assert.ok(!text.includes(CANARY), `${surface}: ${text.slice(0, 300)}`);
  });

  test('header injection is refused before anything is sent', async () => {
    for (const bad of [{ headers: { 'x-team': 'a\r\nx-injected: yes' } }, { apiKey: 'sk-a\nx-injected: yes' }, { name: 'ok\nx-injected: yes' }]) {
      assert.throws(() => new CascadeAgent([tier('ok', bad)]), ConfigError);
    }
    assert.equal(srv.log.length, 0);
  });
});

describe('a crashed engine is replaced', () => {
  test('after an injected panic: one E_INTERNAL, then 1,000 normal calls on old and new agents', async () => {
    const old = new CascadeAgent([tier('ok')]);
    assert.equal((await old.run(QUERY)).content, ANSWER);
    // Trap the instance for real, then hand the trap to the wrapper the way
    // each of its calls into wasm does (every one catches through fromEngine).
    let trap;
    try {
      glue.__panicForTests();
    } catch (e) {
      trap = e;
    }
    assert.ok(trap instanceof WebAssembly.RuntimeError, `expected a trap, got ${trap}`);
    const internal = pkg.fromEngine(trap);
    assert.ok(internal instanceof pkg.InternalError);
    assert.equal(internal.code, 'E_INTERNAL');
    assert.match(internal.message, /restarted/);
    const fresh = new CascadeAgent([tier('ok')]);
    for (let i = 0; i < 1000; i++) {
      if (i % 10 === 0) {
        const agent = i % 20 === 0 ? old : fresh;
        assert.equal((await agent.run(QUERY)).content, ANSWER, `run ${i}`);
      } else {
        assert.equal(typeof scoreDraft(QUERY, ANSWER).score, 'number', `scoreDraft ${i}`);
      }
    }
    assert.equal(old.models[0].name, 'ok');
  });

  test('a run in flight when the engine crashes ends with E_INTERNAL, not with another run\'s answer', async () => {
    const agent = new CascadeAgent([tier('late')]);
    const pending = agent.run(QUERY);
    await new Promise((r) => setTimeout(r, 50));
    try {
      glue.__panicForTests();
    } catch (e) {
      pkg.fromEngine(e);
    }
    assert.equal(typeof scoreDraft(QUERY, ANSWER).score, 'number');
    const e = await rejection(() => pending);
    assert.equal(e.code, 'E_INTERNAL');
  });
});

describe('keys and base URLs from the environment', () => {
  test('a hosted provider with no key fails before sending, naming the variable', async () => {
    const calls = [];
    const spy = async (url) => {
      calls.push(url);
      throw new Error('must not be called');
    };
    const agent = new CascadeAgent({ models: [{ name: 'gpt-4o-mini', provider: 'openai' }], env: {}, fetch: spy });
    const e = await rejection(() => agent.run(QUERY));
    assert.equal(e.code, 'E_AUTH');
    assert.match(e.message, /OPENAI_API_KEY/);
    assert.match(e.message, /env/);
    assert.deepEqual(calls, []);
  });

  test('a drafter without its key escalates to a verifier that has one', async () => {
    const agent = new CascadeAgent({
      models: [{ name: 'claude-haiku-4-5', provider: 'anthropic', inputCost: 0.1, outputCost: 0.1 }, top()],
      keepOrder: true,
      env: {},
    });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'ok');
    assert.equal(r.attempts[0].error.code, 'E_AUTH');
    assert.match(r.attempts[0].error.message, /ANTHROPIC_API_KEY/);
  });

  test('OPENAI_BASE_URL is read like the official SDK reads it', async () => {
    const agent = new CascadeAgent({ models: [{ name: 'ok', provider: 'openai' }], env: { OPENAI_BASE_URL: srv.url, OPENAI_API_KEY: 'sk-env' } });
    assert.equal((await agent.run(QUERY)).content, ANSWER);
    assert.equal(srv.log[0].headers.authorization, 'Bearer sk-env');
  });
});

describe('multi-byte names', () => {
  // "aé" with no price made every entry point panic (byte slicing in the
  // price lookup), and a few hundred panics broke the whole instance.
  test('a model named "aé" works in every entry point, hundreds of times', async () => {
    for (let i = 0; i < 300; i++) {
      const agent = new CascadeAgent([tier('aé', { inputCost: undefined, outputCost: undefined })]);
      assert.equal(agent.models[0].name, 'aé');
      new CascadeAgent({ domains: { default: [{ name: 'é中🙂', provider: 'openai', baseUrl: srv.url, apiKey: 'k' }] } });
    }
    // An unknown price is the caller's to give: a ConfigError, never a crash.
    assert.throws(
      () => pkg.evaluateCascade([{ query: 'q', draft: 'd', draft_correct: true, verifier_correct: true }], { prices: { draft: 'aé', verifier: 'éé' } }),
      (e) => e instanceof ConfigError && /options\.prices\.draft: no known price for model "aé"/.test(e.message),
    );
    const c = await pkg.testConnection({ name: 'aé', provider: 'openai', baseUrl: srv.url, apiKey: 'k' });
    assert.equal(typeof c.ok, 'boolean');
    assert.equal(typeof scoreDraft('aé?', 'é').score, 'number');
  });
});
