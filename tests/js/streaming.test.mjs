// agent.stream(): the order and content of typed events, buffered and live,
// and streams that break half-way, on every wire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { AllModelsFailedError, CascadeStream, StreamError } from './helpers/pkg.mjs';
import { GOOD_LONG, agentFor, collect, reply, sent, useMock } from './helpers/mock.mjs';

const Q = 'Explain quantum entanglement in one sentence.';
const DRAFT = 'Quantum entanglement is when DRAFT-ONLY-TEXT';
const WIRES = ['openai', 'anthropic', 'ollama'];
// Cut the body after a few small chunks, with a pause between chunks so the
// headers and the first chunks reach us before the socket is destroyed.
const CUT = { chunkSize: 12, latency: 5, truncateAfterChunks: 4 };

const chunks = (events) => events.filter((e) => e.type === 'chunk');
const text = (events) => chunks(events).map((e) => e.text).join('');

let mock;
useMock((m) => (mock = m));

/** A draft every judge must reject, with text in it: truncated, or (Ollama, whose aimock never truncates) a refusal. */
function rejectedDraft(wire) {
  if (wire === 'ollama') return reply(wire, `I'm sorry, I don't know. ${DRAFT}`);
  return { ...reply(wire, DRAFT, { input: 20, output: 8 }), finishReason: 'length' };
}

describe('buffered (default)', () => {
  for (const wire of WIRES) {
    test(`${wire}: accepted draft → routing, draftDecision, chunk, complete`, async () => {
      mock.on({ model: 'drafter' }, reply(wire, '4', { input: 14, output: 1 }));
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const stream = agent.stream('What is 2+2?');
      assert.ok(stream instanceof CascadeStream);
      const { events, types, result } = await collect(stream);

      assert.deepEqual(types, ['routing', 'draftDecision', 'chunk', 'complete']);
      const [routing, decision, chunk, complete] = events;
      assert.deepEqual(routing.plan, ['drafter', 'verifier']);
      assert.equal(routing.mode, 'buffered');
      assert.equal(typeof routing.complexity, 'string');
      assert.equal(decision.model, 'drafter');
      assert.equal(decision.tier, 0);
      assert.equal(decision.accepted, true);
      assert.ok(decision.score >= decision.threshold);
      assert.deepEqual([chunk.text, chunk.model, chunk.tier], ['4', 'drafter', 0]);
      assert.deepEqual(Object.keys(chunk), ['type', 'text', 'model', 'tier']);
      assert.deepEqual(complete.result, result);
      assert.equal(result.content, '4');
    });

    test(`${wire}: a rejected draft's text never reaches a chunk event`, async () => {
      mock.on({ model: 'drafter' }, rejectedDraft(wire));
      mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }), { chunkSize: 16 });
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const { events, types, result } = await collect(agent.stream(Q));

      assert.equal(result.modelUsed, 'verifier');
      const decision = events.find((e) => e.type === 'draftDecision');
      assert.equal(decision.accepted, false);
      const esc = events.find((e) => e.type === 'escalated');
      assert.deepEqual([esc.from, esc.to, esc.discard], ['drafter', 'verifier', false]);
      assert.ok(types.indexOf('draftDecision') < types.indexOf('escalated'));
      assert.ok(types.indexOf('escalated') < types.indexOf('chunk'));
      assert.ok(chunks(events).length > 1, 'the final tier is streamed in pieces');
      assert.ok(chunks(events).every((c) => c.model === 'verifier' && c.tier === 1));
      assert.ok(!JSON.stringify(chunks(events)).includes('DRAFT-ONLY-TEXT'));
      assert.equal(text(events), GOOD_LONG);
      assert.equal(types.at(-1), 'complete');
    });

    test(`${wire}: a draft that fails (503) escalates with discard: false`, async () => {
      mock.on({ model: 'drafter' }, { error: { message: 'overloaded' }, status: 503 });
      mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }));
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const { events, types, result } = await collect(agent.stream(Q));
      assert.deepEqual(types.slice(0, 2), ['routing', 'escalated']);
      assert.equal(events[1].discard, false);
      assert.match(events[1].reason, /drafter/);
      assert.equal(text(events), GOOD_LONG);
      assert.equal(result.attempts[0].outcome, 'failed');
    });
  }
});

describe('live', () => {
  for (const wire of WIRES) {
    test(`${wire}: the draft streams as it comes, then escalated { discard: true }, then the answer`, async () => {
      mock.on({ model: 'drafter' }, rejectedDraft(wire), { chunkSize: 8 });
      mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }), { chunkSize: 16 });
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const { events, types, result } = await collect(agent.stream(Q, { mode: 'live' }));

      assert.equal(events[0].mode, 'live');
      const esc = types.indexOf('escalated');
      assert.ok(esc > 0);
      assert.deepEqual([events[esc].from, events[esc].to, events[esc].discard], ['drafter', 'verifier', true]);
      const before = events.slice(0, esc);
      const afterEsc = events.slice(esc);
      assert.ok(chunks(before).length > 1, 'draft chunks were shown live');
      assert.ok(chunks(before).every((c) => c.model === 'drafter' && c.tier === 0));
      assert.match(text(before), /DRAFT-ONLY-TEXT/);
      assert.equal(before.at(-1).type, 'draftDecision');
      assert.equal(before.at(-1).accepted, false);
      assert.ok(chunks(afterEsc).every((c) => c.model === 'verifier'));
      assert.equal(text(afterEsc), GOOD_LONG);
      assert.equal(result.content, GOOD_LONG);
    });

    test(`${wire}: an accepted draft streams live with no escalation`, async () => {
      mock.on({ model: 'drafter' }, reply(wire, 'The capital of France is Paris.', { input: 14, output: 8 }), {
        chunkSize: 5,
      });
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const { events, types, result } = await collect(agent.stream('What is the capital of France?', { mode: 'live' }));
      assert.ok(!types.includes('escalated'));
      assert.ok(chunks(events).length > 1);
      assert.ok(types.lastIndexOf('chunk') < types.indexOf('draftDecision'), 'chunks come before the verdict');
      assert.equal(text(events), 'The capital of France is Paris.');
      assert.equal(result.draftAccepted, true);
    });
  }
});

describe('a stream cut half-way', () => {
  for (const wire of WIRES) {
    test(`${wire}: on the only tier → StreamError, never a shorter answer`, async () => {
      mock.on({ model: 'only' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }), CUT);
      const { agent } = agentFor(mock, wire, ['only']);
      const stream = agent.stream(Q);
      const { events, types, error } = await collect(stream);
      assert.ok(error instanceof StreamError, `got ${error?.name}: ${error?.message}`);
      assert.equal(error.code, 'E_STREAM');
      assert.equal(error.model, 'only');
      assert.equal(types.at(-1), 'error');
      assert.ok(!types.includes('complete'));
      assert.equal(events.at(-1).error, error);
      // What was shown is a strict prefix of the real answer, and the error says so.
      const shown = text(events);
      assert.ok(shown.length > 0 && shown.length < GOOD_LONG.length && GOOD_LONG.startsWith(shown), shown);
      await assert.rejects(stream.result, StreamError);
      assert.equal(error.attempts.length, 1);
      assert.equal(error.attempts[0].outcome, 'failed');
    });

    test(`${wire}: on the draft tier → recorded as E_STREAM and escalated`, async () => {
      mock.on({ model: 'drafter' }, reply(wire, `${DRAFT} and more words to stream`, { input: 20, output: 12 }), CUT);
      mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }));
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const { events, types, result } = await collect(agent.stream(Q));
      assert.equal(result.modelUsed, 'verifier');
      assert.equal(result.content, GOOD_LONG);
      assert.equal(result.attempts[0].outcome, 'failed');
      assert.equal(result.attempts[0].error.code, 'E_STREAM');
      assert.equal(events.find((e) => e.type === 'escalated').discard, false);
      assert.ok(!types.includes('draftDecision'), 'a broken draft is not judged');
      assert.equal(text(events), GOOD_LONG);
    });

    test(`${wire}: on the draft tier in live mode → the verifier continues what was shown, or it is discarded`, async () => {
      mock.on({ model: 'drafter' }, reply(wire, `${DRAFT} and more words to stream`, { input: 20, output: 12 }), CUT);
      mock.on({ model: 'verifier' }, reply(wire, GOOD_LONG, { input: 20, output: 60 }));
      const { agent } = agentFor(mock, wire, ['drafter', 'verifier']);
      const { events, result } = await collect(agent.stream(Q, { mode: 'live' }));
      const esc = events.findIndex((e) => e.type === 'escalated');
      assert.ok(chunks(events.slice(0, esc)).length > 0, 'part of the draft was shown');
      assert.equal(events[esc].discard, false, 'the next model is asked to continue it');
      assert.match(events[esc].reason, /continues the text already shown/);
      // What the consumer holds, discards applied, is the answer: no text twice.
      assert.equal(visible(events), result.content);
      assert.equal(result.attempts[0].error.code, 'E_STREAM');
      if (wire === 'anthropic') {
        // A prefill: the canned reply is taken as the continuation, nothing is discarded.
        assert.ok(!events.some((e) => e.type === 'escalated' && e.discard));
        assert.ok(result.content.endsWith(GOOD_LONG.trimStart()));
      } else {
        // A restart: where the verifier's answer starts as the shown draft
        // did, only the rest is shown; where it does not, it is shown whole
        // after a discard. (How much of the draft arrived depends on the wire.)
        assert.equal(result.content, GOOD_LONG);
        const reproduced = GOOD_LONG.startsWith(text(events.slice(0, esc)));
        const discarded = events.some((e, i) => i > esc && e.type === 'escalated' && e.discard);
        assert.equal(discarded, !reproduced);
        if (reproduced) assert.equal(text(events), GOOD_LONG, 'each character once');
      }
    });
  }

  test('a server that disconnects after a while (disconnectAfterMs) → StreamError too', async () => {
    mock.on({ model: 'only' }, reply('anthropic', GOOD_LONG, { input: 20, output: 60 }), {
      chunkSize: 10,
      latency: 20,
      disconnectAfterMs: 120,
    });
    const { agent } = agentFor(mock, 'anthropic', ['only']);
    const { events, error } = await collect(agent.stream(Q));
    assert.ok(error instanceof StreamError, `got ${error?.name}: ${error?.message}`);
    assert.ok(text(events).length < GOOD_LONG.length);
  });

  test('on the final tier after a rejected draft → StreamError with the trace, never a result', async () => {
    mock.on({ model: 'drafter' }, rejectedDraft('openai'));
    mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 20, output: 60 }), CUT);
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    const { types, error, result } = await collect(agent.stream(Q));
    assert.equal(result, undefined);
    // Not "all models failed": the draft answered and was rejected.
    assert.ok(error instanceof StreamError, `got ${error?.name}: ${error?.message}`);
    assert.ok(!(error instanceof AllModelsFailedError));
    assert.equal(error.model, 'verifier');
    assert.deepEqual(error.attempts.map((a) => a.outcome), ['rejected', 'failed']);
    assert.equal(error.attempts[1].error.code, 'E_STREAM');
    assert.equal(types.at(-1), 'error');
    assert.deepEqual(sent(mock).map((s) => s.body.model), ['drafter', 'verifier']);
  });
});

describe('CascadeStream helpers', () => {
  test('toTextStream() yields only the released answer', async () => {
    mock.on({ model: 'drafter' }, rejectedDraft('openai'));
    mock.on({ model: 'verifier' }, reply('openai', GOOD_LONG, { input: 20, output: 60 }), { chunkSize: 16 });
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    let out = '';
    for await (const piece of agent.stream(Q).toTextStream()) out += piece;
    assert.equal(out, GOOD_LONG);
  });

  test('toSSEResponse() frames every event as SSE, ending with complete', async () => {
    mock.on({ model: 'drafter' }, reply('openai', '4', { input: 14, output: 1 }));
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    const res = agent.stream('What is 2+2?').toSSEResponse();
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const body = await res.text();
    const names = [...body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(names, ['routing', 'draftDecision', 'chunk', 'complete']);
    const last = JSON.parse(body.trim().split('\n').at(-1).slice('data: '.length));
    assert.equal(last.result.content, '4');
  });

  test('a stream can be iterated only once', async () => {
    mock.on({ model: 'drafter' }, reply('openai', '4', { input: 14, output: 1 }));
    const { agent } = agentFor(mock, 'openai', ['drafter', 'verifier']);
    const s = agent.stream('What is 2+2?');
    await collect(s);
    assert.throws(() => s[Symbol.asyncIterator](), TypeError);
  });
});

/** The text a consumer holds at the end: chunks, with each discard dropping what came before. */
function visible(events) {
  let out = '';
  for (const e of events) {
    if (e.type === 'escalated' && e.discard) out = '';
    if (e.type === 'chunk') out += e.text;
  }
  return out;
}
