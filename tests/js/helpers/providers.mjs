// Shared by the provider package tests: the engine's provider table, each
// provider's base-URL shapes on aimock, fixtures in each wire's own usage
// names, and the assertions on what we sent and what we parsed.
import assert from 'node:assert/strict';

import { CascadeAgent } from './pkg.mjs';
import { FAST_RETRY, recordingFetch } from './mock.mjs';

// The engine the package loaded (same module instance), for its provider table.
const glue = await import(new URL('../../../pkg/dist/wasm/cascade_edge.js', import.meta.url).href);
export const TABLE = JSON.parse(glue.providerTable());

/** Each provider's realistic base path on aimock first, then the other shape. */
export const BASES = {
  openai: ['/v1', ''],
  anthropic: ['', '/v1'],
  ollama: ['', '/v1'],
  groq: ['/openai/v1', ''],
  together: ['/v1', ''],
  vllm: ['/v1', ''],
  huggingface: ['/v1', ''],
  deepseek: ['/v1', ''],
  openrouter: ['/api/v1', '/v1'],
  litellm: ['', '/v1'],
  'openai-compatible': ['/v1', ''],
};

export const PRICE = { inputCost: 1, outputCost: 4 };
export const KEY = 'sk-test-PROVIDERS-0001';
export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
export const TWO_CALLS = [
  { name: 'get_weather', arguments: { city: 'Paris' } },
  { name: 'get_weather', arguments: { city: 'Rome' } },
];

export const wireOf = (id) => TABLE.find((p) => p.id === id).wire;

export function chatPath(wire, base) {
  if (wire === 'anthropic') return '/v1/messages';
  if (wire === 'ollama') return '/api/chat';
  return `${base || '/v1'}/chat/completions`;
}

export function authOf(wire, key = KEY) {
  return wire === 'anthropic' ? ['x-api-key', key] : ['authorization', `Bearer ${key}`];
}

/** A fixture response with usage in the wire's own names (aimock's Ollama always reports 0). */
export function answer(wire, fields, input = 11, output = 7) {
  if (wire === 'ollama') return fields;
  const usage =
    wire === 'anthropic'
      ? { input_tokens: input, output_tokens: output }
      : { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  return { ...fields, usage };
}

export function near(actual, expected, what) {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

/** What every chat request must carry, whatever the wire. `j`: journal entry; `call`: what fetch got. */
export function assertSent(mockUrl, id, wire, base, name, j, call, streaming) {
  assert.equal(j.method, 'POST');
  assert.equal(j.path, chatPath(wire, base));
  assert.equal(j.body.model, name);
  assert.equal(call.method, 'POST');
  assert.equal(call.url, mockUrl + chatPath(wire, base));
  assert.equal(call.body.model, name);
  const [authName, authValue] = authOf(wire);
  assert.ok(authName in j.headers, `${authName} header reached the server`);
  assert.equal(call.headers[authName], authValue);
  const other = wire === 'anthropic' ? 'authorization' : 'x-api-key';
  assert.ok(!(other in call.headers), 'one auth scheme only');
  assert.match(call.headers['content-type'], /^application\/json/);
  if (wire === 'anthropic') assert.equal(call.headers['anthropic-version'], '2023-06-01');
  if (id === 'openrouter') {
    assert.equal(j.headers['x-title'], 'cascade-edge');
    assert.match(j.headers['http-referer'], /^https:\/\//);
  }
  if (wire === 'ollama') assert.equal(call.body.stream, streaming, 'Ollama streams unless told not to');
  else assert.equal(Boolean(call.body.stream), streaming);
  if (wire === 'openai') {
    if (streaming) assert.deepEqual(call.body.stream_options, { include_usage: true });
    else assert.equal(call.body.stream_options, undefined);
  }
}

export function assertUsage(wire, r) {
  if (wire === 'ollama') {
    assert.equal(r.usage.estimated, true, 'aimock Ollama reports no counts: estimated');
    assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0);
  } else {
    assert.deepEqual(r.usage, { inputTokens: 11, outputTokens: 7, estimated: false });
    assert.deepEqual(r.attempts[0].usage.inputTokens, 11);
  }
  near(r.totalCost, (r.usage.inputTokens * PRICE.inputCost + r.usage.outputTokens * PRICE.outputCost) / 1e6, 'totalCost');
}

export function assertNativeTools(wire, body) {
  if (wire === 'anthropic') {
    assert.deepEqual(body.tools, [
      { name: 'get_weather', description: 'Current weather for a city', input_schema: WEATHER_TOOL.function.parameters },
    ]);
  } else {
    assert.deepEqual(body.tools, [WEATHER_TOOL]);
  }
}

export function assertTwoCalls(r) {
  assert.equal(r.finishReason, 'tool_calls');
  assert.deepEqual(
    r.toolCalls.map((c) => [c.name, c.arguments, JSON.parse(c.argumentsRaw)]),
    [
      ['get_weather', { city: 'Paris' }, { city: 'Paris' }],
      ['get_weather', { city: 'Rome' }, { city: 'Rome' }],
    ],
  );
  assert.ok(r.toolCalls.every((c) => typeof c.id === 'string' && c.id.length > 0));
  assert.notEqual(r.toolCalls[0].id, r.toolCalls[1].id);
}

/** One model of provider `id` at `mock.url + base`, with a fetch that records what was sent. */
export function providerAgent(mock, id, base, name, extra = {}) {
  const f = recordingFetch();
  const agent = new CascadeAgent({
    models: [{ name, provider: id, baseUrl: mock.url + base, apiKey: KEY, ...PRICE, ...extra }],
    env: {},
    fetch: f,
    retry: FAST_RETRY,
  });
  return { agent, calls: f.calls };
}
