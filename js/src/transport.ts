/**
 * The engine's HTTP, done on the JS side of the door. One promise per call
 * (fetch and body read together) and one string each way for headers keeps
 * the wasm boundary crossings, and the closures each await costs, to a
 * minimum: this is on every run's hot path.
 */

/**
 * Response headers the engine reads (rate-limit hints, diagnostics). It
 * reads them only to explain a failed call, so a 2xx answer skips them.
 */
const KEPT = ['retry-after', 'retry-after-ms', 'content-type', 'x-request-id', 'request-id'];

export interface Transport {
  /**
   * `target` is `"METHOD url"`; `headers` is `name\nvalue\n...`. Resolves to
   * one string, `status\nname\nvalue\n...\nbody` (the empty line ends the headers).
   */
  send(target: string, headers: string, body: string | undefined, signal: AbortSignal | undefined): Promise<string>;
  /** Like `send`, but resolves to `[head, reader | null]` for a streamed body; `head` is `send`'s string without the body. */
  open(target: string, headers: string, body: string | undefined, signal: AbortSignal | undefined): Promise<unknown[]>;
  /** The next bytes of a body `open` returned, or null once it has ended. */
  read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array | null>;
}

const NOTHING = new Uint8Array(0);

function bytesOf(r: ReadableStreamReadResult<Uint8Array>): Uint8Array | null {
  return r.done ? null : (r.value ?? NOTHING);
}

export function transport(fetchFn: typeof fetch): Transport {
  const start = (target: string, headers: string, body: string | undefined, signal: AbortSignal | undefined) => {
    const sp = target.indexOf(' ');
    const h: Record<string, string> = {};
    const parts = headers.split('\n');
    for (let i = 0; i + 1 < parts.length; i += 2) h[parts[i]] = parts[i + 1];
    return fetchFn(target.slice(sp + 1), { method: target.slice(0, sp), headers: h, body, signal });
  };
  return {
    async send(target, headers, body, signal) {
      const res = await start(target, headers, body, signal);
      return head(res) + (await res.text());
    },
    async open(target, headers, body, signal) {
      const res = await start(target, headers, body, signal);
      return [head(res), res.body ? res.body.getReader() : null];
    },
    read: (reader) => reader.read().then(bytesOf),
  };
}

/** `status\nname\nvalue\n...\n`: what comes before the body. */
function head(res: Response): string {
  return `${res.status}\n${res.ok ? '' : kept(res.headers)}\n`;
}

function kept(h: Headers): string {
  let out = '';
  for (const name of KEPT) {
    const v = h.get(name);
    if (v !== null) out += `${name}\n${v}\n`;
  }
  return out;
}
