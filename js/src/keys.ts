/**
 * API keys from the environment, looked up by the env-var column of the
 * engine's own provider table (`providerTable()` in wasm), so the Rust
 * table is the one place a provider's variable name is written down.
 */
import type { Engine } from './runtime.js';

export interface ProviderRow {
  id: string;
  envVar: string | null;
  defaultBaseUrl: string | null;
  wire: 'openai' | 'anthropic' | 'ollama';
  auth: 'bearer' | 'x-api-key';
}

let cached: { eng: Engine; rows: ProviderRow[] } | undefined;

/** The built-in providers, as the engine knows them. */
export function providerRows(eng: Engine): ProviderRow[] {
  if (cached?.eng !== eng) cached = { eng, rows: JSON.parse(eng.providerTable()) as ProviderRow[] };
  return cached.rows;
}

/** The built-in provider `id` names (case-insensitively, as the engine matches it). */
export function findProvider(eng: Engine, id: string): ProviderRow | undefined {
  const lower = id.toLowerCase();
  return providerRows(eng).find((p) => p.id === lower);
}

/**
 * Give `model` the key its provider's variable holds in `env`, unless it
 * has one. Returns a copy; the caller's object is never changed.
 */
export function withEnvKey<T extends { provider?: unknown; apiKey?: unknown }>(
  eng: Engine,
  model: T,
  env: Record<string, unknown>,
): T {
  if (model.apiKey !== undefined || typeof model.provider !== 'string') return model;
  const envVar = findProvider(eng, model.provider)?.envVar;
  const key = envVar ? env[envVar] : undefined;
  return typeof key === 'string' && key ? { ...model, apiKey: key } : model;
}
