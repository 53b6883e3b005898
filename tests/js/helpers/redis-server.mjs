// A real redis-server for the store tests: started on a free 127.0.0.1 port
// with nothing written to disk, stopped by its own pid afterwards.
//
// Where redis-server is missing, a local run skips the Redis tests with the
// reason printed; under CI (CI set to anything but "" or "false") the suite
// fails instead, so a CI image without it cannot pass by testing nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const inCI = !!process.env.CI && process.env.CI !== 'false';

/** The path of redis-server on PATH, or null. */
function findRedisServer() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir || '.', 'redis-server');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return null;
}

const binary = findRedisServer();
const MISSING = 'redis-server is not installed (bash scripts/setup.sh --redis installs it)';
if (binary === null && inCI) throw new Error(`${MISSING}; CI must run the Redis store tests`);

/** For `describe(name, { skip: redisSkip }, ...)`: false, or why the tests cannot run here. */
export const redisSkip = binary === null ? MISSING : false;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Start redis-server; resolves to `{ url, port, stop() }` once it accepts
 * connections. A port taken between choosing and binding is retried.
 */
export async function startRedis() {
  if (binary === null) throw new Error(MISSING);
  let lastLog = '';
  for (let tries = 0; tries < 5; tries++) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cascade-edge-redis-'));
    const child = spawn(
      binary,
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    const ready = await new Promise((resolve) => {
      const onData = (b) => {
        log += b;
        if (/Ready to accept connections/.test(log)) resolve(true);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', () => resolve(false));
      child.on('error', () => resolve(false));
    });
    if (ready) {
      const exited = new Promise((r) => child.once('exit', r));
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            await exited;
          }
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    fs.rmSync(dir, { recursive: true, force: true });
    lastLog = log;
  }
  throw new Error(`redis-server did not start:\n${lastLog}`);
}
