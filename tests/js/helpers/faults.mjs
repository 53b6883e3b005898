// Our own fault-injecting OpenAI-wire server on 127.0.0.1, for what a
// well-behaved fake never does: hang, stall half-way, send far too much,
// gzip-bomb, or echo the request (and its key) back in an error. The model
// name in the request picks the behaviour, so one agent can put a faulty
// drafter in front of a healthy verifier.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';

const MB = 1024 * 1024;

function completion(text) {
  return JSON.stringify({
    id: 'chatcmpl-fault',
    object: 'chat.completion',
    model: 'fault',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
  });
}

function sseChunk(text) {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
}

const SSE_END = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;

export const ANSWER =
  'The capital of France is Paris. It has been the seat of the French government for centuries, ' +
  'and it is also the largest city in the country by population.';

/**
 * Behaviours, by model name:
 * - `ok`: a normal answer (streamed when asked);
 * - `hang`: accepts the request and never answers;
 * - `stall`: streams headers and one chunk, then goes silent;
 * - `huge`: a 50 MB answer; `bomb`: 60 KB of gzip that inflates to 64 MB;
 * - `bigevents`: a stream of eight 7 MB events;
 * - `echo401` / `echo500`: an error whose message quotes the request's URL
 *   and headers after 280 characters of text, so a 300-character cut lands inside the key;
 * - `429-seconds-once`, `429-date-once`: a 429 with `Retry-After` in seconds
 *   or as an HTTP date, then normal answers; `500-once`, `500`: a 500 once, or always;
 * - `fail-N`: a 500 for the first N requests, then normal answers;
 * - `unsure`: a non-answer the judge rejects;
 * - `late`: a normal (plain) answer after 300 ms;
 * - `pings`: streams keep-alive comments and never a token;
 * - `slow`: streams a chunk every 20 ms for 10 s (for cancellation).
 */
export async function startFaultServer() {
  const log = [];
  const seen = new Map();
  const sockets = new Set();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let parsed = {};
      try {
        parsed = JSON.parse(body);
      } catch {}
      const entry = { model: parsed.model, stream: !!parsed.stream, headers: req.headers, url: req.url, closedEarly: false, finished: false, at: Date.now() };
      log.push(entry);
      // How many times this model was asked before, since the last reset.
      entry.nth = seen.get(parsed.model) ?? 0;
      seen.set(parsed.model, entry.nth + 1);
      res.on('close', () => {
        if (!res.writableEnded) entry.closedEarly = true;
      });
      handle(parsed, req, res, entry);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/v1`;
  return {
    url,
    log,
    reset: () => {
      log.length = 0;
      seen.clear();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function handle(req, httpReq, res, entry) {
  // The models list (health probes, testConnection); under `/down/` it fails.
  if (httpReq.method === 'GET' && httpReq.url.endsWith('/models')) {
    const down = httpReq.url.includes('/down/');
    res.writeHead(down ? 503 : 200, { 'content-type': 'application/json' });
    res.end(down ? '{"error":{"message":"service unavailable"}}' : '{"object":"list","data":[{"id":"ok","object":"model"}]}');
    return;
  }
  const model = String(req.model ?? '');
  // `<fault>-once`: the fault on the first request only, then a normal answer.
  if (model.endsWith('-once') && entry.nth > 0) return handle({ ...req, model: 'ok' }, httpReq, res, entry);
  // `fail-N`: a 500 for the first N requests, then normal answers (a provider that recovers).
  const flaky = /^fail-(\d+)$/.exec(model);
  if (flaky) return handle({ ...req, model: entry.nth < Number(flaky[1]) ? '500' : 'ok' }, httpReq, res, entry);
  switch (model) {
    case '429-seconds-once':
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      return res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error' } }));
    case '429-date-once':
      // An HTTP date a little over a second ahead (the header has whole seconds).
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': new Date(Date.now() + 2000).toUTCString() });
      return res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error' } }));
    case '500-once':
    case '500':
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'internal error', type: 'server_error' } }));
    case 'hang':
      return;
    case 'stall':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseChunk('The capital'));
      return;
    case 'huge': {
      const text = 'x'.repeat(50 * MB);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(text));
      return;
    }
    case 'bomb': {
      const zipped = gzipSync(Buffer.from(completion(' '.repeat(64 * MB))));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': zipped.length });
      res.end(zipped);
      return;
    }
    case 'bigevents': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const big = 'y'.repeat(7 * MB);
      let i = 0;
      const next = () => {
        if (i++ >= 8 || res.destroyed) return res.end(SSE_END);
        res.write(sseChunk(big), next);
      };
      next();
      return;
    }
    case 'echo401':
    case 'echo500': {
      const echo = `${httpReq.method} ${httpReq.url} ${JSON.stringify(httpReq.headers)}`;
      const message = `${'Your request could not be authorised. '.repeat(7).slice(0, 280)} ${echo}`;
      const status = model === 'echo401' ? 401 : 500;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
      return;
    }
    case 'unsure':
      // A draft any judge turns down.
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(completion("I'm not sure, I don't know."));
    case 'late':
      // A normal answer, 300 ms late.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion(ANSWER));
      }, 300);
      return;
    case 'pings': {
      // Keep-alive comments forever, never a token (a model "thinking" silently, or a stuck one).
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(': ping\n\n')), 40);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'slow': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        if (n++ >= 500) {
          clearInterval(timer);
          entry.finished = true;
          return res.end(SSE_END);
        }
        res.write(sseChunk(`word${n} `));
      }, 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    default: {
      if (req.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const word of ANSWER.split(/(?<= )/)) res.write(sseChunk(word));
        res.end(SSE_END);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion(ANSWER));
      }
    }
  }
}
