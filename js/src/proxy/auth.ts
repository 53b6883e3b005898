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

export class KeyCheck {
  #keys: Uint8Array[];

  constructor(keys: string[] | undefined) {
    this.#keys = (keys ?? []).filter((k) => typeof k === 'string' && k.length > 0).map((k) => encoder.encode(k));
  }

  /** No keys configured: the proxy is open (the bin warns when it listens beyond loopback). */
  get open(): boolean {
    return this.#keys.length === 0;
  }

  allows(headers: Headers): boolean {
    if (this.open) return true;
    const key = presentedKey(headers);
    if (!key) return false;
    const got = encoder.encode(key);
    let ok = false;
    // Every key is compared, so the time does not say which one matched.
    for (const k of this.#keys) ok = sameBytes(got, k) || ok;
    return ok;
  }
}
