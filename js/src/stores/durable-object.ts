/**
 * The Durable Object that holds a DurableObjectStore's state: counters and
 * records in the object's own storage, so every Worker bound to the same
 * namespace and name sees one budget, rate window and breaker set.
 *
 * Atomicity comes from the object's input gate: while a storage call of
 * this object is in flight, workerd delivers no other request to it, so a
 * reserve's read of its counters and its writes cannot interleave with
 * another request's (this code makes no other kind of await in between).
 * The writes of one request are issued together, without an await between
 * them, so the runtime commits them as one atomic batch.
 *
 * Durable Object storage has no expiry of its own: entries keep an absolute
 * `expiresAt` and read as absent after it, and an alarm at the earliest
 * expiry deletes what has expired and sets itself again for the next one.
 *
 * Export it from your Worker and declare it (wrangler.toml):
 *   [[durable_objects.bindings]]
 *   name = "CASCADE_STATE"
 *   class_name = "CascadeStateObject"
 *   [[migrations]]
 *   tag = "v1"
 *   new_sqlite_classes = ["CascadeStateObject"]
 */
import { checkCas, checkKey, checkKeys, checkReservations, checkSettlements } from './check.js';
import { StoreError, messageOf } from './errors.js';
import { alive, planCompareAndSet, planReserve, planSettle, type CounterEntry, type RecordEntry } from './ledger.js';
import { isOp, ORIGIN, type Op } from './durable-object-protocol.js';

/** The parts of `DurableObjectStorage` used here (the key-value API, on both storage backends). */
export interface DurableObjectStorageLike {
  get(keys: string[]): Promise<Map<string, unknown>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list(options?: { startAfter?: string; limit?: number }): Promise<Map<string, unknown>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** The part of `DurableObjectState` used here. */
export interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
}

/** Storage calls take at most 128 keys at a time. */
const BATCH = 128;

const counterKey = (key: string) => `c:${key}`;
const recordKey = (key: string) => `r:${key}`;

export class CascadeStateObject {
  readonly #storage: DurableObjectStorageLike;

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.#storage = state.storage;
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const op = url.pathname.slice(1);
    if (request.method !== 'POST' || url.origin !== ORIGIN || !isOp(op)) {
      return answer(404, { error: `CascadeStateObject: no such call: ${request.method} ${url.pathname}` });
    }
    let args: Record<string, unknown>;
    try {
      const parsed: unknown = await request.json();
      args = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return answer(400, { error: `CascadeStateObject: ${op}: the body is not JSON` });
    }
    try {
      return answer(200, { result: await this.#call(op, args) });
    } catch (err) {
      return answer(err instanceof StoreError ? 400 : 500, { error: messageOf(err) });
    }
  }

  /** Delete what has expired, then wake again at the next expiry, if any. */
  async alarm(): Promise<void> {
    const now = Date.now();
    let next = Infinity;
    let after: string | undefined;
    for (;;) {
      const page = await this.#storage.list(after === undefined ? { limit: 1000 } : { startAfter: after, limit: 1000 });
      const dead: string[] = [];
      for (const [k, v] of page) {
        const at = (v as { expiresAt?: unknown }).expiresAt;
        if (typeof at !== 'number' || at <= now) dead.push(k);
        else next = Math.min(next, at);
        after = k;
      }
      for (let i = 0; i < dead.length; i += BATCH) await this.#storage.delete(dead.slice(i, i + BATCH));
      if (page.size < 1000) break;
    }
    if (next !== Infinity) await this.#storage.setAlarm(next);
  }

  async #call(op: Op, a: Record<string, unknown>): Promise<unknown> {
    const now = Date.now();
    switch (op) {
      case 'reserve': {
        const items = checkReservations(a.items);
        const plan = planReserve(items, await this.#counters(items.map((i) => i.key), now), now);
        if (plan === null) return false;
        await this.#writeCounters(plan);
        return true;
      }
      case 'settle': {
        const items = checkSettlements(a.items);
        await this.#writeCounters(planSettle(items, await this.#counters(items.map((i) => i.key), now), now));
        return null;
      }
      case 'read': {
        const keys = checkKeys(a.keys);
        const live = await this.#counters(keys, now);
        return keys.map((k) => ({ used: live.get(k)?.used ?? 0, held: live.get(k)?.held ?? 0 }));
      }
      case 'get': {
        const key = checkKey('get', 'key', a.key);
        const r = alive((await this.#storage.get([recordKey(key)])).get(recordKey(key)) as RecordEntry | undefined, now);
        return r === undefined ? null : { value: r.value, version: r.version };
      }
      case 'compareAndSet': {
        const c = checkCas(a.key, a.version, a.value, a.ttlMs);
        const k = recordKey(c.key);
        const current = alive((await this.#storage.get([k])).get(k) as RecordEntry | undefined, now);
        const next = planCompareAndSet(current, c.version, c.value, c.ttlMs, now);
        if (next === null) return false;
        await Promise.all([this.#storage.put({ [k]: next }), this.#wakeBy(next.expiresAt)]);
        return true;
      }
    }
  }

  /** The live counters of `keys` (absent or expired ones as undefined). */
  async #counters(keys: string[], now: number): Promise<Map<string, CounterEntry | undefined>> {
    const unique = [...new Set(keys)];
    const out = new Map<string, CounterEntry | undefined>();
    for (let i = 0; i < unique.length; i += BATCH) {
      const part = unique.slice(i, i + BATCH);
      const got = await this.#storage.get(part.map(counterKey));
      for (const k of part) out.set(k, alive(got.get(counterKey(k)) as CounterEntry | undefined, now));
    }
    return out;
  }

  /** Every put issued before the first await: one atomic batch. */
  async #writeCounters(plan: Map<string, CounterEntry>): Promise<void> {
    if (plan.size === 0) return;
    const entries = [...plan].map(([k, c]) => [counterKey(k), c] as const);
    const puts: Promise<void>[] = [];
    for (let i = 0; i < entries.length; i += BATCH) puts.push(this.#storage.put(Object.fromEntries(entries.slice(i, i + BATCH))));
    const soonest = Math.min(...entries.map(([, c]) => c.expiresAt));
    await Promise.all([...puts, this.#wakeBy(soonest)]);
  }

  /** Make sure the alarm rings no later than `at`. */
  async #wakeBy(at: number): Promise<void> {
    const current = await this.#storage.getAlarm();
    if (current === null || current > at) await this.#storage.setAlarm(at);
  }
}

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
