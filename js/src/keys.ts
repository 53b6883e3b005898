/**
 * API keys from the environment, looked up by the env-var column of the
 * engine's own provider table (`providerTable()` in wasm), so the Rust
 * table is the one place a provider's variable name is written down.
 */
import type { Engine } from './runtime.js';

export interface ProviderRow {
  id: string;
  envVar: string | null;
  /** Read for a base URL when the model has none (`OPENAI_BASE_URL`), as the official SDKs do. */
  baseUrlEnvVar: string | null;
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
 * Give `model` the key (and base URL) its provider's variables hold in
 * `env`, where it sets none. Returns a copy; the caller's object is never changed.
 */
export function withEnvKey<T extends { provider?: unknown; apiKey?: unknown; baseUrl?: unknown }>(
  eng: Engine,
  model: T,
  env: Record<string, unknown>,
): T {
  if (typeof model.provider !== 'string') return model;
  const row = findProvider(eng, model.provider);
  if (!row) return model;
  const key = model.apiKey === undefined && row.envVar ? env[row.envVar] : undefined;
  const url = model.baseUrl === undefined && row.baseUrlEnvVar ? env[row.baseUrlEnvVar] : undefined;
  const out: T = { ...model };
  if (typeof key === 'string' && key) out.apiKey = key;
  if (typeof url === 'string' && url) out.baseUrl = url;
  return out;
}
