// The stores' shipped types, as a TypeScript user sees them: a consumer .ts
// importing `cascade-edge/stores` (through the package's exports map)
// type-checks under `strict` with the official node-redis client's own
// types, passes each store as an agent's `store`, and misuse is an error;
// and a Worker checks against the Workers runtime types that `wrangler
// types` generates (its DurableObjectNamespace, DurableObjectState).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, consumerProject } from './runtimes/consumer.mjs';

const exec = promisify(execFile);

test('types: a strict consumer of cascade-edge/stores type-checks, and misuse does not', { timeout: 60_000 }, async (t) => {
  const project = consumerProject('cascade-edge-store-types-');
  t.after(project.cleanup);
  // The user's own Redis client, with its own types.
  for (const dep of ['redis', '@redis']) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(project.dir, 'node_modules', dep), 'dir');
  }
  fs.writeFileSync(
    path.join(project.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        types: [],
        skipLibCheck: true, // node-redis's own .d.ts are not ours to check
      },
      files: ['consumer.ts'],
    }),
  );
  fs.writeFileSync(
    path.join(project.dir, 'consumer.ts'),
    `import { CascadeAgent, type CascadeStore } from 'cascade-edge';
import {
  MemoryStore,
  RedisStore,
  UpstashStore,
  DurableObjectStore,
  CascadeStateObject,
  StoreError,
  type StoreCounter,
  type DurableObjectNamespaceLike,
  type DurableObjectStateLike,
} from 'cascade-edge/stores';
import { createClient } from 'redis';

const models = [{ name: 'gpt-4o-mini', provider: 'openai' as const }];

export async function node(): Promise<StoreCounter[]> {
  const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
  const store: CascadeStore = new RedisStore(client, { prefix: 'app:' });
  new CascadeAgent({ models, budget: { daily: 5 }, store, storeTimeoutMs: 500 });
  return store.read(['k']);
}

export function edge(env: { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string }): CascadeAgent {
  const store = new UpstashStore({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
  return new CascadeAgent({ models, budget: { daily: 5 }, store });
}

export function worker(env: { CASCADE_STATE: DurableObjectNamespaceLike }): CascadeAgent {
  return new CascadeAgent({ models, store: new DurableObjectStore(env.CASCADE_STATE, { name: 'budgets' }) });
}

export class MyState extends CascadeStateObject {
  constructor(state: DurableObjectStateLike) {
    super(state);
  }
}

export const shared: CascadeStore = new MemoryStore({ now: () => 0 });
export const size: number = new MemoryStore().size;
export function describe(e: unknown): string {
  return e instanceof StoreError ? e.message : String(e);
}

// The types are real, not \\\`any\\\`:
// @ts-expect-error UpstashStore needs a token
new UpstashStore({ url: 'https://x.upstash.io' });
// @ts-expect-error amounts are numbers
shared.reserve([{ key: 'k', amount: '1', limit: 1, ttlMs: 1 }]);
// @ts-expect-error RedisStore takes a client, not a URL
new RedisStore('redis://127.0.0.1:6379');
`,
  );
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const r = await exec(tsc, ['-p', project.dir], { cwd: project.dir }).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
});

test('types: a Worker written against `wrangler types` output uses the binding, the state and the class as they are', { timeout: 60_000 }, async (t) => {
  const project = consumerProject('cascade-edge-worker-types-');
  t.after(project.cleanup);
  fs.writeFileSync(
    path.join(project.dir, 'wrangler.toml'),
    `name = "typed"
main = "src/index.ts"
compatibility_date = "2026-04-01"
[vars]
OPENAI_API_KEY = "set as a secret in real life"
[[durable_objects.bindings]]
name = "CASCADE_STATE"
class_name = "CascadeStateObject"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["CascadeStateObject"]
`,
  );
  fs.mkdirSync(path.join(project.dir, 'src'));
  fs.writeFileSync(
    path.join(project.dir, 'src/index.ts'),
    `import { CascadeAgent } from 'cascade-edge';
import { CascadeStateObject, DurableObjectStore } from 'cascade-edge/stores';

export { CascadeStateObject };

/** A subclass built from the runtime's own DurableObjectState. */
export class Audited extends CascadeStateObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const store = new DurableObjectStore(env.CASCADE_STATE, { name: 'budgets' });
    const agent = new CascadeAgent({ models: [{ name: 'gpt-4o-mini', provider: 'openai', apiKey: env.OPENAI_API_KEY }], budget: { daily: 1 }, store });
    const r = await agent.run(await request.text());
    return Response.json({ answer: r.content, held: (await store.read(['k']))[0].held });
  },
} satisfies ExportedHandler<Env>;
`,
  );
  const wrangler = path.join(ROOT, 'node_modules/.bin/wrangler');
  await exec(wrangler, ['types'], { cwd: project.dir, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }, timeout: 60_000 });
  fs.writeFileSync(
    path.join(project.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ES2022',
        moduleResolution: 'Bundler',
        lib: ['ES2022'], // no DOM: the Workers runtime types stand in for it
        types: [],
        skipLibCheck: true,
      },
      files: ['worker-configuration.d.ts', 'src/index.ts'],
    }),
  );
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const r = await exec(tsc, ['-p', project.dir], { cwd: project.dir }).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
});
