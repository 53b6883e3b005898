/**
 * Argument checks shared by every store, so that a bad call is refused the
 * same way by all of them, before anything is written. Amounts are integers
 * because the stores add them with integer commands (`HINCRBY`); a float or a
 * number past 2^53 would be rounded differently by Lua, Redis and JS.
 */
import type { StoreReservation, StoreSettlement } from '../store.js';
import { StoreError } from './errors.js';

function wholeNumber(op: string, field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    const got = typeof v === 'number' ? String(v) : typeof v;
    throw new StoreError(`${op}: ${field}: expected an integer >= ${min} (at most 2^53 - 1), got ${got}`);
  }
  return v;
}

export function checkKey(op: string, field: string, key: unknown): string {
  if (typeof key !== 'string' || key === '') {
    throw new StoreError(`${op}: ${field}: expected a non-empty string, got ${key === '' ? 'an empty string' : typeof key}`);
  }
  return key;
}

function list(op: string, items: unknown): unknown[] {
  if (!Array.isArray(items)) throw new StoreError(`${op}: expected an array, got ${typeof items}`);
  return items;
}

function item(op: string, i: number, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new StoreError(`${op}: items[${i}]: expected an object`);
  return v as Record<string, unknown>;
}

export function checkReservations(items: unknown): StoreReservation[] {
  return list('reserve', items).map((raw, i) => {
    const v = item('reserve', i, raw);
    return {
      key: checkKey('reserve', `items[${i}].key`, v.key),
      amount: wholeNumber('reserve', `items[${i}].amount`, v.amount, 0),
      limit: wholeNumber('reserve', `items[${i}].limit`, v.limit, 0),
      ttlMs: wholeNumber('reserve', `items[${i}].ttlMs`, v.ttlMs, 1),
    };
  });
}

export function checkSettlements(items: unknown): StoreSettlement[] {
  return list('settle', items).map((raw, i) => {
    const v = item('settle', i, raw);
    return {
      key: checkKey('settle', `items[${i}].key`, v.key),
      reserved: wholeNumber('settle', `items[${i}].reserved`, v.reserved, 0),
      actual: wholeNumber('settle', `items[${i}].actual`, v.actual, 0),
      ttlMs: wholeNumber('settle', `items[${i}].ttlMs`, v.ttlMs, 1),
    };
  });
}

export function checkKeys(keys: unknown): string[] {
  return list('read', keys).map((k, i) => checkKey('read', `keys[${i}]`, k));
}

export interface CasArgs {
  key: string;
  version: number;
  value: string;
  ttlMs: number;
}

export function checkCas(key: unknown, version: unknown, value: unknown, ttlMs: unknown): CasArgs {
  if (typeof value !== 'string') throw new StoreError(`compareAndSet: value: expected a string, got ${typeof value}`);
  return {
    key: checkKey('compareAndSet', 'key', key),
    version: wholeNumber('compareAndSet', 'version', version, 0),
    value,
    ttlMs: wholeNumber('compareAndSet', 'ttlMs', ttlMs, 1),
  };
}

/** A stored count read back: anything but a whole number means the data is not ours. */
export function storedCount(what: string, v: unknown): number {
  if (v === null || v === undefined || v === false) return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError(`${what}: the stored value is not a count (${typeof v})`);
  return n;
}
