/**
 * The arithmetic of the contract, once, for the stores that hold their data
 * in JS (MemoryStore, and the Durable Object): each reads the entries it
 * needs, asks these functions what to write, and writes it. The Redis Lua
 * scripts (redis-scripts.ts) say the same thing in Lua; the contract tests
 * hold all of them to it.
 *
 * Expiry is an absolute time (`expiresAt`, ms) so that an entry read back
 * from storage needs no clock of its own; an entry past it counts as absent.
 */
import type { StoreReservation, StoreSettlement } from '../store.js';

export interface CounterEntry {
  used: number;
  held: number;
  expiresAt: number;
}

export interface RecordEntry {
  value: string;
  version: number;
  expiresAt: number;
}

/** The entry if it is still alive at `now`. */
export function alive<T extends { expiresAt: number }>(entry: T | undefined, now: number): T | undefined {
  return entry !== undefined && entry.expiresAt > now ? entry : undefined;
}

/** A key's time to live only ever grows: a settle must not cut short the period a reserve set. */
function extended(current: CounterEntry | undefined, ttlMs: number, now: number): number {
  return Math.max(current?.expiresAt ?? 0, now + ttlMs);
}

/**
 * The counters to write for an all-or-nothing reserve, or `null` when one
 * item does not fit. `current` holds the live counters of the items' keys. A
 * key named twice is checked against the sum of its amounts, as if it were
 * reserved twice in a row.
 */
export function planReserve(
  items: StoreReservation[],
  current: Map<string, CounterEntry | undefined>,
  now: number,
): Map<string, CounterEntry> | null {
  const next = new Map<string, CounterEntry>();
  for (const { key, amount, limit, ttlMs } of items) {
    const c = next.get(key) ?? current.get(key);
    const used = c?.used ?? 0;
    const held = (c?.held ?? 0) + amount;
    if (used + held > limit) return null;
    next.set(key, { used, held, expiresAt: extended(c, ttlMs, now) });
  }
  return next;
}

/** The counters to write for a settle: `held -= reserved` (not below 0), `used += actual`. */
export function planSettle(
  items: StoreSettlement[],
  current: Map<string, CounterEntry | undefined>,
  now: number,
): Map<string, CounterEntry> {
  const next = new Map<string, CounterEntry>();
  for (const { key, reserved, actual, ttlMs } of items) {
    const c = next.get(key) ?? current.get(key);
    next.set(key, {
      used: (c?.used ?? 0) + actual,
      held: Math.max(0, (c?.held ?? 0) - reserved),
      expiresAt: extended(c, ttlMs, now),
    });
  }
  return next;
}

/** The record to write when `version` is still the live one (0: absent), else `null`. */
export function planCompareAndSet(
  current: RecordEntry | undefined,
  version: number,
  value: string,
  ttlMs: number,
  now: number,
): RecordEntry | null {
  if ((current?.version ?? 0) !== version) return null;
  return { value, version: version + 1, expiresAt: now + ttlMs };
}
