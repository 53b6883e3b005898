// `cascade-edge/langchain` with the real `@langchain/core` 1.x: invoke,
// stream, batch, bindTools (and a tool round trip), withStructuredOutput
// with a zod schema, callbacks that see the usage, use in a chain, and
// abort; against aimock on 127.0.0.1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { CascadeAgent } from './helpers/pkg.mjs';
import { GOOD_LONG, PRICES, agentFor, costOf, reply, sent, useMock } from './helpers/mock.mjs';

const pkgDir = new URL('../../pkg/', import.meta.url);
const entry = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8')).exports['./langchain'].default;
const { CascadeChatModel } = await import(new URL(entry, pkgDir).href);

const Q = 'Explain quantum entanglement in a few sentences.';
/** The three counts (LangChain adds empty detail objects when it merges chunks). */
const counts = (u) => ({ input_tokens: u?.input_tokens, output_tokens: u?.output_tokens, total_tokens: u?.total_tokens });
const near = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);
let mock;
useMock((m) => {
  mock = m;
});

function chat(options) {
  const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
  return new CascadeChatModel({ agent, ...options });
}

const weather = tool(async ({ city }) => `sunny in ${city}`, {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: z.object({ city: z.string() }),
});

describe('langchain: CascadeChatModel', () => {
  test('invoke: the accepted draft, with usage_metadata and the decision in response_metadata', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const msg = await chat().invoke([new SystemMessage('Be brief.'), new HumanMessage(Q)]);
    assert.equal(msg.content, GOOD_LONG);
    assert.deepEqual(counts(msg.usage_metadata), { input_tokens: 30, output_tokens: 50, total_tokens: 80 });
    assert.equal(msg.response_metadata.model_name, 'draft-m');
    assert.equal(msg.response_metadata.cascade.draftAccepted, true);
    near(msg.response_metadata.cascade.totalCost, costOf(PRICES.draft, { inputTokens: 30, outputTokens: 50 }), 'totalCost');
    const [body] = sent(mock).map((s) => s.body);
    assert.deepEqual(body.messages.map((m) => [m.role, m.content]), [['system', 'Be brief.'], ['user', Q]]);
  });

  test('stream: an escalated answer arrives in chunks from the verifier only, the last chunk with usage', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', 'Quantum', { input: 30, output: 2, finishReason: 'length' }));
    mock.on({ model: 'top-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const chunks = [];
    for await (const c of await chat().stream(Q)) chunks.push(c);
    assert.ok(chunks.length > 2, `${chunks.length} chunks`);
    const whole = chunks.reduce((a, b) => a.concat(b));
    assert.equal(whole.content, GOOD_LONG);
    assert.deepEqual(counts(whole.usage_metadata), { input_tokens: 60, output_tokens: 52, total_tokens: 112 });
    assert.equal(whole.response_metadata.cascade.modelUsed, 'top-m');
    assert.equal(whole.response_metadata.cascade.cascaded, true);
  });

  test('batch: one cascade per input, answers in order', async () => {
    mock.on({ userMessage: 'first question about entanglement' }, reply('openai', `${GOOD_LONG} (1)`, { input: 10, output: 50 }));
    mock.on({ userMessage: 'second question about entanglement' }, reply('openai', `${GOOD_LONG} (2)`, { input: 10, output: 50 }));
    const out = await chat().batch(['first question about entanglement', 'second question about entanglement']);
    assert.deepEqual(out.map((m) => m.content), [`${GOOD_LONG} (1)`, `${GOOD_LONG} (2)`]);
    assert.equal(sent(mock).length, 2);
  });

  test('bindTools: the tool goes out, the call comes back as tool_calls, and a ToolMessage round trip answers', async () => {
    mock.on({ model: 'draft-m', hasToolResult: false }, { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { prompt_tokens: 20, completion_tokens: 5 } });
    mock.on({ model: 'draft-m', hasToolResult: true }, reply('openai', 'It is sunny in Paris today.', { input: 40, output: 9 }));
    const model = chat().bindTools([weather]);
    const question = new HumanMessage('What is the weather in Paris right now?');
    const first = await model.invoke([question]);
    assert.equal(first.tool_calls.length, 1);
    assert.equal(first.tool_calls[0].name, 'get_weather');
    assert.deepEqual(first.tool_calls[0].args, { city: 'Paris' });
    const result = await weather.invoke(first.tool_calls[0]);
    assert.ok(result instanceof ToolMessage);
    const second = await model.invoke([question, first, result]);
    assert.equal(second.content, 'It is sunny in Paris today.');
    const bodies = sent(mock).map((s) => s.body);
    assert.equal(bodies[0].tools[0].function.name, 'get_weather');
    assert.deepEqual(bodies[0].tools[0].function.parameters.required, ['city']);
    assert.deepEqual(bodies[1].messages.map((m) => m.role), ['user', 'assistant', 'tool']);
    assert.equal(bodies[1].messages[2].tool_call_id, first.tool_calls[0].id);
    assert.equal(bodies[1].messages[2].content, 'sunny in Paris');
  });

  test('withStructuredOutput(zod): the schema goes out as response_format, the answer comes back parsed and validated', async () => {
    const answer = { city: 'Paris', population: 2102650 };
    mock.on({ userMessage: 'Largest city of France' }, reply('openai', JSON.stringify(answer), { input: 25, output: 12 }));
    mock.on({ userMessage: 'Largest city of Spain' }, reply('openai', JSON.stringify({ city: 'Madrid' }), { input: 25, output: 8 }));
    const schema = z.object({ city: z.string(), population: z.number() });
    const structured = chat().withStructuredOutput(schema, { name: 'city' });
    assert.deepEqual(await structured.invoke('Largest city of France, as JSON'), answer);
    const [body] = sent(mock).map((s) => s.body);
    assert.equal(body.response_format.type, 'json_schema');
    assert.deepEqual(body.response_format.json_schema.schema.required, ['city', 'population']);
    await assert.rejects(structured.invoke('Largest city of Spain, as JSON'), /population/);
  });

  test('callbacks: handleLLMEnd sees the token usage, handleLLMNewToken each streamed chunk', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const ends = [];
    const tokens = [];
    const handler = { handleLLMEnd: (output) => ends.push(output), handleLLMNewToken: (t) => tokens.push(t) };
    await chat().invoke(Q, { callbacks: [handler] });
    assert.deepEqual(ends[0].llmOutput.tokenUsage, { promptTokens: 30, completionTokens: 50, totalTokens: 80 });
    assert.equal(ends[0].llmOutput.cascade.modelUsed, 'draft-m');
    let streamed = '';
    for await (const c of await chat().stream(Q, { callbacks: [handler] })) streamed += c.content;
    assert.equal(tokens.join(''), GOOD_LONG);
    assert.equal(streamed, GOOD_LONG);
    assert.deepEqual(counts(ends[1].generations[0][0].message.usage_metadata), { input_tokens: 30, output_tokens: 50, total_tokens: 80 });
  });

  test('in a chain: prompt | model | string parser', async () => {
    mock.on({ userMessage: 'Explain entanglement to a child' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const prompt = ChatPromptTemplate.fromMessages([['system', 'You explain physics.'], ['human', 'Explain {topic} to a child']]);
    const chain = prompt.pipe(chat()).pipe(new StringOutputParser());
    assert.equal(await chain.invoke({ topic: 'entanglement' }), GOOD_LONG);
  });

  test('abort: a signal stops a call the provider never answers, with E_ABORTED', async () => {
    let arrived;
    const held = new Promise((resolve) => (arrived = resolve));
    const sockets = new Set();
    const silent = http.createServer(() => arrived());
    silent.on('connection', (s) => sockets.add(s));
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const agent = new CascadeAgent({
        models: [{ name: 'draft-m', provider: 'openai', baseUrl: `http://127.0.0.1:${silent.address().port}`, apiKey: 'sk-test', ...PRICES.draft }],
        env: {},
      });
      const controller = new AbortController();
      const pending = new CascadeChatModel({ agent, maxRetries: 0 }).invoke(Q, { signal: controller.signal });
      await held;
      controller.abort();
      const err = await pending.then(() => assert.fail('resolved'), (e) => e);
      assert.ok(err.code === 'E_ABORTED' || err.name === 'AbortError', String(err));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a constructor without an agent is refused', () => {
    assert.throws(() => new CascadeChatModel({}), /expected \{ agent \}/);
  });
});
