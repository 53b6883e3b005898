// createProxy's fetch handler in-process, loaded through the package's
// `./proxy` export: the HTTP edges (body limit, unknown paths and methods,
// unreadable bodies, CORS, the model list, /stats) and what the engine's
// codecs carry across wires (tool calls), against aimock on 127.0.0.1.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { journal, reply, startMock } from './helpers/mock.mjs';

const pkgDir = new URL('../../pkg/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8'));
const { createProxy } = await import(new URL(manifest.exports['./proxy'].default, pkgDir).href);

const KEY = 'handler-test-key-55';
const GOOD = 'The capital of France is Paris, which is also its largest city and the seat of its government.';
let mock;
let proxy;
let logs;

before(async () => {
  mock = await startMock();
});
after(async () => {
  await mock.stop();
});
beforeEach(() => {
  mock.reset();
  logs = [];
  proxy = createProxy({
    keys: [KEY],
    providers: { anthropic: { apiKey: 'up-a', baseUrl: mock.url }, openai: { apiKey: 'up-o', baseUrl: `${mock.url}/v1` } },
    routes: { 'cascade-openai': ['gpt-4o-mini', 'gpt-4o'] },
    maxBodyBytes: 4096,
    cors: ['https://app.example'],
    agent: { retry: { maxRetries: 0 } },
    onRequest: (e) => logs.push(e),
  });
});

const post = (path, body, headers = {}) =>
  proxy(
    new Request(`http://proxy.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
const get = (path, headers = {}) => proxy(new Request(`http://proxy.test${path}`, { headers: { 'x-api-key': KEY, ...headers } }));

describe('HTTP edges', () => {
  it('a body over maxBodyBytes is a 413 in the caller\'s shape, declared or streamed without a length', async () => {
    const big = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    let res = await post('/v1/messages', big);
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.type, 'request_too_large');
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        c.close();
      },
    });
    res = await proxy(new Request('http://proxy.test/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: chunks, duplex: 'half' }));
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.type, 'invalid_request_error');
    assert.equal(journal(mock).length, 0);
  });

  it('count_tokens answers an estimate without calling any upstream, and says it is one', async () => {
    const body = (content) => ({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content }] });
    let res = await post('/v1/messages/count_tokens', body('What is 2+2?'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cascade-estimated'), 'true');
    const short = (await res.json()).input_tokens;
    res = await post('/v1/messages/count_tokens', body('What is 2+2? '.repeat(200)));
    const long = (await res.json()).input_tokens;
    // A token per four characters, and four for the turn's framing.
    assert.deepEqual([short, long], [3 + 4, 650 + 4]);
    res = await post('/v1/messages/count_tokens', '{"messages": 7}');
    assert.equal(res.status, 400);
    assert.equal((await res.json()).type, 'error');
    res = await post('/v1/messages/count_tokens', body('hi'), { authorization: 'Bearer wrong' });
    assert.equal(res.status, 401);
    assert.equal(journal(mock).length, 0);
  });

  it('an unknown path is a 404, a wrong method a 405, an unreadable body a 400', async () => {
    let res = await get('/v1/nope');
    assert.equal(res.status, 404);
    assert.match((await res.json()).error.message, /no such endpoint/);
    res = await get('/v1/messages');
    assert.equal(res.status, 405);
    assert.equal((await res.json()).type, 'error', "Anthropic's envelope on its path");
    res = await post('/v1/chat/completions', '{"model":');
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /not valid JSON/);
    res = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 9, messages: [{ role: 'user', content: [{ type: 'image', source: {} }] }] });
    assert.equal(res.status, 400, 'an image the tiers would not see is refused, not dropped');
  });

  it('/health needs no key; /stats and /v1/models do', async () => {
    assert.equal((await proxy(new Request('http://proxy.test/health'))).status, 200);
    assert.equal((await proxy(new Request('http://proxy.test/stats'))).status, 401);
    const openaiList = await (await get('/v1/models')).json();
    assert.deepEqual(openaiList.data.map((m) => m.id), ['cascade-openai', 'cascade-auto']);
    const anthropicList = await (await get('/v1/models', { 'anthropic-version': '2023-06-01' })).json();
    assert.equal(anthropicList.data[0].type, 'model');
  });

  it('CORS: a preflight from an allowed origin is answered; another origin gets no CORS headers', async () => {
    const pre = (origin) => proxy(new Request('http://proxy.test/v1/messages', { method: 'OPTIONS', headers: { origin } }));
    const ok = await pre('https://app.example');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(ok.headers.get('access-control-allow-headers'), /x-api-key/);
    const no = await pre('https://evil.example');
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  });

  it('passthrough: an unrouted model goes, alone, to its own provider; the decision is "direct"', async () => {
    mock.on({ model: 'gpt-4.1' }, reply('openai', GOOD, { input: 9, output: 20 }));
    const res = await post('/v1/chat/completions', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cascade-decision'), 'direct');
    assert.deepEqual(journal(mock).map((r) => [r.path, r.body.model]), [['/v1/chat/completions', 'gpt-4.1']]);
  });

  it('an upstream that fails on every tier is a 5xx in the caller\'s shape, counted in /stats', async () => {
    mock.on({ model: 'claude-haiku-4-5' }, { error: { message: 'boom', type: 'api_error' }, status: 500 });
    mock.on({ model: 'claude-sonnet-4-5' }, { error: { message: 'boom', type: 'api_error' }, status: 500 });
    const res = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'api_error');
    assert.match(body.error.message, /tried claude-haiku-4-5 .*claude-sonnet-4-5/);
    assert.ok(!JSON.stringify(body).includes('up-a'), 'no upstream key in the error');
    assert.equal(logs.at(-1).code, 'E_ALL_MODELS_FAILED');
    assert.equal((await (await get('/stats')).json()).errors, 1);
  });
});

describe('across wires', () => {
  it('an OpenAI client\'s tools reach Anthropic tiers as tools, and the tool_use comes back as tool_calls', async () => {
    mock.on({ model: 'claude-haiku-4-5' }, { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { input_tokens: 30, output_tokens: 12 } });
    const res = await post('/v1/chat/completions', {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    assert.equal(res.status, 200);
    const out = await res.json();
    const choice = out.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(choice.message.tool_calls[0].function.arguments), { city: 'Paris' });
    // aimock's journal keeps bodies in its own (OpenAI-like) form, whatever the wire.
    const [sent] = journal(mock);
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.body.tools[0].function.name, 'get_weather');
    assert.deepEqual(sent.body.tools[0].function.parameters, { type: 'object', properties: { city: { type: 'string' } } });
  });

  it('/stats has the seed\'s fields after an accepted draft, and /metrics the same as Prometheus text', async () => {
    mock.on({ model: 'claude-haiku-4-5' }, reply('anthropic', GOOD, { input: 14, output: 20 }));
    const res = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'What is the capital of France?' }] });
    assert.equal(res.status, 200);
    const s = await (await get('/stats')).json();
    assert.equal(s.total_queries, 1);
    assert.equal(s.cascade_used_count, 1);
    assert.equal(s.cascade_usage_pct, 100);
    assert.deepEqual(s.models_used, { 'claude-haiku-4-5': 1 });
    assert.ok(s.total_cost > 0 && s.avg_cost_per_query === s.total_cost && s.total_saved > 0);
    assert.equal(s.routes['claude-sonnet-4-5'].accepted, 1);
    assert.deepEqual(logs.map((l) => [l.path, l.decision, l.model]), [
      ['/v1/messages', 'accepted', 'claude-haiku-4-5'],
      ['/stats', undefined, undefined],
    ]);
    const metrics = await (await get('/metrics')).text();
    assert.match(metrics, /^# TYPE cascade_proxy_queries_total counter$/m);
    assert.match(metrics, /^cascade_proxy_queries_total\{route="claude-sonnet-4-5"\} 1$/m);
    assert.match(metrics, /^cascade_proxy_drafts_accepted_total\{route="claude-sonnet-4-5"\} 1$/m);
    assert.match(metrics, /^cascade_proxy_answers_total\{model="claude-haiku-4-5"\} 1$/m);
    assert.match(metrics, /^cascade_proxy_errors_total 0$/m);
    assert.equal((await proxy(new Request('http://proxy.test/metrics'))).status, 401);
  });
});
