/**
 * `cascade-edge/stores`: the shared-state stores, an entry of their own so
 * that an agent without one carries none of this code. Nothing here imports
 * a runtime module (`node:*`, `cloudflare:*`), so one file serves Node,
 * Workers, Vercel Edge and browsers; the Redis client and the Durable Object
 * binding are passed in by the caller.
 */
export { MemoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { RedisStore, type RedisStoreOptions, type RedisCommandClient } from './stores/redis.js';
export { UpstashStore, type UpstashStoreOptions } from './stores/upstash.js';
export {
  DurableObjectStore,
  type DurableObjectStoreOptions,
  type DurableObjectNamespaceLike,
  type DurableObjectStubLike,
} from './stores/durable-object-store.js';
export { CascadeStateObject, type DurableObjectStateLike, type DurableObjectStorageLike } from './stores/durable-object.js';
export { StoreError } from './stores/errors.js';
export type * from './store.js';
