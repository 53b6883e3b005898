// RedisStore against a real redis-server (Debian's, started on a free
// 127.0.0.1 port by the test) through the official node-redis client: the
// contract from two connections, then the key layout, the script cache and
// the errors.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { RedisStore, StoreError } from './helpers/stores-pkg.mjs';
import { redisSkip, startRedis } from './helpers/redis-server.mjs';
import { storeContract } from './helpers/store-contract.mjs';

let server;
let raw; // a plain client, to look at what the store wrote
const clients = [];

async function connect() {
  const c = await createClient({ url: server.url }).connect();
  clients.push(c);
  return c;
}

before(async () => {
  if (redisSkip) return;
  server = await startRedis();
  raw = await connect();
}, { timeout: 30_000 });

after(async () => {
  for (const c of clients) if (c.isOpen) c.destroy();
  await server?.stop();
});

storeContract(
  'RedisStore',
  async () => ({
    a: new RedisStore(await connect(), { prefix: 'contract:' }),
    b: new RedisStore(await connect(), { prefix: 'contract:' }),
    passTime: (ms) => new Promise((r) => setTimeout(r, ms)),
  }),
  { skip: redisSkip },
);

describe('RedisStore: keys, scripts and errors', { skip: redisSkip }, () => {
  test('counters are hashes {used, held} under <prefix>c:, records {value, version} under <prefix>r:, with a ttl', async () => {
    const store = new RedisStore(await connect(), { prefix: 'layout:' });
    assert.equal(await store.reserve([{ key: 'day', amount: 5, limit: 10, ttlMs: 60_000 }]), true);
    assert.deepEqual({ ...(await raw.hGetAll('layout:c:day')) }, { held: '5' });
    const ttl = await raw.pTTL('layout:c:day');
    assert.ok(ttl > 0 && ttl <= 60_000, `pttl ${ttl}`);
    await store.settle([{ key: 'day', reserved: 5, actual: 3, ttlMs: 120_000 }]);
    assert.deepEqual({ ...(await raw.hGetAll('layout:c:day')) }, { held: '0', used: '3' });
    assert.ok((await raw.pTTL('layout:c:day')) > 60_000, 'a longer ttl lengthens the key');
    assert.equal(await store.compareAndSet('breaker', 0, 'open', 30_000), true);
    assert.deepEqual({ ...(await raw.hGetAll('layout:r:breaker')) }, { value: 'open', version: '1' });
    const rttl = await raw.pTTL('layout:r:breaker');
    assert.ok(rttl > 0 && rttl <= 30_000, `pttl ${rttl}`);
  });

  test('the default prefix is cascade:, and stores with other prefixes do not see each other', async () => {
    const client = await connect();
    const plain = new RedisStore(client);
    const other = new RedisStore(client, { prefix: 'tenant-b:' });
    assert.equal(await plain.reserve([{ key: 'shared-name', amount: 7, limit: 7, ttlMs: 60_000 }]), true);
    assert.deepEqual({ ...(await raw.hGetAll('cascade:c:shared-name')) }, { held: '7' });
    assert.equal(await other.reserve([{ key: 'shared-name', amount: 7, limit: 7, ttlMs: 60_000 }]), true);
    assert.deepEqual(await other.read(['shared-name']), [{ used: 0, held: 7 }]);
  });

  test('scripts go by EVALSHA; after SCRIPT FLUSH one EVAL puts each back', async () => {
    const client = await connect();
    const sent = [];
    const store = new RedisStore({ sendCommand: (args) => (sent.push(args[0]), client.sendCommand(args)) }, { prefix: 'sha:' });
    const R = [{ key: 'k', amount: 1, limit: 10, ttlMs: 60_000 }];
    await store.reserve(R);
    sent.length = 0;
    await store.reserve(R);
    assert.deepEqual(sent, ['EVALSHA'], 'a cached script is not sent again');
    await raw.sendCommand(['SCRIPT', 'FLUSH']);
    sent.length = 0;
    assert.equal(await store.reserve(R), true);
    assert.deepEqual(sent, ['EVALSHA', 'EVAL']);
    sent.length = 0;
    await store.reserve(R);
    assert.deepEqual(sent, ['EVALSHA']);
    assert.deepEqual(await store.read(['k']), [{ used: 0, held: 4 }]);
    assert.deepEqual(sent, ['EVALSHA', 'EVALSHA', 'EVAL'], 'the read script was flushed too');
  });

  test('a closed client: every call is a rejected StoreError that says why', async () => {
    const client = await connect();
    const store = new RedisStore(client);
    client.destroy();
    for (const call of [
      () => store.reserve([{ key: 'k', amount: 1, limit: 1, ttlMs: 1000 }]),
      () => store.settle([{ key: 'k', reserved: 1, actual: 1, ttlMs: 1000 }]),
      () => store.read(['k']),
      () => store.get('k'),
      () => store.compareAndSet('k', 0, 'v', 1000),
    ]) {
      await assert.rejects(call(), (err) => {
        assert.ok(err instanceof StoreError);
        assert.match(err.message, /^RedisStore: (reserve|settle|read|get|compareAndSet) failed: .*closed/i);
        assert.ok(err.cause, 'the client error is kept as the cause');
        return true;
      });
    }
  });

  test('a key that is not ours (a string where a hash is, a hash of words) is an error, not a zero', async () => {
    const store = new RedisStore(await connect(), { prefix: 'foreign:' });
    await raw.set('foreign:c:str', 'hello');
    await assert.rejects(store.reserve([{ key: 'str', amount: 1, limit: 10, ttlMs: 1000 }]), /RedisStore: reserve failed: .*WRONGTYPE/);
    await raw.hSet('foreign:c:words', { used: 'many', held: '0' });
    await assert.rejects(store.read(['words']), /RedisStore: read: the stored value is not a count/);
    await raw.hSet('foreign:r:rec', { value: 'x', version: 'one' });
    await assert.rejects(store.get('rec'), /RedisStore: get: the stored value is not a count/);
  });

  test('the constructor refuses what is not a client', () => {
    assert.throws(() => new RedisStore({}), /RedisStore: expected a connected node-redis client/);
    assert.throws(() => new RedisStore(undefined), StoreError);
    assert.throws(() => new RedisStore({ sendCommand() {} }, { prefix: 5 }), /prefix: expected a string/);
  });
});

test('RedisStore without Web Crypto (no SHA-1 to send): each script goes in full by EVAL', { timeout: 30_000 }, async () => {
  // A fresh process: this one has the SHAs cached already.
  const script = `
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    const { RedisStore } = await import(${JSON.stringify(new URL('./helpers/stores-pkg.mjs', import.meta.url).href)});
    const sent = [];
    const store = new RedisStore({ sendCommand: async (args) => (sent.push(args[0]), 1) });
    const ok = await store.reserve([{ key: 'k', amount: 1, limit: 1, ttlMs: 1000 }]);
    console.log(JSON.stringify({ crypto: typeof globalThis.crypto, ok, sent }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout), { crypto: 'undefined', ok: true, sent: ['EVAL'] });
});
