// MemoryStore: the contract on a fake clock, and what only an in-memory
// store has to show (one object shared by agents, expired entries freed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, StoreError } from './helpers/stores-pkg.mjs';
import { storeContract } from './helpers/store-contract.mjs';

storeContract('MemoryStore', async () => {
  let now = 1_700_000_000_000;
  const store = new MemoryStore({ now: () => now });
  return {
    a: store,
    b: store,
    passTime: async (ms) => {
      now += ms;
    },
  };
});

test('MemoryStore: without a clock it uses Date.now', async () => {
  const store = new MemoryStore();
  assert.equal(await store.reserve([{ key: 'k', amount: 1, limit: 1, ttlMs: 60_000 }]), true);
  assert.deepEqual(await store.read(['k']), [{ used: 0, held: 1 }]);
});

test('MemoryStore: an entry lives until its expiry, not a millisecond less', async () => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  await store.reserve([{ key: 'k', amount: 1, limit: 5, ttlMs: 100 }]);
  now = 99;
  assert.deepEqual(await store.read(['k']), [{ used: 0, held: 1 }]);
  now = 100;
  assert.deepEqual(await store.read(['k']), [{ used: 0, held: 0 }]);
});

test('MemoryStore: expired entries are freed as writes go on', async () => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  for (let i = 0; i < 1000; i++) {
    await store.settle([{ key: `k${i}`, reserved: 0, actual: 1, ttlMs: 10 }]);
    await store.compareAndSet(`r${i}`, 0, 'x', 10);
    now += 20; // each entry has expired before the next is written
  }
  assert.ok(store.size <= 130, `entries held after 2000 writes, 2 alive at most: ${store.size}`);
  const live = new MemoryStore({ now: () => 0 });
  for (let i = 0; i < 1000; i++) await live.settle([{ key: `k${i}`, reserved: 0, actual: 1, ttlMs: 10 }]);
  assert.equal(live.size, 1000, 'nothing alive is freed');
});

test('MemoryStore: errors are StoreErrors', async () => {
  await assert.rejects(new MemoryStore().reserve([{ key: 'k', amount: 1, limit: 1, ttlMs: 0 }]), StoreError);
});
