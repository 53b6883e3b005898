/**
 * `createProxy(config)`: a WHATWG fetch handler serving the Anthropic
 * Messages and OpenAI Chat Completions APIs through cascades. This file
 * does HTTP only (paths, auth, the body limit, CORS, headers); reading a
 * request and writing an answer, in either wire, is the engine's
 * (`src/serve/`), and every request runs through a `CascadeAgent`, one per
 * route, exactly as a library caller's would.
 *
 * The codecs come from the engine build that has them (`wasm-proxy/`,
 * initialised by this entry's runtime file); the cascades run on whichever
 * build the runtime entry registered, which is that one too unless the
 * core entry was loaded first.
 *
 * Streams are always buffered: a draft is judged before any of it is
 * sent, so the response (its status and `x-cascade-*` headers included)
 * starts only once the engine releases the first text of the answer, and
 * a rejected draft never reaches the client.
 */
import { CascadeAgent } from '../agent.js';
import { CascadeError } from '../errors.js';
import * as codecs from '../wasm-proxy/cascade_edge.js';
import type { AgentOptions, CascadeResult, Message, ModelConfig, RunOptions, StreamEvent, Tiers } from '../types.js';
import { KeyCheck, type ProxyKey } from './auth.js';
import { Sessions, startingAt, type StickyOptions } from './sessions.js';
import { Router, type ProviderSettings, type RouteConfig } from './routes.js';
import { ProxyStats } from './stats.js';

export interface ProxyConfig {
  /**
   * Proxy keys clients must present (`x-api-key` or `Authorization: Bearer`). None: no auth.
   * Each key's runs count as the user `name` (default `key-<n>`), so the
   * agent's `rateLimit.perUser` and `budget.perUser` apply per key.
   */
  keys?: (string | ProxyKey)[];
  /** Settings per provider id (`apiKey`, `baseUrl`, `headers`), applied to every tier of that provider. */
  providers?: Record<string, ProviderSettings>;
  /** Requested model name (or a virtual one) to tiers. */
  routes?: Record<string, RouteConfig | (string | ModelConfig)[]>;
  /** The built-in Claude rules and `cascade-auto` (default true). */
  builtinRoutes?: boolean;
  /** Models with no route go to their provider alone (default true); false answers 404. */
  passthrough?: boolean;
  /** Largest request body in bytes (default 10 MiB): a larger one gets 413. */
  maxBodyBytes?: number;
  /** Cross-origin browser clients: `true` for any origin, or the allowed origins. */
  cors?: boolean | string[];
  /**
   * Keep a conversation on the tier that last answered it rather than
   * drafting again each turn (off by default). The conversation is named
   * by a header, `x-claude-code-session-id` unless `header` says otherwise.
   */
  stickySessions?: boolean | StickyOptions;
  /** Every agent's other options (timeouts, retry, budget, store, env, quality). */
  agent?: Omit<AgentOptions, 'models'>;
  /** Called once per request with what happened (never a key or prompt text). */
  onRequest?: (entry: RequestLog) => void;
}

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  /** The requested model (the route). */
  route?: string;
  /** The model that answered. */
  model?: string;
  decision?: Decision;
  cost?: number | null;
  saved?: number | null;
  stream?: boolean;
  latencyMs: number;
  /** The error code, for a failed request. */
  code?: string;
}

/** `accepted`: the draft answered; `escalated`: a later tier did; `direct`: a one-tier route. */
export type Decision = 'accepted' | 'escalated' | 'direct';

export type ProxyHandler = ((request: Request) => Promise<Response>) & {
  /** The `/stats` figures. */
  stats(): Record<string, unknown>;
};

type Wire = 'anthropic' | 'openai';

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
/** Bound on cached pass-through agents: clients choose those names. */
const MAX_AGENTS = 256;

class HttpError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createProxy(config: ProxyConfig = {}): ProxyHandler {
  const keys = new KeyCheck(config.keys);
  const sessions = config.stickySessions ? new Sessions(config.stickySessions) : undefined;
  const router = new Router(config);
  const stats = new ProxyStats();
  const agents = new Map<string, CascadeAgent>();
  const maxBody = config.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const started = Date.now();

  const agentFor = (route: { name: string; models: Tiers }): CascadeAgent => {
    let agent = agents.get(route.name);
    if (!agent) {
      if (agents.size >= MAX_AGENTS) agents.delete(agents.keys().next().value as string);
      agent = new CascadeAgent({ keepOrder: true, ...config.agent, models: route.models });
      agents.set(route.name, agent);
    }
    return agent;
  };

  const handle = async (request: Request): Promise<Response> => {
    const t0 = Date.now();
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const wire: Wire = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    const log: RequestLog = { method: request.method, path, status: 0, latencyMs: 0 };
    const cors = corsHeaders(config.cors, request.headers.get('origin'));
    const report = () => {
      log.latencyMs = Date.now() - t0;
      config.onRequest?.({ ...log });
    };
    // A stream is reported when it ends, everything else when it is answered.
    const done = (res: Response, streaming = false): Response => {
      for (const [k, v] of cors) res.headers.set(k, v);
      log.status = res.status;
      if (res.status >= 400) stats.error();
      if (!streaming) report();
      return res;
    };
    try {
      if (request.method === 'OPTIONS') return done(new Response(null, { status: cors.length ? 204 : 404 }));
      if (path === '/health' && request.method === 'GET') {
        return done(json({ status: 'healthy', uptime_s: Math.round((Date.now() - started) / 1000) }));
      }
      const caller = keys.identify(request.headers);
      if (!keys.open && caller === undefined) {
        throw new HttpError('E_PROXY_AUTH', 'invalid proxy key: send it in x-api-key or Authorization: Bearer');
      }
      if (path === '/stats' && request.method === 'GET') return done(json(stats.toJSON()));
      if (path === '/metrics' && request.method === 'GET') {
        return done(new Response(stats.toPrometheus(), { headers: { 'content-type': 'text/plain; version=0.0.4' } }));
      }
      if (path === '/v1/models' && request.method === 'GET') return done(json(modelList(router.names(), request.headers)));
      if (path === '/v1/messages/count_tokens' && request.method === 'POST') {
        const counted = JSON.parse(codecs.serveCountTokens(await readBody(request, maxBody))) as { input_tokens: number } | { error: string };
        if ('error' in counted) throw new HttpError('E_BAD_REQUEST', counted.error);
        // An estimate: the route's tiers count with different tokenizers.
        const res = json(counted);
        res.headers.set('x-cascade-estimated', 'true');
        return done(res);
      }
      const post = path === '/v1/messages' || path === '/v1/chat/completions';
      if (!post) throw new HttpError('E_NOT_FOUND', `no such endpoint: ${request.method} ${path}`);
      if (request.method !== 'POST') throw new HttpError('E_METHOD', `${path} takes POST`);
      const body = await readBody(request, maxBody);
      const read = JSON.parse(codecs.serveRead(wire, body)) as RunInput | { error: string };
      if ('error' in read) throw new HttpError('E_BAD_REQUEST', read.error);
      const resolved = router.resolve(read.model);
      if (!resolved) throw new HttpError('E_NOT_FOUND', `no route for model ${JSON.stringify(read.model)}`);
      const session = sessions?.key(resolved.name, request.headers);
      const offset = sessions?.from(session) ?? 0;
      const route = offset > 0 ? { ...startingAt(resolved, offset), name: resolved.name } : resolved;
      const agentRoute = offset > 0 ? startingAt(resolved, offset) : resolved;
      log.route = route.name;
      log.stream = read.stream;
      const agent = agentFor(agentRoute);
      const options: RunOptions = { ...read.options, signal: request.signal };
      if (caller !== undefined) options.userId = caller;
      if (!read.stream) {
        const result = await agent.run(read.messages, options);
        sessions?.answered(session, offset, result);
        const decision = decide(route.direct, result);
        note(log, result, decision);
        stats.record(route.name, result, decision === 'accepted');
        const out = codecs.serveWrite(wire, JSON.stringify(result), newId(wire), Math.floor(Date.now() / 1000));
        return done(new Response(out, { headers: { 'content-type': 'application/json', ...cascadeHeaders(result, decision) } }));
      }
      const res = await streamResponse(wire, agent, read, options, route.direct, (end) => {
        if ('result' in end) {
          sessions?.answered(session, offset, end.result);
          note(log, end.result, end.decision);
          stats.record(route.name, end.result, end.decision === 'accepted');
        } else {
          log.code = end.code;
          stats.error();
        }
        report();
      });
      return done(res, true);
    } catch (e) {
      const { code, status, message } = describe(e);
      log.code = code;
      const res = new Response(codecs.serveError(wire, code, status, message), {
        status: codecs.serveStatus(code, status),
        headers: { 'content-type': 'application/json' },
      });
      const retry = e instanceof CascadeError && typeof e.retryAfterMs === 'number' ? Math.ceil(e.retryAfterMs / 1000) : undefined;
      if (retry !== undefined) res.headers.set('retry-after', String(retry));
      return done(res);
    }
  };

  return Object.assign(handle, { stats: () => stats.toJSON() });
}

interface RunInput {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  messages: Message[];
  options: RunOptions;
}

function decide(direct: boolean, r: CascadeResult): Decision {
  if (direct) return 'direct';
  return r.draftAccepted ? 'accepted' : 'escalated';
}

function note(log: RequestLog, r: CascadeResult, decision: Decision): void {
  log.model = r.modelUsed;
  log.decision = decision;
  log.cost = r.totalCost;
  log.saved = r.costSaved;
}

function money(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(8) : 'unknown';
}

function cascadeHeaders(r: CascadeResult, decision: Decision): Record<string, string> {
  return {
    'x-cascade-model': r.modelUsed,
    'x-cascade-decision': decision,
    'x-cascade-cost': money(r.totalCost),
    'x-cascade-saved': money(r.costSaved),
  };
}

/**
 * A streamed answer. The response is returned only when the first frame
 * is ready (the engine has judged the draft and released text) or the run
 * has ended: a run that fails before then gets a plain error response with
 * its status. Cost and savings are only known at the end, so a stream's
 * headers carry the model and the decision; the final frame has the usage.
 */
async function streamResponse(
  wire: Wire,
  agent: CascadeAgent,
  read: RunInput,
  options: RunOptions,
  direct: boolean,
  ended: (end: { result: CascadeResult; decision: Decision } | { code: string }) => void,
): Promise<Response> {
  const events = agent.stream(read.messages, { ...options, mode: 'buffered' })[Symbol.asyncIterator]();
  const writer = new codecs.ServeStream(wire, newId(wire), Math.floor(Date.now() / 1000), read.includeUsage);
  const encoder = new TextEncoder();
  let first: StreamEvent | undefined;
  for (;;) {
    const next = await events.next();
    if (next.done) break;
    const e = next.value;
    if (e.type === 'error') {
      writer.free();
      throw e.error;
    }
    if (e.type === 'chunk' || e.type === 'complete') {
      first = e;
      break;
    }
  }
  // Released text comes from the model that answers: the first tier's is an
  // accepted draft, a later tier's an escalation (after a rejected or a failed draft).
  let model = '';
  let decision: Decision = 'direct';
  if (first?.type === 'chunk') {
    model = first.model;
    decision = direct ? 'direct' : first.tier === 0 ? 'accepted' : 'escalated';
  } else if (first?.type === 'complete') {
    model = first.result.modelUsed;
    decision = decide(direct, first.result);
  }
  // One frame for one event: text out as soon as the engine releases it.
  const frame = (e: StreamEvent): string | undefined => {
    if (e.type === 'chunk') return writer.text(e.text, e.model);
    if (e.type === 'complete') {
      ended({ result: e.result, decision: decide(direct, e.result) });
      return writer.finish(JSON.stringify(e.result));
    }
    if (e.type === 'error') {
      const { code, status, message } = describe(e.error);
      ended({ code });
      return writer.error(code, status, message);
    }
    return undefined;
  };
  let pending = first;
  let freed = false;
  const free = () => {
    if (!freed) writer.free();
    freed = true;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const e = pending ?? (await events.next().then((n) => (n.done ? undefined : n.value)));
        pending = undefined;
        if (!e) {
          free();
          controller.close();
          return;
        }
        const text = frame(e);
        if (text) {
          controller.enqueue(encoder.encode(text));
          return;
        }
      }
    },
    async cancel() {
      await events.return?.();
      free();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-cascade-model': model,
      'x-cascade-decision': decision,
    },
  });
}

function describe(e: unknown): { code: string; status: number; message: string } {
  if (e instanceof HttpError) return { code: e.code, status: 0, message: e.message };
  if (e instanceof CascadeError) return { code: e.code, status: e.status ?? 0, message: e.message };
  return { code: 'E_INTERNAL', status: 0, message: 'internal error' };
}

function json(v: unknown, status = 200): Response {
  return new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });
}

function newId(wire: Wire): string {
  const u = crypto.randomUUID().replace(/-/g, '');
  return wire === 'anthropic' ? `msg_${u}` : `chatcmpl-${u}`;
}

/** The body as text, refused with 413 past `max` bytes (counted as it arrives, whatever Content-Length says). */
async function readBody(request: Request, max: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  const tooLarge = () => new HttpError('E_TOO_LARGE', `request body over ${max} bytes`);
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** Anthropic's list shape for its clients (they send `anthropic-version`), OpenAI's otherwise. */
function modelList(names: string[], headers: Headers): unknown {
  if (headers.has('anthropic-version')) {
    const data = names.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' }));
    return { data, has_more: false, first_id: names[0] ?? null, last_id: names[names.length - 1] ?? null };
  }
  return { object: 'list', data: names.map((id) => ({ id, object: 'model', created: 0, owned_by: 'cascade-edge' })) };
}

const ALLOW_HEADERS = 'authorization, content-type, x-api-key, anthropic-version, anthropic-beta, x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, x-stainless-timeout';

function corsHeaders(cors: ProxyConfig['cors'], origin: string | null): [string, string][] {
  if (!cors || !origin) return [];
  const allowed = cors === true ? '*' : cors.includes(origin) ? origin : undefined;
  if (!allowed) return [];
  return [
    ['access-control-allow-origin', allowed],
    ['access-control-allow-methods', 'GET, POST, OPTIONS'],
    ['access-control-allow-headers', ALLOW_HEADERS],
    ['access-control-expose-headers', 'x-cascade-model, x-cascade-decision, x-cascade-cost, x-cascade-saved'],
    ['vary', 'origin'],
  ];
}
