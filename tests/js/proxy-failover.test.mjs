// A proxy route with `judge: false`: a failover chain, not a cascade. The
// first model answers whatever the judge would say of it; the next is
// asked only when it fails. Against our fault server on 127.0.0.1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useFaultServer } from './helpers/faults.mjs';

const pkgDir = new URL('../../pkg/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8'));
const { createProxy } = await import(new URL(manifest.exports['./proxy'].default, pkgDir).href);

const srv = useFaultServer();
const KEY = 'failover-test-key-77';

const proxyWith = (routes) =>
  createProxy({
    keys: [KEY],
    builtinRoutes: false,
    passthrough: false,
    providers: { openai: { apiKey: 'sk-upstream-1234', baseUrl: srv.url } },
    routes,
    agent: { retry: { maxRetries: 0 }, circuitBreaker: false },
  });

const ask = (proxy, model) =>
  proxy(
    new Request('http://proxy.test/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
    }),
  );

describe('judge: false routes', () => {
  it('the first model answers even where the judge would not accept it; no second call', async () => {
    const proxy = proxyWith({ chain: { tiers: ['unsure', 'ok'], judge: false }, cascade: ['unsure', 'ok'] });
    const res = await ask(proxy, 'chain');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cascade-model'), 'unsure');
    assert.equal(res.headers.get('x-cascade-decision'), 'direct');
    assert.deepEqual(srv.log.map((e) => e.model), ['unsure']);
    // The same tiers as a cascade escalate the unsure draft: the judge is what differs.
    srv.reset();
    const cascaded = await ask(proxy, 'cascade');
    assert.equal(cascaded.headers.get('x-cascade-model'), 'ok');
    assert.deepEqual(srv.log.map((e) => e.model), ['unsure', 'ok']);
  });

  it('a failing first model hands over to the next in the chain', async () => {
    const proxy = proxyWith({ chain: { tiers: ['500', 'ok'], judge: false } });
    const res = await ask(proxy, 'chain');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cascade-model'), 'ok');
    const body = await res.json();
    assert.equal(body.model, 'ok', 'the body names the model that answered');
    assert.deepEqual(srv.log.map((e) => e.model), ['500', 'ok']);
  });
});

describe('per-key limits', () => {
  it("each key's runs count as its own user: rateLimit.perUser holds one key back, not the others", async () => {
    const proxy = createProxy({
      keys: [{ key: KEY, name: 'team-a' }, 'second-key-for-b-99'],
      builtinRoutes: false,
      providers: { openai: { apiKey: 'sk-upstream-1234', baseUrl: srv.url } },
      routes: { chain: ['ok'] },
      agent: { retry: { maxRetries: 0 }, rateLimit: { perUser: { requestsPerMinute: 1 }, onRateLimit: 'skip' } },
    });
    const askAs = (key) =>
      proxy(
        new Request('http://proxy.test/v1/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ model: 'chain', max_tokens: 50, messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
        }),
      );
    assert.equal((await askAs(KEY)).status, 200);
    const limited = await askAs(KEY);
    assert.equal(limited.status, 429, 'team-a is over its one a minute');
    const err = await limited.json();
    assert.equal(err.error.type, 'rate_limit_error');
    assert.ok(!JSON.stringify(err).includes(KEY), 'the key is not in the answer');
    assert.equal((await askAs('second-key-for-b-99')).status, 200, 'the other key has its own window');
    assert.equal(srv.log.length, 2, 'the refused request was not sent upstream');
  });
});

describe('faults through the proxy (OpenAI endpoint, streamed)', () => {
  const streamed = async (proxy, model) => {
    const res = await proxy(
      new Request('http://proxy.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
      }),
    );
    return { res, text: await res.text() };
  };
  const frames = (text) => text.split('\n\n').filter((f) => f.startsWith('data: ')).map((f) => f.slice(6));

  it('a cut draft is never sent: the next tier answers whole, with its model and usage, ending in [DONE]', async () => {
    const proxy = proxyWith({ route: ['cut', 'ok'] });
    const { res, text } = await streamed(proxy, 'route');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cascade-model'), 'ok');
    const data = frames(text);
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.ok(chunks.every((c) => c.model === 'ok'), 'every chunk names the model that answered');
    const usage = chunks.find((c) => c.usage)?.usage;
    assert.ok(usage && usage.completion_tokens > 0, 'the usage chunk is there');
    assert.deepEqual(srv.log.map((e) => e.model), ['cut', 'ok']);
  });

  it('a cut stream with nothing left to try ends with an error frame, never [DONE]', async () => {
    const proxy = proxyWith({ route: ['cut'] });
    const { text } = await streamed(proxy, 'route');
    const data = frames(text);
    assert.notEqual(data.at(-1), '[DONE]', 'a truncated answer is not ended as complete');
    const last = JSON.parse(data.at(-1));
    assert.ok(last.error, `the last frame is an error: ${data.at(-1)}`);
  });
});

describe('sticky sessions', () => {
  it('a conversation a stronger tier answered starts there next turn; other conversations still draft', async () => {
    const proxy = createProxy({
      keys: [KEY],
      builtinRoutes: false,
      providers: { openai: { apiKey: 'sk-upstream-1234', baseUrl: srv.url } },
      routes: { route: ['unsure', 'ok'] },
      stickySessions: true,
      agent: { retry: { maxRetries: 0 } },
    });
    const turn = (session) =>
      proxy(
        new Request('http://proxy.test/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'x-claude-code-session-id': session },
          body: JSON.stringify({ model: 'route', messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
        }),
      );
    assert.equal((await turn('s1')).headers.get('x-cascade-model'), 'ok');
    assert.deepEqual(srv.log.map((e) => e.model), ['unsure', 'ok'], 'the first turn drafted and escalated');
    srv.reset();
    const second = await turn('s1');
    assert.equal(second.headers.get('x-cascade-model'), 'ok');
    assert.deepEqual(srv.log.map((e) => e.model), ['ok'], 'the next turn of s1 starts at the tier that answered');
    srv.reset();
    await turn('s2');
    assert.deepEqual(srv.log.map((e) => e.model), ['unsure', 'ok'], 'another conversation drafts as usual');
    const stats = proxy.stats();
    assert.ok(JSON.stringify(stats).includes('"route"'), 'stats stay under the route name');
  });
});
