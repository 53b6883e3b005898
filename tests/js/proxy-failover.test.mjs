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
