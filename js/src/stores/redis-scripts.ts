/**
 * The Redis side of the contract, shared by RedisStore (a node-redis client)
 * and UpstashStore (Upstash's REST API): the Lua scripts, the key layout and
 * the arguments. Each store only supplies `command(args)`, one Redis command
 * sent as an array of strings.
 *
 * Key layout, under the store's `prefix` (default `cascade:`):
 *   `<prefix>c:<key>`  a counter, a hash {used, held}
 *   `<prefix>r:<key>`  a record, a hash {value, version}
 * Counters and records live apart so that a counter and a record may share
 * a name. Every key a script touches is passed in KEYS, as Redis Cluster
 * requires; to keep a multi-key reserve in one slot, put a hash tag in the
 * prefix (`{cascade}:`).
 *
 * Why scripts: Redis runs a script without running anything else, so a
 * reserve's checks and writes across several keys cannot interleave with
 * another client's. Each script is sent by its SHA-1 (EVALSHA) and, when the
 * server does not know it yet (NOSCRIPT), once in full (EVAL), which also
 * caches it there.
 *
 * Amounts are whole numbers below 2^53, which Lua's doubles hold exactly;
 * they are written back with `%d`, since Redis may print a Lua number with an
 * exponent, which HINCRBY would refuse.
 */
import type { CascadeStore, StoreCounter, StoreRecord, StoreReservation, StoreSettlement } from '../store.js';
import { checkCas, checkKey, checkKeys, checkReservations, checkSettlements, storedCount } from './check.js';
import { StoreError, messageOf } from './errors.js';

/** Lengthen a key's expiry to ttl ms unless it already lives longer (PTTL is -1 without one). */
const EXTEND = `
local function extend(k, ttl)
  if redis.call('PTTL', k) < tonumber(ttl) then redis.call('PEXPIRE', k, ttl) end
end
`;

/**
 * KEYS: counters; ARGV: amount, limit, ttlMs for each. Every item is checked
 * before anything is written; a key named twice is checked against the sum
 * of its amounts. Returns 1 when held, 0 when one item does not fit.
 */
export const RESERVE = `${EXTEND}
local want = {}
for i = 1, #KEYS do
  local k = KEYS[i]
  local c = redis.call('HMGET', k, 'used', 'held')
  want[k] = (want[k] or 0) + tonumber(ARGV[3 * i - 2])
  if (tonumber(c[1]) or 0) + (tonumber(c[2]) or 0) + want[k] > tonumber(ARGV[3 * i - 1]) then return 0 end
end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', ARGV[3 * i - 2])
  extend(KEYS[i], ARGV[3 * i])
end
return 1
`;

/** KEYS: counters; ARGV: reserved, actual, ttlMs for each. `held -= reserved` (not below 0), `used += actual`. */
export const SETTLE = `${EXTEND}
for i = 1, #KEYS do
  local k = KEYS[i]
  local held = (tonumber(redis.call('HGET', k, 'held')) or 0) - tonumber(ARGV[3 * i - 2])
  if held < 0 then held = 0 end
  redis.call('HSET', k, 'held', string.format('%d', held))
  redis.call('HINCRBY', k, 'used', ARGV[3 * i - 1])
  extend(k, ARGV[3 * i])
end
return 1
`;

/** KEYS: counters. Returns used, held, used, held... (nil for absent), one consistent snapshot. */
export const READ = `
local out = {}
for i = 1, #KEYS do
  local c = redis.call('HMGET', KEYS[i], 'used', 'held')
  out[2 * i - 1] = c[1]
  out[2 * i] = c[2]
end
return out
`;

/** KEYS: the record; ARGV: expected version (0: absent), value, ttlMs. Returns 1 when written. */
export const COMPARE_AND_SET = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version')) or 0
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'value', ARGV[2], 'version', string.format('%d', current + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

const shas = new Map<string, Promise<string>>();

/** The script's SHA-1 in hex, as EVALSHA wants it (Web Crypto: every runtime has it). */
export function scriptSha(source: string): Promise<string> {
  let sha = shas.get(source);
  if (sha === undefined) {
    // Inside a promise, so that a runtime without Web Crypto rejects instead of throwing.
    sha = Promise.resolve()
      .then(() => crypto.subtle.digest('SHA-1', new TextEncoder().encode(source)))
      .then((d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join(''));
    shas.set(source, sha);
  }
  return sha;
}

export interface RedisKeyOptions {
  /** Prepended to every key (default `cascade:`). */
  prefix?: string;
}

/** A Redis error that says the server has not cached the script (after a restart or SCRIPT FLUSH). */
function isNoScript(err: unknown): boolean {
  return /\bNOSCRIPT\b/.test(messageOf(err));
}

/**
 * The contract over Redis commands. Subclasses send one command and say
 * how to name themselves and what to hide in an error message.
 */
export abstract class RedisScriptStore implements CascadeStore {
  readonly #prefix: string;

  constructor(store: string, options: RedisKeyOptions = {}) {
    const prefix = options.prefix ?? 'cascade:';
    if (typeof prefix !== 'string') throw new StoreError(`${store}: prefix: expected a string, got ${typeof prefix}`);
    this.#prefix = prefix;
  }

  /** Send one command; resolve to its reply, reject with the server's error. */
  protected abstract command(args: string[]): Promise<unknown>;
  /** The store's name in error messages. */
  protected abstract get label(): string;
  /** An error message made safe to show (no secrets); the default keeps it as is. */
  protected safe(message: string): string {
    return message;
  }

  async reserve(items: StoreReservation[]): Promise<boolean> {
    const checked = checkReservations(items);
    if (checked.length === 0) return true;
    const args = checked.flatMap((i) => [String(i.amount), String(i.limit), String(i.ttlMs)]);
    const reply = await this.#run('reserve', RESERVE, checked.map((i) => this.#counter(i.key)), args);
    return reply === 1;
  }

  async settle(items: StoreSettlement[]): Promise<void> {
    const checked = checkSettlements(items);
    if (checked.length === 0) return;
    const args = checked.flatMap((i) => [String(i.reserved), String(i.actual), String(i.ttlMs)]);
    await this.#run('settle', SETTLE, checked.map((i) => this.#counter(i.key)), args);
  }

  async read(keys: string[]): Promise<StoreCounter[]> {
    const checked = checkKeys(keys);
    if (checked.length === 0) return [];
    const reply = await this.#run('read', READ, checked.map((k) => this.#counter(k)), []);
    const flat = Array.isArray(reply) ? reply : [];
    return checked.map((_, i) => ({
      used: storedCount(`${this.label}: read`, flat[2 * i]),
      held: storedCount(`${this.label}: read`, flat[2 * i + 1]),
    }));
  }

  async get(key: string): Promise<StoreRecord | null> {
    const k = this.#record(checkKey('get', 'key', key));
    const reply = await this.#send('get', ['HMGET', k, 'value', 'version']);
    const [value, version] = Array.isArray(reply) ? reply : [];
    if (value === null || value === undefined || version === null || version === undefined) return null;
    if (typeof value !== 'string') throw new StoreError(`${this.label}: get: the stored value is not a string`);
    return { value, version: storedCount(`${this.label}: get`, version) };
  }

  async compareAndSet(key: string, version: number, value: string, ttlMs: number): Promise<boolean> {
    const a = checkCas(key, version, value, ttlMs);
    const reply = await this.#run('compareAndSet', COMPARE_AND_SET, [this.#record(a.key)], [
      String(a.version),
      a.value,
      String(a.ttlMs),
    ]);
    return reply === 1;
  }

  #counter(key: string): string {
    return `${this.#prefix}c:${key}`;
  }

  #record(key: string): string {
    return `${this.#prefix}r:${key}`;
  }

  /** EVALSHA, falling back to EVAL once when the server has not cached the script. */
  async #run(op: string, source: string, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    // Without Web Crypto there is no SHA to send: the script goes in full.
    const sha = await scriptSha(source).catch(() => null);
    if (sha !== null) {
      try {
        return await this.command(['EVALSHA', sha, ...tail]);
      } catch (err) {
        if (!isNoScript(err)) throw this.#wrap(op, err);
      }
    }
    return this.#send(op, ['EVAL', source, ...tail]);
  }

  async #send(op: string, args: string[]): Promise<unknown> {
    try {
      return await this.command(args);
    } catch (err) {
      throw this.#wrap(op, err);
    }
  }

  #wrap(op: string, err: unknown): StoreError {
    return new StoreError(`${this.label}: ${op} failed: ${this.safe(messageOf(err))}`, { cause: err });
  }
}
