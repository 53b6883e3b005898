// The benchmark scripts still run against the built package. Nothing here
// is timed: speed is for bench/, not for tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

test('bench/run.mjs --quick prints every row and leaves RESULTS.md alone', async () => {
  const results = () => readFileSync(new URL('../../bench/RESULTS.md', import.meta.url), 'utf8');
  const before = results();
  const { stdout } = await run(process.execPath, ['bench/run.mjs', '--quick'], { cwd: root });
  assert.equal(results(), before);
  for (const row of ['engine overhead per run', 'engine CPU per run', '`stream()`, engine CPU per chunk', '`scoreDraft`, 300-word draft', '`cascade_edge_bg.wasm`']) {
    assert.ok(stdout.includes(row), `missing row: ${row}`);
  }
});

test('bench/compare.mjs --quick measures each build given', async () => {
  const { stdout } = await run(process.execPath, ['bench/compare.mjs', '--quick', 'pkg', 'pkg'], { cwd: root });
  assert.equal(stdout.split('\n').filter((l) => l.startsWith('| pkg |')).length, 2, stdout);
  assert.match(stdout, /^bare fetch p50: \d/m);
});
