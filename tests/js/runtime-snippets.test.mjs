// The README's runtime snippets are the files the runtime tests run, byte
// for byte: each block after `<!-- file: path -->` must equal that file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './runtimes/consumer.mjs';

const README = path.join(ROOT, 'README.md');
const text = fs.readFileSync(README, 'utf8');
const blocks = [...text.matchAll(/<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)].map((m) => ({ file: m[1], code: m[2] }));

test('snippets: every runtime has its snippet in the README', () => {
  assert.deepEqual(blocks.map((b) => b.file).sort(), [
    'examples/browser-demo/cascade.js',
    'examples/cloudflare-worker/src/index.js',
    'examples/cloudflare-worker/wrangler.toml',
    'examples/node/ask.mjs',
    'examples/proxy-worker/src/index.js',
    'examples/vercel-edge/app/api/ask/route.js',
  ]);
});

for (const { file, code } of blocks) {
  test(`snippets: ${file} is shown as it is`, () => {
    assert.equal(code, fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\n$/, ''));
  });
}

test('snippets: the import map shown is the demo page\'s', () => {
  const shown = /```html\n([\s\S]*?)\n```/.exec(text)[1];
  const page = fs.readFileSync(path.join(ROOT, 'examples/browser-demo/index.html'), 'utf8');
  const squash = (s) => s.replace(/\s+/g, ' ').trim();
  assert.ok(squash(page).includes(squash(shown)), shown);
});
