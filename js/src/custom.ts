/**
 * Providers written in JS. A user's `complete()` / `stream()` is adapted to
 * the engine's JSON contract (`complete(json) -> json`, `open(json) ->
 * { next() -> json | null }`); the engine validates what comes back.
 */
import type { CustomProvider, CustomProviderRequest } from './types.js';
import { Watch } from './transport.js';

/**
 * `signal` is the run's; `attemptMs` the attempt deadline (0 = none). The
 * provider gets a signal that fires on either, and a provider that ignores
 * it and never settles still cannot hang the run: its promise is raced.
 */
export interface Adapter {
  complete(requestJson: string, signal?: AbortSignal, attemptMs?: number): Promise<string>;
  open?(requestJson: string, signal?: AbortSignal, attemptMs?: number): { next(): Promise<string | null> };
}

function watch(signal: AbortSignal | undefined, attemptMs: number | undefined): Watch {
  return new Watch(signal, { attemptMs: attemptMs ?? 0, firstByteMs: 0, idleMs: 0, maxResponseBytes: 0 }, true);
}

function request(json: string, w: Watch): CustomProviderRequest {
  const req = JSON.parse(json) as CustomProviderRequest;
  req.signal = w.signal;
  return req;
}

const registry = new Map<string, Adapter>();

/** Register a provider by name, for use as `{ provider: name }` in any agent made afterwards. */
export function registerProvider(name: string, impl: CustomProvider): void {
  if (typeof name !== 'string' || !name.trim()) {
    throw new TypeError('registerProvider: name must be a non-empty string');
  }
  registry.set(name, adapt(impl, name));
}

export function registered(name: string): Adapter | undefined {
  return registry.get(name);
}

export function isProviderObject(p: unknown): p is CustomProvider {
  return typeof p === 'object' && p !== null && typeof (p as CustomProvider).complete === 'function';
}

export function adapt(impl: CustomProvider, name: string): Adapter {
  if (!isProviderObject(impl)) {
    throw new TypeError(`custom provider ${JSON.stringify(name)}: expected an object with a complete(request) method`);
  }
  const adapter: Adapter = {
    async complete(requestJson, signal, attemptMs) {
      const w = watch(signal, attemptMs);
      try {
        const out = await w.race(Promise.resolve(impl.complete(request(requestJson, w))));
        return JSON.stringify(out ?? null);
      } finally {
        w.stop();
      }
    },
  };
  if (typeof impl.stream === 'function') {
    const stream = impl.stream.bind(impl);
    adapter.open = (requestJson, signal, attemptMs) => {
      const w = watch(signal, attemptMs);
      let it: AsyncIterator<unknown>;
      try {
        it = stream(request(requestJson, w))[Symbol.asyncIterator]();
      } catch (e) {
        w.stop();
        throw e;
      }
      let ended = false;
      return {
        async next() {
          if (ended) return null;
          let r: IteratorResult<unknown>;
          try {
            r = await w.race(it.next());
          } catch (e) {
            ended = true;
            w.stop();
            void it.return?.()?.catch?.(() => {});
            throw e;
          }
          if (r.done) {
            ended = true;
            w.stop();
            return JSON.stringify({ type: 'finish', finishReason: 'stop' });
          }
          return JSON.stringify(normaliseItem(r.value));
        },
      };
    };
  }
  return adapter;
}

function normaliseItem(item: unknown): unknown {
  if (typeof item === 'string') return { type: 'text', text: item };
  if (item && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    if (typeof o.type === 'string') return o;
    if (typeof o.text === 'string') return { type: 'text', text: o.text };
    if (typeof o.content === 'string') return { type: 'text', text: o.content };
    if (o.usage) return { type: 'usage', usage: o.usage };
  }
  return { type: 'text', text: String(item ?? '') };
}
