// The engine's side of a shared store: budgets reserved and settled through
// a JS store object (here a small asynchronous one, so that calls from
// many runs and two agents interleave), fail closed when it is down, and
// the store sees only integer nano-dollar amounts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CascadeAgent } from './helpers/pkg.mjs';
import { useFaultServer } from './helpers/faults.mjs';
import { rejection } from './helpers/mock.mjs';

const srv = useFaultServer();

const QUERY = 'What is the capital of France?';
const metered = (name = 'ok') => ({ name, provider: 'openai', baseUrl: srv.url, apiKey: 'sk-test', inputCost: 100, outputCost: 100, maxTokens: 100 });
const tick = () => new Promise((r) => setTimeout(r, Math.random() * 3));

/** An in-test store that answers after a random few ms, with a log of calls. */
function slowStore() {
  const counters = new Map();
  const records = new Map();
  const calls = [];
  const c = (k) => counters.get(k) ?? { used: 0, held: 0 };
  return {
    calls,
    counters,
    async reserve(items) {
      calls.push(['reserve', items]);
      await tick();
      if (!items.every((i) => c(i.key).used + c(i.key).held + i.amount <= i.limit)) return false;
      for (const i of items) counters.set(i.key, { ...c(i.key), held: c(i.key).held + i.amount });
      return true;
    },
    async settle(items) {
      calls.push(['settle', items]);
      await tick();
      for (const i of items) counters.set(i.key, { used: c(i.key).used + i.actual, held: Math.max(0, c(i.key).held - i.reserved) });
    },
    async read(keys) {
      calls.push(['read', keys]);
      await tick();
      return keys.map(c);
    },
    async get(key) {
      return records.get(key) ?? null;
    },
    async compareAndSet(key, version, value) {
      if ((records.get(key)?.version ?? 0) !== version) return false;
      records.set(key, { value, version: version + 1 });
      return true;
    },
  };
}

describe('a shared store behind the budget', () => {
  test('two agents on one store: 200 concurrent runs never spend past $0.10, every refusal is E_BUDGET', async () => {
    const store = slowStore();
    const a = new CascadeAgent({ models: [metered()], budget: { daily: 0.1 }, store });
    const b = new CascadeAgent({ models: [metered()], budget: { daily: 0.1 }, store });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).run(QUERY)));
    const done = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
    assert.ok(done.length > 0 && refused.length > 0, `${done.length} done, ${refused.length} refused`);
    assert.ok(refused.every((e) => e.code === 'E_BUDGET'), refused.find((e) => e.code !== 'E_BUDGET')?.message);
    const spent = done.reduce((sum, r) => sum + r.totalCost, 0);
    assert.ok(spent <= 0.1 + 1e-12, `spent ${spent}`);
    assert.equal(srv.log.length, done.length, 'a refused run sends nothing');
    // Both agents read the one budget.
    const [sa, sb] = [await a.getBudget(), await b.getBudget()];
    assert.deepEqual(sa, sb);
    assert.ok(Math.abs(sa.spentToday - spent) < 1e-9, `${sa.spentToday} vs ${spent}`);
    assert.equal(sa.reserved, 0, 'every hold was settled');
    // What the store saw: integers only, one reservation per call and a settlement after it.
    const amounts = store.calls.filter(([op]) => op === 'reserve' || op === 'settle').flatMap(([, items]) => items.flatMap((i) => [i.amount ?? i.actual, i.limit ?? i.reserved]));
    assert.ok(amounts.every(Number.isSafeInteger), 'amounts are safe integers');
    const budgetSettles = store.calls.filter(([op, items]) => op === 'settle' && items[0].key.startsWith('budget:'));
    assert.equal(budgetSettles.length, done.length);
  });

  test('a store that fails or does not answer refuses the call with E_BUDGET_STORE, and sends nothing', async () => {
    const down = { ...slowStore(), reserve: async () => { throw new Error('ECONNREFUSED 127.0.0.1:6379'); } };
    const e = await rejection(() => new CascadeAgent({ models: [metered()], budget: { daily: 1 }, store: down }).run(QUERY));
    assert.equal(e.code, 'E_BUDGET_STORE');
    assert.equal(e.name, 'BudgetError');
    assert.match(e.message, /ECONNREFUSED/);
    const hung = { ...slowStore(), reserve: () => new Promise(() => {}) };
    const agent = new CascadeAgent({ models: [metered()], budget: { daily: 1 }, store: hung, storeTimeoutMs: 50 });
    const h = await rejection(() => agent.run(QUERY));
    assert.equal(h.code, 'E_BUDGET_STORE');
    assert.match(h.message, /storeTimeoutMs \(50 ms\)/);
    assert.equal(srv.log.length, 0);
    const unreadable = { ...slowStore(), read: async () => { throw new Error('timeout'); } };
    const u = new CascadeAgent({ models: [metered()], budget: { daily: 1 }, store: unreadable });
    assert.equal((await rejection(() => u.getBudget())).code, 'E_BUDGET_STORE');
  });

  test('a settlement the store does not take keeps the answer and says so; the hold stays', async () => {
    const store = slowStore();
    store.settle = async () => { throw new Error('READONLY'); };
    const agent = new CascadeAgent({ models: [metered()], budget: { daily: 1 }, store });
    const r = await agent.run(QUERY);
    assert.ok(r.content);
    assert.match(r.attempts[0].reason, /budget's store did not answer.*READONLY/);
    assert.ok((await agent.getBudget()).reserved > 0, 'the worst case stays held');
  });

  test('analytics of every agent on the store add up, sent in the background after each run', async () => {
    const store = slowStore();
    const a = new CascadeAgent({ models: [metered()], store });
    const b = new CascadeAgent({ models: [metered()], store });
    for (let i = 0; i < 3; i++) await a.run(QUERY);
    for (let i = 0; i < 2; i++) await b.run(QUERY);
    assert.equal(new CascadeAgent({ models: [metered()] }).getSharedAnalytics instanceof Function, true);
    assert.equal(await new CascadeAgent({ models: [metered()] }).getSharedAnalytics(), null, 'no store, nothing shared');
    // Each agent's sends settle in the background; wait for both to land.
    let shared;
    for (let i = 0; i < 100 && shared?.runs !== 5; i++) {
      await new Promise((r) => setImmediate(r));
      shared = await b.getSharedAnalytics();
      await a.getSharedAnalytics();
    }
    assert.equal(shared.runs, 5);
    const local = [a.getAnalytics(), b.getAnalytics()];
    const cost = local.reduce((s, x) => s + x.totalCost, 0);
    assert.ok(Math.abs(shared.totalCost - cost) < 1e-9, `${shared.totalCost} vs ${cost}`);
    assert.equal(shared.failedRuns, 0);
    const keys = store.calls.filter(([op]) => op === 'settle').flatMap(([, items]) => items.map((i) => i.key));
    assert.ok(keys.includes('analytics:runs') && keys.every((k) => !k.includes('sk-')), 'counters only, no secrets');
  });

  test('a store object is checked at construction', () => {
    assert.throws(() => new CascadeAgent({ models: [metered()], store: { reserve() {} } }), /config\.store: missing methods settle, read, get, compareAndSet/);
    assert.throws(() => new CascadeAgent({ models: [metered()], store: 'redis://x' }), /config\.store: expected an object/);
    assert.throws(() => new CascadeAgent({ models: [metered()], store: slowStore(), storeTimeoutMs: -1 }), /config\.storeTimeoutMs/);
  });
});
