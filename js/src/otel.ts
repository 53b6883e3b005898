/**
 * `cascade-edge/otel`: OpenTelemetry spans for a cascade. `withTracing(agent)`
 * gives back the same agent whose `run` and `stream` each make one span,
 * with a child span per attempt, named and tagged after the GenAI semantic
 * conventions (`chat {model}`, `gen_ai.*` attributes) plus the cascade's
 * own decision and cost (`cascade.*`).
 *
 * An entry of its own so that the core never imports `@opentelemetry/api`
 * (a bundler would then have to find it in every app). Without an SDK
 * registered, the API's tracer is a no-op, and so is this. The attempts'
 * spans are written when the run ends, from its trace: each starts where
 * the previous one ended and lasts its measured latency, since the engine
 * reports durations, not clock times.
 */
import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { CascadeAgent } from './agent.js';
import type { CascadeResult, Attempt } from './types.js';

export interface TracingOptions {
  /** The tracer to use; default `trace.getTracer('cascade-edge')` (the global provider). */
  tracer?: Tracer;
}

type Runner = Pick<CascadeAgent, 'run' | 'stream'>;

/** `agent` with `run` and `stream` traced; everything else passes through. */
export function withTracing<T extends Runner>(agent: T, options: TracingOptions = {}): T {
  const tracer = options.tracer ?? trace.getTracer('cascade-edge');
  const run: Runner['run'] = async (query, runOptions) => {
    const { span, start } = open(tracer);
    try {
      const r = await context.with(trace.setSpan(context.active(), span), () => agent.run(query, runOptions));
      finish(tracer, span, start, r);
      return r;
    } catch (e) {
      fail(tracer, span, start, e);
      throw e;
    }
  };
  const stream: Runner['stream'] = (query, streamOptions) => {
    const { span, start } = open(tracer);
    const s = agent.stream(query, streamOptions);
    s.result.then(
      (r) => finish(tracer, span, start, r),
      (e) => fail(tracer, span, start, e),
    );
    return s;
  };
  return new Proxy(agent, {
    get(target, prop) {
      if (prop === 'run') return run;
      if (prop === 'stream') return stream;
      // The agent's private fields need the agent itself as `this`.
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function open(tracer: Tracer): { span: Span; start: number } {
  const start = Date.now();
  const span = tracer.startSpan('chat cascade', {
    kind: SpanKind.CLIENT,
    startTime: start,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'cascade-edge' },
  });
  return { span, start };
}

function finish(tracer: Tracer, span: Span, start: number, r: CascadeResult): void {
  span.updateName(`chat ${r.modelUsed}`);
  const attrs: Attributes = {
    'gen_ai.request.model': r.attempts[0]?.model ?? r.modelUsed,
    'gen_ai.response.model': r.modelUsed,
    'gen_ai.usage.input_tokens': r.usage.inputTokens,
    'gen_ai.usage.output_tokens': r.usage.outputTokens,
    'gen_ai.response.finish_reasons': [r.finishReason],
    'cascade.draft_accepted': r.draftAccepted,
    'cascade.cascaded': r.cascaded,
    'cascade.reason': r.reason,
    'cascade.attempts': r.attempts.length,
    'cascade.complexity': r.complexity,
  };
  if (r.totalCost !== null) attrs['cascade.cost_usd'] = r.totalCost;
  if (r.costSaved !== null) attrs['cascade.cost_saved_usd'] = r.costSaved;
  span.setAttributes(attrs);
  const end = attempts(tracer, span, start, r.attempts);
  span.end(Math.max(end, Date.now()));
}

function fail(tracer: Tracer, span: Span, start: number, e: unknown): void {
  const err = e as { code?: string; message?: string; attempts?: Attempt[] };
  span.setAttribute('error.type', err.code ?? 'Error');
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  const end = attempts(tracer, span, start, err.attempts ?? []);
  span.end(Math.max(end, Date.now()));
}

/** One child span per attempt, laid end to end from the run's start. */
function attempts(tracer: Tracer, parent: Span, start: number, list: Attempt[]): number {
  const ctx = trace.setSpan(context.active(), parent);
  let at = start;
  for (const a of list) {
    const attrs: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': a.provider,
      'gen_ai.request.model': a.model,
      'cascade.tier': a.tier,
      'cascade.outcome': a.outcome,
      'cascade.reason': a.reason,
    };
    if (a.usage) {
      attrs['gen_ai.usage.input_tokens'] = a.usage.inputTokens;
      attrs['gen_ai.usage.output_tokens'] = a.usage.outputTokens;
    }
    if (a.cost !== null) attrs['cascade.cost_usd'] = a.cost;
    if (a.verdict) attrs['cascade.score'] = a.verdict.score;
    if (a.error) attrs['error.type'] = a.error.code;
    const child = tracer.startSpan(`chat ${a.model}`, { kind: SpanKind.CLIENT, startTime: at, attributes: attrs }, ctx);
    if (a.outcome === 'failed') child.setStatus({ code: SpanStatusCode.ERROR, message: a.error?.message });
    at += Math.max(0, a.latencyMs);
    child.end(at);
  }
  return at;
}
