#!/usr/bin/env node
// cascade-edge demo: a dozen queries, trivial to expert, through a 2-tier and
// a 3-tier cascade, printed as one table per cascade with totals.
//
//   node examples/demo/demo.mjs             offline unless an API key is set
//   node examples/demo/demo.mjs --offline   always offline
//   node examples/demo/demo.mjs --verbose   also print each answer and its decision trace
//
// Offline (the default with no key), the "providers" are @copilotkit/aimock,
// started in this process on 127.0.0.1 and answering from the recorded
// fixtures in examples/demo/fixtures/. With OPENAI_API_KEY and/or
// ANTHROPIC_API_KEY set, the same queries go to the real APIs instead.
// Prices are never given here: they come from the engine's price table.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !['--offline', '--verbose', '-v', '--help', '-h'].includes(a));
if (args.has('--help') || args.has('-h') || unknown.length) {
  console.log('usage: node examples/demo/demo.mjs [--offline] [--verbose]');
  process.exit(unknown.length ? 2 : 0);
}
const VERBOSE = args.has('--verbose') || args.has('-v');

const color = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const yellow = paint('33');
const red = paint('31');

// ---------------------------------------------------------------- queries
// Each offline fixture matches on the model and on a phrase of one of these.
const QUERIES = [
  'What is 2+2?',
  'What is the capital of France?',
  'Translate into Spanish: "Where is the nearest train station?"',
  'How many kilometres are there in 26.2 miles?',
  'A bakery sells muffins for $3 each. It sold 48 muffins on Monday, and on Tuesday it sold 37 more than on Monday. How much money did the bakery take in over the two days?',
  'Write a Python function that checks whether a string is a palindrome, ignoring case, spaces and punctuation.',
  'Can I take ibuprofen and paracetamol together for a bad headache?',
  "What is the time complexity of Dijkstra's algorithm when the priority queue is a binary heap?",
  'Summarise in one sentence: Photosynthesis is the process by which green plants, algae and some bacteria capture light energy and use it to turn carbon dioxide and water into glucose, releasing oxygen as a by-product. It takes place mainly in the chloroplasts of leaf cells and supplies almost all of the energy that flows through food chains.',
  'What is the difference between TCP and UDP, and when would you pick UDP?',
  'Explain how the Raft consensus algorithm elects a leader and replicates its log, and why an entry that has been committed can never be lost, even if the leader crashes in the middle of replicating it. Be precise about the voting rule and the commit rule.',
  "Under the GDPR, when can a company rely on 'legitimate interests' as its lawful basis for processing personal data, what test does it have to carry out, and when is that basis unavailable?",
];

// Drafters are capped so that a long expert answer can run out of room
// (finish_reason "length"), which the judge must catch; the top tier is not.
const DRAFT_MAX = 350;
const TOP_MAX = 1024;

const OPENAI_PAIR = [
  { name: 'gpt-4o-mini', provider: 'openai', maxTokens: DRAFT_MAX },
  { name: 'gpt-4o', provider: 'openai', maxTokens: TOP_MAX },
];
const ANTHROPIC_PAIR = [
  { name: 'claude-3-5-haiku-latest', provider: 'anthropic', maxTokens: DRAFT_MAX },
  { name: 'claude-sonnet-4-20250514', provider: 'anthropic', maxTokens: TOP_MAX },
];
const LOCAL_DRAFTER = { name: 'llama3.2:3b', provider: 'ollama', maxTokens: DRAFT_MAX };

// ---------------------------------------------------------------- engine
async function loadEngine() {
  const entry = new URL('../../pkg/dist/node.js', import.meta.url);
  try {
    return await import(entry.href);
  } catch (e) {
    if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('pkg/dist/node.js')) {
      throw new Error('the package is not built yet: run `bash scripts/demo.sh` (or `bash scripts/build.sh` first)');
    }
    throw e;
  }
}

// ---------------------------------------------------------------- the fake provider
async function startFakeProvider() {
  const { LLMock } = await import('@copilotkit/aimock');
  const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  let count = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const { fixtures } = JSON.parse(readFileSync(dir + file, 'utf8'));
    mock.addFixturesFromJSON(fixtures); // validates; throws on a malformed fixture
    count += fixtures.length;
  }
  const url = await mock.start();
  return { mock, url, count };
}

// ---------------------------------------------------------------- running
async function runCascade(CascadeAgent, cascade, { concurrency, timeoutMs }) {
  const agent = new CascadeAgent({ models: cascade.models, ...(cascade.env ? { env: cascade.env } : {}) });
  const rows = new Array(QUERIES.length);
  let next = 0;
  async function worker() {
    while (next < QUERIES.length) {
      const i = next++;
      const started = performance.now();
      try {
        rows[i] = { query: QUERIES[i], result: await agent.run(QUERIES[i], { timeoutMs }) };
      } catch (error) {
        rows[i] = { query: QUERIES[i], error };
      }
      rows[i].ms = performance.now() - started;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, QUERIES.length) }, worker));
  return { ...cascade, tiers: agent.models, rows, wallMs: performance.now() - started };
}

// ---------------------------------------------------------------- formatting
const shortModel = (name) => name.replace(/-(latest|\d{8})$/, '');

function usd(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  const a = Math.abs(x);
  const s = a === 0 ? '0' : a >= 0.01 ? a.toFixed(4) : a.toFixed(6);
  return `${x < 0 ? '-' : ''}$${s}`;
}

function clip(s, n) {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= n ? flat : flat.slice(0, n - 1) + '…';
}

/** Why one attempt was rejected or failed, in a few words. */
function whyNot(a) {
  if (a.error) return `${shortModel(a.model)}: ${a.error.status ? a.error.status + ' ' : ''}${a.error.code}`;
  const v = a.verdict;
  if (!v) return `${shortModel(a.model)}: ${a.reason}`;
  const failed = v.checks.filter((c) => !c.passed).map((c) => c.name);
  const what = failed.length ? failed.join('+') : v.reason;
  return `${shortModel(a.model)}: ${what} (${v.score.toFixed(2)}<${v.threshold.toFixed(2)})`;
}

function describe(row) {
  if (row.error) {
    return { model: '-', decision: 'ERROR', why: `${row.error.code ?? row.error.name}: ${row.error.message}`, bad: true };
  }
  const r = row.result;
  const rejected = r.attempts.filter((a) => a.outcome === 'rejected' || a.outcome === 'failed');
  const last = r.attempts[r.attempts.length - 1];
  let decision;
  let why;
  if (r.draftAccepted) {
    decision = 'accepted';
    why = last.verdict ? `passed (${last.verdict.score.toFixed(2)}≥${last.verdict.threshold.toFixed(2)})` : last.reason;
  } else {
    decision = `escalated ×${rejected.length}`;
    why = rejected.map(whyNot).join('; ') || r.reason;
  }
  const estimated = r.attempts.some((a) => a.usage?.estimated);
  return { model: shortModel(r.modelUsed), decision, why, estimated, bad: false };
}

function pad(s, n, right = false) {
  const len = [...s].length;
  if (len >= n) return s;
  return right ? ' '.repeat(n - len) + s : s + ' '.repeat(n - len);
}

function printTable(run) {
  const cols = [
    { h: '#', w: 2, right: true },
    { h: 'Query', w: 34 },
    { h: 'Complexity', w: 10 },
    { h: 'Answered by', w: 16 },
    { h: 'Decision', w: 12 },
    { h: 'Cost', w: 9, right: true },
    { h: 'Saved', w: 16, right: true },
    { h: 'Why', w: 0 },
  ];
  const width = process.stdout.isTTY ? Math.max(100, process.stdout.columns || 120) : 180;
  const fixed = cols.reduce((s, c) => s + c.w + 2, 0);
  const whyWidth = Math.max(24, width - fixed);

  const line = (cells, style = (s) => s) =>
    cols
      .map((c, i) => {
        const text = c.w ? pad(clip(cells[i], c.w), c.w, c.right) : clip(cells[i], whyWidth);
        return typeof style === 'function' ? style(text, i) : text;
      })
      .join('  ')
      .trimEnd();

  console.log();
  console.log(bold(`${run.title}: ${run.tiers.map((t) => `${shortModel(t.name)} (${t.provider})`).join(' → ')}`));
  console.log(
    dim(
      '   prices per 1M tokens in/out: ' +
        run.tiers
          .map((t) => `${shortModel(t.name)} ${t.inputCostPer1M === null ? 'unknown' : `$${t.inputCostPer1M.toFixed(2)}/$${t.outputCostPer1M.toFixed(2)}`}`)
          .join(', '),
    ),
  );
  console.log(dim(line(cols.map((c) => c.h))));
  console.log(dim('-'.repeat(Math.min(width, fixed + whyWidth))));

  const totals = { cost: 0, baseline: 0, accepted: 0, escalated: 0, errors: 0, unknown: 0, estimated: false };
  run.rows.forEach((row, i) => {
    const d = describe(row);
    const r = row.result;
    let cost = '-';
    let saved = '-';
    if (r) {
      cost = usd(r.totalCost);
      saved =
        r.costSaved === null ? 'n/a' : `${usd(r.costSaved)} ${pad(`${Math.round(r.savingsPercentage ?? 0)}%`, 4, true)}`;
      if (d.estimated) saved = '~' + saved;
      if (r.totalCost === null || r.costSaved === null) totals.unknown++;
      else {
        totals.cost += r.totalCost;
        totals.baseline += r.totalCost + r.costSaved;
      }
      if (r.draftAccepted) totals.accepted++;
      else totals.escalated++;
      totals.estimated ||= d.estimated;
    } else totals.errors++;
    const cells = [String(i + 1), row.query, r?.complexity ?? '-', d.model, d.decision, cost, saved, d.why];
    console.log(
      line(cells, (text, col) => {
        if (col !== 4) return text;
        return d.bad ? red(text) : d.decision === 'accepted' ? green(text) : yellow(text);
      }),
    );
  });

  const pct = totals.baseline > 0 ? ((totals.baseline - totals.cost) / totals.baseline) * 100 : 0;
  const n = run.rows.length;
  console.log(dim('-'.repeat(Math.min(width, fixed + whyWidth))));
  console.log(
    `   total cost ${bold(usd(totals.cost))}   vs ${usd(totals.baseline)} if every query went to ${shortModel(
      run.tiers[run.tiers.length - 1].name,
    )}   savings ${bold(`${pct.toFixed(1)}%`)}   drafts accepted ${bold(`${totals.accepted}/${n}`)}   escalated ${
      totals.escalated
    }${totals.errors ? red(`   errors ${totals.errors}`) : ''}   ${dim(`(${Math.round(run.wallMs)} ms)`)}`,
  );
  const messages = [...new Set(run.rows.filter((r) => r.error).map((r) => `${r.error.code ?? r.error.name}: ${r.error.message}`))];
  for (const m of messages.slice(0, 3)) console.log(red(`   error: ${m}`));
  if (totals.unknown) console.log(dim(`   ${totals.unknown} quer${totals.unknown === 1 ? 'y' : 'ies'} with an unknown price left out of the totals`));
  if (totals.estimated) console.log(dim('   ~ some token counts were estimated: the provider reported none'));

  if (VERBOSE) printTrace(run);
  return totals;
}

function printTrace(run) {
  run.rows.forEach((row, i) => {
    console.log();
    console.log(bold(`[${i + 1}] ${clip(row.query, 100)}`));
    if (row.error) {
      console.log(red(`    ${row.error.code ?? row.error.name}: ${row.error.message}`));
      return;
    }
    for (const a of row.result.attempts) {
      const v = a.verdict;
      const checks = v ? v.checks.map((c) => `${c.passed ? '+' : '-'}${c.name}`).join(' ') : '';
      console.log(
        dim(
          `    tier ${a.tier} ${shortModel(a.model)}: ${a.outcome}${v ? ` score ${v.score.toFixed(2)}/${v.threshold.toFixed(2)}` : ''} ${usd(a.cost)}  ${checks}`,
        ),
      );
    }
    console.log(row.result.content.replace(/^/gm, '    | '));
  });
}

// ---------------------------------------------------------------- main
async function main() {
  const started = performance.now();
  const { CascadeAgent } = await loadEngine();
  const env = process.env;
  const live = !args.has('--offline') && Boolean(env.OPENAI_API_KEY || env.ANTHROPIC_API_KEY);

  let cascades;
  let fake;
  let options;
  console.log(bold('cascade-edge demo'));
  if (live) {
    cascades = [];
    if (env.OPENAI_API_KEY) cascades.push({ title: '2-tier cascade, OpenAI', models: OPENAI_PAIR });
    if (env.ANTHROPIC_API_KEY) cascades.push({ title: '2-tier cascade, Anthropic', models: ANTHROPIC_PAIR });
    options = { concurrency: 4, timeoutMs: 120_000 };
    console.log(
      `LIVE: real API calls to ${cascades.map((c) => c.title.split(', ')[1]).join(' and ')} (keys from the environment). ` +
        'The costs shown are real; the whole run costs a few cents at most.',
    );
  } else {
    fake = await startFakeProvider();
    // The fake needs no key; pass a dummy and an empty env so no real key is ever sent anywhere.
    const offline = (m) => ({ ...m, baseUrl: fake.url, apiKey: 'offline-demo-key' });
    cascades = [
      { title: '2-tier cascade', models: OPENAI_PAIR.map(offline), env: {} },
      { title: '3-tier cascade', models: [LOCAL_DRAFTER, ...ANTHROPIC_PAIR].map(offline), env: {} },
    ];
    options = { concurrency: 1, timeoutMs: 10_000 };
    console.log(
      `OFFLINE: every answer below is a RECORDED response served by a local fake provider ` +
        `(@copilotkit/aimock at ${fake.url}, ${fake.count} fixtures from examples/demo/fixtures/).`,
    );
    console.log('No network and no API key are used. Set OPENAI_API_KEY and/or ANTHROPIC_API_KEY to call the real providers.');
  }
  console.log(dim('Prices come from the engine\'s built-in price table; savings are against sending each query straight to the top tier.'));

  let failures = 0;
  try {
    for (const c of cascades) {
      const run = await runCascade(CascadeAgent, c, options);
      const totals = printTable(run);
      failures += totals.errors;
    }
  } finally {
    await fake?.mock.stop();
  }
  console.log();
  console.log(dim(`done in ${((performance.now() - started) / 1000).toFixed(2)} s${VERBOSE ? '' : ' (--verbose prints every answer and decision trace)'}`));
  if (failures) {
    console.error(red(`${failures} quer${failures === 1 ? 'y' : 'ies'} failed`));
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(red(`demo failed: ${e?.code ? e.code + ': ' : ''}${e?.message ?? e}`));
  process.exitCode = 1;
});
