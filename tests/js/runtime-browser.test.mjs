// Browser: headless Chromium (Debian's) driven by playwright-core loads
// examples/browser-demo served with the built package, and a "user" types
// keys, picks the models, points them at the fake provider on 127.0.0.1,
// asks, and reads the streamed answer, model, judge decision and cost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { PKG, assertBuilt } from './runtimes/consumer.mjs';
import { ACCEPTED, ESCALATED, KEYS, startFakeProvider } from './runtimes/fake-provider.mjs';
import { near } from './runtimes/expect.mjs';
import { serveDemo } from '../../examples/browser-demo/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const T = { timeout: 30_000 };
let fake;
let site;
let profile;
let context;
let page;
const problems = [];

before(async () => {
  assertBuilt();
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run \`bash scripts/setup.sh --browser\` (Debian's chromium) or set CHROMIUM_PATH`);
  }
  fake = await startFakeProvider();
  site = await serveDemo({ port: 0, packageDir: PKG });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cascade-edge-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Nothing but 127.0.0.1 resolves. (Not page.route(): with routing on,
      // Playwright answers CORS preflights itself and the test would miss them.)
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  await page.goto(site.url);
}, { timeout: 60_000 });

after(async () => {
  await context?.close().catch(() => {});
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  await site?.close();
  await fake?.stop();
});

/** What a user does: pick both tiers, point them at the fake, type keys and a question, press Ask. */
async function askAsUser(question) {
  await page.selectOption('#drafter-provider', 'openai');
  await page.fill('#drafter-model', 'gpt-4o-mini');
  await page.fill('#drafter-base', fake.url);
  await page.selectOption('#verifier-provider', 'anthropic');
  await page.fill('#verifier-model', 'claude-sonnet-4-5');
  await page.fill('#verifier-base', fake.url);
  await page.fill('#key-openai', KEYS.OPENAI_API_KEY);
  await page.fill('#key-anthropic', KEYS.ANTHROPIC_API_KEY);
  await page.fill('#question', question);
  await page.click('#ask');
  await page.waitForSelector('#status:is([data-state="done"], [data-state="error"])', { timeout: 20_000 });
  return page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    return {
      status: $('status').textContent,
      answer: $('answer').textContent,
      chunks: Number($('answer').dataset.chunks),
      model: $('model').textContent,
      decision: $('decision').textContent,
      accepted: $('decision').dataset.accepted,
      cost: Number($('cost').dataset.usd),
      saved: Number($('cost').dataset.saved),
      prices: $('prices').textContent,
    };
  });
}

const stored = () =>
  page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));

test('browser: the page loads the package and its wasm without errors', T, async () => {
  assert.equal(await page.title(), 'cascade-edge in your browser');
  assert.deepEqual(await stored(), { local: {}, session: {}, cookie: '' });
});

test('browser: an accepted draft streams from the drafter', T, async () => {
  fake.clear();
  const out = await askAsUser(ACCEPTED.question);
  assert.equal(out.status, 'done', out.status);
  assert.equal(out.answer, ACCEPTED.answer);
  assert.equal(out.model, ACCEPTED.model);
  assert.equal(out.accepted, 'true');
  assert.match(out.decision, /gpt-4o-mini's draft accepted/);
  near(out.cost, ACCEPTED.cost, 'cost');
  near(out.saved, ACCEPTED.savings, 'savings');
  assert.match(out.prices, /gpt-4o-mini: \$0\.15 in \/ \$0\.6 out/);
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions']);
  assert.equal(reqs[0].headers.authorization, `Bearer ${KEYS.OPENAI_API_KEY}`);
  assert.equal(reqs[0].headers['x-api-key'], undefined);
  assert.equal(reqs[0].headers.origin, new URL(site.url).origin, 'a real cross-origin browser request');
});

test('browser: a truncated draft is rejected and the verifier\'s answer streams in chunks', T, async () => {
  fake.clear();
  const out = await askAsUser(ESCALATED.question);
  assert.equal(out.status, 'done', out.status);
  assert.equal(out.answer, ESCALATED.answer);
  assert.ok(out.chunks > 1, `streamed in ${out.chunks} chunks`);
  assert.equal(out.model, ESCALATED.model);
  assert.equal(out.accepted, 'false');
  assert.match(out.decision, /gpt-4o-mini's draft rejected .* → escalated to claude-sonnet-4-5/);
  near(out.cost, ESCALATED.cost, 'cost');
  near(out.saved, ESCALATED.savings, 'savings');
  // Each key went to its own provider only, with what a browser call to it needs.
  const reqs = fake.requests();
  assert.deepEqual(reqs.map((r) => r.path), ['/v1/chat/completions', '/v1/messages']);
  const [openai, anthropic] = reqs.map((r) => r.headers);
  assert.equal(openai.authorization, `Bearer ${KEYS.OPENAI_API_KEY}`);
  assert.ok(!JSON.stringify(openai).includes(KEYS.ANTHROPIC_API_KEY));
  assert.equal(anthropic['x-api-key'], KEYS.ANTHROPIC_API_KEY);
  assert.equal(anthropic['anthropic-dangerous-direct-browser-access'], 'true');
  // Both were CORS requests the browser preflighted, asking for exactly these headers.
  const asked = Object.fromEntries(fake.preflights().map((p) => [p.path, p.headers['access-control-request-headers']]));
  assert.match(asked['/v1/chat/completions'] ?? '', /authorization/);
  assert.match(asked['/v1/messages'] ?? '', /anthropic-dangerous-direct-browser-access/);
  assert.ok(!JSON.stringify(anthropic).includes(KEYS.OPENAI_API_KEY));
});

test('browser: keys are kept in memory only, unless "remember on this device" is ticked', T, async () => {
  assert.deepEqual(await stored(), { local: {}, session: {}, cookie: '' }, 'nothing stored after two runs');
  await page.check('#remember');
  assert.deepEqual(JSON.parse((await stored()).local['cascade-edge-demo:keys']), {
    openai: KEYS.OPENAI_API_KEY,
    anthropic: KEYS.ANTHROPIC_API_KEY,
  });
  await page.reload();
  assert.equal(await page.inputValue('#key-openai'), KEYS.OPENAI_API_KEY, 'remembered keys come back');
  assert.equal(await page.isChecked('#remember'), true);
  await page.uncheck('#remember');
  assert.deepEqual((await stored()).local, {}, 'unticking deletes them');
  await page.reload();
  assert.equal(await page.inputValue('#key-openai'), '');
});

test('browser: no page errors or console warnings', () => {
  assert.deepEqual(problems, []);
});
