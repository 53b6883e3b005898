// `cascade-edge/ai-sdk` with the real Vercel AI SDK (`ai` 7): generateText,
// streamText, a tool step run by the SDK, structured output, usage, abort,
// and the cascade's decision in providerMetadata, against aimock on
// 127.0.0.1 (and a silent loopback server for the abort).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs, { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, consumerProject } from './runtimes/consumer.mjs';
import { generateText, streamText, tool, jsonSchema, stepCountIs, Output } from 'ai';
import { CascadeAgent } from './helpers/pkg.mjs';
import { GOOD_LONG, PRICES, agentFor, costOf, reply, sent, useMock } from './helpers/mock.mjs';

const pkgDir = new URL('../../pkg/', import.meta.url);
const entry = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8')).exports['./ai-sdk'].default;
const { cascadeModel } = await import(new URL(entry, pkgDir).href);

// The SDK prints each call's warnings; the tests read them from the result instead.
globalThis.AI_SDK_LOG_WARNINGS = false;

const Q = 'Explain quantum entanglement in a few sentences.';
let mock;
useMock((m) => {
  mock = m;
});

const near = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

describe('ai-sdk: generateText', () => {
  test('an accepted draft: the drafter\'s text, its usage, and the decision in providerMetadata', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const r = await generateText({ model: cascadeModel(agent), prompt: Q, maxRetries: 0 });
    assert.equal(r.text, GOOD_LONG);
    assert.equal(r.finishReason, 'stop');
    assert.equal(r.usage.inputTokens, 30);
    assert.equal(r.usage.outputTokens, 50);
    const d = r.providerMetadata.cascade;
    assert.equal(d.modelUsed, 'draft-m');
    assert.equal(d.draftAccepted, true);
    assert.equal(d.cascaded, false);
    near(d.totalCost, costOf(PRICES.draft, { inputTokens: 30, outputTokens: 50 }), 'totalCost');
    assert.equal(r.response.modelId, 'draft-m');
    assert.deepEqual(sent(mock).map((s) => s.body.model), ['draft-m']);
  });

  test('a rejected draft escalates: the verifier\'s text, usage of both calls, cascaded in metadata', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', 'Quantum', { input: 30, output: 2, finishReason: 'length' }));
    mock.on({ model: 'top-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const r = await generateText({ model: cascadeModel(agent), prompt: Q, maxRetries: 0 });
    assert.equal(r.text, GOOD_LONG);
    const d = r.providerMetadata.cascade;
    assert.equal(d.modelUsed, 'top-m');
    assert.equal(d.draftAccepted, false);
    assert.equal(d.cascaded, true);
    assert.equal(d.attempts.length, 2);
    assert.equal(r.usage.inputTokens, 60);
    assert.equal(r.usage.outputTokens, 52);
  });

  test('a system prompt and the SDK\'s settings reach the provider; unsupported ones come back as warnings', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const r = await generateText({ model: cascadeModel(agent), system: 'Be brief.', prompt: Q, maxOutputTokens: 123, temperature: 0.2, topK: 3, maxRetries: 0 });
    const [body] = sent(mock).map((s) => s.body);
    assert.deepEqual(body.messages.map((m) => m.role), ['system', 'user']);
    assert.equal(body.messages[0].content, 'Be brief.');
    assert.equal(body.max_tokens ?? body.max_completion_tokens, 123);
    assert.equal(body.temperature, 0.2);
    assert.deepEqual(r.warnings.map((w) => w.feature), ['topK']);
  });

  test('tools: the SDK runs the call the cascade returned and the second step answers with its result', async () => {
    mock.on({ model: 'draft-m', hasToolResult: false }, { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { prompt_tokens: 20, completion_tokens: 5 } });
    mock.on({ model: 'draft-m', hasToolResult: true }, reply('openai', 'It is sunny in Paris, 21 degrees.', { input: 40, output: 9 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const ran = [];
    const r = await generateText({
      model: cascadeModel(agent),
      prompt: 'What is the weather in Paris right now?',
      tools: {
        get_weather: tool({
          description: 'Current weather for a city',
          inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          execute: async ({ city }) => {
            ran.push(city);
            return { city, tempC: 21, sky: 'sunny' };
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    assert.deepEqual(ran, ['Paris']);
    assert.equal(r.text, 'It is sunny in Paris, 21 degrees.');
    assert.equal(r.steps.length, 2);
    assert.equal(r.steps[0].finishReason, 'tool-calls');
    assert.equal(r.totalUsage.inputTokens, 60);
    const bodies = sent(mock).map((s) => s.body);
    assert.equal(bodies.length, 2);
    assert.equal(bodies[0].tools[0].function.name, 'get_weather');
    assert.deepEqual(bodies[1].messages.map((m) => m.role), ['user', 'assistant', 'tool']);
    assert.equal(bodies[1].messages[1].tool_calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(bodies[1].messages[2].content), { city: 'Paris', tempC: 21, sky: 'sunny' });
  });

  test('structured output: the schema goes out as response_format and the parsed object comes back', async () => {
    const answer = { city: 'Paris', population: 2102650 };
    mock.on({ model: 'draft-m' }, reply('openai', JSON.stringify(answer), { input: 25, output: 12 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const schema = jsonSchema({
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'number' } },
      required: ['city', 'population'],
      additionalProperties: false,
    });
    const r = await generateText({ model: cascadeModel(agent), prompt: 'Largest city of France, as JSON', output: Output.object({ schema }), maxRetries: 0 });
    assert.deepEqual(r.output, answer);
    const [body] = sent(mock).map((s) => s.body);
    assert.equal(body.response_format.type, 'json_schema');
    assert.deepEqual(body.response_format.json_schema.schema.required, ['city', 'population']);
  });

  test('abort: the SDK\'s abortSignal stops a call the provider never answers, with E_ABORTED', async () => {
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
      const pending = generateText({ model: cascadeModel(agent), prompt: Q, abortSignal: controller.signal, maxRetries: 0 });
      await held;
      controller.abort();
      const err = await pending.then(() => assert.fail('resolved'), (e) => e);
      assert.equal(err.code, 'E_ABORTED', String(err));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a provider error reaches the caller as the cascade\'s CascadeError', async () => {
    mock.on({ model: 'draft-m' }, { error: { message: 'bad request', type: 'invalid_request_error' }, status: 400 });
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const err = await generateText({ model: cascadeModel(agent), prompt: Q, maxRetries: 0 }).then(() => assert.fail('resolved'), (e) => e);
    assert.equal(err.code, 'E_PROVIDER_STATUS', String(err));
  });
});

describe('ai-sdk: streamText', () => {
  test('an escalated answer streams the verifier\'s text only; usage and the decision arrive at the end', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', 'Quantum', { input: 30, output: 2, finishReason: 'length' }));
    mock.on({ model: 'top-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const r = streamText({ model: cascadeModel(agent), prompt: Q, maxRetries: 0 });
    const parts = [];
    for await (const t of r.textStream) parts.push(t);
    assert.equal(parts.join(''), GOOD_LONG);
    assert.ok(parts.length > 1, 'more than one chunk');
    assert.ok(!parts.join('').startsWith('Quantum\n'), 'the rejected draft was never shown');
    const usage = await r.usage;
    assert.equal(usage.inputTokens, 60);
    assert.equal(usage.outputTokens, 52);
    const meta = await r.providerMetadata;
    assert.equal(meta.cascade.modelUsed, 'top-m');
    assert.equal(meta.cascade.draftAccepted, false);
    assert.equal(await r.finishReason, 'stop');
  });

  test('a stream with tools: the SDK runs the call and streams the final answer', async () => {
    mock.on({ model: 'draft-m', hasToolResult: false }, { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: { prompt_tokens: 20, completion_tokens: 5 } });
    mock.on({ model: 'draft-m', hasToolResult: true }, reply('openai', 'It is snowing in Oslo, minus 3 degrees.', { input: 40, output: 9 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const ran = [];
    const r = streamText({
      model: cascadeModel(agent),
      prompt: 'What is the weather in Oslo right now?',
      tools: {
        get_weather: tool({
          inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          execute: async ({ city }) => {
            ran.push(city);
            return `snow, -3C in ${city}`;
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    let text = '';
    for await (const t of r.textStream) text += t;
    assert.deepEqual(ran, ['Oslo']);
    assert.equal(text, 'It is snowing in Oslo, minus 3 degrees.');
    assert.equal((await r.totalUsage).inputTokens, 60);
  });

  test('an error mid-run surfaces from the stream with its code', async () => {
    mock.on({ model: 'draft-m' }, { error: { message: 'bad request', type: 'invalid_request_error' }, status: 400 });
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const errors = [];
    const r = streamText({ model: cascadeModel(agent), prompt: Q, maxRetries: 0, onError: ({ error }) => errors.push(error) });
    let text = '';
    for await (const t of r.textStream) text += t;
    assert.equal(text, '');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'E_PROVIDER_STATUS');
  });
});

test('ai-sdk: cascadeModel refuses something that is not an agent', () => {
  assert.throws(() => cascadeModel({}), /expected a CascadeAgent/);
});

test('ai-sdk: the entry imports nothing at run time (no `ai`, no core), so the core bundle cannot grow', () => {
  const source = readFileSync(new URL(entry, pkgDir), 'utf8');
  assert.doesNotMatch(source, /^\s*import\s|\bimport\(|\brequire\(/m);
});

test('ai-sdk: a strict TypeScript consumer passes cascadeModel(agent) to generateText and streamText', { timeout: 60_000 }, async (t) => {
  const project = consumerProject('cascade-edge-ai-sdk-types-');
  t.after(project.cleanup);
  // The user's own `ai` install, with everything it depends on.
  for (const dep of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (dep.startsWith('.') || dep === 'cascade-edge') continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(project.dir, 'node_modules', dep), 'dir');
  }
  fs.writeFileSync(
    path.join(project.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: true },
      files: ['consumer.ts'],
    }),
  );
  fs.writeFileSync(
    path.join(project.dir, 'consumer.ts'),
    `import { CascadeAgent } from 'cascade-edge';
import { cascadeModel, type CascadeModelOptions } from 'cascade-edge/ai-sdk';
import { generateText, streamText, type LanguageModel } from 'ai';
const agent = new CascadeAgent([{ name: 'gpt-4o-mini', provider: 'openai' }, { name: 'gpt-4o', provider: 'openai' }]);
const options: CascadeModelOptions = { modelId: 'my-cascade', runOptions: { timeoutMs: 5000 } };
const model: LanguageModel = cascadeModel(agent, options);
export async function go(): Promise<string> {
  const r = await generateText({ model, prompt: 'hi' });
  const used = r.providerMetadata?.cascade?.modelUsed;
  const s = streamText({ model, prompt: 'hi' });
  return r.text + String(used) + (await s.text);
}
// @ts-expect-error an agent is required
cascadeModel();
`,
  );
  const exec = promisify(execFile);
  const r = await exec(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', project.dir], { cwd: project.dir }).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
});
