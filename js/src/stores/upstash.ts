/**
 * A store in Upstash Redis, over its REST API, for runtimes that cannot
 * hold a TCP connection (Workers, Vercel Edge, browsers' service workers):
 * the same scripts and keys as RedisStore, each command POSTed as a JSON
 * array to the database's REST URL with `Authorization: Bearer <token>`.
 * Upstash answers `{"result": ...}`, or `{"error": "..."}` with a 4xx.
 *
 *   const store = new UpstashStore({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
 *
 * It calls the global `fetch` at each request, never one captured at
 * construction or taken from `window`, so it works wherever `fetch` is
 * global and follows a `fetch` replaced later (tests, instrumentation).
 */
import { StoreError, messageOf } from './errors.js';
import { RedisScriptStore, type RedisKeyOptions } from './redis-scripts.js';

export interface UpstashStoreOptions extends RedisKeyOptions {
  /** The database's REST URL (`UPSTASH_REDIS_REST_URL`). */
  url: string;
  /** Its REST token (`UPSTASH_REDIS_REST_TOKEN`); it is sent only in the Authorization header and never shown. */
  token: string;
}

export class UpstashStore extends RedisScriptStore {
  readonly #url: string;
  readonly #token: string;
  /** The URL as errors show it: scheme, host and path, never a query that might carry `_token`. */
  readonly #where: string;

  constructor(options: UpstashStoreOptions) {
    super('UpstashStore', options);
    const { url, token } = options ?? ({} as UpstashStoreOptions);
    if (typeof token !== 'string' || token === '') throw new StoreError('UpstashStore: token: expected a non-empty string');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new StoreError('UpstashStore: url: expected an absolute http(s) URL (UPSTASH_REDIS_REST_URL)');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new StoreError('UpstashStore: url: expected an absolute http(s) URL (UPSTASH_REDIS_REST_URL)');
    }
    this.#url = parsed.href;
    this.#token = token;
    this.#where = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  }

  protected get label(): string {
    return 'UpstashStore';
  }

  /** Nothing the server or the network says may carry the token out into a message. */
  protected safe(message: string): string {
    return message.split(this.#token).join('[token]');
  }

  protected async command(args: string[]): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
    } catch (err) {
      // fetch's own message is often just "fetch failed"; the reason is its cause.
      const cause = err instanceof Error && err.cause !== undefined ? `: ${messageOf(err.cause)}` : '';
      throw new Error(this.safe(`${this.#where} could not be reached: ${messageOf(err)}${cause}`), { cause: err });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${this.#where} answered HTTP ${res.status} with a body that is not JSON`);
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as { result?: unknown; error?: unknown };
    // Scrubbed here, not only in the final message: this error becomes its `cause`.
    if (typeof b.error === 'string') throw new Error(this.safe(`${b.error} (HTTP ${res.status})`));
    if (!res.ok || !('result' in b)) throw new Error(`${this.#where} answered HTTP ${res.status} without a result`);
    return b.result;
  }
}
