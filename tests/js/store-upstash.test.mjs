// UpstashStore over Upstash's REST protocol, against our own REST fake
// (helpers/upstash-fake.mjs) in front of a real redis-server: the contract
// from two store objects, the scripts it shares with RedisStore, its errors
// (never with the token), and the store bundled for Vercel Edge, run in
// @edge-runtime/vm.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createClient } from 'redis';
import { RedisStore, StoreError, UpstashStore } from './helpers/stores-pkg.mjs';
import { redisSkip, startRedis } from './helpers/redis-server.mjs';
import { startUpstashFake } from './helpers/upstash-fake.mjs';
import { storeContract } from './helpers/store-contract.mjs';
import { PKG, consumerProject } from './runtimes/consumer.mjs';
import { bundleForVercelEdge, packageInputs } from './runtimes/bundle.mjs';
import { edgeSandbox } from './runtimes/edge-vm.mjs';

const TOKEN = 'AXbcTOKEN-3f9a1c77e2d04b6b9e3aa0c1d2e3f4a5';
let server;
let fake;
let raw;

before(async () => {
  if (redisSkip) return;
  server = await startRedis();
  fake = await startUpstashFake({ redisUrl: server.url, token: TOKEN });
  raw = await createClient({ url: server.url }).connect();
}, { timeout: 30_000 });

after(async () => {
  if (raw?.isOpen) raw.destroy();
  await fake?.stop();
  await server?.stop();
});

const upstash = (options = {}) => new UpstashStore({ url: fake.url, token: TOKEN, prefix: 'up:', ...options });

storeContract(
  'UpstashStore',
  async () => ({ a: upstash(), b: upstash(), passTime: (ms) => new Promise((r) => setTimeout(r, ms)) }),
  { skip: redisSkip },
);

/** An error must never show the token, in its message, its cause's or its JSON. */
function assertNoSecret(err, ...secrets) {
  const seen = [err.message, err.cause?.message ?? '', err.cause?.cause?.message ?? '', JSON.stringify(err), String(err.stack)].join('\n');
  for (const s of secrets) assert.ok(!seen.includes(s), `"${s}" leaked into: ${seen}`);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

describe('UpstashStore: the REST wire, scripts and errors', { skip: redisSkip }, () => {
  test('each command is one POST of a JSON array to the REST URL, with the token as a Bearer header', async (t) => {
    const seen = [];
    const real = globalThis.fetch;
    t.after(() => void (globalThis.fetch = real));
    // Replaced after the store is made: the store must look fetch up at each call.
    const store = upstash();
    globalThis.fetch = async (url, init) => {
      seen.push({ url: String(url), method: init.method, headers: init.headers, body: JSON.parse(init.body) });
      return real(url, init);
    };
    assert.equal(await store.compareAndSet('wire', 0, 'v', 60_000), true);
    assert.deepEqual(await store.get('wire'), { value: 'v', version: 1 });
    assert.ok(seen.length >= 2, `${seen.length} requests`);
    for (const r of seen) {
      assert.equal(r.url, `${fake.url}/`);
      assert.equal(r.method, 'POST');
      assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.ok(Array.isArray(r.body) && r.body.every((a) => typeof a === 'string'), JSON.stringify(r.body));
    }
    assert.deepEqual(seen.at(-1).body, ['HMGET', 'up:r:wire', 'value', 'version']);
  });

  test('the same scripts and keys as RedisStore: one database, one set of counters', async () => {
    const sent = [];
    const viaRedis = new RedisStore({ sendCommand: (args) => (sent.push(args[0]), raw.sendCommand(args)) }, { prefix: 'up:' });
    await raw.sendCommand(['SCRIPT', 'FLUSH']);
    fake.clear();
    assert.equal(await upstash().reserve([{ key: 'both', amount: 6, limit: 10, ttlMs: 60_000 }]), true);
    assert.deepEqual(fake.commands(), ['EVALSHA', 'EVAL'], 'NOSCRIPT after a flush: sent once in full');
    assert.equal(await viaRedis.reserve([{ key: 'both', amount: 5, limit: 10, ttlMs: 60_000 }]), false, 'RedisStore sees the hold');
    assert.equal(await viaRedis.reserve([{ key: 'both', amount: 4, limit: 10, ttlMs: 60_000 }]), true);
    assert.deepEqual(sent, ['EVALSHA', 'EVALSHA'], 'and finds the script Upstash loaded: same source, same SHA');
    fake.clear();
    assert.deepEqual(await upstash().read(['both']), [{ used: 0, held: 10 }]);
  });

  test('a wrong token: a rejected StoreError with the status, never the token', async () => {
    const wrong = 'AXbcWRONG-0000111122223333444455556666';
    const err = await new UpstashStore({ url: fake.url, token: wrong }).reserve([{ key: 'k', amount: 1, limit: 1, ttlMs: 1000 }]).catch((e) => e);
    assert.ok(err instanceof StoreError, String(err));
    assert.match(err.message, /^UpstashStore: reserve failed: Unauthorized \(HTTP 401\)$/);
    assertNoSecret(err, wrong, TOKEN);
  });

  test('the token is masked even where the server repeats it, and a URL query is never shown', async (t) => {
    const echo = http.createServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `ERR bad request from ${req.headers.authorization}` }));
    });
    await new Promise((r) => echo.listen(0, '127.0.0.1', r));
    t.after(() => echo.close());
    const url = `http://127.0.0.1:${echo.address().port}/?_token=QUERYSECRET123456`;
    const err = await new UpstashStore({ url, token: TOKEN }).get('k').catch((e) => e);
    assert.match(err.message, /^UpstashStore: get failed: ERR bad request from Bearer \[token\] \(HTTP 400\)$/);
    assertNoSecret(err, TOKEN, 'QUERYSECRET123456');
  });

  test('nothing listening, or an answer that is not Upstash\'s: rejected StoreErrors that say so', async (t) => {
    const port = await freePort();
    const down = await new UpstashStore({ url: `http://127.0.0.1:${port}/?_token=QUERYSECRET123456`, token: TOKEN }).read(['k']).catch((e) => e);
    assert.ok(down instanceof StoreError);
    assert.match(down.message, new RegExp(`^UpstashStore: read failed: http://127\\.0\\.0\\.1:${port}/ could not be reached: .*ECONNREFUSED`));
    assertNoSecret(down, TOKEN, 'QUERYSECRET123456');

    const proxy = http.createServer((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    t.after(() => proxy.close());
    const html = await new UpstashStore({ url: `http://127.0.0.1:${proxy.address().port}`, token: TOKEN }).settle([
      { key: 'k', reserved: 1, actual: 1, ttlMs: 1000 },
    ]).catch((e) => e);
    assert.match(html.message, /^UpstashStore: settle failed: http:\/\/127\.0\.0\.1:\d+\/ answered HTTP 502 with a body that is not JSON$/);
  });

  test('the constructor refuses a missing token or URL, without showing them', () => {
    assert.throws(() => new UpstashStore({ url: fake.url, token: '' }), /UpstashStore: token: expected a non-empty string/);
    assert.throws(() => new UpstashStore({ url: 'not a url', token: TOKEN }), (e) => {
      assert.match(e.message, /UpstashStore: url: expected an absolute http\(s\) URL/);
      assertNoSecret(e, TOKEN, 'not a url');
      return true;
    });
    assert.throws(() => new UpstashStore({ url: 'ftp://x.test', token: TOKEN }), /url: expected an absolute http\(s\) URL/);
    assert.throws(() => new UpstashStore(undefined), StoreError);
  });
});

describe('UpstashStore on Vercel Edge', { skip: redisSkip }, () => {
  let project;
  let bundle;
  let vm;

  before(async () => {
    project = consumerProject('cascade-edge-upstash-edge-');
    fs.mkdirSync(path.join(project.dir, 'app'));
    fs.writeFileSync(
      path.join(project.dir, 'app/route.js'),
      `import { UpstashStore } from 'cascade-edge/stores';
export async function POST(request) {
  const { url, token, n } = await request.json();
  const store = new UpstashStore({ url, token, prefix: 'edge:' });
  const granted = await Promise.all(Array.from({ length: n }, () => store.reserve([{ key: 'k', amount: 1, limit: 5, ttlMs: 60000 }])));
  return Response.json({ granted: granted.filter(Boolean).length, read: await store.read(['k']) });
}
`,
    );
    bundle = await bundleForVercelEdge({ entry: path.join(project.dir, 'app/route.js'), outdir: path.join(project.dir, 'out'), globalName: 'route' });
    vm = await edgeSandbox({ ...bundle });
  }, { timeout: 60_000 });

  after(() => project?.cleanup());

  test('the stores entry bundles alone: no engine, no wasm', () => {
    const inputs = packageInputs(bundle.metafile, PKG);
    assert.ok(inputs.includes('dist/stores.js'), inputs.join(', '));
    for (const f of inputs) assert.match(f, /^dist\/(stores\.js|stores\/|store\.js)/, `the stores bundle pulled in ${f}`);
    assert.deepEqual(bundle.bindings, {});
  });

  test('reserves through the REST API from inside the sandbox, with its own fetch', async () => {
    const request = new vm.context.Request('http://edge.test/', {
      method: 'POST',
      body: JSON.stringify({ url: fake.url, token: TOKEN, n: 8 }),
    });
    const res = await vm.context.route.POST(request);
    assert.deepEqual(await res.json(), { granted: 5, read: [{ used: 0, held: 5 }] });
  });
});
