// Cold start and per-run overhead of the packaged engine in Node and in
// workerd (through Miniflare), side by side.
//
//   node bench/coldstart.mjs            print the tables (after scripts/build.sh)
//   node bench/coldstart.mjs --write    ...and write bench/RESULTS-runtimes.md
//   node bench/coldstart.mjs --quick    fewer samples, a smoke test
//
// Cold start is "import to first ready agent":
//   Node:    in a fresh process, `await import('cascade-edge')` (reads and compiles
//            the wasm) + `new CascadeAgent(...)` + `await agent.ready()`.
//   workerd: workerd's clock stands still while code runs (a Spectre
//            mitigation), so it is timed from outside: a new Miniflare, the worker
//            loaded, and a first request that builds an agent, against the same
//            steps for an empty worker; the difference is what the package costs.
// Per-run overhead is what a run costs beyond the provider's own time:
//   engine:  `agent.run()` with JS providers answering from memory (no network).
//   HTTP:    `agent.run()` against a canned OpenAI endpoint on 127.0.0.1, minus a bare
//            `fetch` + JSON parse of the same response.
//   In workerd both loops run inside one request, timed from outside, and an
//   empty loop's time is subtracted to remove the request's own cost.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Miniflare } from 'miniflare';
import { ROOT, consumerProject } from '../tests/js/runtimes/consumer.mjs';
import { bundleForWorkers } from '../tests/js/runtimes/bundle.mjs';
import http from 'node:http';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const COLD_SAMPLES = QUICK ? 3 : 15;
const RUNS = QUICK ? 200 : 1000;
const HTTP_RUNS = QUICK ? 50 : 300;
const ROUNDS = QUICK ? 3 : 7;
const exec = promisify(execFile);

// Shared by the Node side and the worker: same agents, same loops.
const APP = `
import { CascadeAgent } from 'cascade-edge';

const usage = { inputTokens: 20, outputTokens: 8 };
const memory = (name) => ({
  name,
  complete(req) {
    const q = req.messages.at(-1).content;
    if (name === 'drafter' && q.includes('sky')) return { content: 'The sky is blue because', finishReason: 'length', usage };
    return { content: q.includes('sky') ? 'Air scatters blue light more than red, so the sky looks blue.' : 'The capital of France is Paris.', usage };
  },
});

export function readyAgent() {
  return new CascadeAgent([
    { name: 'gpt-4o-mini', provider: 'openai', apiKey: 'k', inputCost: 0.15, outputCost: 0.6 },
    { name: 'claude-sonnet-4-5', provider: 'anthropic', apiKey: 'k', inputCost: 3, outputCost: 15 },
  ]);
}

const memoryAgent = () =>
  new CascadeAgent({
    models: [
      { name: 'gpt-4o-mini', provider: memory('drafter'), inputCost: 0.15, outputCost: 0.6 },
      { name: 'claude-sonnet-4-5', provider: memory('verifier'), inputCost: 3, outputCost: 15 },
    ],
    keepOrder: true,
  });

const httpAgent = (base) =>
  new CascadeAgent({
    models: [
      { name: 'gpt-4o-mini', provider: 'openai', apiKey: 'k', baseUrl: base, inputCost: 0.15, outputCost: 0.6 },
      { name: 'claude-sonnet-4-5', provider: 'anthropic', apiKey: 'k', baseUrl: base, inputCost: 3, outputCost: 15 },
    ],
  });

const agents = new Map();
const QUESTIONS = { accepted: 'What is the capital of France?', escalated: 'Why is the sky blue?' };

/** Run one loop of n iterations; returns a checksum so nothing is optimised away. */
export async function loop(kind, n, base) {
  let sum = 0;
  if (kind === 'empty') {
    for (let i = 0; i < n; i++) sum += (await Promise.resolve(i)) & 1;
    return sum;
  }
  if (kind === 'fetch') {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: QUESTIONS.accepted }] });
    for (let i = 0; i < n; i++) {
      const r = await fetch(base + '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
        body,
      });
      sum += (await r.json()).choices[0].message.content.length;
    }
    return sum;
  }
  const [where, which] = kind.split('-'); // memory-accepted, memory-escalated, http-accepted
  const key = where === 'http' ? 'http ' + base : 'memory';
  if (!agents.has(key)) agents.set(key, where === 'http' ? httpAgent(base) : memoryAgent());
  const agent = agents.get(key);
  for (let i = 0; i < n; i++) {
    const r = await agent.run(QUESTIONS[which]);
    if (r.cascaded !== (which === 'escalated')) throw new Error('unexpected path: ' + r.reason);
    sum += r.content.length;
  }
  return sum;
}
`;

const WORKER = `
import { loop, readyAgent } from './app.js';
export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    if (u.pathname === '/ready') return new Response(String(readyAgent().models.length));
    const n = Number(u.searchParams.get('n'));
    return new Response(String(await loop(u.searchParams.get('kind'), n, env.BASE_URL)));
  },
};
`;

const EMPTY_WORKER = `export default { fetch() { return new Response('2'); } };`;

const NODE_COLD = `
const t0 = performance.now();
const { CascadeAgent } = await import('cascade-edge');
const t1 = performance.now();
const agent = new CascadeAgent([
  { name: 'gpt-4o-mini', provider: 'openai', apiKey: 'k' },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', apiKey: 'k' },
]);
await agent.ready();
if (agent.models.length !== 2) throw new Error('not ready');
const t2 = performance.now();
console.log(JSON.stringify({ import: t1 - t0, agent: t2 - t1, total: t2 - t0 }));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(x < 1 ? 3 : 1)} ms`;

/**
 * A canned OpenAI endpoint: the same small JSON for every POST, so that the
 * server's own work is the same for a cascade run and a bare fetch.
 */
async function cannedProvider() {
  const body = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'The capital of France is Paris.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

async function main() {
  const fake = await cannedProvider();
  const project = consumerProject('cascade-edge-bench-');
  const mfs = [];
  try {
    fs.writeFileSync(path.join(project.dir, 'app.js'), APP);
    fs.writeFileSync(path.join(project.dir, 'worker.js'), WORKER);
    fs.writeFileSync(path.join(project.dir, 'empty.js'), EMPTY_WORKER);
    fs.writeFileSync(path.join(project.dir, 'cold.mjs'), NODE_COLD);
    const out = path.join(project.dir, 'out');
    fs.mkdirSync(out);
    const bundle = await bundleForWorkers({ entry: path.join(project.dir, 'worker.js'), outdir: out });
    const miniflare = (scriptPath) =>
      new Miniflare({
        modules: true,
        modulesRoot: path.dirname(scriptPath),
        scriptPath,
        modulesRules: [
          { type: 'ESModule', include: ['**/*.js'] },
          { type: 'CompiledWasm', include: ['**/*.wasm'] },
        ],
        compatibilityDate: '2026-04-01',
        bindings: { BASE_URL: fake.url },
      });
    fs.copyFileSync(path.join(project.dir, 'empty.js'), path.join(out, 'empty.js'));

    // --- cold start ---
    const nodeCold = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const { stdout } = await exec(process.execPath, ['cold.mjs'], { cwd: project.dir });
      nodeCold.push(JSON.parse(stdout));
    }
    const wCold = { cascade: [], empty: [], cascadeLoad: [], emptyLoad: [] };
    for (let i = 0; i < COLD_SAMPLES; i++) {
      for (const [kind, script] of [
        ['empty', path.join(out, 'empty.js')],
        ['cascade', bundle.script],
      ]) {
        const t0 = performance.now();
        const mf = miniflare(script);
        await mf.ready;
        const tLoaded = performance.now();
        const body = await (await mf.dispatchFetch('http://bench/ready')).text();
        const t1 = performance.now();
        if (body !== '2') throw new Error(`worker /ready said ${body}`);
        wCold[kind].push(t1 - t0);
        wCold[`${kind}Load`].push(tLoaded - t0);
        await mf.dispose();
      }
    }

    // --- per-run overhead ---
    // Each sample: a loop of n runs minus a loop of n empty iterations, per run;
    // rounds alternate so that load from elsewhere hits both sides alike.
    const { loop } = await import(pathToFileURL(path.join(project.dir, 'app.js')).href);
    const mf = miniflare(bundle.script);
    mfs.push(mf);
    await mf.ready;
    const runners = {
      node: (kind, n) => loop(kind, n, fake.url),
      workerd: async (kind, n) => {
        const res = await mf.dispatchFetch(`http://bench/loop?kind=${kind}&n=${n}`);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${kind}: ${res.status} ${text}`);
      },
    };
    const KINDS = [
      ['memory-accepted', RUNS],
      ['memory-escalated', RUNS],
      ['http-accepted', HTTP_RUNS],
      ['fetch', HTTP_RUNS],
    ];
    const samples = {};
    for (const who of ['node', 'workerd']) {
      const run = runners[who];
      for (const [kind, n] of KINDS) await run(kind, n); // warm up
      // Rounds go through every kind in turn, so that load from elsewhere
      // spreads over all of them alike.
      for (let i = 0; i < ROUNDS; i++) {
        for (const [kind, n] of KINDS) {
          const t0 = performance.now();
          await run(kind, n);
          const t1 = performance.now();
          await run('empty', n);
          const t2 = performance.now();
          ((samples[kind] ??= {})[who] ??= []).push((t1 - t0 - (t2 - t1)) / n);
        }
      }
    }
    const perRun = {};
    for (const [kind] of KINDS) perRun[kind] = { node: median(samples[kind].node), workerd: median(samples[kind].workerd) };

    const report = render({ nodeCold, wCold, perRun });
    console.log(report);
    if (args.has('--write')) {
      fs.writeFileSync(path.join(ROOT, 'bench/RESULTS-runtimes.md'), report);
      console.log('wrote bench/RESULTS-runtimes.md');
    }
  } finally {
    for (const m of mfs) await m.dispose().catch(() => {});
    project.cleanup();
    await fake.stop();
  }
}

function render({ nodeCold, wCold, perRun }) {
  const wasm = fs.statSync(path.join(ROOT, 'pkg/dist/wasm/cascade_edge_bg.wasm')).size;
  const nodeImport = median(nodeCold.map((s) => s.import));
  const nodeAgent = median(nodeCold.map((s) => s.agent));
  const nodeTotal = median(nodeCold.map((s) => s.total));
  const wEmpty = median(wCold.empty);
  const wCascade = median(wCold.cascade);
  const pr = (k, who) => perRun[k][who];
  const httpOver = (who) => pr('http-accepted', who) - pr('fetch', who);
  let commit = 'unknown';
  try {
    commit = fs.readFileSync(path.join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (commit.startsWith('ref: ')) commit = fs.readFileSync(path.join(ROOT, '.git', commit.slice(5)), 'utf8').trim();
    commit = commit.slice(0, 7);
  } catch {}
  return `## Runtimes: cold start and per-run overhead (Node vs workerd)

Command: \`node bench/coldstart.mjs --write\` (after \`bash scripts/build.sh\`)${QUICK ? ' — QUICK RUN, few samples' : ''}.

- Date: ${new Date().toISOString()}
- Machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average at the end ${os.loadavg()[0].toFixed(2)}
- Node ${process.versions.node}; workerd from miniflare ${readVersion('miniflare')} (workerd ${readVersion('workerd')})
- Commit ${commit} (plus uncommitted changes); wasm ${(wasm / 1024).toFixed(1)} KiB raw
- Medians of ${COLD_SAMPLES} cold starts. Per run: the median over ${ROUNDS} rounds (after a warm-up round) of (a loop of ${RUNS} in-memory or ${HTTP_RUNS} HTTP runs − an empty loop of as many iterations) / n.

### Cold start: import to first ready agent

| Runtime | What is timed | Median |
| --- | --- | ---: |
| Node | \`await import('cascade-edge')\` (read + compile + instantiate the wasm) | ${ms(nodeImport)} |
| Node | \`new CascadeAgent(...)\` + \`await agent.ready()\` | ${ms(nodeAgent)} |
| Node | **import to first ready agent** | **${ms(nodeTotal)}** |
| workerd | empty worker: start workerd and load it / ... + first response | ${ms(median(wCold.emptyLoad))} / ${ms(wEmpty)} |
| workerd | cascade worker: start workerd and load it (compiles the wasm module) / ... + first response, which builds an agent | ${ms(median(wCold.cascadeLoad))} / ${ms(wCascade)} |
| workerd | **what the package adds** (difference of the totals) | **${ms(wCascade - wEmpty)}** |

### Per-run overhead

| Measure | Node | workerd |
| --- | ---: | ---: |
| \`agent.run()\`, accepted draft, JS providers in memory (1 model call, judge, cost) | ${ms(pr('memory-accepted', 'node'))} | ${ms(pr('memory-accepted', 'workerd'))} |
| \`agent.run()\`, escalated, JS providers in memory (2 model calls, judge, cost) | ${ms(pr('memory-escalated', 'node'))} | ${ms(pr('memory-escalated', 'workerd'))} |
| \`agent.run()\`, accepted, canned OpenAI endpoint over HTTP on 127.0.0.1 | ${ms(pr('http-accepted', 'node'))} | ${ms(pr('http-accepted', 'workerd'))} |
| bare \`fetch\` + \`json()\` of the same response | ${ms(pr('fetch', 'node'))} | ${ms(pr('fetch', 'workerd'))} |
| **HTTP overhead per run** (run − bare fetch) | **${ms(httpOver('node'))}** | **${ms(httpOver('workerd'))}** |

Notes: in workerd a loop runs inside one request and the empty loop's request
is subtracted, so Miniflare's own hop drops out. The in-memory runs go through
the JS custom-provider bridge (JSON across the wasm boundary both ways per
call), which HTTP providers do not use. The provider is a canned OpenAI
endpoint on 127.0.0.1 (same bytes for the run and the bare fetch). On a
shared 2-core machine, sub-millisecond differences are noisy.

### Size of a Worker's upload

\`\`\`
${sizeGate()}
\`\`\`
`;
}

function sizeGate() {
  try {
    return execFileSync('bash', [path.join(ROOT, 'scripts/size-gate.sh')], { encoding: 'utf8' }).trimEnd();
  } catch (e) {
    return `scripts/size-gate.sh failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

function readVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

await main();
