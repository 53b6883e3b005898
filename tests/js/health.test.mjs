// Health checks: endpoints are probed in the background with the models
// list (never a chat call), at most once per interval, and one whose probe
// failed is passed over while a later model remains.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CascadeAgent } from './helpers/pkg.mjs';
import { useFaultServer } from './helpers/faults.mjs';

const srv = useFaultServer();

const QUERY = 'What is the capital of France?';
const model = (name, baseUrl, extra = {}) => ({ name, provider: 'openai', baseUrl, apiKey: 'sk-test-health-0001', inputCost: 0.1, outputCost: 0.2, ...extra });

describe('healthCheck', () => {
  test('a failing endpoint is found by a probe and passed over; probes are GETs of the models list, once per interval', async () => {
    const down = srv.url.replace('/v1', '/down/v1');
    const agent = new CascadeAgent({
      models: [model('ok', down), model('ok', srv.url, { inputCost: 1, outputCost: 2 })],
      keepOrder: true,
      healthCheck: { intervalMs: 60_000, timeoutMs: 1_000 },
    });
    const health = await agent.checkHealth();
    assert.deepEqual(health.map((h) => [h.baseUrl.includes('/down/'), h.healthy]), [[true, false], [false, true]]);
    assert.match(health[0].reason, /503/);
    assert.ok(health.every((h) => typeof h.checkedAt === 'number'));
    assert.ok(!JSON.stringify(health).includes('sk-test-health'), 'no key in the report');
    assert.deepEqual(srv.log.map((e) => e.url.replace(/^.*?\/(down\/)?v1/, '/$1v1')), ['/down/v1/models', '/v1/models']);
    assert.ok(srv.log.every((e) => e.model === undefined), 'no chat call');

    srv.reset();
    const r = await agent.run(QUERY);
    assert.equal(r.attempts[0].outcome, 'skipped');
    assert.match(r.attempts[0].reason, /health check failed/);
    assert.ok(srv.log.every((e) => !e.url.includes('/down/')), 'the unhealthy endpoint got no call, and no new probe within the interval');
    assert.equal(srv.log.length, 1);
  });

  test('unprobed endpoints count as healthy, and the last model is tried whatever its health', async () => {
    const down = srv.url.replace('/v1', '/down/v1');
    const agent = new CascadeAgent({ models: [model('ok', down)], healthCheck: { intervalMs: 1, timeoutMs: 1_000 } });
    const r = await agent.run(QUERY);
    assert.equal(r.attempts[0].outcome, 'accepted');
    await new Promise((res) => setTimeout(res, 5));
    assert.equal((await agent.checkHealth())[0].healthy, false);
    const again = await agent.run(QUERY);
    assert.equal(again.attempts[0].outcome, 'accepted', 'the only model is still called');
  });

  test('options are checked', () => {
    assert.throws(() => new CascadeAgent({ models: [model('ok', srv.url)], healthCheck: { interval: 5 } }), /config\.healthCheck\.interval: unknown option \(did you mean `intervalMs`/);
    assert.throws(() => new CascadeAgent({ models: [model('ok', srv.url)], healthCheck: 'yes' }), /config\.healthCheck: expected/);
  });
});
