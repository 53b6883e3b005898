// What the benchmarks share: the local server (run as a child process of
// this file with --serve), the agents and the two kinds of call compared.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The one answer the local server gives: an accepted draft for QUERY. */
export const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1735689600,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 14, completion_tokens: 7, total_tokens: 21 },
  system_fingerprint: 'fp_bench',
});

// The server runs in a child process so that its work is not on the measured thread.
if (process.argv[2] === '--serve') {
  const body = Buffer.from(COMPLETION);
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}


function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1; // nearest rank
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function stats(samples) {
  const s = Float64Array.from(samples).sort();
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export function startServer() {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', ({ port }) => resolve({ child, url: `http://127.0.0.1:${port}` }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the benchmark server exited (${code})`)));
  });
}

export const QUERY = 'What is the capital of France?';

export function twoTier(CascadeAgent, url, fetchFn) {
  return new CascadeAgent({
    models: [
      { name: 'gpt-4o-mini', provider: 'openai', baseUrl: url, apiKey: 'bench-key' },
      { name: 'gpt-4o', provider: 'openai', baseUrl: url, apiKey: 'bench-key' },
    ],
    env: {},
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
}

/** One accepted 2-tier run, or an error that says why the draft was not accepted. */
export function acceptedRun(agent) {
  return async () => {
    const r = await agent.run(QUERY);
    if (!r.draftAccepted || r.attempts.length !== 1) {
      throw new Error(
        `the benchmark needs an accepted 2-tier run, but the draft was not accepted: ${r.reason} ` +
          `(checks: ${JSON.stringify(r.attempts[0]?.verdict?.checks ?? [])})`,
      );
    }
  };
}

/** What a caller with no cascade does for one call: build the body, fetch, parse. */
export function bareCall(fetchFn, url) {
  return async () => {
    const res = await fetchFn(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: QUERY }] }),
    });
    const json = await res.json();
    if (json.choices[0].message.content.length === 0) throw new Error('empty body');
  };
}
