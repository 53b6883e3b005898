// A Cloudflare Worker answering through a two-tier cascade.
//
//   POST /ask            {"question": "..."}  ->  {"answer", "model", "cost", "savings"}
//   POST /ask?stream=1   {"question": "..."}  ->  Server-Sent Events (routing, draftDecision, chunk..., complete)
//
// Secrets: `wrangler secret put OPENAI_API_KEY` and `wrangler secret put ANTHROPIC_API_KEY`.
// Optional vars: OPENAI_BASE_URL, ANTHROPIC_BASE_URL (a proxy or gateway of your own).
import { CascadeAgent } from 'cascade-edge';

let agent; // one per isolate, made on the first request (that is when `env` is known)

function cascade(env) {
  agent ??= new CascadeAgent({
    models: [
      // Prices are USD per 1M tokens; leave them out to use the built-in price table.
      { name: 'gpt-4o-mini', provider: 'openai', baseUrl: env.OPENAI_BASE_URL || undefined, inputCost: 0.15, outputCost: 0.6 },
      { name: 'claude-sonnet-4-5', provider: 'anthropic', baseUrl: env.ANTHROPIC_BASE_URL || undefined, inputCost: 3, outputCost: 15 },
    ],
    env, // API keys are read from OPENAI_API_KEY and ANTHROPIC_API_KEY
  });
  return agent;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== '/ask') return new Response('not found', { status: 404 });
    if (request.method !== 'POST') return Response.json({ error: 'POST a JSON body {"question": "..."}' }, { status: 405 });
    const { question } = await request.json().catch(() => ({}));
    if (typeof question !== 'string' || !question.trim()) {
      return Response.json({ error: 'expected a JSON body {"question": "..."}' }, { status: 400 });
    }

    if (url.searchParams.has('stream')) return cascade(env).stream(question).toSSEResponse();

    try {
      const r = await cascade(env).run(question);
      // savings: USD saved versus sending the question to the top model alone.
      return Response.json({ answer: r.content, model: r.modelUsed, cost: r.totalCost, savings: r.costSaved });
    } catch (err) {
      // Every error is a CascadeError with a stable `code`; messages never contain keys.
      return Response.json({ error: err.code, message: err.message }, { status: 502 });
    }
  },
};
