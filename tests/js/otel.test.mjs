// `cascade-edge/otel` with the real OpenTelemetry API and SDK: a run and a
// stream each give a span named after the answering model with the GenAI
// attributes and the cascade's decision, one child span per attempt; a
// failure is an error span with its code; with no SDK it changes nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GOOD_LONG, agentFor, collect, reply, useMock } from './helpers/mock.mjs';

const pkgDir = new URL('../../pkg/', import.meta.url);
const entry = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8')).exports['./otel'].default;
const { withTracing } = await import(new URL(entry, pkgDir).href);

const Q = 'Explain quantum entanglement in a few sentences.';
let mock;
useMock((m) => {
  mock = m;
});

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('test') };
}

describe('otel: withTracing', () => {
  test('an escalated run: a span for the run, one per attempt under it, GenAI and cascade attributes', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', 'Quantum', { input: 30, output: 2, finishReason: 'length' }));
    mock.on({ model: 'top-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { exporter, tracer } = tracing();
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const traced = withTracing(agent, { tracer });
    const r = await traced.run(Q);
    assert.equal(r.content, GOOD_LONG);
    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === 'chat top-m' && !s.parentSpanContext);
    assert.ok(run, spans.map((s) => s.name).join(', '));
    assert.equal(run.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(run.attributes['gen_ai.request.model'], 'draft-m');
    assert.equal(run.attributes['gen_ai.response.model'], 'top-m');
    assert.equal(run.attributes['gen_ai.usage.input_tokens'], 60);
    assert.equal(run.attributes['gen_ai.usage.output_tokens'], 52);
    assert.equal(run.attributes['cascade.draft_accepted'], false);
    assert.equal(run.attributes['cascade.cost_usd'], r.totalCost);
    const children = spans.filter((s) => s.parentSpanContext?.spanId === run.spanContext().spanId);
    assert.deepEqual(children.map((s) => [s.name, s.attributes['cascade.outcome']]), [['chat draft-m', 'rejected'], ['chat top-m', 'accepted']]);
    assert.equal(children[0].attributes['gen_ai.usage.output_tokens'], 2);
    assert.ok(children.every((c) => c.spanContext().traceId === run.spanContext().traceId));
  });

  test('a stream is traced when its result settles; a failed run is an error span with the code', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { exporter, tracer } = tracing();
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const traced = withTracing(agent, { tracer });
    const out = await collect(traced.stream(Q));
    assert.equal(out.result.content, GOOD_LONG);
    const streamed = exporter.getFinishedSpans().find((s) => s.name === 'chat draft-m' && !s.parentSpanContext);
    assert.equal(streamed.attributes['cascade.draft_accepted'], true);

    mock.reset();
    exporter.reset();
    mock.on({ model: 'draft-m' }, { error: { message: 'bad request', type: 'invalid_request_error' }, status: 400 });
    await assert.rejects(traced.run(Q), { code: 'E_PROVIDER_STATUS' });
    const failed = exporter.getFinishedSpans().find((s) => !s.parentSpanContext);
    assert.equal(failed.status.code, 2); // SpanStatusCode.ERROR
    assert.equal(failed.attributes['error.type'], 'E_PROVIDER_STATUS');
    assert.equal(failed.events[0].name, 'exception');
  });

  test('without an SDK the API is a no-op: the traced agent answers the same, and the rest of the agent passes through', async () => {
    mock.on({ model: 'draft-m' }, reply('openai', GOOD_LONG, { input: 30, output: 50 }));
    const { agent } = agentFor(mock, 'openai', ['draft-m', 'top-m']);
    const traced = withTracing(agent);
    const r = await traced.run(Q);
    assert.equal(r.content, GOOD_LONG);
    assert.deepEqual(traced.models.map((m) => m.name), ['draft-m', 'top-m']);
  });
});
