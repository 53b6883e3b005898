/**
 * `cascade-edge/testing`: `MockProvider`, a scripted provider for your own
 * tests. It answers what you tell it, in order, per model, with the usage
 * you give (so costs are what you expect), and fails when told to, all
 * through the real cascade, judge and accounting, with no network.
 *
 * An entry of its own so that production bundles carry none of it; it
 * imports nothing at run time.
 */
import type { CustomCompletion, CustomProvider, CustomProviderRequest, CustomStreamItem } from './types.js';

/** One scripted answer: its text, or the full shape. */
export type MockAnswer =
  | string
  | {
      content?: string;
      usage?: { inputTokens: number; outputTokens: number };
      toolCalls?: { id?: string; name: string; arguments: string | Record<string, unknown> }[];
      finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
      /** Throw this instead of answering (a string becomes an Error); the cascade retries or escalates. */
      error?: Error | string;
      /** How a streamed answer is cut; by default the text in pieces of 8 characters. */
      chunks?: string[];
    };

export interface MockProviderOptions {
  /** Shown in results and errors (`provider` of each attempt). Default `mock`. */
  name?: string;
  /** Answers by model name, each list used in order; `'*'` for any model without its own list. */
  answers: Record<string, MockAnswer[]> | MockAnswer[];
  /** Usage for answers that give none (default: about 4 characters a token). */
  usage?: { inputTokens: number; outputTokens: number };
  /** After a model's list is used up: repeat its last answer (default) or throw. */
  whenExhausted?: 'repeat' | 'throw';
}

/** A request the mock received, for assertions: the model, the messages, the options. */
export type MockCall = Omit<CustomProviderRequest, 'signal'>;

export class MockProvider implements CustomProvider {
  readonly name: string;
  /** Every request, oldest first. */
  readonly calls: MockCall[] = [];
  readonly #answers: Record<string, MockAnswer[]>;
  readonly #used = new Map<string, number>();
  readonly #usage: MockProviderOptions['usage'];
  readonly #exhausted: 'repeat' | 'throw';

  constructor(options: MockProviderOptions) {
    if (!options || typeof options !== 'object' || !options.answers) {
      throw new TypeError('MockProvider: expected { answers: [...] } or { answers: { model: [...] } }');
    }
    this.name = options.name ?? 'mock';
    this.#answers = Array.isArray(options.answers) ? { '*': options.answers } : options.answers;
    this.#usage = options.usage;
    this.#exhausted = options.whenExhausted ?? 'repeat';
  }

  /** How many requests went to `model` (or to any model). */
  callCount(model?: string): number {
    return model === undefined ? this.calls.length : this.calls.filter((c) => c.model === model).length;
  }

  complete(request: CustomProviderRequest): CustomCompletion {
    const a = this.#next(request);
    return completion(a, request, this.#usage);
  }

  async *stream(request: CustomProviderRequest): AsyncIterable<CustomStreamItem> {
    const a = this.#next(request);
    const c = completion(a, request, this.#usage);
    const pieces = typeof a === 'object' && a.chunks ? a.chunks : split(c.content);
    for (const text of pieces) yield { type: 'text', text };
    for (const [index, t] of (c.toolCalls ?? []).entries()) {
      yield { type: 'toolCall', index, id: t.id, name: t.name, arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments) };
    }
    if (c.usage) yield { type: 'usage', usage: c.usage };
    yield { type: 'finish', finishReason: c.finishReason };
  }

  #next(request: CustomProviderRequest): MockAnswer {
    const { signal: _signal, ...seen } = request;
    this.calls.push(seen);
    const key = request.model in this.#answers ? request.model : '*';
    const list = this.#answers[key];
    if (!list?.length) throw new Error(`MockProvider: no answers scripted for model "${request.model}"`);
    const i = this.#used.get(key) ?? 0;
    this.#used.set(key, i + 1);
    if (i >= list.length && this.#exhausted === 'throw') {
      throw new Error(`MockProvider: the ${list.length} answers scripted for "${key}" are used up`);
    }
    const a = list[Math.min(i, list.length - 1)]!;
    if (typeof a === 'object' && a.error !== undefined) throw typeof a.error === 'string' ? new Error(a.error) : a.error;
    return a;
  }
}

function completion(a: MockAnswer, request: CustomProviderRequest, usage: MockProviderOptions['usage']): CustomCompletion {
  const o = typeof a === 'string' ? { content: a } : a;
  const content = o.content ?? '';
  const promptChars = request.messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
  const out: CustomCompletion = {
    content,
    usage: o.usage ?? usage ?? { inputTokens: Math.ceil(promptChars / 4), outputTokens: Math.ceil(content.length / 4) },
    finishReason: o.finishReason ?? (o.toolCalls?.length ? 'tool_calls' : 'stop'),
  };
  if (o.toolCalls?.length) out.toolCalls = o.toolCalls.map((t, i) => ({ id: t.id ?? `call_${i}`, name: t.name, arguments: t.arguments }));
  return out;
}

function split(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 8) out.push(text.slice(i, i + 8));
  return out;
}
