// Runs are engine tasks stepped from JS (src/wasm/driver.rs, js/src/drive.ts).
// These check that tasks in flight at once never see each other's results,
// also when one task starts another from inside its own step.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { CascadeAgent } from './helpers/pkg.mjs';

const tick = (ms) => new Promise((r) => setTimeout(r, ms));

/** A custom provider that answers `echo:<query>` after `delay(query)` ms. */
function echo(delay) {
  return {
    name: 'echo',
    async complete(req) {
      const q = req.messages.at(-1).content;
      await tick(delay(q));
      return `The answer to ${q} is echo-${q}.`;
    },
  };
}

function agentOver(provider) {
  return new CascadeAgent([
    { name: 'small', provider, cost: 0.0001 },
    { name: 'large', provider, cost: 0.01 },
  ]);
}

describe('engine tasks', () => {
  test('concurrent runs on one agent each get their own answer', async () => {
    // Later queries finish first, so the steps interleave out of order.
    const agent = agentOver(echo((q) => 40 - Number(q.slice(1)) * 4));
    const queries = Array.from({ length: 8 }, (_, i) => `q${i}`);
    const results = await Promise.all(queries.map((q) => agent.run(q)));
    results.forEach((r, i) => assert.match(r.content, new RegExp(`echo-q${i}\\.$`)));
    assert.equal(agent.getAnalytics().runs, 8);
  });

  test('a task started from inside another task\'s step keeps both apart', async () => {
    const inner = agentOver(echo(() => 1));
    let innerRun;
    const outer = agentOver({
      name: 'outer',
      complete(req) {
        // Called synchronously while the outer task is being stepped.
        innerRun = inner.run(`inner-${req.messages.at(-1).content}`);
        return innerRun.then((r) => `outer saw: ${r.content}`);
      },
    });
    const r = await outer.run('x');
    assert.equal(r.content, 'outer saw: The answer to inner-x is echo-inner-x.');
    assert.equal((await innerRun).modelUsed, 'small');
  });

  test('an error in one concurrent run does not disturb the others', async () => {
    const agent = agentOver({
      name: 'flaky',
      async complete(req) {
        const q = req.messages.at(-1).content;
        await tick(q === 'bad' ? 5 : 15);
        if (q === 'bad') throw new Error('provider exploded');
        return `The answer to ${q} is fine.`;
      },
    });
    const [a, b, c] = await Promise.allSettled([agent.run('one'), agent.run('bad'), agent.run('two')]);
    assert.equal(a.status, 'fulfilled');
    assert.match(a.value.content, /one is fine/);
    assert.equal(b.status, 'rejected');
    assert.match(String(b.reason.message), /provider exploded/);
    assert.equal(c.status, 'fulfilled');
    assert.match(c.value.content, /two is fine/);
  });
});
