// End to end: cascade agents in separate processes' worth of isolation (two
// Redis connections; two Workers in workerd) spend from one budget kept in a
// real store. 200 concurrent runs against a $0.10 daily budget: the settled
// spend never passes $0.10, every refused run is E_BUDGET, a refused run
// sends nothing, and no hold is left behind. On Redis, a shared circuit
// breaker and a shared rate limit too; and stores that fail refuse budgeted
// runs with E_BUDGET_STORE.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createClient } from 'redis';
import { Miniflare } from 'miniflare';
import { CascadeAgent } from './helpers/pkg.mjs';
import { RedisStore, UpstashStore } from './helpers/stores-pkg.mjs';
import { startFaultServer } from './helpers/faults.mjs';
import { redisSkip, startRedis } from './helpers/redis-server.mjs';
import { consumerProject } from './runtimes/consumer.mjs';
import { bundleForWorkers } from './runtimes/bundle.mjs';

const LIMIT = 0.1;
const RUNS = 200;
let provider;

before(async () => {
  provider = await startFaultServer();
});
after(async () => {
  await provider?.close();
});

/** What 200 settled runs say: the costs of those that ran, the errors of those refused. */
function tally(outcomes) {
  const done = outcomes.filter((o) => o.cost !== undefined);
  const refused = outcomes.filter((o) => o.error !== undefined);
  assert.equal(done.length + refused.length, RUNS);
  return { done, refused, spent: done.reduce((s, o) => s + o.cost, 0) };
}

function checkTally(t, { done, refused, spent }) {
  // A run costs $0.003 and holds about $0.0035 (20 output tokens at most),
  // so the budget covers a few dozen of the 200, and only just: a store that
  // let two holds race past the limit would overspend.
  assert.ok(done.length >= 1 && refused.length >= 100, `${done.length} ran, ${refused.length} refused`);
  const wrong = refused.find((o) => o.error.code !== 'E_BUDGET');
  assert.equal(wrong, undefined, `a refusal that is not E_BUDGET: ${JSON.stringify(wrong?.error)}`);
  assert.ok(spent <= LIMIT + 1e-12, `spent $${spent} of $${LIMIT}`);
  assert.equal(provider.log.length, done.length, 'a refused run sends nothing to the provider');
  t.diagnostic(`${done.length} runs made, $${spent.toFixed(6)} of $${LIMIT} spent`);
}

describe('a $0.10 budget in Redis, two agents on two connections', { skip: redisSkip }, () => {
  let server;
  const clients = [];

  before(async () => {
    server = await startRedis();
    for (let i = 0; i < 2; i++) clients.push(await createClient({ url: server.url }).connect());
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  test('200 concurrent runs: never past the limit, every refusal E_BUDGET, nothing left held', { timeout: 120_000 }, async (t) => {
    provider.reset();
    const agents = clients.map(
      (c) =>
        new CascadeAgent({
          models: [{ name: 'ok', provider: 'openai', baseUrl: provider.url, apiKey: 'sk-test', inputCost: 100, outputCost: 100, maxTokens: 20 }],
          budget: { daily: LIMIT },
          store: new RedisStore(c, { prefix: 'e2e:' }),
          storeTimeoutMs: 60_000,
          retry: { maxRetries: 0 },
        }),
    );
    const outcomes = await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        agents[i % 2].run('What is the capital of France?').then(
          (r) => ({ cost: r.totalCost }),
          (e) => ({ error: e }),
        ),
      ),
    );
    const runs = tally(outcomes);
    checkTally(t, runs);

    // The store itself: one daily counter, its spend what the runs cost, nothing held.
    const raw = clients[0];
    const days = [];
    for await (const keys of raw.scanIterator({ MATCH: 'e2e:c:budget:d:*' })) days.push(...[keys].flat());
    assert.equal(days.length, 1, days.join(', '));
    const day = await raw.hGetAll(days[0]);
    assert.equal(Number(day.held), 0, 'every hold was settled');
    assert.ok(Number(day.used) <= LIMIT * 1e9, `used ${day.used} nano-dollars`);
    assert.ok(Math.abs(Number(day.used) / 1e9 - runs.spent) < 1e-9 * RUNS, `store ${day.used} vs runs ${runs.spent}`);
    const [a, b] = [await agents[0].getBudget(), await agents[1].getBudget()];
    assert.deepEqual(a, b, 'both agents read the one budget');
    assert.equal(a.reserved, 0);
  });

  test('a circuit breaker that one agent opened is open for the other: it skips the tier without calling it', { timeout: 60_000 }, async () => {
    provider.reset();
    const tier = (name, price) => ({ name, provider: 'openai', baseUrl: provider.url, apiKey: 'sk-test', inputCost: price, outputCost: price });
    const [a, b] = clients.map(
      (c) =>
        new CascadeAgent({
          models: [tier('500', 1), tier('ok', 2)],
          circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 600_000 },
          retry: { maxRetries: 0 },
          store: new RedisStore(c, { prefix: 'e2e-breaker:' }),
          storeTimeoutMs: 60_000,
        }),
    );
    const calls = (model) => provider.log.filter((e) => e.model === model).length;
    for (let i = 0; i < 2; i++) assert.equal((await a.run('What is the capital of France?')).modelUsed, 'ok');
    assert.equal(calls('500'), 2, 'agent a saw the drafter fail twice');
    const r = await b.run('What is the capital of France?');
    assert.equal(r.modelUsed, 'ok');
    assert.equal(r.attempts[0].outcome, 'skipped', JSON.stringify(r.attempts[0]));
    assert.equal(calls('500'), 2, 'agent b never called the endpoint a found broken');
    const records = [];
    for await (const keys of clients[0].scanIterator({ MATCH: 'e2e-breaker:r:breaker:*' })) records.push(...[keys].flat());
    assert.equal(records.length, 1, records.join(', '));
    assert.ok(Number(await clients[0].hGet(records[0], 'version')) >= 1);
  });

  test('a rate limit of 5 requests a minute, shared by two agents: no minute window counts more than 5', { timeout: 60_000 }, async () => {
    provider.reset();
    const agents = clients.map(
      (c) =>
        new CascadeAgent({
          models: [{ name: 'ok', provider: 'openai', baseUrl: provider.url, apiKey: 'sk-test', inputCost: 100, outputCost: 100 }],
          rateLimit: { requestsPerMinute: 5, onRateLimit: 'skip' },
          store: new RedisStore(c, { prefix: 'e2e-rate:' }),
          storeTimeoutMs: 60_000,
          retry: { maxRetries: 0 },
        }),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        agents[i % 2].run('What is the capital of France?').then(
          () => 'ran',
          (e) => e.code,
        ),
      ),
    );
    const ran = outcomes.filter((o) => o === 'ran').length;
    assert.deepEqual([...new Set(outcomes.filter((o) => o !== 'ran'))], ['E_RATE_LIMITED']);
    assert.equal(provider.log.length, ran);
    // The runs may straddle a minute: count window by window, in the store.
    const windows = [];
    for await (const keys of clients[0].scanIterator({ MATCH: 'e2e-rate:c:rate:agent:*:r' })) windows.push(...[keys].flat());
    assert.ok(windows.length >= 1 && windows.length <= 2, windows.join(', '));
    let counted = 0;
    for (const w of windows) {
      const c = await clients[0].hGetAll(w);
      assert.ok(Number(c.used) <= 5, `${w}: ${c.used} requests`);
      assert.equal(Number(c.held ?? 0), 0);
      counted += Number(c.used);
    }
    assert.equal(counted, ran, 'every call made was counted, in its own minute');
    assert.ok(ran >= 5, `${ran} ran: the first window had room for 5`);
  });
});

describe('a $0.10 budget in a Durable Object, two agents in two Workers', () => {
  let project;
  let mf;

  before(async () => {
    project = consumerProject('cascade-edge-do-e2e-');
    const src = path.join(project.dir, 'src');
    fs.cpSync(new URL('./runtimes/do-workers/', import.meta.url), src, { recursive: true });
    const workers = [];
    for (const [name, entry] of [
      ['state', 'agent-state.js'],
      ['other', 'agent-other.js'],
    ]) {
      const outdir = path.join(project.dir, 'dist', name);
      fs.mkdirSync(outdir, { recursive: true });
      const bundle = await bundleForWorkers({ entry: path.join(src, entry), outdir });
      workers.push({
        name,
        modules: true,
        modulesRoot: outdir,
        scriptPath: bundle.script,
        modulesRules: [
          { type: 'ESModule', include: ['**/*.js'] },
          { type: 'CompiledWasm', include: ['**/*.wasm'] },
        ],
        compatibilityDate: '2026-04-01',
        bindings: { BASE_URL: provider.url, STORE_NAME: 'e2e' },
        durableObjects: {
          CASCADE_STATE: name === 'state' ? { className: 'CascadeStateObject', useSQLite: true } : { className: 'CascadeStateObject', scriptName: 'state', useSQLite: true },
        },
      });
    }
    mf = new Miniflare({ workers });
    await mf.ready;
  }, { timeout: 120_000 });

  after(async () => {
    let t;
    await Promise.race([mf?.dispose().catch(() => {}), new Promise((r) => (t = setTimeout(r, 10_000)))]);
    clearTimeout(t);
    project?.cleanup();
  });

  test('200 concurrent runs: never past the limit, every refusal E_BUDGET, nothing left held', { timeout: 180_000 }, async (t) => {
    provider.reset();
    const w = [await mf.getWorker('state'), await mf.getWorker('other')];
    const outcomes = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => (await w[i % 2].fetch('http://worker.test/run', { method: 'POST' })).json()),
    );
    checkTally(t, tally(outcomes));
    const [a, b] = await Promise.all(w.map(async (x) => (await x.fetch('http://worker.test/budget')).json()));
    assert.deepEqual(a, b, 'both Workers read the one budget');
    assert.equal(a.reserved, 0, 'every hold was settled');
    assert.ok(a.spentToday <= LIMIT + 1e-12, `spent ${a.spentToday}`);
    const spent = outcomes.reduce((s, o) => s + (o.cost ?? 0), 0);
    assert.ok(Math.abs(a.spentToday - spent) < 1e-9 * RUNS, `store ${a.spentToday} vs runs ${spent}`);
  });
});

describe('a store that fails, through the agent', () => {
  const TOKEN = 'AXbcTOKEN-e2e-5b1f0c9d8e7a6b5c4d3e2f1a0b9c8d7e';
  const agentOn = (store) =>
    new CascadeAgent({
      models: [{ name: 'ok', provider: 'openai', baseUrl: provider.url, apiKey: 'sk-test', inputCost: 100, outputCost: 100, maxTokens: 20 }],
      budget: { daily: LIMIT },
      store,
    });

  /** The run fails closed with E_BUDGET_STORE, says why, shows no secret, and sends nothing. */
  async function refusedClosed(store, why, secrets) {
    provider.reset();
    const err = await agentOn(store).run('What is the capital of France?').then(
      () => assert.fail('the run went ahead without its budget'),
      (e) => e,
    );
    assert.equal(err.code, 'E_BUDGET_STORE');
    assert.match(err.message, why);
    const seen = `${err.message}\n${JSON.stringify(err)}\n${err.stack}`;
    for (const s of secrets) assert.ok(!seen.includes(s), `"${s}" leaked into: ${seen}`);
    assert.equal(provider.log.length, 0);
  }

  test('Upstash refusing the token, or not there at all: E_BUDGET_STORE, without the token or the URL\'s query', async (t) => {
    const upstash401 = http.createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"Unauthorized"}');
    });
    await new Promise((r) => upstash401.listen(0, '127.0.0.1', r));
    t.after(() => upstash401.close());
    const url = `http://127.0.0.1:${upstash401.address().port}/?_token=QUERYSECRET123456`;
    await refusedClosed(new UpstashStore({ url, token: TOKEN }), /UpstashStore: reserve failed: Unauthorized \(HTTP 401\)/, [TOKEN, 'QUERYSECRET123456']);

    const closed = await new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
    const gone = new UpstashStore({ url: `http://127.0.0.1:${closed}/?_token=QUERYSECRET123456`, token: TOKEN });
    await refusedClosed(gone, /UpstashStore: reserve failed: .*could not be reached/, [TOKEN, 'QUERYSECRET123456']);
  });

  test('a Redis client that is closed: E_BUDGET_STORE', { skip: redisSkip }, async () => {
    const server = await startRedis();
    try {
      const client = await createClient({ url: server.url }).connect();
      client.destroy();
      await refusedClosed(new RedisStore(client), /RedisStore: reserve failed: .*closed/i, []);
    } finally {
      await server.stop();
    }
  });
});
