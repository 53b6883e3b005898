#!/usr/bin/env node
// Compare the engine overhead of two or more builds of the package in one
// process, against the same bare fetch:
//
//   node bench/compare.mjs pkg /tmp/other-checkout/pkg
//   node bench/compare.mjs --quick pkg      a second's smoke test of the harness
//
// On a shared VM the overhead moves by ±15 µs between runs of bench/run.mjs
// as the host's load changes, which hides most single changes. Here every
// contender runs in the same process, in short blocks whose order rotates,
// so load changes hit all of them alike. Each row gives the difference of
// the p50s and the median of per-block differences; trust a gap only when
// both agree and it repeats with the arguments swapped. Builds loaded side
// by side share the CPU's caches, so the absolute figures come out higher
// than bench/run.mjs's: compare rows with each other, not with RESULTS.md.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { acceptedRun, bareCall, startServer, stats, twoTier } from './harness.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dirs = args.filter((a) => a !== '--quick');
if (dirs.length < 1 || dirs.some((d) => d.startsWith('-'))) {
  console.log('usage: node bench/compare.mjs [--quick] PKG_DIR [PKG_DIR ...]   (each a built package: PKG_DIR/dist/node.js)');
  process.exit(2);
}
const [BLOCKS, BLOCK, WARMUP] = quick ? [4, 5, 10] : [120, 25, 300];

const { child, url } = await startServer();
try {
  const contenders = [{ name: 'bare fetch', call: bareCall(fetch, url) }];
  for (const dir of dirs) {
    const { CascadeAgent } = await import(pathToFileURL(resolve(dir, 'dist/node.js')).href);
    contenders.push({ name: dir, call: acceptedRun(twoTier(CascadeAgent, url)) });
  }
  for (let i = 0; i < WARMUP; i++) for (const c of contenders) await c.call();
  const times = contenders.map(() => []);
  const blockDiffs = contenders.map(() => []);
  for (let b = 0; b < BLOCKS; b++) {
    // Rotate who goes first, so no contender always follows the same one.
    const order = contenders.map((_, k) => (k + b) % contenders.length);
    const p50 = [];
    for (const k of order) {
      const t = [];
      for (let i = 0; i < BLOCK; i++) {
        const t0 = performance.now();
        await contenders[k].call();
        t.push(performance.now() - t0);
      }
      times[k].push(...t);
      p50[k] = stats(t).p50;
    }
    for (let k = 1; k < contenders.length; k++) blockDiffs[k].push(p50[k] - p50[0]);
  }
  const bare = stats(times[0]).p50;
  console.log(`bare fetch p50: ${bare.toFixed(3)} ms, ${BLOCKS} blocks of ${BLOCK} calls each`);
  console.log('| build | overhead (p50 − bare p50) | median per-block overhead |');
  console.log('| --- | ---: | ---: |');
  for (let k = 1; k < contenders.length; k++) {
    const d = stats(times[k]).p50 - bare;
    console.log(`| ${contenders[k].name} | ${(d * 1000).toFixed(1)} µs | ${(stats(blockDiffs[k]).p50 * 1000).toFixed(1)} µs |`);
  }
} finally {
  child.disconnect();
  child.kill();
}
