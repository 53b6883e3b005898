// The proxy under test: its bin started as a user would start it (a child
// process on 127.0.0.1, port 0), with a config file pointing every
// provider at a local fake, and the log lines it prints kept for checks.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../../../pkg/', import.meta.url));

/** Start `cascade-edge proxy`; resolves once it listens, with its URL and log. */
export async function startProxyBin(config, extraArgs = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cascade-proxy-'));
  const file = path.join(dir, 'cascade.config.json');
  writeFileSync(file, JSON.stringify(config));
  // No provider keys from the developer's environment: only the config's.
  const env = { ...process.env, ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', ANTHROPIC_BASE_URL: '', OPENAI_BASE_URL: '' };
  const child = spawn(process.execPath, [path.join(pkgDir, 'dist/cli.js'), 'proxy', '--config', file, '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`proxy exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    lines,
    child,
    /** Ctrl-C, and the exit code once it has drained. */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}

/** Wait until the proxy has printed `n` request lines matching `re` (they come after the response). */
export async function logLines(proxy, re, n = 1) {
  for (let i = 0; i < 200; i++) {
    const found = proxy.lines.filter((l) => re.test(l));
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  return proxy.lines.filter((l) => re.test(l));
}
