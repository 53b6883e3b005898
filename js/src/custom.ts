/**
 * Providers written in JS. A user's `complete()` / `stream()` is adapted to
 * the engine's JSON contract (`complete(json) -> json`, `open(json) ->
 * { next() -> json | null }`); the engine validates what comes back.
 */
import type { CustomProvider, CustomProviderRequest } from './types.js';

export interface Adapter {
  complete(requestJson: string): Promise<string>;
  open?(requestJson: string): { next(): Promise<string | null> };
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
    async complete(requestJson) {
      const out = await impl.complete(JSON.parse(requestJson) as CustomProviderRequest);
      return JSON.stringify(out ?? null);
    },
  };
  if (typeof impl.stream === 'function') {
    const stream = impl.stream.bind(impl);
    adapter.open = (requestJson) => {
      const it = stream(JSON.parse(requestJson) as CustomProviderRequest)[Symbol.asyncIterator]();
      let ended = false;
      return {
        async next() {
          if (ended) return null;
          const r = await it.next();
          if (r.done) {
            ended = true;
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
