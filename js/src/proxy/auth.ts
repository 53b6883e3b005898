/**
 * Proxy keys: a client shows one in `x-api-key` (Anthropic's SDK, Claude
 * Code) or `Authorization: Bearer` (OpenAI's SDK). The key is compared with
 * every configured key in time that depends only on the lengths, so a
 * client cannot find a key byte by byte from how long a refusal takes. The
 * key is the proxy's own: it is never forwarded, the tiers use the keys
 * configured for their providers.
 */

const encoder = new TextEncoder();

/** Equal bytes, without returning early at the first difference. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** The key a request presents, if any. */
export function presentedKey(headers: Headers): string | undefined {
  const x = headers.get('x-api-key');
  if (x) return x;
  const auth = headers.get('authorization');
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return m?.[1]?.trim();
}

/** A proxy key, and the name its runs count under (per-key rate limits and budgets). */
export interface ProxyKey {
  key: string;
  /** Defaults to `key-<n>`, its place in the list: never the key itself. */
  name?: string;
}

export class KeyCheck {
  #keys: Uint8Array[];
  #names: string[];

  constructor(keys: (string | ProxyKey)[] | undefined) {
    const list = (keys ?? [])
      .map((k, i) => (typeof k === 'string' ? { key: k, name: `key-${i}` } : { key: k?.key, name: k?.name ?? `key-${i}` }))
      .filter((k): k is { key: string; name: string } => typeof k.key === 'string' && k.key.length > 0);
    this.#keys = list.map((k) => encoder.encode(k.key));
    this.#names = list.map((k) => k.name);
  }

  /** No keys configured: the proxy is open (the bin warns when it listens beyond loopback). */
  get open(): boolean {
    return this.#keys.length === 0;
  }

  allows(headers: Headers): boolean {
    return this.open || this.identify(headers) !== undefined;
  }

  /** The name of the key a request presents, if it is one of ours. */
  identify(headers: Headers): string | undefined {
    const key = presentedKey(headers);
    if (!key) return undefined;
    const got = encoder.encode(key);
    let found = -1;
    // Every key is compared, so the time does not say which one matched.
    this.#keys.forEach((k, i) => {
      if (sameBytes(got, k) && found < 0) found = i;
    });
    return found < 0 ? undefined : this.#names[found];
  }
}
