// DurableObjectStore and CascadeStateObject in workerd (Miniflare): two
// Worker scripts, bundled from `cascade-edge/stores` as wrangler would, both
// bound to the same Durable Object namespace, so every contract test's two
// clients are two Workers reaching one object. The contract runs on both
// storage backends (SQLite, as the README's wrangler.toml declares, and the
// older key-value one), then the alarm that deletes expired entries and the
// errors.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Miniflare } from 'miniflare';
import { PKG, consumerProject } from './runtimes/consumer.mjs';
import { bundleForWorkers, packageInputs } from './runtimes/bundle.mjs';
import { storeContract } from './helpers/store-contract.mjs';

const WORKERS = new URL('./runtimes/do-workers/', import.meta.url);
let project;
let mf;
let bundles;
let workers;

// Never let a stuck runtime hang the whole suite.
function withTimeout(p, ms) {
  let t;
  return Promise.race([Promise.resolve(p).catch(() => {}), new Promise((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}

before(async () => {
  project = consumerProject('cascade-edge-do-');
  const src = path.join(project.dir, 'src');
  fs.cpSync(WORKERS, src, { recursive: true });
  bundles = {};
  for (const name of ['state', 'other']) {
    const outdir = path.join(project.dir, 'dist', name);
    fs.mkdirSync(outdir, { recursive: true });
    bundles[name] = await bundleForWorkers({ entry: path.join(src, `${name}.js`), outdir });
  }
  const common = (name) => ({
    name,
    modules: true,
    modulesRoot: path.dirname(bundles[name].script),
    scriptPath: bundles[name].script,
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }],
    compatibilityDate: '2026-04-01',
  });
  mf = new Miniflare({
    workers: [
      {
        ...common('state'),
        durableObjects: {
          CASCADE_STATE: { className: 'CascadeStateObject', useSQLite: true },
          KV_STATE: { className: 'CascadeStateObject' },
          INSPECT_STATE: { className: 'InspectableState', useSQLite: true },
          NOT_A_STORE: { className: 'NotAStore' },
        },
      },
      {
        ...common('other'),
        durableObjects: {
          CASCADE_STATE: { className: 'CascadeStateObject', scriptName: 'state', useSQLite: true },
          KV_STATE: { className: 'CascadeStateObject', scriptName: 'state' },
          INSPECT_STATE: { className: 'InspectableState', scriptName: 'state', useSQLite: true },
        },
      },
    ],
  });
  await mf.ready;
  workers = { state: await mf.getWorker('state'), other: await mf.getWorker('other') };
}, { timeout: 90_000 });

after(async () => {
  await withTimeout(mf?.dispose(), 10_000);
  project?.cleanup();
});

/** A CascadeStore whose every call runs in `worker`, on a DurableObjectStore of `binding` and `name`. */
function viaWorker(workerName, binding, name) {
  const call = (method) => async (...args) => {
    const res = await workers[workerName].fetch('http://worker.test/', { method: 'POST', body: JSON.stringify({ binding, name, method, args }) });
    const body = await res.json();
    if (body.error) throw Object.assign(new Error(body.error.message), { name: body.error.name });
    return body.result;
  };
  return {
    reserve: call('reserve'),
    settle: call('settle'),
    read: call('read'),
    get: call('get'),
    compareAndSet: call('compareAndSet'),
    keys: call('__keys'),
    stale: call('__stale'),
  };
}

const realTime = (ms) => sleep(ms);

for (const [label, binding] of [
  ['SQLite storage', 'CASCADE_STATE'],
  ['key-value storage', 'KV_STATE'],
]) {
  storeContract(`DurableObjectStore (${label}, two Workers)`, async () => ({
    a: viaWorker('state', binding, 'contract'),
    b: viaWorker('other', binding, 'contract'),
    passTime: realTime,
  }));
}

describe('DurableObjectStore: bundling, names, the alarm and errors', () => {
  test('the Workers bundle cascade-edge/stores alone: no engine, no wasm', () => {
    for (const b of Object.values(bundles)) {
      const inputs = packageInputs(b.metafile, PKG);
      assert.ok(inputs.includes('dist/stores.js'), inputs.join(', '));
      for (const f of inputs) assert.match(f, /^dist\/(stores\.js|stores\/|store\.js)/, `the stores bundle pulled in ${f}`);
      assert.deepEqual(b.wasm, []);
    }
  });

  test("the core entry's Worker bundle pulls in none of the stores", async () => {
    const core = path.join(project.dir, 'core');
    fs.mkdirSync(path.join(core, 'out'), { recursive: true });
    fs.writeFileSync(path.join(core, 'index.js'), "export { CascadeAgent } from 'cascade-edge';\n");
    const b = await bundleForWorkers({ entry: path.join(core, 'index.js'), outdir: path.join(core, 'out') });
    const inputs = packageInputs(b.metafile, PKG);
    assert.ok(inputs.includes('dist/workerd.js'), inputs.join(', '));
    assert.deepEqual(inputs.filter((f) => f.startsWith('dist/stores')), []);
  });

  test('objects of different names keep different state', async () => {
    const a = viaWorker('state', 'CASCADE_STATE', 'tenant-a');
    const b = viaWorker('other', 'CASCADE_STATE', 'tenant-b');
    const R = [{ key: 'day', amount: 5, limit: 5, ttlMs: 60_000 }];
    assert.equal(await a.reserve(R), true);
    assert.equal(await b.reserve(R), true, "tenant-b's day is not tenant-a's");
    assert.equal(await viaWorker('other', 'CASCADE_STATE', 'tenant-a').reserve(R), false, "but tenant-a's is, from either Worker");
  });

  test('the alarm deletes expired entries and keeps the rest', { timeout: 30_000 }, async () => {
    const s = viaWorker('state', 'INSPECT_STATE', 'alarm');
    const t = viaWorker('other', 'INSPECT_STATE', 'alarm');
    // An expired entry, and no alarm yet to remove it: nothing here depends on timing.
    await s.stale();
    assert.deepEqual(await s.keys(), ['c:stale']);
    assert.deepEqual(await t.read(['stale']), [{ used: 0, held: 0 }], 'an expired entry reads as absent');
    // These writes set the alarm, for the earliest of their expiries.
    assert.equal(await s.reserve([{ key: 'long', amount: 1, limit: 9, ttlMs: 600_000 }]), true);
    assert.equal(await t.reserve([{ key: 'short', amount: 1, limit: 9, ttlMs: 30 }]), true);
    assert.equal(await s.compareAndSet('breaker', 0, 'open', 30), true);
    assert.equal(await t.compareAndSet('kept', 0, 'closed', 600_000), true);
    // Only the alarm removes keys; wait for it however long the machine takes.
    while ((await s.keys()).length > 2) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((await s.keys()).sort(), ['c:long', 'r:kept']);
    assert.deepEqual(await t.read(['long', 'short']), [
      { used: 0, held: 1 },
      { used: 0, held: 0 },
    ]);
  });

  test('a binding to another class, or no binding: StoreErrors that say so', async () => {
    await assert.rejects(viaWorker('state', 'NOT_A_STORE', 'x').read(['k']), (err) => {
      assert.equal(err.name, 'StoreError');
      assert.equal(
        err.message,
        "DurableObjectStore: read failed: the object's answer is not a store reply (HTTP 200); is the binding's class CascadeStateObject?",
      );
      return true;
    });
    await assert.rejects(viaWorker('state', 'NO_SUCH_BINDING', 'x').read(['k']), {
      name: 'StoreError',
      message: 'DurableObjectStore: expected a Durable Object namespace binding (env.CASCADE_STATE)',
    });
  });

  test('the object checks every call itself: unknown calls, bodies that are not JSON, bad and empty items', async () => {
    const ns = await mf.getDurableObjectNamespace('CASCADE_STATE', 'state');
    const stub = ns.get(ns.idFromName('contract'));
    const unknown = await stub.fetch('https://cascade-state.internal/drop', { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error, /no such call: POST \/drop/);
    const notJson = await stub.fetch('https://cascade-state.internal/reserve', { method: 'POST', body: 'nope' });
    assert.equal(notJson.status, 400);
    assert.match((await notJson.json()).error, /reserve: the body is not JSON/);
    const bad = await stub.fetch('https://cascade-state.internal/reserve', { method: 'POST', body: '{"items":[{"key":"k","amount":-1,"limit":1,"ttlMs":1}]}' });
    assert.equal(bad.status, 400, 'the object checks its arguments too, whoever calls it');
    assert.match((await bad.json()).error, /items\[0\]\.amount/);
    const fresh = ns.get(ns.idFromName('never-written'));
    for (const op of ['reserve', 'settle']) {
      const empty = await fresh.fetch(`https://cascade-state.internal/${op}`, { method: 'POST', body: '{"items":[]}' });
      assert.deepEqual([empty.status, await empty.json()], [200, { result: op === 'reserve' ? true : null }], `an empty ${op}`);
    }
  });
});
