// evaluateCascade() and calibrate(): the judge measured and tuned on
// labelled drafts, offline; and the scripts/evaluate.mjs command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CascadeAgent, ConfigError, pkg } from './helpers/pkg.mjs';

const { evaluateCascade, calibrate } = pkg;

/** Right drafts show clean working; every third draft miscalculates; the verifier is always right. */
function records(n, { camel = false } = {}) {
  return Array.from({ length: n }, (_, i) => {
    const a = i + 3;
    const right = i % 3 !== 0;
    const total = right ? a * 7 : a * 7 + 5;
    const r = {
      query: `Sam buys ${a} boxes with 7 pens in each box. How many pens does he have?`,
      draft: `Each box has 7 pens, so ${a} * 7 = ${total}. He has ${total} pens.\n#### ${total}`,
      verifier: `${a} * 7 = ${a * 7}.\n#### ${a * 7}`,
    };
    return camel ? { ...r, draftCorrect: right, verifierCorrect: true } : { ...r, draft_correct: right, verifier_correct: true };
  });
}

const near = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('the documented shape, in snake_case or camelCase', () => {
  const e = evaluateCascade(records(30));
  assert.equal(e.count, 30);
  for (const k of ['cpt50', 'cpt80', 'apgr']) assert.equal(typeof e[k], 'number', k);
  assert.ok(e.apgr > 0.5, `APGR ${e.apgr}`);
  assert.ok(e.cpt50 >= 0 && e.cpt50 <= 1);
  const d = e.decision;
  for (const k of ['escalatedShare', 'quality', 'draftOnlyQuality', 'verifierOnlyQuality', 'costPerQuery',
    'verifierOnlyCostPerQuery', 'savingsPercentage', 'gapRecovered', 'draftOnlyCostPerQuery']) {
    assert.equal(typeof d[k], 'number', k);
  }
  near(d.draftOnlyQuality, 20 / 30, 'draft-only quality');
  assert.equal(d.verifierOnlyQuality, 1);
  assert.ok(d.quality > d.draftOnlyQuality, 'miscalculations are escalated');
  assert.ok(d.costPerQuery < d.verifierOnlyCostPerQuery);
  assert.deepEqual(e.prices.draft, { model: 'gpt-4o-mini', inputCost: 0.15, outputCost: 0.6 });
  assert.equal(e.curve, undefined);
  assert.deepEqual(evaluateCascade(records(30, { camel: true })), e);
});

test('a preset changes the decision, not the ranking', () => {
  const [strict, lax] = ['strict', 'cost-optimized'].map((p) => evaluateCascade(records(30), { quality: { preset: p } }));
  assert.equal(strict.apgr, lax.apgr);
  assert.ok(strict.decision.escalatedShare >= lax.decision.escalatedShare);
  const c = evaluateCascade(records(30), { quality: 'strict', curve: true }).curve;
  assert.ok(Array.isArray(c) && c.length >= 2);
  assert.deepEqual(Object.keys(c[0]).sort(), ['pgr', 'quality', 'share']);
});

test('dollars per query follow the given prices and token counts', () => {
  const e = evaluateCascade(records(12).map(({ verifier: _v, ...r }) => r), {
    prices: { draft: { inputCost: 1, outputCost: 2 }, verifier: { inputCost: 10, outputCost: 20 } },
    tokens: { input: 100, draft: 50, verifier: 40 },
  });
  const draft = (100 * 1 + 50 * 2) / 1e6;
  const verifier = (100 * 10 + 40 * 20) / 1e6;
  near(e.decision.draftOnlyCostPerQuery, draft, 'draft only');
  near(e.decision.verifierOnlyCostPerQuery, verifier, 'verifier only');
  near(e.decision.costPerQuery, draft + e.decision.escalatedShare * verifier, 'cascade');
  const named = evaluateCascade(records(3), { prices: { draft: 'claude-3-5-haiku-20241022', verifier: 'claude-sonnet-4' } });
  assert.equal(named.prices.draft.inputCost, 0.8);
  assert.equal(named.prices.verifier.outputCost, 15);
});

test('any iterable of records works', () => {
  function* gen() {
    yield* records(6);
  }
  assert.deepEqual(evaluateCascade(gen()), evaluateCascade(records(6)));
});

test('bad input is a ConfigError naming the field', () => {
  const bad = (fn, message) => assert.throws(fn, (e) => e instanceof ConfigError && e.code === 'E_CONFIG' && message.test(e.message));
  bad(() => evaluateCascade('x.jsonl'), /records: expected an array/);
  bad(() => evaluateCascade([]), /at least one record/);
  bad(() => evaluateCascade([null]), /records\[0\]: expected an object, got null/);
  bad(() => evaluateCascade([{ query: 'q', draft: 'd', verifier_correct: true }]), /records\[0\]\.draft_correct: required/);
  bad(() => evaluateCascade([{ query: 'q', draft: 'd', draft_correct: 'yes', verifier_correct: true }]), /draft_correct: expected true or false/);
  bad(() => evaluateCascade(records(2), { preset: 'strict' }), /options\.preset: unknown option/);
  bad(() => evaluateCascade(records(2), { prices: { draft: 'my-finetune' } }), /options\.prices\.draft: no known price/);
  bad(() => evaluateCascade(records(2), { quality: { threshold: 3 } }), /options\.quality\.threshold/);
  bad(() => evaluateCascade(records(2), 'strict'), /options: expected an object/);
  bad(() => calibrate(records(2), { targetQuality: 2 }), /options\.targetQuality/);
  bad(() => calibrate(records(2), { targetQuality: 0.9, extra: 1 }), /options\.extra: unknown option/);
});

test('calibrate: thresholds that reach the target, ready for the agent', () => {
  const recs = records(60);
  const c = calibrate(recs, { targetQuality: 0.9 });
  assert.equal(c.met, true);
  near(c.target, 0.9, 'target');
  assert.ok(c.reached.quality >= c.target);
  assert.ok(c.reached.escalatedShare <= c.global.escalatedShare);
  assert.deepEqual(Object.keys(c.thresholds), ['trivial', 'simple', 'moderate', 'hard', 'expert']);
  assert.equal(typeof c.threshold, 'number');
  assert.deepEqual(c.quality, { thresholds: c.thresholds });
  assert.equal(Object.values(c.counts).reduce((a, b) => a + b, 0), 60);
  // What evaluateCascade measures with these thresholds is what calibrate reported.
  const e = evaluateCascade(recs, { quality: c.quality });
  for (const k of Object.keys(c.reached)) assert.equal(e.decision[k], c.reached[k], k);
  // And an agent takes them as they are.
  const agent = new CascadeAgent({ models: [{ name: 'm', provider: { complete: () => '4' }, cost: 0.001 }], quality: c.quality });
  assert.ok(agent);
  // Full verifier quality: every miscalculation, and nothing else, escalated.
  const full = calibrate(recs, { targetQuality: 1 });
  assert.equal(full.reached.quality, 1);
  near(full.reached.escalatedShare, 20 / 60, 'escalated');
  assert.equal(calibrate(recs).targetQuality, 0.95);
});

const CLI = new URL('../../scripts/evaluate.mjs', import.meta.url).pathname;

test('scripts/evaluate.mjs prints the table, JSON, and errors with the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cascade-eval-'));
  try {
    const file = join(dir, 'labelled.jsonl');
    writeFileSync(file, `${records(60).map((r) => JSON.stringify(r)).join('\n')}\n`);
    const text = execFileSync(process.execPath, [CLI, file, '--preset', 'strict', '--target', '0.95'], { encoding: 'utf8' });
    for (const s of ['CPT(50%)', 'CPT(80%)', 'APGR', 'verifier only', 'cascade', 'gpt-4o-mini', 'calibrate(records, { targetQuality: 0.95 })', 'Held out', 'quality preset "strict"', 'cascade, strict', '(cascade, balanced)']) {
      assert.ok(text.includes(s), `missing ${s} in:\n${text}`);
    }
    const json = JSON.parse(execFileSync(process.execPath, [CLI, file, '--json', '--verifier-model', 'gpt-4.1'], { encoding: 'utf8' }));
    assert.equal(json.count, 60);
    assert.equal(json.prices.verifier.model, 'gpt-4.1');
    assert.deepEqual(json.decision, evaluateCascade(records(60), { prices: { verifier: 'gpt-4.1' } }).decision);

    const md = execFileSync(process.execPath, [CLI, file, '--markdown'], { encoding: 'utf8' });
    assert.match(md, /^## Judge on labelled data\n/);
    assert.match(md, /\| metric \| value \|\n\| --- \| ---: \|\n\| CPT\(50%\) \|/);

    writeFileSync(file, `${JSON.stringify(records(1)[0])}\n{oops\n`);
    const broken = spawnSync(process.execPath, [CLI, file], { encoding: 'utf8' });
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /labelled\.jsonl:2: not valid JSON/);
    const usage = spawnSync(process.execPath, [CLI, file, '--preset', 'yolo'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--preset: expected strict, balanced or cost-optimized/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
