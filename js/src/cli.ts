#!/usr/bin/env node
/**
 * The package's bin: `cascade-edge proxy --config cascade.config.json
 * --port 8000 [--host 127.0.0.1] [--json-logs]`. It adapts node:http to the
 * proxy's fetch handler and nothing more: one log line per request (the
 * decision, model, cost, savings, latency; never a key or prompt text), and
 * on Ctrl-C it stops accepting, lets requests in flight finish, and exits.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';
import { createProxy, type ProxyConfig, type RequestLog } from './proxy-node.js';

const USAGE = `usage: cascade-edge proxy [--config cascade.config.json] [--port 8000] [--host 127.0.0.1] [--json-logs]
  PORT and HOST are read from the environment too; provider keys from
  ANTHROPIC_API_KEY, OPENAI_API_KEY, ... as the library reads them.`;

interface Args {
  config?: string;
  port: number;
  host: string;
  jsonLogs: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1', jsonLogs: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v as string;
    };
    if (a === '--config' || a === '-c') args.config = value();
    else if (a === '--port' || a === '-p') args.port = Number(value());
    else if (a === '--host') args.host = value();
    else if (a === '--json-logs') args.jsonLogs = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) fail(`--port: expected 0..65535`);
  return args;
}

function fail(message: string): never {
  console.error(`cascade-edge: ${message}\n${USAGE}`);
  process.exit(2);
}

function money(v: number | null | undefined): string {
  return typeof v === 'number' ? `$${v.toFixed(6)}` : '$?';
}

/** One line per request: what was decided and what it cost, nothing the client sent. */
function line(e: RequestLog): string {
  const head = `${e.method} ${e.path} ${e.status} ${e.latencyMs}ms`;
  if (e.code) return `${head} ${e.code}${e.route ? ` route=${e.route}` : ''}`;
  if (!e.decision) return head;
  const mark = e.decision === 'accepted' ? '✅ draft accepted' : e.decision === 'escalated' ? '❌ escalated' : '➡️ direct';
  return `${head} ${mark}: ${e.model} ${money(e.cost)} saved ${money(e.saved)}${e.stream ? ' (stream)' : ''} route=${e.route}`;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'proxy') fail(command ? `unknown command ${command}` : 'a command is required');
  const args = parseArgs(rest);
  let config: ProxyConfig = {};
  if (args.config) {
    try {
      config = JSON.parse(readFileSync(args.config, 'utf8'));
    } catch (e) {
      fail(`--config ${args.config}: ${(e as Error).message}`);
    }
  }
  const log = args.jsonLogs ? (e: RequestLog) => console.log(JSON.stringify(e)) : (e: RequestLog) => console.log(line(e));
  const handler = createProxy({ ...config, onRequest: log });
  const server = http.createServer((req, res) => {
    void serve(handler, req, res, `${args.host}:${args.port}`);
  });
  server.listen(args.port, args.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : args.port;
    console.log(`cascade-edge proxy listening on http://${args.host}:${port}`);
    if (!config.keys?.length && !['127.0.0.1', 'localhost', '::1'].includes(args.host)) {
      console.log('warning: no proxy keys configured and listening beyond loopback: anyone who can reach it spends your provider credits');
    }
  });
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('cascade-edge proxy: finishing requests in flight (Ctrl-C again to quit now)');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** node:http in, the fetch handler, node:http out; a closed connection aborts the run. */
async function serve(
  handler: (r: Request) => Promise<Response>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  host: string,
): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host ?? host}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      signal: abort.signal,
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  } catch {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end();
  }
}

void main();
