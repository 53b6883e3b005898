/**
 * A store in this isolate's memory: the reference implementation of the
 * contract, and the way to share one budget, rate window and breaker set
 * between several agents of one process or isolate. Nothing leaves the
 * isolate, so two Workers or two Node processes each have their own: use
 * Redis, Upstash or a Durable Object for that.
 */
import type { CascadeStore, StoreCounter, StoreRecord, StoreReservation, StoreSettlement } from '../store.js';
import { checkCas, checkKey, checkKeys, checkReservations, checkSettlements } from './check.js';
import { alive, planCompareAndSet, planReserve, planSettle, type CounterEntry, type RecordEntry } from './ledger.js';

export interface MemoryStoreOptions {
  /** The clock that expiry is measured on, in ms (default `Date.now`); tests pass their own. */
  now?: () => number;
}

export class MemoryStore implements CascadeStore {
  #now: () => number;
  #counters = new Map<string, CounterEntry>();
  #records = new Map<string, RecordEntry>();
  /** Writes since the last sweep of expired entries, and the entries that sweep kept; see #sweep. */
  #writes = 0;
  #kept = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Entries held in memory (counters and records), expired ones not yet freed included: for watching its size. */
  get size(): number {
    return this.#counters.size + this.#records.size;
  }

  async reserve(items: StoreReservation[]): Promise<boolean> {
    const checked = checkReservations(items);
    const now = this.#now();
    const plan = planReserve(checked, this.#live(checked, now), now);
    if (plan === null) return false;
    this.#write(plan, now);
    return true;
  }

  async settle(items: StoreSettlement[]): Promise<void> {
    const checked = checkSettlements(items);
    const now = this.#now();
    this.#write(planSettle(checked, this.#live(checked, now), now), now);
  }

  async read(keys: string[]): Promise<StoreCounter[]> {
    const now = this.#now();
    return checkKeys(keys).map((k) => {
      const c = alive(this.#counters.get(k), now);
      return { used: c?.used ?? 0, held: c?.held ?? 0 };
    });
  }

  async get(key: string): Promise<StoreRecord | null> {
    const r = alive(this.#records.get(checkKey('get', 'key', key)), this.#now());
    return r === undefined ? null : { value: r.value, version: r.version };
  }

  async compareAndSet(key: string, version: number, value: string, ttlMs: number): Promise<boolean> {
    const a = checkCas(key, version, value, ttlMs);
    const now = this.#now();
    const next = planCompareAndSet(alive(this.#records.get(a.key), now), a.version, a.value, a.ttlMs, now);
    if (next === null) return false;
    this.#records.set(a.key, next);
    this.#sweep(now);
    return true;
  }

  #live(items: { key: string }[], now: number): Map<string, CounterEntry | undefined> {
    return new Map(items.map(({ key }) => [key, alive(this.#counters.get(key), now)]));
  }

  #write(plan: Map<string, CounterEntry>, now: number): void {
    for (const [k, c] of plan) this.#counters.set(k, c);
    this.#sweep(now);
  }

  /**
   * Expired entries read as absent already; this only frees their memory.
   * A sweep walks every entry, so it runs once the writes since the last one
   * outnumber the entries it kept (and at least 64): the amortised cost per
   * write stays constant, and expired entries never pile up beyond about as
   * many as were alive at the last sweep.
   */
  #sweep(now: number): void {
    if (++this.#writes < Math.max(64, this.#kept)) return;
    for (const [k, c] of this.#counters) if (c.expiresAt <= now) this.#counters.delete(k);
    for (const [k, r] of this.#records) if (r.expiresAt <= now) this.#records.delete(k);
    this.#writes = 0;
    this.#kept = this.size;
  }
}
