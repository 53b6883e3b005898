// A stream that breaks after its text was shown, continued by the next model
// of the final tier's failover group against our fault server: by prefill
// (Anthropic), or by a restart when the prefill is refused. The consumer
// sees each character of the answer once; the server sees what was sent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CascadeAgent } from './helpers/pkg.mjs';
import { ANSWER, useFaultServer } from './helpers/faults.mjs';
import { collect } from './helpers/mock.mjs';

const srv = useFaultServer();

const QUERY = 'What is the capital of France?';
const openai = (name) => ({ name, provider: 'openai', baseUrl: srv.url, apiKey: 'sk-test', inputCost: 0.1, outputCost: 0.2 });
const claude = (name) => ({ name, provider: 'anthropic', baseUrl: srv.url.replace(/\/v1$/, ''), apiKey: 'sk-ant-test', inputCost: 0.8, outputCost: 4 });
const chunks = (events) => events.filter((e) => e.type === 'chunk').map((e) => e.text).join('');

describe('a broken stream continued by the next model', () => {
  test('by prefill: the server gets the shown text as the start of the answer; each character is shown once', async () => {
    const agent = new CascadeAgent({ models: [[openai('cut'), claude('claude-continues')]], retry: { maxRetries: 0 } });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.modelUsed, 'claude-continues');
    assert.equal(result.content, ANSWER);
    assert.equal(chunks(events), ANSWER);
    const shownByCut = events.filter((e) => e.type === 'chunk' && e.model === 'cut').map((e) => e.text).join('');
    const sent = srv.log.find((e) => e.model === 'claude-continues');
    assert.equal(sent.prefill, shownByCut.trimEnd(), 'the prefill is what was shown, without its trailing space');
    assert.equal(events.find((e) => e.type === 'escalated').discard, false);
  });

  test('a refused prefill: the same model starts over, and is shown only past what was shown', async () => {
    const agent = new CascadeAgent({ models: [[openai('cut'), claude('claude-noprefill')]], retry: { maxRetries: 0 } });
    const { result, events } = await collect(agent.stream(QUERY));
    assert.equal(result.content, ANSWER);
    assert.equal(chunks(events), ANSWER);
    const calls = srv.log.filter((e) => e.model === 'claude-noprefill');
    assert.equal(calls.length, 2);
    assert.ok(calls[0].prefill && calls[1].prefill === undefined, 'first with the prefill, then without');
    assert.ok(result.attempts.some((a) => /prefill was refused/.test(a.reason)));
  });
});
