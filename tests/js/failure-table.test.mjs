// The failure table (README, Retries), class by class, against our own
// fault-injecting server, streamed and not. Each test asserts on what the
// server saw (how many requests, to which model, and when) and on what the
// caller got (the model that answered, the attempts, the error code).
// Deadlines, the 429-with-Retry-After and 500-once runs and the count-based
// breaker are in hardening.test.mjs; this file adds the classes and modes
// that file does not cover.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CascadeAgent, pkg } from './helpers/pkg.mjs';
import { ANSWER, USAGE, useFaultServer } from './helpers/faults.mjs';
import { collect } from './helpers/mock.mjs';

const srv = useFaultServer();

const QUERY = 'What is the capital of France?';
const tier = (name, extra = {}) => ({ name, provider: 'openai', baseUrl: srv.url, apiKey: 'sk-test', inputCost: 0.1, outputCost: 0.1, ...extra });
const top = (extra = {}) => tier('ok', { inputCost: 5, outputCost: 5, ...extra });
/** Small, unjittered waits: the tests assert on them. */
const QUICK = { baseDelayMs: 5, maxDelayMs: 20, jitter: false };
const MODES = [
  ['plain', false],
  ['streamed', true],
];

/** Run or stream `QUERY`: `{ result, error, events }` either way. */
async function ask(agent, streamed, options) {
  if (streamed) return collect(agent.stream(QUERY, options));
  try {
    return { result: await agent.run(QUERY, options), events: [] };
  } catch (error) {
    return { error, events: [] };
  }
}

/** The models the server was asked for, in order. */
const asked = () => srv.log.map((e) => e.model);
const summary = (attempts) => attempts.map((a) => [a.model, a.outcome, a.error?.code]);
/** Text the consumer was shown by `model`'s attempt. */
const shownBy = (events, model) => events.filter((e) => e.type === 'chunk' && e.model === model).map((e) => e.text).join('');

describe('rate limits and server errors', () => {
  test('streamed: a 429 with Retry-After is waited out on the same model, no sooner than the header said', async () => {
    const agent = new CascadeAgent({ models: [tier('429-seconds-once')] });
    const { result } = await collect(agent.stream(QUERY));
    assert.equal(result.content, ANSWER);
    assert.deepEqual(result.attempts.map((a) => [a.outcome, a.retryInMs]), [['failed', 1000], ['accepted', undefined]]);
    const [first, second] = srv.log;
    assert.ok(first.stream && second.stream);
    assert.ok(second.at - first.at >= 1000, `retried after ${second.at - first.at} ms`);
  });

  for (const [mode, streamed] of MODES) {
    test(`${mode}: a persistent 429 is tried maxRetries more times, backing off, then the next tier answers`, async () => {
      const agent = new CascadeAgent({ models: [tier('429'), top()], keepOrder: true, retry: { ...QUICK, maxRetries: 2 } });
      const { result } = await ask(agent, streamed);
      assert.equal(result.modelUsed, 'ok');
      assert.deepEqual(asked(), ['429', '429', '429', 'ok']);
      assert.deepEqual(summary(result.attempts), [
        ['429', 'failed', 'E_RATE_LIMITED'],
        ['429', 'failed', 'E_RATE_LIMITED'],
        ['429', 'failed', 'E_RATE_LIMITED'],
        ['ok', 'accepted', undefined],
      ]);
      assert.deepEqual(result.attempts.map((a) => a.retryInMs), [5, 10, undefined, undefined]);
      // The server saw each retry no sooner than the wait the trace reports.
      assert.ok(srv.log[1].at - srv.log[0].at >= 5, `${srv.log[1].at - srv.log[0].at} ms`);
      assert.ok(srv.log[2].at - srv.log[1].at >= 10, `${srv.log[2].at - srv.log[1].at} ms`);
    });

    test(`${mode}: a persistent 503 is retried with backoff, then the next tier answers`, async () => {
      const agent = new CascadeAgent({ models: [tier('503'), top()], keepOrder: true, retry: { ...QUICK, maxRetries: 1 } });
      const { result } = await ask(agent, streamed);
      assert.equal(result.modelUsed, 'ok');
      assert.deepEqual(asked(), ['503', '503', 'ok']);
      assert.deepEqual(result.attempts.map((a) => [a.error?.code, a.error?.status]), [
        ['E_PROVIDER_UNAVAILABLE', 503],
        ['E_PROVIDER_UNAVAILABLE', 503],
        [undefined, undefined],
      ]);
    });
  }

  test('streamed: a 500 once is retried after the backoff and the same model answers', async () => {
    const agent = new CascadeAgent({ models: [tier('500-once')], retry: { baseDelayMs: 20, jitter: false } });
    const { result } = await collect(agent.stream(QUERY));
    assert.equal(result.content, ANSWER);
    assert.deepEqual(result.attempts.map((a) => [a.outcome, a.retryInMs]), [['failed', 20], ['accepted', undefined]]);
    assert.deepEqual(asked(), ['500-once', '500-once']);
    assert.ok(srv.log[1].at - srv.log[0].at >= 20);
  });
});

describe('connections and deadlines', () => {
  for (const [mode, streamed] of MODES) {
    test(`${mode}: a connection reset before any header is retried once at once, then the next tier answers`, async () => {
      const agent = new CascadeAgent({ models: [tier('reset'), top()], keepOrder: true, retry: { ...QUICK, maxRetries: 3 } });
      const { result } = await ask(agent, streamed);
      assert.equal(result.modelUsed, 'ok');
      assert.deepEqual(asked(), ['reset', 'reset', 'ok']);
      assert.deepEqual(summary(result.attempts), [
        ['reset', 'failed', 'E_TRANSPORT'],
        ['reset', 'failed', 'E_TRANSPORT'],
        ['ok', 'accepted', undefined],
      ]);
      assert.equal(result.attempts[0].retryInMs, 0);
      srv.reset();
      const once = await ask(new CascadeAgent({ models: [tier('reset-once')] }), streamed);
      assert.equal(once.result.content, ANSWER, 'the retry reached the same model');
      assert.deepEqual(asked(), ['reset-once', 'reset-once']);
    });
  }

  test('streamed: a provider that sends no header by firstByteMs is not retried; the next tier answers', async () => {
    const agent = new CascadeAgent({ models: [tier('hang'), top()], keepOrder: true, timeouts: { firstByteMs: 200 } });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.equal(result.attempts[0].error.code, 'E_TIMEOUT');
    assert.match(result.attempts[0].error.message, /firstByteMs \(200 ms\)/);
    assert.deepEqual(asked(), ['hang', 'ok'], 'the silent route is not retried');
    assert.ok(events.some((e) => e.type === 'escalated' && e.from === 'hang'));
  });
});

describe('streams that break', () => {
  test('buffered: a stream cut mid-answer never reaches the consumer; the next tier answers in full', async () => {
    const agent = new CascadeAgent({ models: [tier('cut'), top()], keepOrder: true, retry: QUICK });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.equal(result.content, ANSWER);
    assert.equal(result.attempts[0].error.code, 'E_STREAM');
    assert.equal(shownBy(events, 'cut'), '');
    assert.equal(shownBy(events, 'ok'), ANSWER);
    assert.deepEqual(asked(), ['cut', 'ok'], 'a stream that broke is not retried');
  });

  test('live: the cut draft was shown, so the next tier continues it: each character reaches the consumer once', async () => {
    const agent = new CascadeAgent({ models: [tier('cut'), top()], keepOrder: true, retry: QUICK });
    const { result, events } = await collect(agent.stream(QUERY, { mode: 'live' }));
    assert.equal(result.modelUsed, 'ok');
    const partial = shownBy(events, 'cut');
    assert.ok(partial.length > 0 && partial.length < ANSWER.length && ANSWER.startsWith(partial), partial);
    const esc = events.find((e) => e.type === 'escalated');
    assert.equal(esc.discard, false);
    assert.ok(events.indexOf(esc) > events.findLastIndex((e) => e.type === 'chunk' && e.model === 'cut'));
    // The restart reproduced the shown text, so only what follows it was shown.
    assert.equal(shownBy(events, 'ok'), ANSWER.slice(partial.length));
    assert.equal(events.at(-1).type, 'complete');
    assert.equal(events.at(-1).result.content, ANSWER);
    assert.deepEqual(asked(), ['cut', 'ok']);
  });

  test('plain: an answer whose body breaks off half-way is retried once like a reset, then the next tier answers', async () => {
    const agent = new CascadeAgent({ models: [tier('cut'), top()], keepOrder: true, retry: QUICK });
    const { result } = await ask(agent, false);
    assert.equal(result.modelUsed, 'ok');
    assert.deepEqual(asked(), ['cut', 'cut', 'ok']);
    assert.deepEqual(result.attempts.map((a) => a.error?.code), ['E_TRANSPORT', 'E_TRANSPORT', undefined]);
  });

  test('one event that is not JSON is skipped and counted; the answer around it stands', async () => {
    const agent = new CascadeAgent({ models: [tier('malformed-one'), top()], keepOrder: true });
    const { result } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'malformed-one');
    assert.equal(result.content, ANSWER);
    assert.equal(result.attempts[0].malformedEvents, 1);
    assert.deepEqual(asked(), ['malformed-one']);
  });

  test('nine such events fail the attempt as E_BAD_RESPONSE, and the next tier answers', async () => {
    const agent = new CascadeAgent({ models: [tier('malformed-many'), top()], keepOrder: true, retry: QUICK });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.equal(result.attempts[0].error.code, 'E_BAD_RESPONSE');
    assert.match(result.attempts[0].error.message, /9 unreadable events \(more than 8\)/);
    assert.equal(shownBy(events, 'malformed-many'), '');
    assert.deepEqual(asked(), ['malformed-many', 'ok']);
    assert.equal(result.attempts[1].malformedEvents, undefined, 'only counted where there were some');
  });

  test('no [DONE] after the finish reason: the answer is complete, usage included', async () => {
    const agent = new CascadeAgent({ models: [tier('nodone'), top()], keepOrder: true });
    const { result } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'nodone');
    assert.equal(result.content, ANSWER);
    assert.equal(result.finishReason, 'stop');
    assert.deepEqual(result.usage, { inputTokens: USAGE.prompt_tokens, outputTokens: USAGE.completion_tokens, estimated: false });
    assert.deepEqual(asked(), ['nodone']);
  });

  test('no [DONE] and no finish reason: a cut stream, never accepted as a draft nor returned as an answer', async () => {
    const agent = new CascadeAgent({ models: [tier('nodone-nofinish'), top()], keepOrder: true, retry: QUICK });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'ok');
    assert.deepEqual(summary(result.attempts), [
      ['nodone-nofinish', 'failed', 'E_STREAM'],
      ['ok', 'accepted', undefined],
    ]);
    assert.match(result.attempts[0].error.message, /before the provider said it was finished/);
    assert.equal(shownBy(events, 'nodone-nofinish'), '');
    srv.reset();
    const alone = await collect(new CascadeAgent({ models: [tier('nodone-nofinish')], retry: QUICK }).stream(QUERY));
    assert.equal(alone.error.code, 'E_STREAM');
    assert.equal(alone.events.at(-1).type, 'error');
    assert.deepEqual(asked(), ['nodone-nofinish']);
  });
});

describe('a prompt too long for the context window', () => {
  for (const [mode, streamed] of MODES) {
    test(`${mode}: goes once to the first later model with a larger contextWindow, never again to the same one`, async () => {
      const agent = new CascadeAgent({
        models: [
          tier('ctx-8k', { contextWindow: 8192 }),
          tier('small-4k', { contextWindow: 4096, inputCost: 0.2 }),
          tier('big-128k', { contextWindow: 128000, inputCost: 5, outputCost: 5 }),
        ],
        keepOrder: true,
        retry: { ...QUICK, maxRetries: 3 },
      });
      const { result } = await ask(agent, streamed);
      assert.equal(result.modelUsed, 'big-128k');
      assert.equal(result.content, ANSWER);
      assert.deepEqual(asked(), ['ctx-8k', 'big-128k']);
      assert.deepEqual(summary(result.attempts), [
        ['ctx-8k', 'failed', 'E_CONTEXT_LENGTH'],
        ['small-4k', 'skipped', undefined],
        ['big-128k', 'accepted', undefined],
      ]);
      assert.match(result.attempts[1].reason, /too long for ctx-8k's context window \(8192 tokens\)/);
    });

    test(`${mode}: with no later model known to be larger, fails with E_CONTEXT_LENGTH after one request`, async () => {
      const agent = new CascadeAgent({ models: [tier('ctx-8k', { contextWindow: 8192 }), top()], keepOrder: true, retry: { ...QUICK, maxRetries: 3 } });
      const { error } = await ask(agent, streamed);
      assert.ok(error instanceof pkg.ContextLengthError, String(error));
      assert.equal(error.code, 'E_CONTEXT_LENGTH');
      assert.equal(error.status, 400);
      assert.match(error.message, /maximum context length is 8192 tokens/);
      assert.match(error.message, /no later model has a contextWindow larger than 8192 tokens/);
      assert.deepEqual(asked(), ['ctx-8k']);
      assert.deepEqual(summary(error.attempts), [['ctx-8k', 'failed', 'E_CONTEXT_LENGTH']]);
    });
  }

  test("Anthropic's wording, and the window it states, lead to a larger model of another provider", async () => {
    const agent = new CascadeAgent({
      models: [
        { name: 'ctx-anthropic', provider: 'anthropic', baseUrl: srv.url, apiKey: 'sk-ant-test', inputCost: 0.1, outputCost: 0.1 },
        tier('mid-128k', { contextWindow: 128000, inputCost: 1 }),
        tier('big-1m', { contextWindow: 1000000, inputCost: 5, outputCost: 5 }),
      ],
      keepOrder: true,
    });
    const r = await agent.run(QUERY);
    assert.equal(r.modelUsed, 'big-1m');
    assert.deepEqual(asked(), ['ctx-anthropic', 'big-1m']);
    assert.match(srv.log[0].url, /\/v1\/messages$/);
    assert.match(r.attempts[1].reason, /ctx-anthropic's context window \(200000 tokens\)/);
  });
});

describe('content filters', () => {
  for (const [mode, streamed] of MODES) {
    test(`${mode}: a request the filter blocked is not retried and no other model is asked; the reason reaches the caller`, async () => {
      const agent = new CascadeAgent({ models: [tier('filter-400'), top()], keepOrder: true, retry: { ...QUICK, maxRetries: 3 } });
      const { error, events } = await ask(agent, streamed);
      assert.ok(error instanceof pkg.ContentFilterError, String(error));
      assert.equal(error.code, 'E_CONTENT_FILTER');
      assert.equal(error.status, 400);
      assert.match(error.message, /content management policy/);
      assert.match(error.message, /filtered: violence \(medium\)/);
      assert.deepEqual(asked(), ['filter-400']);
      assert.deepEqual(summary(error.attempts), [['filter-400', 'failed', 'E_CONTENT_FILTER']]);
      if (streamed) assert.equal(events.at(-1).type, 'error');
    });

    test(`${mode}: an answer the filter stopped is an error, not a short answer, and its billed tokens are on the attempt`, async () => {
      const agent = new CascadeAgent({ models: [tier('filter-finish'), top()], keepOrder: true, retry: { ...QUICK, maxRetries: 3 } });
      const { error, events } = await ask(agent, streamed);
      assert.equal(error.code, 'E_CONTENT_FILTER');
      assert.match(error.message, /stopped the answer with its content filter after 17 characters: filtered: violence \(medium\)/);
      assert.deepEqual(asked(), ['filter-finish']);
      const [a] = error.attempts;
      assert.deepEqual([a.usage.inputTokens, a.usage.outputTokens], [USAGE.prompt_tokens, USAGE.completion_tokens]);
      assert.equal(a.cost, (USAGE.prompt_tokens * 0.1 + USAGE.completion_tokens * 0.1) / 1e6);
      assert.equal(shownBy(events, 'filter-finish'), '', 'the filtered draft never reached the consumer');
    });
  }
});

describe('accounting after failover', () => {
  for (const [mode, streamed] of MODES) {
    test(`${mode}: the result names the model that answered, with its own usage and cost`, async () => {
      const backup = tier('backup', { inputCost: 0.2, outputCost: 0.4 });
      const agent = new CascadeAgent({ models: [[tier('503'), backup], top()], retry: { maxRetries: 0 } });
      const { result } = await ask(agent, streamed);
      assert.deepEqual(asked(), ['503', 'backup']);
      assert.equal(result.modelUsed, 'backup');
      assert.equal(result.provider, 'openai');
      const cost = (USAGE.prompt_tokens * 0.2 + USAGE.completion_tokens * 0.4) / 1e6;
      assert.equal(result.totalCost, cost);
      assert.deepEqual(result.usage, { inputTokens: USAGE.prompt_tokens, outputTokens: USAGE.completion_tokens, estimated: false });
      const [failed, answered] = result.attempts;
      assert.deepEqual([failed.model, failed.outcome, failed.cost, failed.usage], ['503', 'failed', null, undefined]);
      assert.deepEqual([answered.model, answered.outcome, answered.cost], ['backup', 'accepted', cost]);
      // Against the top tier (5 and 5 per 1M) on the same tokens.
      const baseline = ((USAGE.prompt_tokens + USAGE.completion_tokens) * 5) / 1e6;
      assert.ok(Math.abs(result.costSaved - (baseline - cost)) < 1e-12, `${result.costSaved}`);
    });
  }
});

describe('a flapping primary behind a circuit breaker', () => {
  for (const [mode, streamed] of MODES) {
    test(`${mode}: it is skipped while open; once it recovers, half-open lets one real request through and it is back`, async () => {
      const agent = new CascadeAgent({
        models: [tier('flap-250'), top()],
        keepOrder: true,
        retry: { maxRetries: 0 },
        circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 300 },
      });
      const primary = () => srv.log.filter((e) => e.model === 'flap-250');
      const outcomes = async () => (await ask(agent, streamed)).result.attempts.map((a) => [a.model, a.outcome]);
      assert.deepEqual(await outcomes(), [['flap-250', 'failed'], ['ok', 'accepted']]);
      assert.deepEqual(await outcomes(), [['flap-250', 'failed'], ['ok', 'accepted']]); // the breaker opens
      assert.deepEqual(await outcomes(), [['flap-250', 'skipped'], ['ok', 'accepted']]);
      assert.equal(primary().length, 2);
      // Past the flap and the reset timeout: three runs at once, one probe.
      await new Promise((r) => setTimeout(r, 350));
      const three = await Promise.all([ask(agent, streamed), ask(agent, streamed), ask(agent, streamed)]);
      const used = three.map((x) => x.result.modelUsed).sort();
      assert.deepEqual(used, ['flap-250', 'ok', 'ok'], 'one real request was let through, and answered');
      assert.equal(primary().length, 3);
      assert.ok(primary()[2].sinceFirst >= 250, 'the probe reached the recovered primary');
      for (const x of three.filter((x) => x.result.modelUsed === 'ok')) {
        assert.equal(x.result.attempts[0].outcome, 'skipped');
        assert.match(x.result.attempts[0].reason, /circuit breaker/);
      }
      // Closed again: the primary answers the next run.
      assert.equal((await ask(agent, streamed)).result.modelUsed, 'flap-250');
      assert.equal(primary().length, 4);
    });
  }
});
