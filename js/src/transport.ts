/**
 * The engine's HTTP, done on the JS side of the door. One promise per call
 * (fetch and body read together) keeps the wasm boundary crossings, and the
 * closures each await costs, to a minimum: this is on every run's hot path.
 *
 * It is also where a provider's bytes are bounded before they reach wasm
 * memory, and where the per-attempt deadlines the engine computed are kept:
 * a server that never answers, stalls half-way, or sends 50 MB cannot hang
 * a run or exhaust a Worker's 128 MB.
 */

/**
 * Response headers the engine reads (rate-limit hints, diagnostics). It
 * reads them only to explain a failed call, so a 2xx answer skips them.
 */
const KEPT = ['retry-after', 'retry-after-ms', 'content-type', 'x-request-id', 'request-id'];

/** What the engine allows one attempt, from the agent's `limits` and `timeouts`. */
export interface AttemptLimits {
  maxResponseBytes: number;
  /** Until the response headers; 0 = none. */
  firstByteMs: number;
  /** Longest silence between two reads of a streamed body; 0 = none. */
  idleMs: number;
  /** The whole attempt, headers and body; 0 = none. */
  attemptMs: number;
}

export interface Transport {
  /**
   * `target` is `"METHOD url"`; `headers` is `[name, value, name, value...]`.
   * Resolves to one string, `status\nname\nvalue\n...\nbody` (the empty line
   * ends the headers).
   */
  send(target: string, headers: string[], body: string | undefined, signal: AbortSignal | undefined, limits: AttemptLimits): Promise<string>;
  /** Like `send`, but resolves to `[head, body | null]` for a streamed body; `head` is `send`'s string without the body. */
  open(target: string, headers: string[], body: string | undefined, signal: AbortSignal | undefined, limits: AttemptLimits): Promise<unknown[]>;
  /** The next bytes of a body `open` returned, or null once it has ended. */
  read(body: OpenBody): Promise<Uint8Array | null>;
  /** Wait `ms` before a retry; rejects with the signal's reason if it fires first. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

/** The transport's own failures, told apart by name in src/wasm/fetch.rs. */
function deadline(message: string): Error {
  return new DOMException(message, 'TimeoutError');
}

function tooLarge(limit: number): Error {
  const e = new Error(`the response is larger than limits.maxResponseBytes (${limit} bytes); it was cut off`);
  e.name = 'ResponseTooLargeError';
  return e;
}

/** setTimeout's delay is a signed 32-bit number: anything larger fires at once. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * One attempt's deadlines. A single timer watches them: reads only note
 * the time, and the timer, when it fires early, re-arms for what is left,
 * so a streamed chunk costs no timer call.
 *
 * `fetch` gets the caller's own signal, or none: handing undici a signal
 * costs about 13 µs a request here, more than the rest of the engine's
 * overhead on an accepted run. So a deadline does not abort the request
 * itself; it settles the attempt at once (the race below) and cancels the
 * body once there is one. A server that never sends headers keeps its
 * socket until undici's own headers timeout closes it. Custom providers,
 * whose requests are ours to shape, get a signal that fires on either.
 */
export class Watch {
  /** Only for custom providers (see `signal`). */
  #ctl: AbortController | undefined;
  /** Set once a deadline fired; the error the attempt ends with. */
  fired: Error | undefined;
  last = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (ms since the epoch), or Infinity. */
  #armedAt = Infinity;
  #end: number;
  #idleMs = 0;
  #headersBy: number;
  #firstByteMs: number;
  #attemptMs: number;
  #reject: ((e: Error) => void) | undefined;
  #unlink: (() => void) | undefined;
  #onFire: (() => void) | undefined;

  constructor(signal: AbortSignal | undefined, limits: AttemptLimits, ownSignal = false) {
    const now = Date.now();
    if (ownSignal) this.#ctl = new AbortController();
    this.#firstByteMs = limits.firstByteMs;
    this.#attemptMs = limits.attemptMs;
    this.#end = limits.attemptMs > 0 ? now + limits.attemptMs : Infinity;
    this.#headersBy = limits.firstByteMs > 0 ? now + limits.firstByteMs : Infinity;
    if (signal) {
      if (signal.aborted) this.#stopWith(signal.reason);
      else {
        const onAbort = () => this.#stopWith(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#unlink = () => signal.removeEventListener('abort', onAbort);
      }
    }
    this.#arm(Math.min(this.#end, this.#headersBy) - now);
  }

  /** A signal that fires on the caller's abort or a deadline (made only when asked for in the constructor). */
  get signal(): AbortSignal | undefined {
    return this.#ctl?.signal;
  }

  /** Headers are in: from now on the idle and attempt deadlines apply. */
  headers(idleMs: number): void {
    this.#headersBy = Infinity;
    this.#idleMs = idleMs > 0 ? idleMs : 0;
    this.last = Date.now();
    this.#rearm();
  }

  /** Call `onFire` when a deadline passes (a body reader to cancel). */
  onFire(f: () => void): void {
    this.#onFire = f;
  }

  /** `p`, or the deadline's error if one passes first, even if `p` never settles. */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.fired) {
      p.catch(() => {});
      return Promise.reject(this.fired);
    }
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      p.then(resolve, reject);
    });
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unlink?.();
    this.#unlink = undefined;
  }

  #arm(ms: number): void {
    if (!Number.isFinite(ms) || this.fired) return;
    this.#armedAt = Date.now() + ms;
    const t = setTimeout(() => this.#check(), Math.min(Math.max(ms, 0), MAX_DELAY));
    // In Node, a deadline alone must not keep the process alive.
    (t as { unref?: () => void }).unref?.();
    this.#timer = t;
  }

  /** Arm for the earliest deadline, unless the timer already fires no later than it. */
  #rearm(): void {
    const idleAt = this.#idleMs > 0 ? this.last + this.#idleMs : Infinity;
    const at = Math.min(this.#end, this.#headersBy, idleAt);
    if (this.#timer !== undefined && this.#armedAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#arm(at - Date.now());
  }

  #check(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = Date.now();
    if (now >= this.#headersBy) {
      return this.#stopWith(deadline(`no response headers within timeouts.firstByteMs (${this.#firstByteMs} ms)`));
    }
    if (now >= this.#end) {
      return this.#stopWith(deadline(`the attempt took longer than timeouts.attemptMs (${this.#attemptMs} ms)`));
    }
    if (this.#idleMs > 0 && now - this.last >= this.#idleMs) {
      return this.#stopWith(deadline(`the stream was silent for timeouts.idleMs (${this.#idleMs} ms)`));
    }
    this.#rearm();
  }

  #stopWith(reason: unknown): void {
    const err = reason instanceof Error ? reason : deadline(String(reason));
    this.fired ??= err;
    this.stop();
    this.#ctl?.abort(reason);
    this.#reject?.(err);
    this.#onFire?.();
  }
}

/** A streamed body in progress: its reader, byte budget and deadlines. */
export interface OpenBody {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  left: number;
  limit: number;
  watch: Watch;
}

const NOTHING = new Uint8Array(0);

export function transport(fetchFn: typeof fetch): Transport {
  const start = (target: string, headers: string[], body: string | undefined, signal: AbortSignal | undefined) => {
    const sp = target.indexOf(' ');
    // A plain object, as a user's own `fetch` wrapper most likely expects.
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < headers.length; i += 2) h[headers[i]] = headers[i + 1];
    return fetchFn(target.slice(sp + 1), { method: target.slice(0, sp), headers: h, body, signal });
  };
  return {
    // Every run's hot path, so leaner than `Watch`: one timer, set for the
    // earlier deadline and re-armed only if it fires early, and no object
    // or listener beyond what the deadlines need.
    send(target, headers, body, signal, limits) {
      let res: Response | undefined;
      const reply = start(target, headers, body, signal).then((r) => {
        res = r;
        return bodyText(r, limits.maxResponseBytes).then((text) => head(r) + text);
      });
      const started = Date.now();
      const headersBy = limits.firstByteMs > 0 ? started + limits.firstByteMs : Infinity;
      const end = limits.attemptMs > 0 ? started + limits.attemptMs : Infinity;
      if (headersBy === Infinity && end === Infinity && !signal) return reply;
      return new Promise<string>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settle = () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const fail = (e: unknown) => {
          settle();
          void res?.body?.cancel(e).catch(() => {});
          reject(e);
        };
        const onAbort = () => fail(signal?.reason);
        const arm = (at: number) => {
          if (at === Infinity) return;
          const t = setTimeout(check, Math.min(Math.max(at - Date.now(), 0), MAX_DELAY));
          (t as { unref?: () => void }).unref?.();
          timer = t;
        };
        const check = () => {
          const now = Date.now();
          if (res === undefined && now >= headersBy) {
            return fail(deadline(`no response headers within timeouts.firstByteMs (${limits.firstByteMs} ms)`));
          }
          if (now >= end) return fail(deadline(`the attempt took longer than timeouts.attemptMs (${limits.attemptMs} ms)`));
          arm(res === undefined ? Math.min(headersBy, end) : end);
        };
        reply.then(
          (v) => {
            settle();
            resolve(v);
          },
          (e) => {
            settle();
            reject(e);
          },
        );
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        arm(Math.min(headersBy, end));
      });
    },
    async open(target, headers, body, signal, limits) {
      const w = new Watch(signal, limits);
      try {
        const res = await w.race(start(target, headers, body, signal));
        w.headers(limits.idleMs);
        if (!res.body) {
          w.stop();
          return [head(res), null];
        }
        const open: OpenBody = { reader: res.body.getReader(), left: limits.maxResponseBytes, limit: limits.maxResponseBytes, watch: w };
        // A stalled body may ignore the abort (a custom fetch): cancelling
        // the reader settles its pending read either way.
        w.onFire(() => void open.reader.cancel(w.fired).catch(() => {}));
        return [head(res), open];
      } catch (e) {
        w.stop();
        throw e;
      }
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        // Not unref'd: this wait is the run's own work, which must finish.
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.min(Math.max(ms, 0), MAX_DELAY));
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    read: (b) =>
      b.reader.read().then(
        (r) => {
          const w = b.watch;
          if (w.fired) throw w.fired;
          if (r.done) {
            w.stop();
            return null;
          }
          const v = r.value ?? NOTHING;
          b.left -= v.byteLength;
          if (b.left < 0) {
            const err = tooLarge(b.limit);
            w.stop();
            void b.reader.cancel(err).catch(() => {});
            throw err;
          }
          w.last = Date.now();
          return v;
        },
        (e) => {
          b.watch.stop();
          throw b.watch.fired ?? e;
        },
      ),
  };
}

/**
 * The body as text, never more than `limit` bytes of it. A body of known
 * size and no encoding is read in one go; anything else (compressed, or of
 * unknown length) is counted as it is decompressed, so a small gzip bomb
 * is stopped at the limit, not after inflating it.
 */
function bodyText(res: Response, limit: number): Promise<string> {
  const h = res.headers;
  const length = h.get('content-length');
  if (length !== null && h.get('content-encoding') === null) {
    const n = Number(length);
    if (n <= limit) return res.text();
    if (n > limit) {
      void res.body?.cancel().catch(() => {});
      return Promise.reject(tooLarge(limit));
    }
  }
  return countedText(res, limit);
}

async function countedText(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return new TextDecoder().decode(all);
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
