// Claude Code itself (`@anthropic-ai/claude-code`, print mode) through the
// proxy bin, with aimock upstream: a question answered, and a tool loop in
// which Claude Code runs Bash and sends the result back. Claude Code is a
// 370 MB native binary, so it is not a devDependency: install it anywhere
// (`npm install @anthropic-ai/claude-code@2.1.328`) and set CLAUDE_CODE_BIN
// to its `node_modules/.bin/claude`; without it these tests are skipped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMock } from './helpers/mock.mjs';
import { logLines, startProxyBin } from './helpers/proxy.mjs';

const BIN = process.env.CLAUDE_CODE_BIN;
const skip = !BIN || !existsSync(BIN) ? 'set CLAUDE_CODE_BIN to a claude binary to run these' : false;
const KEY = 'claude-code-proxy-key-93';
const ANSWER = 'The answer is 4. Two plus two equals four, a basic fact of arithmetic.';

describe('Claude Code through the proxy', { skip }, () => {
  let mock;
  let proxy;
  let home;

  before(async () => {
    mock = await startMock();
    // The tool result comes back first in the list: it must win over the question's fixture.
    mock.on({ toolResultContains: 'proxy-tool-ok' }, { content: 'The command printed proxy-tool-ok, so the shell works.', usage: { input_tokens: 60, output_tokens: 12 } });
    mock.on({ userMessage: 'run echo' }, { toolCalls: [{ name: 'Bash', arguments: JSON.stringify({ command: 'echo proxy-tool-ok', description: 'Print a marker' }) }], usage: { input_tokens: 50, output_tokens: 15 } });
    mock.on({ userMessage: '2+2' }, { content: ANSWER, usage: { input_tokens: 50, output_tokens: 20 } });
    proxy = await startProxyBin({ keys: [KEY], providers: { anthropic: { apiKey: 'upstream-cc', baseUrl: mock.url } } });
    home = mkdtempSync(path.join(tmpdir(), 'cascade-cc-home-'));
  });

  after(async () => {
    await proxy?.stop();
    await mock?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** `claude -p` with the proxy as its API; resolves with its JSON output. */
  function claude(args) {
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      ANTHROPIC_BASE_URL: proxy.url,
      ANTHROPIC_API_KEY: KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    return new Promise((resolve, reject) => {
      const child = spawn(BIN, ['-p', ...args, '--output-format', 'json', '--model', 'claude-sonnet-4-5'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => {
        try {
          resolve({ code, json: JSON.parse(out), err });
        } catch {
          reject(new Error(`claude exited ${code}: ${out.slice(0, 500)} ${err.slice(0, 500)}`));
        }
      });
    });
  }

  it('answers a question: a Sonnet request drafted on Haiku, streamed back', { timeout: 120_000 }, async () => {
    const { code, json } = await claude(['What is 2+2?']);
    assert.equal(code, 0);
    assert.equal(json.is_error, false);
    assert.equal(json.result, ANSWER);
    const [line] = await logLines(proxy, /draft accepted: claude-haiku-4-5 .*\(stream\)/);
    assert.ok(line, proxy.lines.join('\n'));
    assert.ok(!proxy.lines.join('\n').includes(KEY));
  });

  it('runs a tool loop: the tool_use goes out, Bash runs, the tool_result comes back through the proxy', { timeout: 120_000 }, async () => {
    const { code, json } = await claude(['Please run echo to print a marker.', '--allowedTools', 'Bash']);
    assert.equal(code, 0, JSON.stringify(json).slice(0, 500));
    assert.equal(json.result, 'The command printed proxy-tool-ok, so the shell works.');
    // That answer's fixture matches only a request whose last message is a
    // tool result holding the marker: Bash ran, and its output came back
    // upstream through the proxy (aimock's journal cuts Claude Code's 87 KB
    // bodies, so it cannot be read there).
    assert.ok(json.num_turns >= 2);
  });
});
