// The Worker that defines the Durable Objects: CascadeStateObject as users
// export it, a subclass that can also list its storage keys, so the test can
// watch the alarm delete expired entries, and an object that is no store.
import { CascadeStateObject } from 'cascade-edge/stores';
import handler from './handler.js';

export { CascadeStateObject };

export class InspectableState extends CascadeStateObject {
  constructor(state, env) {
    super(state, env);
    this.storage = state.storage;
  }

  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/__keys') return Response.json([...(await this.storage.list()).keys()]);
    // An entry written behind the store's back, already expired: only the alarm can remove it.
    if (pathname === '/__stale') {
      await this.storage.put({ 'c:stale': { used: 1, held: 0, expiresAt: 1 } });
      return Response.json(null);
    }
    return super.fetch(request);
  }
}

/** What a binding to the wrong class would reach. */
export class NotAStore {
  fetch() {
    return new Response('hello');
  }
}

export default handler;
