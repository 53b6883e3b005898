// Node 20: examples/node/ask.mjs, run as a user would (a project whose
// node_modules holds the package), against the fake provider on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, consumerProject } from './runtimes/consumer.mjs';
import { ACCEPTED, ESCALATED, KEYS, startFakeProvider } from './runtimes/fake-provider.mjs';
import { checkAnswer, near } from './runtimes/expect.mjs';

const run = promisify(execFile);
let fake;
let project;

before(async () => {
  fake = await startFakeProvider();
  project = consumerProject('cascade-edge-node-');
  fs.copyFileSync(path.join(ROOT, 'examples/node/ask.mjs'), path.join(project.dir, 'ask.mjs'));
}, { timeout: 30_000 });
after(async () => {
  project?.cleanup();
  await fake?.stop();
});

function ask(...args) {
  return run(process.execPath, ['ask.mjs', ...args], {
    cwd: project.dir,
    timeout: 30_000,
    env: { PATH: process.env.PATH, ...KEYS, OPENAI_BASE_URL: fake.url, ANTHROPIC_BASE_URL: fake.url },
  });
}

test(`node ${process.versions.node}: the example runs on Node >= 20`, () => {
  assert.ok(Number(process.versions.node.split('.')[0]) >= 20);
});

test('node: an accepted draft is answered by the drafter alone', { timeout: 30_000 }, async () => {
  fake.clear();
  const { stdout } = await ask(ACCEPTED.question);
  checkAnswer(JSON.parse(stdout), ACCEPTED);
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions']);
  assert.equal(reqs[0].headers.authorization, `Bearer ${KEYS.OPENAI_API_KEY}`, 'the key comes from OPENAI_API_KEY');
});

test('node: a truncated draft escalates to the verifier', { timeout: 30_000 }, async () => {
  fake.clear();
  const { stdout } = await ask(ESCALATED.question);
  checkAnswer(JSON.parse(stdout), ESCALATED);
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions', '/v1/messages']);
  assert.equal(reqs[1].headers['x-api-key'], KEYS.ANTHROPIC_API_KEY, 'the key comes from ANTHROPIC_API_KEY');
  assert.equal(reqs[1].headers.authorization, undefined, 'the OpenAI key is not sent to Anthropic');
  assert.equal(reqs[1].headers['anthropic-dangerous-direct-browser-access'], undefined, 'browser-only header');
});

test('node: --stream prints the escalated answer, never the draft', { timeout: 30_000 }, async () => {
  const { stdout, stderr } = await ask('--stream', ESCALATED.question);
  assert.equal(stdout, `${ESCALATED.answer}\n`);
  const summary = JSON.parse(stderr.trim().split('\n').at(-1));
  assert.equal(summary.model, ESCALATED.model);
  near(summary.cost, ESCALATED.cost, 'cost');
  near(summary.savings, ESCALATED.savings, 'savings');
});
