// The cascade part of the browser demo: a two-tier agent from keys the user
// typed, streamed into callbacks. Keys go only to their own provider. (The
// package's browser entry adds what a page needs to call Anthropic, the
// `anthropic-dangerous-direct-browser-access: true` header.)
import { CascadeAgent } from 'cascade-edge';

/** `tiers`: `[{ provider, name, apiKey?, baseUrl? }, ...]`, the drafter first. */
export function browserAgent(tiers) {
  return new CascadeAgent({
    models: tiers,
    keepOrder: true, // the drafter first, as picked, whatever the prices
    env: {}, // keys come only from `tiers`
  });
}

/** Stream an answer: `on.decision(e)`, `on.escalated(e)`, `on.text(text, model)`; resolves to the result. */
export async function streamAnswer(agent, question, on) {
  await agent.ready(); // fetches and compiles the .wasm on first use
  for await (const e of agent.stream(question)) {
    if (e.type === 'draftDecision') on.decision(e);
    else if (e.type === 'escalated') on.escalated(e);
    else if (e.type === 'chunk') on.text(e.text, e.model);
    else if (e.type === 'complete') return e.result;
    else if (e.type === 'error') throw e.error;
  }
}
