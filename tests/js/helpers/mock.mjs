// Shared plumbing for the package tests: an in-process aimock server on
// 127.0.0.1, per-wire facts (endpoint path, usage field names), agents wired
// to the mock, a fetch that records exactly what we sent, and a stream
// collector.
import { after, before, beforeEach } from 'node:test';
import { LLMock } from '@copilotkit/aimock';
import { CascadeAgent } from './pkg.mjs';

/** Start aimock on an ephemeral loopback port. */
export async function startMock(options = {}) {
  const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', ...options });
  await mock.start();
  return mock;
}

/**
 * aimock for the calling file (or `describe`): started before its tests,
 * reset before each one, stopped after. `set` receives the server.
 */
export function useMock(set) {
  let mock;
  before(async () => {
    mock = await startMock();
    set(mock);
  });
  after(async () => {
    await mock.stop();
  });
  beforeEach(() => {
    mock.reset();
  });
}

/** Requests aimock received (not its control API), oldest first. */
export function journal(mock) {
  return mock
    .getRequests()
    .filter((e) => !e.path.startsWith('/__aimock'))
    .map((e) => ({ method: e.method, path: e.path, headers: e.headers, body: e.body, status: e.response?.status }));
}

/** What differs between the three wire formats, as aimock serves them. */
export const WIRES = {
  openai: {
    path: '/v1/chat/completions',
    usage: (input, output) => ({ prompt_tokens: input, completion_tokens: output }),
  },
  anthropic: {
    path: '/v1/messages',
    usage: (input, output) => ({ input_tokens: input, output_tokens: output }),
  },
  // aimock's Ollama always reports prompt_eval_count / eval_count = 0.
  ollama: { path: '/api/chat', usage: null },
};

/** Prices in USD per 1M tokens, cheapest first. */
export const PRICES = {
  draft: { inputCost: 0.15, outputCost: 0.6 },
  mid: { inputCost: 1, outputCost: 4 },
  top: { inputCost: 2.5, outputCost: 10 },
};

export function costOf(price, usage) {
  return (usage.inputTokens * price.inputCost + usage.outputTokens * price.outputCost) / 1e6;
}

/** A text fixture response, with usage in the wire's own field names when it has any. */
export function reply(wire, content, { input, output, ...rest } = {}) {
  const out = { content, ...rest };
  if (input !== undefined && WIRES[wire].usage) out.usage = WIRES[wire].usage(input, output);
  return out;
}

/** A fetch that forwards to the global one and keeps a copy of every request. */
export function recordingFetch() {
  const calls = [];
  const f = async (url, init = {}) => {
    const headers = {};
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    let body = init.body;
    try {
      body = JSON.parse(body);
    } catch {
      /* keep as text */
    }
    calls.push({ url: String(url), method: init.method, headers, body });
    return fetch(url, init);
  };
  f.calls = calls;
  return f;
}

/**
 * Model configs for `names` on one wire, priced draft < mid < top so that the
 * engine's cost ordering keeps them as given.
 */
export function models(mock, wire, names, extra = {}) {
  const tiers = names.length === 2 ? ['draft', 'top'] : ['draft', 'mid', 'top'].slice(0, names.length);
  return names.map((name, i) => ({
    name,
    provider: wire,
    baseUrl: mock.url,
    apiKey: `sk-test-${wire}-${i}`,
    ...PRICES[tiers[i]],
    ...(extra[i] ?? {}),
  }));
}

/**
 * Retries as the defaults make them, only faster: tests see every retry
 * without waiting for it. A `Retry-After` of a second or more moves on.
 */
export const FAST_RETRY = { baseDelayMs: 2, maxDelayMs: 10, maxRetryAfterMs: 100 };

/** An agent over `names` on `wire`, sending through a recording fetch (`agent.fetch.calls`). */
export function agentFor(mock, wire, names, { perModel, ...options } = {}) {
  const f = recordingFetch();
  const agent = new CascadeAgent({ models: models(mock, wire, names, perModel), fetch: f, env: {}, retry: FAST_RETRY, ...options });
  return { agent, calls: f.calls };
}

/** Chat requests aimock received, oldest first: `{ path, headers, body }`. */
export function sent(mock) {
  return mock
    .getRequests()
    .filter((e) => e.method === 'POST' && !e.path.startsWith('/__aimock'))
    .map((e) => ({ path: e.path, headers: e.headers, body: e.body, status: e.response.status }));
}

/** The same journal over aimock's HTTP control API. */
export async function httpJournal(mock) {
  const res = await fetch(`${mock.url}/__aimock/journal`);
  if (!res.ok) throw new Error(`journal: HTTP ${res.status}`);
  return res.json();
}

/** Drain a CascadeStream: every event, and the result or the error it ended with. */
export async function collect(stream) {
  const events = [];
  for await (const e of stream) events.push(e);
  let result;
  let error;
  try {
    result = await stream.result;
  } catch (e) {
    error = e;
  }
  return { events, types: events.map((e) => e.type), result, error };
}

/** Run `fn` and return what it rejected with; fail if it resolved. */
export async function rejection(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but the call resolved');
}

/** A long-enough, on-topic answer that no reasonable judge should reject. */
export const GOOD_LONG =
  'Quantum entanglement is a physical phenomenon in which two particles share a single quantum state, ' +
  'so that measuring a property of one immediately fixes the correlated property of the other, ' +
  'no matter how far apart they are. It does not allow faster-than-light communication.';
