// Our own fault-injecting OpenAI-wire server on 127.0.0.1, for what a
// well-behaved fake never does: hang, stall half-way, send far too much,
// gzip-bomb, or echo the request (and its key) back in an error. The model
// name in the request picks the behaviour, so one agent can put a faulty
// drafter in front of a healthy verifier.
import { after, before, beforeEach } from 'node:test';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';

const MB = 1024 * 1024;

function completion(text, finish = 'stop', choiceExtra = {}) {
  return JSON.stringify({
    id: 'chatcmpl-fault',
    object: 'chat.completion',
    model: 'fault',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish, ...choiceExtra }],
    usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
  });
}

function sseChunk(text) {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
}

/** Every answer's token counts, streamed (the `include_usage` chunk) or not. */
export const USAGE = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };

const sseFinish = (reason, extra = {}) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: reason, ...extra }] })}\n\n`;
const SSE_USAGE = `data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\n`;
const SSE_END = `${sseFinish('stop')}${SSE_USAGE}data: [DONE]\n\n`;
/** An event that is not JSON, as a garbling proxy might send. */
const SSE_JUNK = 'data: {"choices": [{"index": 0, "delta": {"content": \n\n';

/** The answer's words as SSE chunks. */
const answerChunks = () => ANSWER.split(/(?<= )/).map(sseChunk);

/** Azure's categories, as it reports them on a 400 and on a filtered choice. */
const AZURE_CATEGORIES = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: true, severity: 'medium' },
};

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
 * - `slow`: streams a chunk every 20 ms for 10 s (for cancellation);
 * - `429`, `503`: that status on every request (no `Retry-After`);
 * - `reset`: the connection is dropped before any header (`reset-once`: the first time only);
 * - `cut`: the answer breaks off half-way (streamed: after a few chunks; plain: half the body);
 * - `malformed-one`: a stream with one event that is not JSON; `malformed-many`: nine of them;
 * - `nodone`: a stream with its finish reason but no `[DONE]`; `nodone-nofinish`: neither;
 * - `ctx-8k`: OpenAI's 400 for a prompt over an 8,192-token context window;
 *   `ctx-anthropic`: Anthropic's 400 "prompt is too long";
 * - `filter-400`: Azure's 400 for a prompt its content filter blocked;
 *   `filter-finish`: an answer the filter stopped (`finish_reason: content_filter`);
 * - `flap-N`: a 500 for N ms from its first request, then answers 80 ms late
 *   (a primary that flaps, then recovers).
 * Each answer reports `USAGE`, streamed (as the `include_usage` chunk) or not.
 */
/**
 * The fault server for one test file: started before its tests, reset
 * before each, closed after. Returns a view of it (`url`, `log`, `reset`).
 */
export function useFaultServer() {
  let server;
  before(async () => {
    server = await startFaultServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());
  return {
    get url() {
      return server.url;
    },
    get log() {
      return server.log;
    },
    reset: () => server.reset(),
  };
}

export async function startFaultServer() {
  const log = [];
  const seen = new Map();
  // When each model was first asked, since the last reset (for `flap-N`).
  const firstAt = new Map();
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
      if (!firstAt.has(parsed.model)) firstAt.set(parsed.model, entry.at);
      entry.sinceFirst = entry.at - firstAt.get(parsed.model);
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
      firstAt.clear();
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
  // Anthropic's Messages API (`claude-*` models), for continuing a stream by prefill.
  if (httpReq.url.endsWith('/messages') && String(req.model).startsWith('claude-')) return anthropic(req, res, entry);
  const model = String(req.model ?? '');
  // `<fault>-once`: the fault on the first request only, then a normal answer.
  if (model.endsWith('-once') && entry.nth > 0) return handle({ ...req, model: 'ok' }, httpReq, res, entry);
  // `fail-N`: a 500 for the first N requests, then normal answers (a provider that recovers).
  const flaky = /^fail-(\d+)$/.exec(model);
  if (flaky) return handle({ ...req, model: entry.nth < Number(flaky[1]) ? '500' : 'ok' }, httpReq, res, entry);
  // `flap-N`: a 500 for N ms from the first request, then late answers (a primary that recovers).
  const flap = /^flap-(\d+)$/.exec(model);
  if (flap) {
    if (entry.sinceFirst < Number(flap[1])) return handle({ ...req, model: '500' }, httpReq, res, entry);
    return setTimeout(() => handle({ ...req, model: 'ok' }, httpReq, res, entry), 80);
  }
  const sse = () => res.writeHead(200, { 'content-type': 'text/event-stream' });
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
    case '429':
      res.writeHead(429, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests per min (RPM)', type: 'requests', code: 'rate_limit_exceeded' } }));
    case '503':
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'The server is overloaded or not ready yet.', type: 'server_error' } }));
    case 'reset':
    case 'reset-once':
      // No status line, no header: the socket just goes.
      return httpReq.socket.destroy();
    case 'cut': {
      if (req.stream) {
        sse();
        for (const c of answerChunks().slice(0, 5)) res.write(c);
      } else {
        const body = completion(ANSWER);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.write(body.slice(0, body.length >> 1));
      }
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    case 'malformed-one':
    case 'malformed-many': {
      sse();
      const [first, ...rest] = answerChunks();
      res.write(first);
      res.write(SSE_JUNK.repeat(model === 'malformed-one' ? 1 : 9));
      for (const c of rest) res.write(c);
      return res.end(SSE_END);
    }
    case 'nodone':
    case 'nodone-nofinish': {
      sse();
      for (const c of answerChunks()) res.write(c);
      return res.end(model === 'nodone' ? `${sseFinish('stop')}${SSE_USAGE}` : '');
    }
    case 'ctx-8k':
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({
        error: {
          message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      }));
    case 'ctx-anthropic':
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 208310 tokens > 200000 maximum' } }));
    case 'filter-400':
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({
        error: {
          message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: AZURE_CATEGORIES },
        },
      }));
    case 'filter-finish': {
      const filtered = { content_filter_results: AZURE_CATEGORIES };
      if (!req.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(completion('The first step is', 'content_filter', filtered));
      }
      sse();
      res.write(sseChunk('The first step is'));
      return res.end(`${sseFinish('content_filter', filtered)}${SSE_USAGE}data: [DONE]\n\n`);
    }
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
        sse();
        for (const c of answerChunks()) res.write(c);
        res.end(SSE_END);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion(ANSWER));
      }
    }
  }
}

/**
 * Anthropic Messages, streamed. `claude-continues` takes a trailing
 * assistant message as the start of its answer and streams the rest of
 * ANSWER; `claude-noprefill` refuses such a request with a 400 (as models
 * with extended thinking do) and otherwise streams ANSWER whole.
 */
function anthropic(req, res, entry) {
  const last = req.messages?.at(-1);
  const text = (m) => (typeof m?.content === 'string' ? m.content : (m?.content ?? []).map((b) => b.text ?? '').join(''));
  const prefill = last?.role === 'assistant' ? text(last) : undefined;
  entry.prefill = prefill;
  if (prefill !== undefined && req.model === 'claude-noprefill') {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'assistant prefill is not supported with this model' } }));
    return;
  }
  const rest = prefill !== undefined && ANSWER.startsWith(prefill) ? ANSWER.slice(prefill.length) : ANSWER;
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(ev('message_start', { message: { id: 'msg_f', type: 'message', role: 'assistant', model: req.model, content: [], usage: { input_tokens: 10, output_tokens: 0 } } }));
  res.write(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
  for (const piece of rest.split(/(?<= )/)) res.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }));
  res.write(ev('content_block_stop', { index: 0 }));
  res.write(ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20 } }));
  res.end(ev('message_stop', {}));
}
