#!/usr/bin/env node
// Measure the judge as a cascade router on a labelled JSONL file, with no
// model call. Needs the built package (bash scripts/build.sh).
//
//   node scripts/evaluate.mjs FILE.jsonl [--preset strict|balanced|cost-optimized]
//        [--draft-model NAME] [--verifier-model NAME] [--target 0.95] [--json | --markdown]
//
// Each line: {query, draft, verifier?, draft_correct, verifier_correct}.
// Prints CPT(50%), CPT(80%), APGR, and what the judge's own decision
// reaches and costs per query against the verifier alone (default prices:
// gpt-4o-mini drafts, gpt-4o verifies). --target also runs calibrate(),
// and checks it on held-out data: calibrated on one half of the lines,
// measured on the other. --markdown prints the same as a Markdown section
// (what bench/RESULTS-judge.md holds).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const USAGE = `usage: node scripts/evaluate.mjs FILE.jsonl [--preset strict|balanced|cost-optimized]
       [--draft-model NAME] [--verifier-model NAME] [--target SHARE] [--json | --markdown]`;

function fail(msg, code = 2) {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const out = { file: undefined, preset: 'balanced', draftModel: 'gpt-4o-mini', verifierModel: 'gpt-4o', json: false, markdown: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) fail(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--json') out.json = true;
    else if (a === '--markdown') out.markdown = true;
    else if (a === '--preset') out.preset = value();
    else if (a === '--draft-model') out.draftModel = value();
    else if (a === '--verifier-model') out.verifierModel = value();
    else if (a === '--target') out.target = Number(value());
    else if (a === '-h' || a === '--help') fail(USAGE, 0);
    else if (a.startsWith('--')) fail(`unknown option ${a}\n${USAGE}`);
    else if (out.file === undefined) out.file = a;
    else fail(`one file at a time\n${USAGE}`);
  }
  if (!out.file) fail(USAGE);
  if (!['strict', 'balanced', 'cost-optimized'].includes(out.preset)) {
    fail(`--preset: expected strict, balanced or cost-optimized, got ${out.preset}`);
  }
  if (out.target !== undefined && !(out.target > 0 && out.target <= 1)) fail('--target: expected a share in (0, 1], e.g. 0.95');
  return out;
}

function readRecords(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`${file}: ${e.message}`, 1);
  }
  const records = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line));
    } catch (e) {
      fail(`${file}:${i + 1}: not valid JSON (${e.message})`, 1);
    }
  });
  if (records.length === 0) fail(`${file}: no records`, 1);
  return records;
}

async function loadPackage() {
  const dir = new URL('../pkg/', import.meta.url);
  if (!existsSync(new URL('package.json', dir))) fail('pkg/ is not built: run `bash scripts/build.sh` first', 1);
  const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
  const pkg = await import(new URL(manifest.exports['.'].node, dir).href);
  if (typeof pkg.evaluateCascade !== 'function') fail('pkg/ predates evaluateCascade: rebuild with `bash scripts/build.sh`', 1);
  return pkg;
}

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const usd = (x) => `$${x.toFixed(6)}`;
const perK = (x) => `$${(x * 1000).toFixed(3)}`;
const saved = (x) => `${x.toFixed(1)}%`;

/** Plain columns for a terminal, or a Markdown table. */
function table(rows, markdown) {
  if (markdown) {
    const line = (r) => `| ${r.join(' | ')} |`;
    return [line(rows[0]), line(rows[0].map((_, c) => (c === 0 ? '---' : '---:'))), ...rows.slice(1).map(line)].join('\n');
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('   '))
    .join('\n');
}

function priceLabel(p) {
  return `${p.model ?? 'custom'} ($${p.inputCost}/$${p.outputCost} per 1M in/out)`;
}

/** Calibrate on one half of the records (alternate lines), measure on the other. */
function heldOut(records, target, prices) {
  const halves = [records.filter((_, i) => i % 2 === 0), records.filter((_, i) => i % 2 === 1)];
  return [[0, 1], [1, 0]].map(([fit, test]) => {
    const c = calibrate(halves[fit], { targetQuality: target, prices });
    const e = evaluateCascade(halves[test], { quality: c.quality, prices });
    return { fit: c.reached, test: e.decision, aim: target * e.decision.verifierOnlyQuality };
  });
}

const args = parseArgs(process.argv.slice(2));
const records = readRecords(args.file);
const { evaluateCascade, calibrate } = await loadPackage();
const prices = { draft: args.draftModel, verifier: args.verifierModel };
const PRESETS = ['strict', 'balanced', 'cost-optimized'];
let ev;
let others = [];
let cal;
let split;
try {
  ev = evaluateCascade(records, { quality: { preset: args.preset }, prices });
  others = PRESETS.filter((p) => p !== args.preset).map((p) => [p, evaluateCascade(records, { quality: { preset: p }, prices }).decision]);
  if (args.target !== undefined) {
    cal = calibrate(records, { targetQuality: args.target, prices });
    if (records.length >= 40) split = heldOut(records, args.target, prices);
  }
} catch (e) {
  fail(`${e.code ?? 'error'}: ${e.message}`, 1);
}

if (args.json) {
  process.stdout.write(`${JSON.stringify({ ...ev, ...(cal && { calibration: cal, heldOut: split }) }, null, 2)}\n`);
  process.exit(0);
}

const md = args.markdown;
const d = ev.decision;
const out = [];
const head = (text) => out.push('', md ? `### ${text}` : `${text}:`, '');
if (md) {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    /* not a git checkout */
  }
  const given = process.argv.slice(2).join(' ');
  out.push('## Judge on labelled data', '');
  out.push(`Command: \`node scripts/evaluate.mjs ${given}\` (after \`bash scripts/build.sh\`).`);
  out.push(`Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; commit ${commit} (plus any uncommitted changes in the tree).`, '');
}
out.push(`${basename(args.file)}: ${ev.count} records, judged offline (no model calls).`);
out.push(`Prices: draft ${priceLabel(ev.prices.draft)}, verifier ${priceLabel(ev.prices.verifier)}; tokens estimated from the text.`);
head('Ranking by 1 - judge score (RouteLLM metrics; random ≈ 50% / 0.5, oracle ≈ 1.0)');
out.push(table([
  ['metric', 'value'],
  ['CPT(50%)', pct(ev.cpt50)],
  ['CPT(80%)', pct(ev.cpt80)],
  ['APGR', ev.apgr === null ? 'n/a' : ev.apgr.toFixed(3)],
], md));
head(`At the judge's own decision (quality preset "${args.preset}"; the other presets for comparison)`);
out.push(table([
  ['policy', 'escalated', 'quality', '$ / query', '$ / 1K queries'],
  ['draft only', pct(0), pct(d.draftOnlyQuality), usd(d.draftOnlyCostPerQuery), perK(d.draftOnlyCostPerQuery)],
  [`cascade, ${args.preset}`, pct(d.escalatedShare), pct(d.quality), usd(d.costPerQuery), perK(d.costPerQuery)],
  ...others.map(([p, o]) => [`(cascade, ${p})`, pct(o.escalatedShare), pct(o.quality), usd(o.costPerQuery), perK(o.costPerQuery)]),
  ['verifier only', pct(1), pct(d.verifierOnlyQuality), usd(d.verifierOnlyCostPerQuery), perK(d.verifierOnlyCostPerQuery)],
], md));
if (md) out.push('');
out.push(`With "${args.preset}": gap recovered ${pct(d.gapRecovered)}; ${saved(d.savingsPercentage)} cheaper than the verifier alone.`);
if (cal) {
  const t = cal.thresholds;
  const levels = [t.trivial, t.simple, t.moderate, t.hard, t.expert].join(' / ');
  head(`calibrate(records, { targetQuality: ${cal.targetQuality} }): aim ${pct(cal.target)} quality${cal.met ? '' : ' (not reachable: best found)'}`);
  out.push(table([
    ['thresholds', 'escalated', 'quality', '$ / query', 'saved'],
    [`single: ${cal.threshold}`, pct(cal.global.escalatedShare), pct(cal.global.quality), usd(cal.global.costPerQuery), saved(cal.global.savingsPercentage)],
    [
      cal.perComplexity ? `per complexity (trivial…expert): ${levels}` : 'per complexity: no gain over the single one',
      pct(cal.reached.escalatedShare), pct(cal.reached.quality), usd(cal.reached.costPerQuery), saved(cal.reached.savingsPercentage),
    ],
  ], md));
  if (md) out.push('');
  out.push(`Records per complexity: ${Object.entries(cal.counts).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  const use = `new CascadeAgent({ models, quality: ${JSON.stringify(cal.quality)} })`;
  out.push(md ? `Use: \`${use}\`` : `Use: ${use}`);
  if (split) {
    head('Held out: calibrated on one half of the lines, measured on the other');
    out.push(table([
      ['fitted on', 'aim on the other half', 'reached there', 'escalated there', 'fit half: quality / escalated'],
      ...split.map((s, i) => [
        i === 0 ? 'even lines' : 'odd lines', pct(s.aim), pct(s.test.quality), pct(s.test.escalatedShare),
        `${pct(s.fit.quality)} / ${pct(s.fit.escalatedShare)}`,
      ]),
    ], md));
  }
}
process.stdout.write(`${out.join('\n')}\n`);
