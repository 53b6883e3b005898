// The CascadeStore contract (js/src/store.ts) as tests, run against every
// store: the same expectations for MemoryStore, Redis, Upstash's REST API
// and a Durable Object. `open()` resolves to
//   { a, b, passTime(ms), close() }
// where `a` and `b` are two clients of the same state (two connections, two
// Workers; for MemoryStore, the same object), and `passTime` lets `ms` go by
// on the store's clock (a fake clock for MemoryStore, real time elsewhere).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

const LONG = 600_000;
const SHORT = 40;

/** Wait until `check()` holds; only the test's own timeout bounds it, so no timing is asserted. */
async function eventually(check) {
  while (!(await check())) await sleep(5);
}

export function storeContract(label, open, { skip = false } = {}) {
  describe(`${label}: the store contract`, { skip, timeout: 60_000 }, () => {
    let env;
    let n = 0;
    const key = (name) => `t${process.pid}-${Date.now().toString(36)}-${++n}-${name}`;
    const R = (k, amount, limit, ttlMs = LONG) => ({ key: k, amount, limit, ttlMs });
    const S = (k, reserved, actual, ttlMs = LONG) => ({ key: k, reserved, actual, ttlMs });

    before(async () => {
      env = await open();
    });
    after(async () => {
      await env?.close?.();
    });

    test('reserve: an amount that fits is held', async () => {
      const k = key('fits');
      assert.equal(await env.a.reserve([R(k, 40, 100)]), true);
      assert.equal(await env.a.reserve([R(k, 60, 100)]), true, 'used + held + amount == limit still fits');
      assert.deepEqual(await env.b.read([k]), [{ used: 0, held: 100 }], 'the other client sees it');
    });

    test('reserve: an amount that does not fit changes nothing', async () => {
      const k = key('full');
      assert.equal(await env.a.reserve([R(k, 70, 100)]), true);
      assert.equal(await env.a.reserve([R(k, 31, 100)]), false);
      assert.deepEqual(await env.a.read([k]), [{ used: 0, held: 70 }]);
      assert.equal(await env.a.reserve([R(k, 30, 100)]), true);
      assert.equal(await env.a.reserve([R(key('zero-limit'), 1, 0)]), false, 'nothing fits a limit of 0');
      assert.equal(await env.a.reserve([R(key('zero-amount'), 0, 0)]), true, 'an amount of 0 always fits');
    });

    test('reserve: spending counts against the limit as much as holds do', async () => {
      const k = key('spent');
      assert.equal(await env.a.reserve([R(k, 50, 100)]), true);
      await env.a.settle([S(k, 50, 80)]);
      assert.equal(await env.b.reserve([R(k, 21, 100)]), false, '80 used + 21 > 100');
      assert.equal(await env.b.reserve([R(k, 20, 100)]), true);
      assert.deepEqual(await env.a.read([k]), [{ used: 80, held: 20 }]);
    });

    test('reserve: all or nothing across keys', async () => {
      const day = key('day');
      const month = key('month');
      const user = key('user');
      assert.equal(await env.a.reserve([R(month, 95, 100)]), true);
      assert.equal(await env.a.reserve([R(day, 10, 50), R(month, 10, 100), R(user, 10, 20)]), false, 'month has room for 5 only');
      assert.deepEqual(await env.a.read([day, month, user]), [
        { used: 0, held: 0 },
        { used: 0, held: 95 },
        { used: 0, held: 0 },
      ], 'the keys that had room were not held either');
      assert.equal(await env.b.reserve([R(day, 5, 50), R(month, 5, 100), R(user, 5, 20)]), true);
      assert.deepEqual(await env.a.read([day, month, user]), [
        { used: 0, held: 5 },
        { used: 0, held: 100 },
        { used: 0, held: 5 },
      ]);
    });

    test('reserve: a key named twice is checked against the sum of its amounts', async () => {
      const k = key('twice');
      assert.equal(await env.a.reserve([R(k, 60, 100), R(k, 60, 100)]), false);
      assert.deepEqual(await env.a.read([k]), [{ used: 0, held: 0 }]);
      assert.equal(await env.a.reserve([R(k, 50, 100), R(k, 50, 100)]), true);
      assert.deepEqual(await env.a.read([k]), [{ used: 0, held: 100 }]);
    });

    test('settle: the hold becomes spending; held never goes below 0', async () => {
      const k = key('settle');
      assert.equal(await env.a.reserve([R(k, 30, 100)]), true);
      assert.equal(await env.a.reserve([R(k, 20, 100)]), true);
      await env.b.settle([S(k, 30, 12)]);
      assert.deepEqual(await env.a.read([k]), [{ used: 12, held: 20 }]);
      await env.a.settle([S(k, 50, 0)]);
      assert.deepEqual(await env.a.read([k]), [{ used: 12, held: 0 }], 'a failed call frees its hold and spends nothing');
      const fresh = key('settle-unreserved');
      await env.a.settle([S(fresh, 0, 7), S(fresh, 0, 3)]);
      assert.deepEqual(await env.a.read([fresh]), [{ used: 10, held: 0 }], 'a settle needs no reserve before it');
    });

    test('read: keys never written read as zeros, in the order asked', async () => {
      const k = key('written');
      assert.equal(await env.a.reserve([R(k, 3, 10)]), true);
      assert.deepEqual(await env.b.read([key('missing-1'), k, key('missing-2')]), [
        { used: 0, held: 0 },
        { used: 0, held: 3 },
        { used: 0, held: 0 },
      ]);
      assert.deepEqual(await env.a.read([]), []);
      assert.equal(await env.a.reserve([]), true, 'an empty reserve holds nothing and succeeds');
      await env.a.settle([]);
    });

    test('amounts up to 2^53 - 1 are exact', async () => {
      const k = key('big');
      const max = Number.MAX_SAFE_INTEGER;
      const half = 2 ** 52;
      assert.equal(await env.a.reserve([R(k, half, max)]), true);
      assert.equal(await env.a.reserve([R(k, half, max)]), false, '2^53 > 2^53 - 1');
      assert.equal(await env.a.reserve([R(k, half - 1, max)]), true);
      await env.a.settle([S(k, half, half - 3)]);
      assert.deepEqual(await env.b.read([k]), [{ used: half - 3, held: half - 1 }]);
    });

    test('ttl: counters and records expire; longer ones live on', async () => {
      const short = key('short');
      const long = key('long');
      const rec = key('short-record');
      const marker = key('marker');
      assert.equal(await env.a.reserve([R(long, 5, 10, LONG)]), true);
      assert.equal(await env.a.reserve([R(short, 5, 10, SHORT)]), true);
      assert.equal(await env.a.compareAndSet(rec, 0, 'open', SHORT), true);
      assert.equal(await env.a.reserve([R(marker, 1, 1, SHORT)]), true);
      await env.passTime(SHORT);
      // The marker was written last with the same ttl: once it is gone, so is everything short.
      await eventually(async () => (await env.a.read([marker]))[0].held === 0);
      assert.deepEqual(await env.b.read([short, long]), [
        { used: 0, held: 0 },
        { used: 0, held: 5 },
      ]);
      assert.equal(await env.b.get(rec), null, 'an expired record reads as absent');
      assert.equal(await env.b.compareAndSet(rec, 0, 'again', LONG), true, 'and is written again from version 0');
      assert.deepEqual(await env.a.get(rec), { value: 'again', version: 1 });
    });

    test('ttl: a settle with a shorter ttl does not cut short what the reserve set', async () => {
      const k = key('kept');
      const marker = key('marker');
      assert.equal(await env.a.reserve([R(k, 10, 100, LONG)]), true);
      await env.a.settle([S(k, 10, 4, 1)]);
      assert.equal(await env.a.reserve([R(marker, 1, 1, SHORT)]), true);
      await env.passTime(SHORT);
      await eventually(async () => (await env.a.read([marker]))[0].held === 0);
      assert.deepEqual(await env.a.read([k]), [{ used: 4, held: 0 }]);
    });

    test('compareAndSet: writes from version 0, then only on the current version', async () => {
      const k = key('breaker');
      assert.equal(await env.a.get(k), null);
      assert.equal(await env.a.compareAndSet(k, 1, 'open', LONG), false, 'version 1 does not exist yet');
      assert.equal(await env.a.get(k), null);
      assert.equal(await env.a.compareAndSet(k, 0, 'open', LONG), true);
      assert.deepEqual(await env.b.get(k), { value: 'open', version: 1 });
      assert.equal(await env.b.compareAndSet(k, 0, 'closed', LONG), false, 'version 0 is gone');
      assert.equal(await env.b.compareAndSet(k, 1, '{"state":"half-open","n":2}', LONG), true);
      assert.equal(await env.a.compareAndSet(k, 1, 'closed', LONG), false, 'a stale version loses');
      assert.deepEqual(await env.a.get(k), { value: '{"state":"half-open","n":2}', version: 2 });
      assert.equal(await env.a.compareAndSet(k, 2, '', LONG), true, 'an empty value is a value');
      assert.deepEqual(await env.a.get(k), { value: '', version: 3 });
    });

    test('compareAndSet: of racing writers on one version, exactly one wins', async () => {
      const k = key('race');
      const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? env.a : env.b).compareAndSet(k, 0, `w${i}`, LONG));
      const won = (await Promise.all(writes)).map((ok, i) => (ok ? i : -1)).filter((i) => i >= 0);
      assert.equal(won.length, 1, `winners: ${won}`);
      assert.deepEqual(await env.a.get(k), { value: `w${won[0]}`, version: 1 });
    });

    test('counters and records with the same name are apart', async () => {
      const k = key('same-name');
      assert.equal(await env.a.reserve([R(k, 1, 10)]), true);
      assert.equal(await env.a.get(k), null);
      assert.equal(await env.a.compareAndSet(k, 0, 'x', LONG), true);
      assert.deepEqual(await env.a.read([k]), [{ used: 0, held: 1 }]);
    });

    test('concurrency: 200 reserves of 1 from two clients against a limit of 100 grant exactly 100', async () => {
      const k = key('race-budget');
      const calls = Array.from({ length: 200 }, (_, i) => (i % 2 ? env.a : env.b).reserve([R(k, 1, 100)]));
      const granted = (await Promise.all(calls)).filter(Boolean).length;
      assert.equal(granted, 100);
      assert.deepEqual(await env.a.read([k]), [{ used: 0, held: 100 }]);
    });

    test('concurrency: racing multi-key reserves never overshoot either key', async () => {
      const day = key('race-day');
      const month = key('race-month');
      const calls = Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? env.a : env.b).reserve(i % 3 ? [R(day, 2, 50), R(month, 2, 70)] : [R(month, 3, 70)]),
      );
      const results = await Promise.all(calls);
      const [d, m] = await env.a.read([day, month]);
      const wantDay = results.reduce((s, ok, i) => s + (ok && i % 3 ? 2 : 0), 0);
      const wantMonth = results.reduce((s, ok, i) => s + (ok ? (i % 3 ? 2 : 3) : 0), 0);
      assert.deepEqual([d.held, m.held], [wantDay, wantMonth], 'held is exactly what was granted');
      assert.ok(d.held <= 50 && m.held <= 70, `${d.held} / ${m.held}`);
      assert.ok(m.held >= 68, `a refused reserve must have had no room: month held ${m.held}`);
    });

    test('bad calls are rejected promises that name the field, and write nothing', async () => {
      const k = key('bad');
      const bad = [
        () => env.a.reserve([R(k, -1, 10)]),
        () => env.a.reserve([R(k, 1.5, 10)]),
        () => env.a.reserve([R(k, 1, 10), R('', 1, 10)]),
        () => env.a.reserve([R(k, 1, 10, 0)]),
        () => env.a.reserve([R(k, 2 ** 53, 2 ** 60)]),
        () => env.a.reserve('nope'),
        () => env.a.settle([S(k, 1, NaN)]),
        () => env.a.read([k, 42]),
        () => env.a.get(''),
        () => env.a.compareAndSet(k, -1, 'x', LONG),
        () => env.a.compareAndSet(k, 0, 42, LONG),
      ];
      for (const call of bad) {
        let p;
        assert.doesNotThrow(() => (p = call()), 'never a synchronous throw');
        await assert.rejects(p, (err) => {
          assert.equal(err.name, 'StoreError');
          assert.match(err.message, /(items\[\d\]\.\w+|keys\[1\]|key|version|value|expected an array)/);
          return true;
        });
      }
      assert.deepEqual(await env.a.read([k]), [{ used: 0, held: 0 }]);
      assert.equal(await env.a.get(k), null);
    });
  });
}
