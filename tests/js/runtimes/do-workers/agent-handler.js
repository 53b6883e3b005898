// The Workers of the end-to-end budget test: a cascade agent whose budget
// lives in the Durable Object, one agent per isolate as a Worker would keep
// it. POST /run runs one query and answers {cost} or {error: {code}};
// GET /budget answers the agent's getBudget().
import { CascadeAgent } from 'cascade-edge';
import { DurableObjectStore } from 'cascade-edge/stores';

let agent;

function agentFor(env) {
  agent ??= new CascadeAgent({
    models: [{ name: 'ok', provider: 'openai', baseUrl: env.BASE_URL, apiKey: 'sk-test', inputCost: 100, outputCost: 100, maxTokens: 20 }],
    budget: { daily: 0.1 },
    store: new DurableObjectStore(env.CASCADE_STATE, { name: env.STORE_NAME }),
    // Two hundred runs share one object on a small machine: a slow answer is not a down store here.
    storeTimeoutMs: 60_000,
    retry: { maxRetries: 0 },
  });
  return agent;
}

export default {
  async fetch(request, env) {
    const a = agentFor(env);
    if (request.method === 'GET') return Response.json(await a.getBudget());
    try {
      const r = await a.run('What is the capital of France?');
      return Response.json({ cost: r.totalCost });
    } catch (err) {
      return Response.json({ error: { code: err.code, message: err.message } });
    }
  },
};
