/**
 * The shared-state contract. Budgets, rate limits and circuit breakers keep
 * their state in the agent's own memory unless `store` is given; a store
 * lets every isolate, Worker or process that shares it see one budget, one
 * rate window and one breaker per endpoint.
 *
 * The engine calls a store at most a few times per attempt, never per
 * chunk. Every amount is a non-negative integer (budgets count in
 * nano-dollars, rate limits in requests or tokens), so stores can use exact
 * integer arithmetic (`HINCRBY`, not floats).
 *
 * Failure: a store that rejects or does not answer within `storeTimeoutMs`
 * makes budgets fail closed (the run fails with `E_BUDGET_STORE`), and
 * breakers and rate limits fail open (the agent's own memory decides).
 */

/** Hold `amount` against `limit` on `key`. */
export interface StoreReservation {
  key: string;
  amount: number;
  limit: number;
  /** How long the key must live at least, in ms (the period's end plus a margin). */
  ttlMs: number;
}

/** Turn a hold into spending: `held -= reserved` (not below 0), `used += actual`. */
export interface StoreSettlement {
  key: string;
  reserved: number;
  actual: number;
  ttlMs: number;
}

/** A counter's state; a key never written reads as zeros. */
export interface StoreCounter {
  used: number;
  held: number;
}

/** A small versioned record: `version` starts at 1 and rises by 1 per write. */
export interface StoreRecord {
  value: string;
  version: number;
}

export interface CascadeStore {
  /**
   * All or nothing, atomically across every item: when each item fits
   * (`used + held + amount <= limit`), add each `amount` to its key's
   * `held` and resolve `true`; otherwise change nothing and resolve `false`.
   */
  reserve(items: StoreReservation[]): Promise<boolean>;
  /** Apply every settlement; each is atomic on its key. */
  settle(items: StoreSettlement[]): Promise<void>;
  /** The counters of `keys`, in order. */
  read(keys: string[]): Promise<StoreCounter[]>;
  /** The record at `key`, or `null` when absent or expired. */
  get(key: string): Promise<StoreRecord | null>;
  /**
   * Write `value` when the record's version is still `version` (0: absent),
   * as version `version + 1`, living `ttlMs`. Resolves whether it wrote.
   */
  compareAndSet(key: string, version: number, value: string, ttlMs: number): Promise<boolean>;
}
