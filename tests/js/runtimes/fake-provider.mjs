// A fake OpenAI + Anthropic on 127.0.0.1 for the runtime tests: aimock
// answers, behind a thin relay of ours that
//  - answers CORS preflights by echoing the requested headers, as real APIs
//    do (aimock replies `Access-Control-Allow-Headers: *`, which under the
//    Fetch standard does not cover `authorization`; Chromium 148 still lets
//    it through, a stricter browser would not), and records them;
//  - records every request with its real headers, keys included (aimock's
//    journal redacts them), so tests can check which key went where.
import http from 'node:http';
import { LLMock } from '@copilotkit/aimock';

/** The two tiers every example uses. Prices are USD per 1M tokens. */
export const DRAFTER = { name: 'gpt-4o-mini', provider: 'openai', inputCost: 0.15, outputCost: 0.6 };
export const VERIFIER = { name: 'claude-sonnet-4-5', provider: 'anthropic', inputCost: 3, outputCost: 15 };

export const KEYS = { OPENAI_API_KEY: 'sk-test-openai-0001', ANTHROPIC_API_KEY: 'sk-ant-test-0002' };

const price = (m, u) => (u.in * m.inputCost + u.out * m.outputCost) / 1e6;

/** A draft the judge must accept: a plain, complete answer to a trivial question. */
export const ACCEPTED = {
  question: 'What is the capital of France?',
  answer: 'The capital of France is Paris.',
  model: DRAFTER.name,
  usage: { in: 20, out: 8 },
};
ACCEPTED.cost = price(DRAFTER, ACCEPTED.usage);
ACCEPTED.savings = price(VERIFIER, ACCEPTED.usage) - ACCEPTED.cost;

/** A draft cut off by the token limit (finish_reason "length"): any judge must escalate it. */
export const ESCALATED = {
  question: 'Why is the sky blue?',
  draft: 'The sky is blue because',
  draftUsage: { in: 14, out: 5 },
  answer:
    'Sunlight is scattered by the molecules of the air, and short blue wavelengths scatter far more ' +
    'than long red ones (Rayleigh scattering), so blue light reaches your eyes from every part of the sky.',
  model: VERIFIER.name,
  usage: { in: 14, out: 38 },
};
ESCALATED.cost = price(DRAFTER, ESCALATED.draftUsage) + price(VERIFIER, ESCALATED.usage);
ESCALATED.savings = -price(DRAFTER, ESCALATED.draftUsage);

export async function startFakeProvider() {
  const mock = new LLMock({ port: 0, host: '127.0.0.1', chunkSize: 16 });
  const openaiUsage = (u) => ({ prompt_tokens: u.in, completion_tokens: u.out, total_tokens: u.in + u.out });
  mock.on(
    { userMessage: ACCEPTED.question, model: DRAFTER.name },
    { content: ACCEPTED.answer, usage: openaiUsage(ACCEPTED.usage) },
  );
  mock.on(
    { userMessage: ESCALATED.question, model: DRAFTER.name },
    { content: ESCALATED.draft, finishReason: 'length', usage: openaiUsage(ESCALATED.draftUsage) },
  );
  mock.on(
    { userMessage: ESCALATED.question, model: VERIFIER.name },
    { content: ESCALATED.answer, usage: { input_tokens: ESCALATED.usage.in, output_tokens: ESCALATED.usage.out } },
  );
  // The verifier can answer the easy question too (used when a test forces escalation).
  mock.on(
    { userMessage: ACCEPTED.question, model: VERIFIER.name },
    { content: ACCEPTED.answer, usage: { input_tokens: ACCEPTED.usage.in, output_tokens: ACCEPTED.usage.out } },
  );
  await mock.start();

  const seen = [];
  const preflights = [];
  const sockets = new Set();
  const front = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      preflights.push({ path: req.url, headers: { ...req.headers } });
      res.writeHead(204, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
        'access-control-max-age': '0', // preflight every request, so tests see each one,
        vary: 'origin',
      });
      res.end();
      return;
    }
    seen.push({ method: req.method, path: req.url, headers: { ...req.headers } });
    const up = http.request(
      { host: '127.0.0.1', port: mock.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, 'access-control-allow-origin': req.headers.origin ?? '*' });
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  front.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${front.address().port}`;

  return {
    url,
    /** aimock itself, without the relay (for benchmarks). */
    mockUrl: mock.url,
    /** Requests as they arrived, with every header (keys unredacted). */
    requests: () => seen.slice(),
    /** CORS preflights (browsers only). */
    preflights: () => preflights.slice(),
    clear: () => {
      seen.length = 0;
      preflights.length = 0;
      mock.clearRequests();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => front.close(resolve));
      await mock.stop();
    },
  };
}

/** Parse a text/event-stream body into `{ event, data }` pairs (data JSON-decoded). */
export function parseSSE(text) {
  const out = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    out.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return out;
}
