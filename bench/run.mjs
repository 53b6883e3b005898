#!/usr/bin/env node
// cascade-edge benchmarks. Run after a build:
//
//   bash scripts/build.sh && node bench/run.mjs     full run, rewrites bench/RESULTS.md
//   node bench/run.mjs --quick                      a few seconds, prints only (smoke test)
//   node bench/run.mjs --quick --write              ...and writes RESULTS.md anyway
//   node bench/run.mjs --no-write                   full run, prints only
//
// What it measures (see bench/README.md):
//  (a) engine overhead: agent.run() of an accepted 2-tier cascade against a
//      bare fetch + JSON parse of the same local server, interleaved in
//      alternating blocks so drift and noise hit both sides alike;
//  (b) scoreDraft() on a 300- and a 500-word draft, through the wasm boundary;
//  (c) the size of the .wasm (raw and gzip -9) and of the JS glue (gzip -9).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { COMPLETION, QUERY, acceptedRun, bareCall, startServer, stats, twoTier } from './harness.mjs';

// ------------------------------------------------------------ helpers
const ms = (x) => `${x.toFixed(3)} ms`;
const us = (x) => `${x.toFixed(1)} µs`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB (${bytes.toLocaleString('en-US')} B)`;

// ------------------------------------------------------------ (a) overhead
/**
 * Time `bare` and `run` N times each, sequentially, in alternating blocks
 * (A-B, then B-A, ...) so that drift and bursts of noise hit both alike.
 */
async function interleaved(bare, run, { n, warmup, block }) {
  await run(); // fails loudly before any timing if the draft is not accepted
  for (let i = 0; i < warmup; i++) {
    await bare();
    await run();
  }
  const timeBlock = async (fn, out) => {
    for (let i = 0; i < block; i++) {
      const t0 = performance.now();
      await fn();
      out.push(performance.now() - t0);
    }
  };
  const bareT = [];
  const runT = [];
  const blockDiffs = [];
  const blocks = Math.ceil(n / block);
  for (let b = 0; b < blocks; b++) {
    const a0 = bareT.length;
    const r0 = runT.length;
    if (b % 2 === 0) {
      await timeBlock(bare, bareT);
      await timeBlock(run, runT);
    } else {
      await timeBlock(run, runT);
      await timeBlock(bare, bareT);
    }
    blockDiffs.push(stats(runT.slice(r0)).p50 - stats(bareT.slice(a0)).p50);
  }
  const fetchS = stats(bareT);
  const runS = stats(runT);
  return {
    fetch: fetchS,
    run: runS,
    overheadP50: runS.p50 - fetchS.p50,
    overheadP99: runS.p99 - fetchS.p99,
    blockMedian: stats(blockDiffs).p50,
    blocks,
    block,
  };
}

/**
 * The same judgement timed twice in a row right after a bare fetch: the
 * first call meets whatever the wait did to caches (on a small VM, where an
 * idle vCPU is descheduled, a lot); the second is warm again.
 */
async function coldAfterWait(scoreDraft, bare, n) {
  const answer = 'The capital of France is Paris.';
  const first = [];
  const second = [];
  for (let i = 0; i < n; i++) {
    await bare();
    const t0 = performance.now();
    scoreDraft(QUERY, answer);
    const t1 = performance.now();
    scoreDraft(QUERY, answer);
    const t2 = performance.now();
    first.push((t1 - t0) * 1000);
    second.push((t2 - t1) * 1000);
  }
  return { first: stats(first), second: stats(second) };
}

async function benchOverhead(engine, cfg) {
  const { child, url } = await startServer();
  try {
    const agent = twoTier(engine.CascadeAgent, url);
    const o = await interleaved(bareCall(fetch, url), acceptedRun(agent), cfg);
    o.cold = await coldAfterWait(engine.scoreDraft, bareCall(fetch, url), Math.ceil(cfg.n / 2));
    return o;
  } finally {
    child.removeAllListeners('exit');
    child.disconnect();
    child.kill();
  }
}

/** The engine's own CPU cost per run: the same comparison with a fetch that answers from memory. */
async function benchInMemory(CascadeAgent, cfg) {
  const memFetch = async () => new Response(COMPLETION, { status: 200, headers: { 'content-type': 'application/json' } });
  const agent = twoTier(CascadeAgent, 'http://in-memory.invalid', memFetch);
  return interleaved(bareCall(memFetch, 'http://in-memory.invalid'), acceptedRun(agent), cfg);
}

/** A streamed answer of `n` text chunks, one SSE event per network chunk, as OpenAI sends them. */
function sseChunks(n) {
  const chunk = (delta, finish, extra = {}) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: delta ? [{ index: 0, delta, finish_reason: finish }] : [], ...extra })}\n\n`;
  const events = Array.from({ length: n }, (_, i) => chunk({ content: ` word${i}` }, null));
  events.push(chunk({}, 'stop'), chunk(null, null, { usage: { prompt_tokens: 10, completion_tokens: n } }), 'data: [DONE]\n\n');
  const enc = new TextEncoder();
  return events.map((e) => enc.encode(e));
}

/**
 * What `stream()` costs per chunk of text: a one-tier stream of 200 chunks
 * from memory, against reading the same body's chunks in plain JS.
 */
async function benchStream(CascadeAgent, cfg) {
  const n = 200;
  const parts = sseChunks(n);
  const memFetch = async () =>
    new Response(new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); c.close(); } }), {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
    });
  const agent = new CascadeAgent({ models: [{ name: 'gpt-4o-mini', provider: 'openai', apiKey: 'bench-key' }], env: {}, fetch: memFetch });
  const bare = async () => {
    const reader = (await memFetch()).body.getReader();
    while (!(await reader.read()).done);
  };
  const streamed = async () => {
    let chunks = 0;
    const s = agent.stream('Write a long list of words.', { mode: 'live' });
    for await (const e of s) if (e.type === 'chunk') chunks++;
    await s.result;
    if (chunks !== n) throw new Error(`the stream gave ${chunks} chunks, expected ${n}`);
  };
  const o = await interleaved(bare, streamed, { n: cfg.streams, warmup: Math.ceil(cfg.streams / 5), block: 10 });
  return { ...o, chunks: n, perChunkUs: (o.overheadP50 * 1000) / n };
}

// ------------------------------------------------------------ (b) scoreDraft
async function benchScore(scoreDraft, { iterations, warmup }) {
  const { QUERY, DRAFT_300, DRAFT_500 } = await import('./drafts.mjs');
  const out = [];
  for (const [label, query, draft] of [
    ['1', 'What is 2+2?', '4'],
    ['300', QUERY, DRAFT_300],
    ['500', QUERY, DRAFT_500],
  ]) {
    const words = draft.split(/\s+/).filter(Boolean).length;
    const verdict = scoreDraft(query, draft);
    for (let i = 0; i < warmup; i++) scoreDraft(query, draft);
    const samples = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      scoreDraft(query, draft);
      samples[i] = (performance.now() - t0) * 1000;
    }
    out.push({ label, words, verdict, ...stats(samples) });
  }
  return out;
}

// ------------------------------------------------------------ (c) sizes
function benchSize(distDir) {
  const wasm = readFileSync(`${distDir}/wasm/cascade_edge_bg.wasm`);
  const glue = readFileSync(`${distDir}/wasm/cascade_edge.js`);
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const wrapperFiles = readdirSync(distDir).filter((f) => f.endsWith('.js'));
  const wrapper = Buffer.concat(wrapperFiles.map((f) => readFileSync(`${distDir}/${f}`)));
  return {
    wasmRaw: wasm.length,
    wasmGz: gz(wasm),
    glueRaw: glue.length,
    glueGz: gz(glue),
    wrapperGz: gz(wrapper),
    wrapperFiles: wrapperFiles.length,
  };
}

// ------------------------------------------------------------ report
function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    /* not a git checkout */
  }
  return {
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    load: os.loadavg()[0].toFixed(2),
    commit,
  };
}

const pass = (ok) => (ok ? 'pass' : '**FAIL**');

function report({ o, mem, st, s, z, m, cfg, command, date }) {
  const s300 = s.find((x) => x.label === '300');
  const s500 = s.find((x) => x.label === '500');
  const s1 = s.find((x) => x.label === '1');
  const rows = [
    ['Measure', 'p50', 'p99', 'Target', 'TS original', 'Verdict'],
    ['---', '---:', '---:', '---', '---', '---'],
    ['bare `fetch` + JSON parse, local server', ms(o.fetch.p50), ms(o.fetch.p99), '', '', ''],
    ['`agent.run()`, accepted 2-tier run, same server', ms(o.run.p50), ms(o.run.p99), '', '', ''],
    [
      '**engine overhead per run** (difference)',
      `**${ms(o.overheadP50)}**`,
      ms(o.overheadP99),
      'p50 ≤ 0.1 ms',
      '0.39 ms',
      pass(o.overheadP50 <= 0.1),
    ],
    [
      'engine CPU per run, no network (in-memory `fetch`; run − bare)',
      ms(mem.overheadP50),
      ms(mem.overheadP99),
      '',
      '',
      '',
    ],
    [
      `\`stream()\`, engine CPU per chunk of text (in-memory, ${st.chunks} chunks; stream − plain read, ÷ chunks)`,
      us(st.perChunkUs),
      '',
      '',
      '',
      '',
    ],
    [
      `\`scoreDraft\`, ${s300.words}-word draft`,
      `**${us(s300.p50)}**`,
      us(s300.p99),
      '≤ 50 µs',
      '210 µs (0.21 ms)',
      pass(s300.p50 <= 50),
    ],
    [`\`scoreDraft\`, ${s500.words}-word draft`, us(s500.p50), us(s500.p99), '', '', ''],
    ['`scoreDraft`, the run\'s answer, first call right after a `fetch`', us(o.cold.first.p50), us(o.cold.first.p99), '', '', ''],
    ['`scoreDraft`, the same call again at once', us(o.cold.second.p50), us(o.cold.second.p99), '', '', ''],
    ['`scoreDraft`, "4" for "What is 2+2?" (fixed cost per call)', us(s1.p50), us(s1.p99), '', '', ''],
  ];
  const sizeRows = [
    ['Artifact', 'Raw', 'gzip -9', 'Target', 'Verdict'],
    ['---', '---:', '---:', '---', '---'],
    ['`cascade_edge_bg.wasm`', kb(z.wasmRaw), `**${kb(z.wasmGz)}**`, '≤ 300 kB gzipped', pass(z.wasmGz <= 300_000)],
    ['`cascade_edge.js` (wasm-bindgen glue)', kb(z.glueRaw), kb(z.glueGz), '', ''],
    ['wasm + glue', kb(z.wasmRaw + z.glueRaw), kb(z.wasmGz + z.glueGz), '', ''],
  ];
  const table = (r) => r.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const timing = table(rows);
  const sizes = table(sizeRows);
  const notes = [
    `- Overhead: ${o.blocks} blocks of ${o.block} sequential calls per side (${o.fetch.n} samples each, after ${cfg.warmup} warm-up calls of each), alternating bare/cascade and cascade/bare. The median of the per-block p50 differences is ${ms(o.blockMedian)}; it should agree with the headline figure when the machine is quiet. The server (node:http on 127.0.0.1, fixed chat.completion with usage) runs in a child process. Both sides use Node's global \`fetch\` with keep-alive; the engine sends the same kind of request (it adds \`logprobs\`) and reads the body as text, which the engine parses itself.`,
    `- Cold after a wait: ${o.cold.first.n} times, a bare call, then the run's judgement (\`scoreDraft\` of its query and answer) timed twice in a row. The first call pays for what the wait did to the CPU's caches, the second does not: ${us(o.cold.first.p50)} against ${us(o.cold.second.p50)} at p50 here. Every run's engine work comes right after a network wait, so it runs at the first figure's speed, not at the in-memory one's; that is most of the gap between the two overhead rows.`,
    `- Stream: ${st.run.n} \`agent.stream()\` runs of a one-tier cascade whose \`fetch\` answers from memory with ${st.chunks} text chunks, one SSE event per network chunk, interleaved with plain reads of the same body (p50 ${ms(st.fetch.p50)}; streamed p50 ${ms(st.run.p50)}). The difference over ${st.chunks} is what each chunk costs: reading it into wasm, decoding the event, the delta and the \`chunk\` event handed to the consumer's \`for await\`.`,
    `- Engine CPU per run: the same interleaved comparison, with a \`fetch\` that returns the completion from memory (bare: ${ms(mem.fetch.p50)} p50; \`agent.run()\`: ${ms(mem.run.p50)} p50). It leaves out the loopback round trip and the scheduling noise that comes with it, so it isolates what the engine itself adds: the wasm call, building the request, parsing the response, the judge, pricing and the result.`,
    `- \`scoreDraft\`: ${cfg.scoreIterations} timed calls per draft after ${cfg.scoreWarmup} warm-up calls, each timed alone with \`performance.now()\`, through the public JS API (JSON across the wasm boundary both ways). The 300-word draft scored ${s300.verdict.score.toFixed(2)} (${s300.verdict.accepted ? 'accepted' : 'rejected'}), the 500-word one ${s500.verdict.score.toFixed(2)} (${s500.verdict.accepted ? 'accepted' : 'rejected'}).`,
    `- Sizes from \`pkg/dist/wasm/\` as built; kB = 1000 bytes; gzip via node:zlib at level 9. The TypeScript wrapper (${z.wrapperFiles} files in \`pkg/dist/*.js\`) adds ${kb(z.wrapperGz)} gzipped, not counted above.`,
  ].join('\n');
  const md = `# Benchmark results

Command: \`${command}\` (after \`bash scripts/build.sh\`). \`node bench/run.mjs --quick\` is a few-second smoke test that only prints.

- Date: ${date}
- Machine: ${m.nproc} CPUs (nproc), ${m.cpu}, ${m.platform}; 1-minute load average at the start: ${m.load}
- Node: ${m.node}
- Commit: ${m.commit} (plus any uncommitted changes in the tree)${cfg.quick ? '\n- **Quick mode: few iterations, figures are rough.**' : ''}

Targets come from issue 2; the TypeScript original's figures, measured the same way, are there for scale.

## Time

${timing}

## Size

${sizes}

## Method

${notes}
`;
  return { md, timing, sizes, notes };
}

// ------------------------------------------------------------ main
async function main() {
  const argv = new Set(process.argv.slice(2));
  const known = ['--quick', '--write', '--no-write', '--help', '-h'];
  const unknown = [...argv].filter((a) => !known.includes(a));
  if (argv.has('--help') || argv.has('-h') || unknown.length) {
    console.log('usage: node bench/run.mjs [--quick] [--write | --no-write]');
    process.exit(unknown.length ? 2 : 0);
  }
  const quick = argv.has('--quick');
  const write = argv.has('--write') || (!quick && !argv.has('--no-write'));
  const cfg = quick
    ? { quick, n: 200, warmup: 50, block: 25, scoreIterations: 2000, scoreWarmup: 200, streams: 20 }
    : { quick, n: 2000, warmup: 300, block: 50, scoreIterations: 20000, scoreWarmup: 2000, streams: 400 };

  const dist = fileURLToPath(new URL('../pkg/dist', import.meta.url));
  let engine;
  try {
    engine = await import(new URL('../pkg/dist/node.js', import.meta.url).href);
  } catch (e) {
    throw new Error(`could not load pkg/dist/node.js (run \`bash scripts/build.sh\` first): ${e.message}`);
  }
  const started = performance.now();
  const m = machine(); // before the load we add ourselves
  const log = (s) => process.stderr.write(`[bench] ${s}\n`);

  log('sizes');
  const z = benchSize(dist);
  log(`scoreDraft: ${cfg.scoreIterations} iterations per draft`);
  const s = await benchScore(engine.scoreDraft, { iterations: cfg.scoreIterations, warmup: cfg.scoreWarmup });
  log(`overhead: ${cfg.n} runs per side in blocks of ${cfg.block}`);
  const o = await benchOverhead(engine, cfg);
  log(`engine cost with an in-memory fetch: ${cfg.n} runs per side`);
  const mem = await benchInMemory(engine.CascadeAgent, cfg);
  log(`stream: ${cfg.streams} streams per side`);
  const st = await benchStream(engine.CascadeAgent, cfg);

  const command = `node bench/run.mjs${quick ? ' --quick' : ''}`;
  const { md } = report({ o, mem, st, s, z, m, cfg, command, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  console.log(md);
  if (write) {
    const seeAlso = '\n## See also\n\n- `RESULTS-judge.md`: the judge on labelled data (CPT, APGR, decisions, calibration), from `node scripts/evaluate.mjs`.\n- `RESULTS-runtimes.md`: cold start and per-run overhead in Node and workerd, from `node bench/coldstart.mjs --write`.\n';
    writeFileSync(new URL('./RESULTS.md', import.meta.url), md + seeAlso);
    log('wrote bench/RESULTS.md');
  } else {
    log(`bench/RESULTS.md left unchanged (${quick ? 'quick mode; ' : ''}pass --write to overwrite it)`);
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(`[bench] failed: ${e?.stack ?? e}`);
  process.exitCode = 1;
});
