// The routing proxy with the official clients: `@anthropic-ai/sdk` and
// `openai` pointed at `cascade-edge proxy` (the bin, as a user starts it),
// whose tiers all talk to aimock on 127.0.0.1. Proves: both endpoints,
// plain and streamed (the SDKs' strict stream helpers), a draft accepted
// and a draft escalated, cross-wire both ways, the answering model in the
// body and headers, proxy keys refused in the caller's wire shape and never
// forwarded, and one log line per request with no key or prompt text.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { journal, reply, startMock } from './helpers/mock.mjs';
import { logLines, startProxyBin } from './helpers/proxy.mjs';
import { ANSWER, startFaultServer } from './helpers/faults.mjs';

const PROXY_KEY = 'proxy-key-for-tests-7f3a9c';
const UPSTREAM_KEY = 'upstream-key-for-tests-b81d';
const GOOD = 'The capital of France is Paris, which is also its largest city and the seat of its government.';
const LONG =
  'Quantum entanglement links particles so that measuring one fixes the outcome statistics of the other, ' +
  'however far apart they are; no signal travels between them, so it cannot carry information faster than light.';
const UNSURE = "I'm sorry, I don't know.";

let mock;
let faults;
let proxy;

before(async () => {
  mock = await startMock();
  // Records the headers it receives (aimock redacts them in its journal).
  faults = await startFaultServer();
  proxy = await startProxyBin({
    keys: [PROXY_KEY],
    providers: {
      anthropic: { apiKey: UPSTREAM_KEY, baseUrl: mock.url },
      openai: { apiKey: UPSTREAM_KEY, baseUrl: `${mock.url}/v1` },
    },
    routes: {
      'cascade-openai': ['gpt-4o-mini', 'gpt-4o'],
      'fault-ok': [{ name: 'ok', provider: 'openai', baseUrl: faults.url }],
    },
  });
});

after(async () => {
  const code = await proxy?.stop();
  await mock?.stop();
  await faults?.close();
  assert.equal(code, 0, 'Ctrl-C drains and exits cleanly');
});

beforeEach(() => {
  mock.reset();
  // A question the drafter answers well, and one it does not know.
  for (const [model, wire] of [
    ['claude-haiku-4-5', 'anthropic'],
    ['gpt-4o-mini', 'openai'],
  ]) {
    mock.on({ model, userMessage: 'capital of France' }, reply(wire, GOOD, { input: 14, output: 20 }));
    mock.on({ model, userMessage: 'entanglement' }, reply(wire, UNSURE, { input: 16, output: 8 }));
  }
  mock.on({ model: 'claude-sonnet-4-5', userMessage: 'entanglement' }, reply('anthropic', LONG, { input: 16, output: 40 }));
  mock.on({ model: 'gpt-4o', userMessage: 'entanglement' }, reply('openai', LONG, { input: 16, output: 40 }));
});

const anthropic = (key = PROXY_KEY) => new Anthropic({ apiKey: key, baseURL: proxy.url, maxRetries: 0 });
const openai = (key = PROXY_KEY) => new OpenAI({ apiKey: key, baseURL: `${proxy.url}/v1`, maxRetries: 0 });
const ask = (q) => [{ role: 'user', content: q }];

it('the proxy key is never forwarded: upstream gets the configured key, from either client', async () => {
  faults.reset();
  const a = await anthropic().messages.create({ model: 'fault-ok', max_tokens: 50, messages: ask('Say something.') });
  const o = await openai().chat.completions.create({ model: 'fault-ok', messages: ask('Say something.') });
  assert.equal(a.content[0].text, ANSWER);
  assert.equal(o.choices[0].message.content, ANSWER);
  assert.equal(faults.log.length, 2);
  for (const r of faults.log) {
    assert.equal(r.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.ok(!JSON.stringify(r.headers).includes(PROXY_KEY));
  }
});

describe('POST /v1/messages with @anthropic-ai/sdk', () => {
  it('a Sonnet request is answered by an accepted Haiku draft, named in the body and headers', async () => {
    const { data, response } = await anthropic()
      .messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: ask('What is the capital of France?') })
      .withResponse();
    assert.equal(data.type, 'message');
    assert.equal(data.model, 'claude-haiku-4-5');
    assert.equal(data.content[0].text, GOOD);
    assert.equal(data.stop_reason, 'end_turn');
    assert.deepEqual([data.usage.input_tokens, data.usage.output_tokens], [14, 20]);
    assert.equal(response.headers.get('x-cascade-model'), 'claude-haiku-4-5');
    assert.equal(response.headers.get('x-cascade-decision'), 'accepted');
    assert.ok(Number(response.headers.get('x-cascade-cost')) > 0);
    assert.ok(Number(response.headers.get('x-cascade-saved')) > 0, 'Haiku is cheaper than Sonnet');
    assert.deepEqual(journal(mock).map((r) => r.body.model), ['claude-haiku-4-5']);
  });

  it('a draft the judge rejects escalates to the requested model', async () => {
    const { data, response } = await anthropic()
      .messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: ask('Explain quantum entanglement.') })
      .withResponse();
    assert.equal(data.model, 'claude-sonnet-4-5');
    assert.equal(data.content[0].text, LONG);
    assert.equal(response.headers.get('x-cascade-decision'), 'escalated');
    assert.deepEqual(journal(mock).map((r) => r.body.model), ['claude-haiku-4-5', 'claude-sonnet-4-5']);
  });

  it('streams: messages.stream().finalMessage() reads the whole SSE sequence; the rejected draft never shows', async () => {
    const stream = anthropic().messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: ask('Explain quantum entanglement.') });
    const { response } = await stream.withResponse();
    assert.equal(response.headers.get('x-cascade-decision'), 'escalated');
    assert.equal(response.headers.get('x-cascade-model'), 'claude-sonnet-4-5');
    let text = '';
    stream.on('text', (t) => (text += t));
    const msg = await stream.finalMessage();
    assert.equal(msg.model, 'claude-sonnet-4-5');
    assert.equal(msg.content[0].text, LONG);
    assert.equal(text, LONG, 'only the answer was streamed, not the draft');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.output_tokens, 40);
  });

  it('cross-wire: an OpenAI-tier route answers an Anthropic client', async () => {
    const msg = await anthropic().messages.stream({ model: 'cascade-openai', max_tokens: 100, messages: ask('What is the capital of France?') }).finalMessage();
    assert.equal(msg.model, 'gpt-4o-mini');
    assert.equal(msg.content[0].text, GOOD);
    assert.deepEqual(journal(mock).map((r) => [r.path, r.body.model]), [['/v1/chat/completions', 'gpt-4o-mini']]);
  });

  it('a wrong proxy key is a 401 in Anthropic\'s error shape, and nothing goes upstream', async () => {
    await assert.rejects(
      anthropic('wrong-key').messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: ask('hi') }),
      (e) => e instanceof Anthropic.AuthenticationError && e.status === 401 && e.error?.error?.type === 'authentication_error',
    );
    assert.equal(journal(mock).length, 0);
  });
});

describe('POST /v1/chat/completions with openai', () => {
  it('an accepted draft, plain', async () => {
    const { data, response } = await openai()
      .chat.completions.create({ model: 'cascade-openai', messages: ask('What is the capital of France?') })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'gpt-4o-mini');
    assert.equal(data.choices[0].message.content, GOOD);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.deepEqual([data.usage.prompt_tokens, data.usage.completion_tokens], [14, 20]);
    assert.equal(response.headers.get('x-cascade-decision'), 'accepted');
  });

  it('streams with include_usage: chunks, a usage chunk, [DONE]; escalated answer only', async () => {
    const stream = await openai().chat.completions.create({
      model: 'cascade-openai',
      messages: ask('Explain quantum entanglement.'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    const models = new Set();
    let finish;
    for await (const chunk of stream) {
      models.add(chunk.model);
      if (chunk.usage) usage = chunk.usage;
      const c = chunk.choices[0];
      if (c?.delta?.content) text += c.delta.content;
      if (c?.finish_reason) finish = c.finish_reason;
    }
    assert.equal(text, LONG);
    assert.deepEqual([...models], ['gpt-4o']);
    assert.equal(finish, 'stop');
    assert.deepEqual([usage.prompt_tokens, usage.completion_tokens], [16, 40], "the answer's usage, not the draft's added");
  });

  it('cross-wire: a Claude route answers an OpenAI client, through the strict stream helper', async () => {
    const done = await openai()
      .chat.completions.stream({ model: 'claude-sonnet-4-5', messages: ask('What is the capital of France?'), stream_options: { include_usage: true } })
      .finalChatCompletion();
    assert.equal(done.model, 'claude-haiku-4-5');
    assert.equal(done.choices[0].message.content, GOOD);
    assert.equal(journal(mock)[0].path, '/v1/messages');
  });

  it('a wrong proxy key is a 401 in OpenAI\'s error shape', async () => {
    await assert.rejects(
      openai('wrong-key').chat.completions.create({ model: 'gpt-4o', messages: ask('hi') }),
      (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.type === 'invalid_request_error',
    );
  });
});

describe('the bin', () => {
  it('logs one line per request with the decision, model, cost and latency; never a key or the prompt', async () => {
    await anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: ask('What is the capital of France? zq-marker') });
    const [line] = await logLines(proxy, /zq-marker|draft accepted: claude-haiku-4-5/);
    assert.match(line, /^POST \/v1\/messages 200 \d+ms ✅ draft accepted: claude-haiku-4-5 \$\d/);
    const all = proxy.lines.join('\n');
    for (const secret of [PROXY_KEY, UPSTREAM_KEY, 'zq-marker', 'wrong-key']) assert.ok(!all.includes(secret), secret);
  });
});
