// Failures: aborts and deadlines, network errors, rate limits, unreadable
// bodies, and the error classes themselves.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';

import {
  AllModelsFailedError,
  CascadeAbortError,
  CascadeAgent,
  CascadeError,
  CascadeTimeoutError,
  RateLimitError,
  pkg,
} from './helpers/pkg.mjs';
import { GOOD_LONG, agentFor, collect, reply, sent, useMock } from './helpers/mock.mjs';
import { exec, failed, ok } from './helpers/wire-suite.mjs';

const Q = 'Explain quantum entanglement in one sentence.';
// aimock holds the request this long before handling it.
const SLOW = { chaos: { latencyMs: 2000 } };

let mock;
useMock((m) => (mock = m));

/** A loopback port with nothing listening on it. */
async function closedPort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

describe('AbortSignal', () => {
  for (const streaming of [false, true]) {
    const how = streaming ? 'stream()' : 'run()';

    test(`${how}: aborting while the provider is slow rejects quickly with CascadeAbortError`, async () => {
      mock.on({ model: 'drafter' }, reply('openai', '4', { input: 14, output: 1 }), SLOW);
      mock.on({ model: 'verifier' }, reply('openai', '4', { input: 14, output: 1 }));
      const { agent, calls } = agentFor(mock, 'openai', ['drafter', 'verifier']);
      const ctl = new AbortController();
      const t0 = performance.now();
      setTimeout(() => ctl.abort(), 50);
      const out = await exec(agent, 'What is 2+2?', streaming, { signal: ctl.signal });
      const e = failed(out);
      assert.ok(e instanceof CascadeAbortError, `got ${e.name}: ${e.message}`);
      assert.equal(e.code, 'E_ABORTED');
      assert.ok(performance.now() - t0 < 1000, 'rejected promptly, not after the provider answered');
      // An abort ends the run: the next tier is not tried. (aimock does not
      // journal a request whose client left during its delay.)
      assert.deepEqual(calls.map((c) => c.body.model), ['drafter']);
      assert.ok(!sent(mock).some((s) => s.body.model === 'verifier'));
      if (streaming) assert.equal(out.types.at(-1), 'error');
    });

    test(`${how}: an already-aborted signal sends nothing`, async () => {
      mock.on({ model: 'drafter' }, reply('openai', '4', { input: 14, output: 1 }));
      const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
      const e = failed(await exec(agent, 'What is 2+2?', streaming, { signal: AbortSignal.abort() }));
      assert.ok(e instanceof CascadeAbortError, `got ${e.name}: ${e.message}`);
      assert.deepEqual(sent(mock), []);
    });
  }

  test('stream(): aborting between chunks stops the stream with an error event', async () => {
    mock.on({ model: 'only' }, reply('openai', GOOD_LONG, { input: 14, output: 60 }), { chunkSize: 8, latency: 100 });
    const { agent } = agentFor(mock, 'openai', ['only']);
    const ctl = new AbortController();
    const events = [];
    const t0 = performance.now();
    const stream = agent.stream(Q, { signal: ctl.signal });
    for await (const e of stream) {
      events.push(e);
      if (e.type === 'chunk') ctl.abort();
    }
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(events.at(-1).type, 'error');
    assert.ok(events.at(-1).error instanceof CascadeAbortError, `got ${events.at(-1).error.name}`);
    await assert.rejects(stream.result, CascadeAbortError);
  });

  test('timeoutMs: a run over its deadline rejects with CascadeTimeoutError', async () => {
    mock.on({ model: 'drafter' }, reply('openai', '4', { input: 14, output: 1 }), SLOW);
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    const t0 = performance.now();
    const e = failed(await exec(agent, 'What is 2+2?', false, { timeoutMs: 100 }));
    assert.ok(e instanceof CascadeTimeoutError, `got ${e.name}: ${e.message}`);
    assert.equal(e.code, 'E_TIMEOUT');
    assert.ok(performance.now() - t0 < 1000);
  });

  test('timeoutMs: a deadline passing mid-stream is E_TIMEOUT, not a broken stream', async () => {
    mock.on({ model: 'only' }, reply('openai', GOOD_LONG, { input: 14, output: 60 }), { chunkSize: 8, latency: 100 });
    const { agent } = agentFor(mock, 'openai', ['only']);
    const { events, error } = await collect(agent.stream(Q, { timeoutMs: 400 }));
    assert.ok(events.some((e) => e.type === 'chunk'), 'the deadline passed after the stream started');
    assert.ok(error instanceof CascadeTimeoutError, `got ${error?.name}: ${error?.message}`);
    assert.equal(error.code, 'E_TIMEOUT');
  });
});

describe('network and protocol failures', () => {
  test('a refused connection on the draft tier escalates (E_TRANSPORT recorded)', async () => {
    mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 14, output: 60 }));
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier'], {
      perModel: [{ baseUrl: `http://127.0.0.1:${await closedPort()}` }],
    });
    const r = ok(await exec(agent, Q, false));
    assert.equal(r.modelUsed, 'verifier');
    assert.equal(r.attempts[0].outcome, 'failed');
    assert.equal(r.attempts[0].error.code, 'E_TRANSPORT');
  });

  for (const streaming of [false, true]) {
    test(`${streaming ? 'stream()' : 'run()'}: every tier failing → AllModelsFailedError with the whole trace`, async () => {
      mock.on({ model: 'verifier' }, { error: { message: 'bad gateway' }, status: 502 });
      const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier'], {
        perModel: [{ baseUrl: `http://127.0.0.1:${await closedPort()}` }],
      });
      const e = failed(await exec(agent, Q, streaming));
      assert.ok(e instanceof AllModelsFailedError);
      assert.equal(e.code, 'E_ALL_MODELS_FAILED');
      // A refused connection is tried once more at once; a 502 backs off twice.
      assert.deepEqual(e.attempts.map((a) => [a.model, a.outcome, a.error.code]), [
        ['drafter', 'failed', 'E_TRANSPORT'],
        ['drafter', 'failed', 'E_TRANSPORT'],
        ['verifier', 'failed', 'E_PROVIDER_UNAVAILABLE'],
        ['verifier', 'failed', 'E_PROVIDER_UNAVAILABLE'],
        ['verifier', 'failed', 'E_PROVIDER_UNAVAILABLE'],
      ]);
      assert.equal(e.attempts[0].retryInMs, 0);
      assert.match(e.message, /drafter/);
      assert.match(e.message, /verifier/);
    });
  }

  test('a rejected draft, then a final tier that fails → that failure itself, with the trace', async () => {
    mock.on({ model: 'drafter' }, reply('openai', '', { input: 14, output: 1 }));
    mock.on({ model: 'verifier' }, { error: { message: 'bad gateway' }, status: 502 });
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    const e = failed(await exec(agent, Q, false));
    assert.ok(!(e instanceof AllModelsFailedError), 'the drafter did answer');
    assert.deepEqual([e.code, e.status, e.model], ['E_PROVIDER_UNAVAILABLE', 502, 'verifier']);
    assert.deepEqual(e.attempts.map((a) => a.outcome), ['rejected', 'failed', 'failed', 'failed']);
  });

  test('429: a single tier gives RateLimitError with Retry-After in ms; a draft tier escalates', async () => {
    mock.on({ model: 'drafter' }, { error: { message: 'slow down', type: 'rate_limit_error' }, status: 429, retryAfter: 3 });
    mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 14, output: 60 }));
    const single = agentFor(mock, 'openai', ['drafter']).agent;
    const e = failed(await exec(single, Q, false));
    assert.ok(e instanceof RateLimitError, `got ${e.name}`);
    assert.equal(e.code, 'E_RATE_LIMITED');
    assert.equal(e.status, 429);
    assert.equal(e.retryAfterMs, 3000);

    const r = ok(await exec(agentFor(mock, 'openai', ['drafter', 'verifier']).agent, Q, false));
    assert.equal(r.modelUsed, 'verifier');
    assert.equal(r.attempts[0].error.code, 'E_RATE_LIMITED');
  });

  test('a 200 whose body is not the wire format is E_BAD_RESPONSE, and a draft escalates past it', async () => {
    mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 14, output: 60 }));
    // The drafter's "server" answers 200 with an HTML page.
    const garbled = async (url, init) =>
      JSON.parse(init.body).model === 'drafter'
        ? new Response('<html>gateway says hi</html>', { status: 200, headers: { 'content-type': 'text/html' } })
        : fetch(url, init);
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier'], { fetch: garbled });
    const r = ok(await exec(agent, Q, false));
    assert.equal(r.modelUsed, 'verifier');
    assert.equal(r.attempts[0].error.code, 'E_BAD_RESPONSE');

    const only = agentFor(mock, 'openai', ['drafter'], { fetch: garbled }).agent;
    const e = failed(await exec(only, Q, false));
    assert.equal(e.code, 'E_BAD_RESPONSE');
    assert.equal(e.name, 'BadResponseError');
  });
});

describe('error classes', () => {
  test('every exported error class is a CascadeError and an Error, named after itself', () => {
    const names = Object.keys(pkg).filter((k) => typeof pkg[k] === 'function' && pkg[k].prototype instanceof Error);
    assert.ok(names.length >= 13, names.join(', '));
    for (const name of names) {
      const e = new pkg[name]('E_INTERNAL', 'x');
      assert.ok(e instanceof CascadeError && e instanceof Error, name);
      assert.equal(e.name, name);
      assert.equal(e.code, 'E_INTERNAL');
      assert.deepEqual(e.attempts, []);
    }
  });

  test('a failing run rejects with a real Error carrying code, status, provider, model and attempts', async () => {
    mock.on({ model: 'drafter' }, { error: { message: 'nope' }, status: 422 });
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    const e = await agent.run(Q).then(
      () => assert.fail('expected a rejection'),
      (x) => x,
    );
    assert.ok(e instanceof Error && e instanceof CascadeError);
    assert.equal(e.name, 'ProviderError');
    assert.deepEqual([e.code, e.status, e.provider, e.model], ['E_PROVIDER_STATUS', 422, 'openai', 'drafter']);
    assert.equal(e.attempts.length, 1);
    assert.ok(typeof e.stack === 'string');
  });

  test('collect() sees the same error object in the error event and in stream.result', async () => {
    mock.on({ model: 'drafter' }, { error: { message: 'nope' }, status: 400 });
    const { agent } = agentFor(mock, 'openai', ['drafter']);
    const s = agent.stream(Q);
    const { events, error } = await collect(s);
    assert.equal(events.at(-1).error, error);
    assert.equal(events[0].type, 'routing');
  });
});

test('agents are independent: one agent failing does not affect another', async () => {
  mock.on({ model: 'good' }, reply('openai', '4', { input: 14, output: 1 }));
  mock.on({ model: 'bad' }, { error: { message: 'nope' }, status: 400 });
  const bad = new CascadeAgent({ models: [{ name: 'bad', provider: 'openai', baseUrl: mock.url, cost: 1 }], env: {} });
  const good = new CascadeAgent({ models: [{ name: 'good', provider: 'openai', baseUrl: mock.url, cost: 1 }], env: {} });
  const [a, b] = await Promise.allSettled([bad.run('What is 2+2?'), good.run('What is 2+2?')]);
  assert.equal(a.status, 'rejected');
  assert.equal(b.status, 'fulfilled');
  assert.equal(b.value.content, '4');
});
