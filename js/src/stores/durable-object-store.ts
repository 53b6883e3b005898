/**
 * A store in a Durable Object (CascadeStateObject), for Cloudflare Workers:
 * every Worker and isolate bound to the same namespace reaches the same
 * object for the same `name`, and the object runs one request at a time.
 *
 *   const store = new DurableObjectStore(env.CASCADE_STATE, { name: 'budgets' });
 *
 * One object handles every call for its name, so its throughput (on the
 * order of a thousand calls a second) bounds the agents that share it; give
 * separate tenants separate names.
 */
import type { CascadeStore, StoreCounter, StoreRecord, StoreReservation, StoreSettlement } from '../store.js';
import { checkCas, checkKey, checkKeys, checkReservations, checkSettlements } from './check.js';
import { StoreError, messageOf } from './errors.js';
import { ORIGIN, type Op } from './durable-object-protocol.js';

/** The part of a `DurableObjectNamespace` binding used here. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): DurableObjectStubLike;
}

/** The part of a Durable Object stub used here. */
export interface DurableObjectStubLike {
  fetch(input: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; text(): Promise<string> }>;
}

export interface DurableObjectStoreOptions {
  /** The object's name in the namespace (default `cascade`): stores with the same name share state. */
  name?: string;
}

export class DurableObjectStore implements CascadeStore {
  readonly #namespace: DurableObjectNamespaceLike<any>;
  readonly #name: string;

  constructor(namespace: DurableObjectNamespaceLike<any>, options: DurableObjectStoreOptions = {}) {
    if (typeof namespace?.idFromName !== 'function' || typeof namespace?.get !== 'function') {
      throw new StoreError('DurableObjectStore: expected a Durable Object namespace binding (env.CASCADE_STATE)');
    }
    const name = options.name ?? 'cascade';
    if (typeof name !== 'string' || name === '') throw new StoreError('DurableObjectStore: name: expected a non-empty string');
    this.#namespace = namespace;
    this.#name = name;
  }

  async reserve(items: StoreReservation[]): Promise<boolean> {
    const checked = checkReservations(items);
    return checked.length === 0 ? true : (await this.#call('reserve', { items: checked })) === true;
  }

  async settle(items: StoreSettlement[]): Promise<void> {
    const checked = checkSettlements(items);
    if (checked.length > 0) await this.#call('settle', { items: checked });
  }

  async read(keys: string[]): Promise<StoreCounter[]> {
    const checked = checkKeys(keys);
    if (checked.length === 0) return [];
    const reply = await this.#call('read', { keys: checked });
    if (!Array.isArray(reply) || reply.length !== checked.length) throw this.#bad('read');
    return reply as StoreCounter[];
  }

  async get(key: string): Promise<StoreRecord | null> {
    return (await this.#call('get', { key: checkKey('get', 'key', key) })) as StoreRecord | null;
  }

  async compareAndSet(key: string, version: number, value: string, ttlMs: number): Promise<boolean> {
    return (await this.#call('compareAndSet', checkCas(key, version, value, ttlMs))) === true;
  }

  /**
   * One call to the object. The stub is made anew each time (it costs no
   * I/O): Workers do not let one request use I/O objects of another.
   */
  async #call(op: Op, args: unknown): Promise<unknown> {
    let status: number;
    let text: string;
    try {
      const stub = this.#namespace.get(this.#namespace.idFromName(this.#name));
      const res = await stub.fetch(`${ORIGIN}/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw new StoreError(`DurableObjectStore: ${op} failed: ${messageOf(err)}`, { cause: err });
    }
    let body: { result?: unknown; error?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw this.#bad(op, status);
    }
    if (typeof body?.error === 'string') throw new StoreError(`DurableObjectStore: ${op} failed: ${body.error}`);
    if (status !== 200 || !('result' in body)) throw this.#bad(op, status);
    return body.result;
  }

  #bad(op: string, status?: number): StoreError {
    const s = status === undefined ? '' : ` (HTTP ${status})`;
    return new StoreError(`DurableObjectStore: ${op} failed: the object's answer is not a store reply${s}; is the binding's class CascadeStateObject?`);
  }
}
