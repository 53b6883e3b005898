#!/usr/bin/env node
// The routing proxy's overhead: the same OpenAI request sent straight to the
// local upstream (bench/harness.mjs's server, in its own process) and sent
// through `cascade-edge proxy` (the bin, in its own process) on a one-tier
// route, so the difference is the proxy: HTTP in and out, auth, the codecs,
// the engine's run and its judge. Sequentially, and with 200 requests in
// flight at once (plain fetch, no load-generator dependency).
//
//   node bench/proxy.mjs            after scripts/build.sh
//   node bench/proxy.mjs --quick    a smoke test of the harness
import { startServer, stats } from './harness.mjs';
import { startProxyBin } from '../tests/js/helpers/proxy.mjs';

const quick = process.argv.includes('--quick');
const [SEQ, WARM, ROUNDS, WIDTH] = quick ? [50, 20, 2, 50] : [2000, 300, 10, 200];
const KEY = 'bench-proxy-key';

const { child, url } = await startServer();
const proxy = await startProxyBin({
  keys: [KEY],
  builtinRoutes: false,
  passthrough: false,
  providers: { openai: { apiKey: 'sk-bench', baseUrl: `${url}/v1` } },
  routes: { 'gpt-4o-mini': ['gpt-4o-mini'] },
});
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] });
const direct = () =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body }).then((r) => r.text());
const proxied = () =>
  fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body }).then((r) => r.text());

async function timed(call) {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}

try {
  for (let i = 0; i < WARM; i++) await Promise.all([direct(), proxied()]);
  // Sequential: alternate the two, so load changes hit both alike.
  const seq = { direct: [], proxied: [] };
  for (let i = 0; i < SEQ; i++) {
    seq.direct.push(await timed(direct));
    seq.proxied.push(await timed(proxied));
  }
  // Concurrent: WIDTH requests in flight, each request's own latency.
  const wide = { direct: [], proxied: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, call] of [['direct', direct], ['proxied', proxied]]) {
      wide[name].push(...(await Promise.all(Array.from({ length: WIDTH }, () => timed(call)))));
    }
  }
  const row = (label, d, p) => {
    const [a, b] = [stats(d), stats(p)];
    const f = (x) => x.toFixed(3);
    return `| ${label} | ${f(a.p50)} | ${f(b.p50)} | ${f(b.p50 - a.p50)} | ${f(a.p99)} | ${f(b.p99)} | ${f(b.p99 - a.p99)} |`;
  };
  console.log('| load | direct p50 ms | proxied p50 ms | added p50 | direct p99 ms | proxied p99 ms | added p99 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(row(`sequential (${SEQ} each)`, seq.direct, seq.proxied));
  console.log(row(`${WIDTH} in flight (${ROUNDS} rounds)`, wide.direct, wide.proxied));
} finally {
  await proxy.stop();
  child.kill();
}
