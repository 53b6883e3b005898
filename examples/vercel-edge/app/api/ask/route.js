// A Next.js route handler on the Vercel Edge runtime, answering through a
// two-tier cascade. The package loads its engine through the "edge-light"
// export, which imports the .wasm with `?module` (a precompiled
// WebAssembly.Module: Vercel Edge forbids compiling wasm at run time).
//
//   POST /api/ask            {"question": "..."}  ->  {"answer", "model", "cost", "savings"}
//   POST /api/ask?stream=1   {"question": "..."}  ->  Server-Sent Events (routing, draftDecision, chunk..., complete)
//
// Environment variables: OPENAI_API_KEY, ANTHROPIC_API_KEY; optionally
// OPENAI_BASE_URL, ANTHROPIC_BASE_URL (a proxy or gateway of your own).
import { CascadeAgent } from 'cascade-edge';

export const runtime = 'edge';

const agent = new CascadeAgent({
  models: [
    // Prices are USD per 1M tokens; leave them out to use the built-in price table.
    { name: 'gpt-4o-mini', provider: 'openai', baseUrl: process.env.OPENAI_BASE_URL || undefined, inputCost: 0.15, outputCost: 0.6 },
    { name: 'claude-sonnet-4-5', provider: 'anthropic', baseUrl: process.env.ANTHROPIC_BASE_URL || undefined, inputCost: 3, outputCost: 15 },
  ],
  env: process.env, // API keys are read from OPENAI_API_KEY and ANTHROPIC_API_KEY
});

export async function POST(request) {
  const { question } = await request.json().catch(() => ({}));
  if (typeof question !== 'string' || !question.trim()) {
    return Response.json({ error: 'expected a JSON body {"question": "..."}' }, { status: 400 });
  }

  if (new URL(request.url).searchParams.has('stream')) return agent.stream(question).toSSEResponse();

  try {
    const r = await agent.run(question);
    // savings: USD saved versus sending the question to the top model alone.
    return Response.json({ answer: r.content, model: r.modelUsed, cost: r.totalCost, savings: r.costSaved });
  } catch (err) {
    // Every error is a CascadeError with a stable `code`; messages never contain keys.
    return Response.json({ error: err.code, message: err.message }, { status: 502 });
  }
}
