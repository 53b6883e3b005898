// The shipped types as TypeScript users meet them: provider ids are a
// literal union (a typo fails tsc, a name registered through the
// `RegisteredProviders` augmentation passes), a CommonJS project under
// `moduleResolution: node16` type-checks `require('cascade-edge')` (no
// TS1479), and the same project runs under Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, consumerProject } from './runtimes/consumer.mjs';

const exec = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules/.bin/tsc');

/** Run tsc in `dir`; `{ ok, out }` with every diagnostic line. */
async function tsc(dir) {
  const r = await exec(TSC, ['-p', dir], { cwd: dir }).catch((e) => e);
  return { ok: (r.code ?? 0) === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function tsconfig(dir, options, files) {
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false, ...options }, files }),
  );
}

test('types: a misspelt provider id fails tsc; built-in and registered ones pass', { timeout: 60_000 }, async (t) => {
  const project = consumerProject('cascade-edge-provider-types-');
  t.after(project.cleanup);
  tsconfig(project.dir, { noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext' }, ['good.ts', 'bad.ts']);
  fs.writeFileSync(
    path.join(project.dir, 'good.ts'),
    `import { CascadeAgent, registerProvider, type ModelConfig } from 'cascade-edge';
declare module 'cascade-edge' {
  interface RegisteredProviders { 'my-llm': true }
}
registerProvider('my-llm', { complete: () => 'hi' });
const models: ModelConfig[] = [
  { name: 'gpt-4o-mini', provider: 'openai' },
  { name: 'local', provider: 'my-llm' },
  { name: 'inline', provider: { complete: () => 'ok' } },
];
export const agent = new CascadeAgent(models);
`,
  );
  fs.writeFileSync(
    path.join(project.dir, 'bad.ts'),
    `import type { ModelConfig } from 'cascade-edge';
export const typo: ModelConfig = { name: 'gpt-4o-mini', provider: 'opnai' };
`,
  );
  const r = await tsc(project.dir);
  assert.equal(r.ok, false, 'tsc must refuse the typo');
  const errors = r.out.split('\n').filter((l) => /error TS/.test(l));
  assert.equal(errors.length, 1, r.out);
  assert.match(errors[0], /^bad\.ts\(2,.*'"opnai"' is not assignable/, r.out);
});

test('types: a CommonJS project (module/moduleResolution node16) type-checks require() and runs', { timeout: 60_000 }, async (t) => {
  const project = consumerProject('cascade-edge-cjs-types-');
  t.after(project.cleanup);
  fs.writeFileSync(path.join(project.dir, 'package.json'), JSON.stringify({ name: 'cjs-consumer', private: true, type: 'commonjs' }));
  tsconfig(project.dir, { module: 'node16', moduleResolution: 'node16', outDir: 'out' }, ['main.ts']);
  fs.writeFileSync(
    path.join(project.dir, 'main.ts'),
    `import { CascadeAgent, CascadeError, scoreDraft, type CascadeResult } from 'cascade-edge';
const agent = new CascadeAgent([{ name: 'gpt-4o-mini', provider: 'openai', apiKey: 'sk-test' }]);
export function used(r: CascadeResult): string { return r.modelUsed; }
const verdict = scoreDraft('What is 2+2?', '4');
console.log(JSON.stringify({ models: agent.models.length, accepted: typeof verdict.accepted, error: new CascadeError('E_CONFIG', 'x').code }));
`,
  );
  const r = await tsc(project.dir);
  assert.ok(r.ok, `tsc reported:\n${r.out}`);
  const js = fs.readFileSync(path.join(project.dir, 'out/main.js'), 'utf8');
  assert.match(js, /require\("cascade-edge"\)/, 'emitted as CommonJS');
  const { stdout } = await exec(process.execPath, ['out/main.js'], { cwd: project.dir, env: { PATH: process.env.PATH } });
  assert.deepEqual(JSON.parse(stdout), { models: 1, accepted: 'boolean', error: 'E_CONFIG' });
});
