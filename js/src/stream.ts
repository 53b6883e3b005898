/**
 * `agent.stream()`'s return value: an async iterable of typed events that
 * ends with `complete` (or `error`), plus helpers for edge handlers.
 */
import type { CascadeError } from './errors.js';
import type { CascadeResult, StreamEvent } from './types.js';

export class CascadeStream implements AsyncIterable<StreamEvent> {
  /** The full result; rejects with the run's `CascadeError`. */
  readonly result: Promise<CascadeResult>;
  #queue: StreamEvent[] = [];
  #waiting: ((r: IteratorResult<StreamEvent>) => void) | undefined;
  #ended = false;
  #iterated = false;
  #cancel: () => void;

  /** @internal */
  constructor(
    start: (emit: (e: StreamEvent) => void) => Promise<CascadeResult>,
    onError: (e: unknown) => CascadeError,
    cancel: () => void = () => {},
  ) {
    this.#cancel = cancel;
    const emit = (e: StreamEvent) => this.#push(e);
    this.result = start(emit).then(
      (result) => {
        this.#push({ type: 'complete', result });
        this.#end();
        return result;
      },
      (raw) => {
        const error = onError(raw);
        this.#push({ type: 'error', error });
        this.#end();
        throw error;
      },
    );
    // A consumer that only iterates must not get an unhandled rejection.
    this.result.catch(() => {});
  }

  #push(e: StreamEvent): void {
    if (this.#ended) return;
    const w = this.#waiting;
    if (w) {
      this.#waiting = undefined;
      w({ value: e, done: false });
    } else {
      this.#queue.push(e);
    }
  }

  #end(): void {
    this.#ended = true;
    const w = this.#waiting;
    if (w && this.#queue.length === 0) {
      this.#waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.#iterated) throw new TypeError('a CascadeStream can be iterated only once');
    this.#iterated = true;
    return {
      next: () => {
        const e = this.#queue.shift();
        if (e) return Promise.resolve({ value: e, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
      // The consumer stopped early (`break`, a closed SSE client): cancel
      // the provider request instead of letting it run, and billed, to its end.
      return: () => {
        this.#queue.length = 0;
        if (!this.#ended) this.#cancel();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** The answer's text as it is released (use with the default `buffered` mode). */
  toTextStream(): ReadableStream<string> {
    const it = this[Symbol.asyncIterator]();
    return new ReadableStream<string>({
      async pull(controller) {
        for (;;) {
          const { value, done } = await it.next();
          if (done) return controller.close();
          if (value.type === 'chunk') return controller.enqueue(value.text);
          if (value.type === 'error') return controller.error(value.error);
        }
      },
      cancel() {
        void it.return?.();
      },
    });
  }

  /** Every event as Server-Sent Events bytes: `event: <type>` and `data: <json>`. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const it = this[Symbol.asyncIterator]();
    const enc = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await it.next();
        if (done) return controller.close();
        controller.enqueue(enc.encode(sseFrame(value)));
      },
      cancel() {
        void it.return?.();
      },
    });
  }

  /** A `Response` streaming the events as SSE, for Workers, Vercel Edge and any fetch handler. */
  toSSEResponse(init: ResponseInit = {}): Response {
    const headers = new Headers(init.headers);
    headers.set('content-type', 'text/event-stream; charset=utf-8');
    headers.set('cache-control', 'no-cache');
    return new Response(this.toReadableStream(), { ...init, headers });
  }
}

function sseFrame(e: StreamEvent): string {
  const data =
    e.type === 'error'
      ? { type: 'error', error: { code: e.error.code, message: e.error.message, status: e.error.status } }
      : e;
  return `event: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`;
}
