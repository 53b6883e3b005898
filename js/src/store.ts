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
import { ConfigError } from './errors.js';

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

const METHODS = ['reserve', 'settle', 'read', 'get', 'compareAndSet'] as const;

/** How long a store call may take before the engine treats the store as down. */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000;

/**
 * What the engine calls (src/wasm/store.rs): one function taking the
 * operation's name and its arguments as JSON, answering JSON, so the wasm
 * side needs no binding per method. Each call is cut off at `timeoutMs`.
 */
export type StoreBridge = (op: string, argsJson: string) => Promise<string>;

export function storeBridge(store: unknown, timeoutMs: unknown): StoreBridge {
  if (!store || typeof store !== 'object') {
    throw new ConfigError('E_CONFIG', `config.store: expected an object with ${METHODS.join(', ')}, got ${store === null ? 'null' : typeof store}`);
  }
  const missing = METHODS.filter((m) => typeof (store as Record<string, unknown>)[m] !== 'function');
  if (missing.length) {
    throw new ConfigError('E_CONFIG', `config.store: missing method${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (see CascadeStore)`);
  }
  const limit = timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  if (typeof limit !== 'number' || !(limit > 0) || limit > 2 ** 31 - 1) {
    throw new ConfigError('E_CONFIG', `config.storeTimeoutMs: expected a positive number of milliseconds up to 2^31-1, got ${String(limit)}`);
  }
  const s = store as CascadeStore;
  const call = (op: string, args: unknown): Promise<unknown> => {
    switch (op) {
      case 'reserve':
        return s.reserve(args as StoreReservation[]);
      case 'settle':
        return s.settle(args as StoreSettlement[]);
      case 'read':
        return s.read(args as string[]);
      case 'get':
        return s.get(args as string);
      case 'compareAndSet': {
        const a = args as { key: string; version: number; value: string; ttlMs: number };
        return s.compareAndSet(a.key, a.version, a.value, a.ttlMs);
      }
      default:
        return Promise.reject(new Error(`unknown store operation ${op}`));
    }
  };
  return (op, argsJson) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within storeTimeoutMs (${limit} ms)`)), limit);
    });
    const work = Promise.resolve()
      .then(() => call(op, JSON.parse(argsJson)))
      .then((out) => JSON.stringify(out ?? null));
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  };
}
