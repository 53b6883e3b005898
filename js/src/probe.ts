/**
 * `testConnection()` and `validateApiKey()`: one cheap, token-free call (the
 * provider's models list), built by the engine's probe codec and sent
 * through the same fetch door as a run. A refused key or an unreachable
 * server is an answer (`ok: false`), never an exception; only a bad config,
 * an unknown provider or the caller's own abort throw.
 */
import { drive } from './drive.js';
import { transport } from './transport.js';
import { runSignal } from './agent.js';
import { isProviderObject, registered } from './custom.js';
import { ConfigError, fromEngine } from './errors.js';
import { findProvider, providerRows, withEnvKey } from './keys.js';
import { toJson } from './json.js';
import { defaultEnv, engine, isBrowserEntry } from './runtime.js';
import type { ConnectionOptions, ConnectionResult, ModelConfig, ValidateApiKeyOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Check that `model`'s provider answers and accepts its key (taken from the
 * environment like an agent would, when the model has none). The reason
 * also says when `model.name` is missing from the provider's list.
 * @throws ConfigError for an invalid config or a custom (JS) provider.
 */
export async function testConnection(model: ModelConfig, options: ConnectionOptions = {}): Promise<ConnectionResult> {
  if (!model || typeof model !== 'object') {
    throw new ConfigError('E_CONFIG', 'testConnection: expected a model config such as { name, provider, apiKey }');
  }
  if (isProviderObject(model.provider) || (typeof model.provider === 'string' && registered(model.provider))) {
    throw new ConfigError('E_CONFIG', 'testConnection: custom providers have no endpoint to check; call them directly');
  }
  const eng = await engine();
  const withKey = withEnvKey(eng, model, (options.env as Record<string, unknown> | undefined) ?? defaultEnv() ?? {});
  return probe(withKey, true, options);
}

/**
 * Whether `provider` accepts `key`: `{ ok, status, reason, latencyMs, models }`.
 * The key is used as given, never looked up in the environment.
 * @throws ConfigError for an unknown provider (or `openai-compatible` without `baseUrl`).
 */
export async function validateApiKey(
  provider: string,
  key: string,
  options: ValidateApiKeyOptions = {},
): Promise<ConnectionResult> {
  if (typeof provider !== 'string') {
    throw new ConfigError('E_CONFIG', `validateApiKey: provider must be a string, got ${typeof provider}`);
  }
  if (typeof key !== 'string') {
    throw new ConfigError('E_CONFIG', `validateApiKey: key must be a string, got ${typeof key}`);
  }
  const eng = await engine();
  if (!findProvider(eng, provider)) {
    const known = providerRows(eng).map((p) => p.id).join(', ');
    throw new ConfigError('E_CONFIG', `validateApiKey: unknown provider ${JSON.stringify(provider)} (expected one of ${known})`);
  }
  const model: ModelConfig = { name: 'key-check', provider, apiKey: key };
  if (options.baseUrl !== undefined) model.baseUrl = options.baseUrl;
  if (options.headers !== undefined) model.headers = options.headers;
  return probe(model, false, options);
}

async function probe(model: ModelConfig, checkModel: boolean, options: ConnectionOptions): Promise<ConnectionResult> {
  const eng = await engine();
  const f = options.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') {
    throw new ConfigError('E_CONFIG', 'options.fetch: this runtime has no global fetch; pass one as `fetch`');
  }
  const browser = options.browser ?? isBrowserEntry();
  const { signal, cleanup } = runSignal({ signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  try {
    const out = await drive(
      eng.stepTask,
      eng.testConnection(toJson(model, 'model'), toJson({ browser, checkModel }, 'options'), transport(f.bind(globalThis)), signal),
    );
    return JSON.parse(out) as ConnectionResult;
  } catch (e) {
    throw fromEngine(e);
  } finally {
    cleanup();
  }
}
