#!/usr/bin/env node
/**
 * The package's bin, `cascade-edge <command> ...`: a dispatcher and nothing
 * else. Each command lives in `cli/<name>.ts`, exports `run(argv)` and is
 * loaded only when named, so `cascade-edge ask` does not load the proxy
 * and the reverse. A new command is one file and one row of `COMMANDS`.
 */
interface Command {
  /** One line for the usage text. */
  summary: string;
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  ask: { summary: 'ask "question" --models provider:model,...   one cascade, the answer and the decision table', load: () => import('./cli/ask.js') },
  proxy: { summary: 'proxy [--config cascade.config.json] [--port 8000] [--host 127.0.0.1] [--json-logs]   the routing proxy', load: () => import('./cli/proxy.js') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  cascade-edge ${c.summary.startsWith(name) ? c.summary : `${name}  ${c.summary}`}`);
  return `usage:\n${rows.join('\n')}\n  cascade-edge <command> --help`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`cascade-edge: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // CascadeErrors carry a code and a message that never holds a key.
    const err = e as { code?: string; message?: string };
    console.error(`cascade-edge: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}`);
    process.exitCode = 1;
  },
);
