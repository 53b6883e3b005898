// A two-tier cascade from a Node script: gpt-4o-mini drafts, and
// claude-sonnet-4-5 answers only when the judge rejects the draft.
//
//   npm install cascade-edge
//   export OPENAI_API_KEY=sk-... ANTHROPIC_API_KEY=sk-ant-...
//   node ask.mjs "What is the capital of France?"
//   node ask.mjs --stream "Why is the sky blue?"
//
// OPENAI_BASE_URL / ANTHROPIC_BASE_URL are optional (a proxy, a gateway, a local fake).
import { CascadeAgent } from 'cascade-edge';

const agent = new CascadeAgent([
  // Prices are USD per 1M tokens; leave them out to use the built-in price table.
  { name: 'gpt-4o-mini', provider: 'openai', baseUrl: process.env.OPENAI_BASE_URL, inputCost: 0.15, outputCost: 0.6 },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', baseUrl: process.env.ANTHROPIC_BASE_URL, inputCost: 3, outputCost: 15 },
]); // API keys are read from OPENAI_API_KEY and ANTHROPIC_API_KEY.

const args = process.argv.slice(2);
const streaming = args[0] === '--stream';
const question = (streaming ? args.slice(1) : args).join(' ') || 'What is the capital of France?';

if (streaming) {
  // The answer is printed as it arrives; a rejected draft is never shown.
  for await (const event of agent.stream(question)) {
    if (event.type === 'chunk') process.stdout.write(event.text);
    if (event.type === 'error') {
      console.error(`\n${event.error.code}: ${event.error.message}`);
      process.exitCode = 1;
    }
    if (event.type === 'complete') {
      const r = event.result;
      process.stdout.write('\n');
      console.error(JSON.stringify({ model: r.modelUsed, cost: r.totalCost, savings: r.costSaved, reason: r.reason }));
    }
  }
} else {
  const r = await agent.run(question);
  console.log(JSON.stringify({ answer: r.content, model: r.modelUsed, cost: r.totalCost, savings: r.costSaved }, null, 2));
}
