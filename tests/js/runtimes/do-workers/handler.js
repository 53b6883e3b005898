// The Workers of the Durable Object store test: each turns a POSTed
// {binding, name, method, args} into one DurableObjectStore call and answers
// {result} or {error: {name, message}}, so Node can drive the store from
// inside workerd.
import { DurableObjectStore } from 'cascade-edge/stores';

export default {
  async fetch(request, env) {
    const { binding, name, method, args } = await request.json();
    if (method === '__keys' || method === '__stale') {
      // The test-only subclass's own routes (state.js).
      const ns = env[binding];
      const res = await ns.get(ns.idFromName(name)).fetch(`https://inspect.test/${method}`);
      return Response.json({ result: await res.json() });
    }
    try {
      const store = new DurableObjectStore(env[binding], { name });
      return Response.json({ result: await store[method](...args) });
    } catch (err) {
      return Response.json({ error: { name: err.name, message: err.message } });
    }
  },
};
