// The npm package as a user gets it: `npm pack` pkg/, install the tarball
// into a fresh project outside the repo, import it from Node ESM and run a
// cascade against the fake provider, and type-check a consumer under
// `strict` against the shipped types.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PKG, ROOT, assertBuilt } from './runtimes/consumer.mjs';
import { ACCEPTED, ESCALATED, KEYS, startFakeProvider } from './runtimes/fake-provider.mjs';
import { checkAnswer, checkStreamEvents } from './runtimes/expect.mjs';

const exec = promisify(execFile);
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
let fake;
let work;
let project;
let packed;

before(async () => {
  assertBuilt();
  fake = await startFakeProvider();
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cascade-edge-pack-')));
  assert.ok(!work.startsWith(ROOT), 'the consumer project lives outside the repo');
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: PKG, env: NPM_ENV });
  packed = JSON.parse(stdout)[0];
  project = path.join(work, 'app');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(work, packed.filename)], {
    cwd: project,
    env: NPM_ENV,
    timeout: 60_000,
  });
}, { timeout: 120_000 });

after(async () => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  await fake?.stop();
});

test('pack: the tarball holds the entries, the types and the wasm, nothing else', () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/index.d.ts',
    'dist/node.js',
    'dist/workerd.js',
    'dist/edge.js',
    'dist/browser.js',
    'dist/wasm/cascade_edge.js',
    'dist/wasm/cascade_edge_bg.wasm',
  ]) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  for (const f of files) {
    assert.match(f, /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.c?ts|wasm))$/, `unexpected file in the tarball: ${f}`);
  }
  assert.ok(!files.includes('dist/wasm/package.json'), "wasm-bindgen's own package.json is not shipped");
  assert.equal(packed.entryCount, files.length);
});

test('pack: the shipped README\'s code samples are valid JavaScript', async () => {
  const { transform } = await import('esbuild');
  const readme = fs.readFileSync(path.join(project, 'node_modules/cascade-edge/README.md'), 'utf8');
  const samples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(samples.length >= 5, `${samples.length} samples`);
  for (const code of samples) await transform(code, { loader: 'js', format: 'esm' });
});

test('pack: package.json exports the runtime entries in resolution order', () => {
  const pj = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/cascade-edge/package.json'), 'utf8'));
  assert.equal(pj.name, 'cascade-edge');
  assert.equal(pj.private, undefined);
  assert.equal(pj.type, 'module');
  const conditions = Object.keys(pj.exports['.']);
  assert.equal(conditions[0], 'types');
  assert.equal(conditions.at(-1), 'default');
  const at = (c) => conditions.indexOf(c);
  // Bundlers take the first listed condition they know. Next.js's edge build
  // knows both "edge-light" and "worker", so "edge-light" must come first;
  // wrangler knows "workerd" and "worker", so "workerd" must come first.
  assert.ok(at('workerd') < at('worker') && at('edge-light') < at('worker'), conditions.join(' '));
  assert.ok(at('worker') < at('node') && at('node') < at('browser'), conditions.join(' '));
  // Every file named, the nested `types` conditions (require / default) included.
  const targets = (v) => (typeof v === 'string' ? [v] : Object.values(v).flatMap(targets));
  for (const target of targets(pj.exports)) {
    assert.ok(fs.existsSync(path.join(project, 'node_modules/cascade-edge', target)), target);
  }
});

test('pack: the installed package runs a cascade from Node ESM', { timeout: 30_000 }, async () => {
  fs.writeFileSync(
    path.join(project, 'main.mjs'),
    `import { CascadeAgent } from 'cascade-edge';
const agent = new CascadeAgent([
  { name: 'gpt-4o-mini', provider: 'openai', baseUrl: process.env.BASE_URL, inputCost: 0.15, outputCost: 0.6 },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', baseUrl: process.env.BASE_URL, inputCost: 3, outputCost: 15 },
]);
const brief = (r) => ({ answer: r.content, model: r.modelUsed, cost: r.totalCost, savings: r.costSaved });
const accepted = brief(await agent.run(${JSON.stringify(ACCEPTED.question)}));
const escalated = brief(await agent.run(${JSON.stringify(ESCALATED.question)}));
const events = [];
for await (const e of agent.stream(${JSON.stringify(ESCALATED.question)})) events.push(e);
console.log(JSON.stringify({ accepted, escalated, events }));
`,
  );
  const { stdout } = await exec(process.execPath, ['main.mjs'], {
    cwd: project,
    env: { PATH: process.env.PATH, ...KEYS, BASE_URL: fake.url },
    timeout: 30_000,
  });
  const out = JSON.parse(stdout);
  checkAnswer(out.accepted, ACCEPTED);
  checkAnswer(out.escalated, ESCALATED);
  checkStreamEvents(out.events, ESCALATED);
});

test('pack: a consumer .ts type-checks under strict against the shipped types', { timeout: 60_000 }, async () => {
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        types: [],
        skipLibCheck: false, // check the shipped .d.ts files too
      },
      files: ['consumer.ts'],
    }),
  );
  fs.writeFileSync(
    path.join(project, 'consumer.ts'),
    `import {
  CascadeAgent,
  CascadeError,
  RateLimitError,
  scoreDraft,
  type CascadeResult,
  type ModelConfig,
  type StreamEvent,
} from 'cascade-edge';

const models: ModelConfig[] = [
  { name: 'gpt-4o-mini', provider: 'openai', inputCost: 0.15, outputCost: 0.6 },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', headers: { 'anthropic-dangerous-direct-browser-access': 'true' } },
];
const agent = new CascadeAgent({ models, quality: { threshold: 0.6 }, env: { OPENAI_API_KEY: 'k' } });

export async function answer(q: string): Promise<{ text: string; model: string; cost: number | null }> {
  const r: CascadeResult = await agent.run(q, { maxTokens: 200, timeoutMs: 10_000 });
  const accepted: boolean = r.draftAccepted;
  return { text: accepted ? r.content : r.content.trim(), model: r.modelUsed, cost: r.totalCost };
}

export async function streamed(q: string): Promise<string> {
  let text = '';
  for await (const e of agent.stream(q, { mode: 'live' })) {
    const ev: StreamEvent = e;
    if (ev.type === 'chunk') text += ev.text;
    else if (ev.type === 'draftDecision') text += ev.accepted ? '' : \`[\${ev.reason}]\`;
    else if (ev.type === 'complete') return ev.result.content;
    else if (ev.type === 'error') throw ev.error;
  }
  return text;
}

export function sse(q: string): Response {
  return agent.stream(q).toSSEResponse({ headers: { 'x-cascade': '1' } });
}

export function describe(e: unknown): string {
  if (e instanceof RateLimitError) return \`retry in \${e.retryAfterMs ?? 0} ms\`;
  if (e instanceof CascadeError) return \`\${e.code}: \${e.message} (\${e.attempts.length} attempts)\`;
  return String(e);
}

export const score: number = scoreDraft('2+2?', '4').score;

// The types are real, not \`any\`:
// @ts-expect-error a model needs a name
export const bad: ModelConfig = { provider: 'openai' };
// @ts-expect-error stream modes are 'buffered' | 'live'
agent.stream('q', { mode: 'fast' });
`,
  );
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const r = await exec(tsc, ['-p', project], { cwd: project }).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
});
