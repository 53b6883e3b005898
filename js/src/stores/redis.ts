/**
 * A store in Redis, through a client you connect yourself (node-redis v4 to
 * v6, `createClient()`), so this package never depends on a Redis client:
 *
 *   const client = await createClient({ url: process.env.REDIS_URL }).connect();
 *   const store = new RedisStore(client, { prefix: 'myapp:' });
 *
 * Only `client.sendCommand(args)` is used; any client can be adapted by
 * passing an object with that one method. Closing the client is yours to do.
 */
import { StoreError } from './errors.js';
import { RedisScriptStore, type RedisKeyOptions } from './redis-scripts.js';

/** What RedisStore needs of a client: node-redis's `sendCommand`. */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

export type RedisStoreOptions = RedisKeyOptions;

export class RedisStore extends RedisScriptStore {
  readonly #client: RedisCommandClient;

  constructor(client: RedisCommandClient, options: RedisStoreOptions = {}) {
    super('RedisStore', options);
    if (typeof client?.sendCommand !== 'function') {
      throw new StoreError('RedisStore: expected a connected node-redis client (an object with sendCommand(args))');
    }
    this.#client = client;
  }

  protected get label(): string {
    return 'RedisStore';
  }

  protected command(args: string[]): Promise<unknown> {
    return this.#client.sendCommand(args);
  }
}
