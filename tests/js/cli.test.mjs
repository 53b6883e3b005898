// The bin: `cascade-edge ask` run as a user would (node on the package's
// bin file) against the fake provider on 127.0.0.1: the answer on stdout,
// progress and the decision table on stderr, --stream, --json, usage
// errors, and no key in anything it prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PKG, assertBuilt } from './runtimes/consumer.mjs';
import { ACCEPTED, ESCALATED, KEYS, startFakeProvider } from './runtimes/fake-provider.mjs';

const exec = promisify(execFile);
const T = { timeout: 30_000 };
let fake;
let bin;

before(async () => {
  assertBuilt();
  const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  bin = path.join(PKG, manifest.bin['cascade-edge']);
  fake = await startFakeProvider();
}, T);
after(async () => {
  await fake?.stop();
});

const MODELS = 'openai:gpt-4o-mini,anthropic:claude-sonnet-4-5';

async function cli(...args) {
  const r = await exec(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...KEYS }, timeout: 20_000 }).catch((e) => e);
  const out = { code: r.code ?? 0, stdout: r.stdout, stderr: r.stderr };
  for (const key of Object.values(KEYS)) {
    assert.ok(!out.stdout.includes(key) && !out.stderr.includes(key), 'no key in the output');
  }
  return out;
}

test('ask: the accepted draft on stdout, the decision table on stderr', T, async () => {
  const r = await cli('ask', ACCEPTED.question, '--models', MODELS, '--base-url', fake.url);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ACCEPTED.answer}\n`);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines.find((l) => l.startsWith('tier')), /tier\s+model\s+outcome\s+score\s+cost\s+ms\s+reason/);
  assert.match(r.stderr, /\n0\s+gpt-4o-mini\s+accepted\s+\d\.\d\d\s+\$0\.0000\d+/);
  assert.match(lines.at(-1), new RegExp(`^draft accepted: gpt-4o-mini, cost \\$${ACCEPTED.cost.toFixed(6)}`));
  assert.match(r.stderr, /… gpt-4o-mini → claude-sonnet-4-5/);
});

test('ask --stream: an escalation shows progress, and only the verifier\'s answer reaches stdout', T, async () => {
  const r = await cli('ask', ESCALATED.question, '--models', MODELS, '--base-url', fake.url, '--stream');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${ESCALATED.answer}\n`);
  assert.match(r.stderr, /… gpt-4o-mini: rejected/);
  assert.match(r.stderr, /… escalated to claude-sonnet-4-5/);
  assert.match(r.stderr.trim().split('\n').at(-1), /^escalated: claude-sonnet-4-5/);
});

test('ask --json: the whole result as JSON', T, async () => {
  const r = await cli('ask', ACCEPTED.question, '--models', MODELS, '--base-url', fake.url, '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.content, ACCEPTED.answer);
  assert.equal(result.modelUsed, 'gpt-4o-mini');
  assert.equal(result.attempts.length, 1);
});

test('usage errors exit with 2 and say what is wrong; a failed run exits with 1 and its code', T, async () => {
  const noModels = await cli('ask', 'hi');
  assert.equal(noModels.code, 2);
  assert.match(noModels.stderr, /--models is required/);
  const badSpec = await cli('ask', 'hi', '--models', 'gpt-4o-mini');
  assert.equal(badSpec.code, 2);
  assert.match(badSpec.stderr, /"gpt-4o-mini" is not provider:model/);
  const unknown = await cli('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"[\s\S]*cascade-edge ask/);
  const typo = await cli('ask', 'hi', '--models', 'opnai:gpt-4o-mini', '--base-url', fake.url);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /cascade-edge: E_CONFIG: .*opnai.*did you mean/);
});
