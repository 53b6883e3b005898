/**
 * `cascade-edge ask "question" --models provider:model,...`: one cascade
 * from the terminal. The answer goes to stdout (streamed with `--stream`),
 * progress and the decision table to stderr, so `> answer.txt` keeps only
 * the answer; `--json` prints the whole result instead. Keys come from the
 * environment as in the library and are never printed.
 */
import { CascadeAgent, type CascadeResult, type ModelConfig, type ProviderId } from '../node.js';

const USAGE = `usage: cascade-edge ask "question" --models provider:model[,provider:model...] [options]
  --models      the tiers, cheapest first: openai:gpt-4o-mini,anthropic:claude-sonnet-4-5
  --base-url    one base URL for every model (a proxy or a local server)
  --max-tokens  N
  --stream      print the answer as it arrives
  --json        print the result as JSON (no table)
  Keys from OPENAI_API_KEY, ANTHROPIC_API_KEY, ... as the library reads them.`;

interface Args {
  question: string;
  models: ModelConfig[];
  baseUrl?: string;
  maxTokens?: number;
  stream: boolean;
  json: boolean;
}

class UsageError extends Error {}

function parse(argv: string[]): Args {
  const out: Partial<Args> & { stream: boolean; json: boolean } = { stream: false, json: false };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--models' || a === '-m') {
      out.models = value()
        .split(',')
        .filter(Boolean)
        .map((spec) => {
          const at = spec.indexOf(':');
          if (at <= 0 || at === spec.length - 1) throw new UsageError(`--models: "${spec}" is not provider:model`);
          return { provider: spec.slice(0, at) as ProviderId, name: spec.slice(at + 1) };
        });
    } else if (a === '--base-url') out.baseUrl = value();
    else if (a === '--max-tokens') out.maxTokens = Number(value());
    else if (a === '--stream') out.stream = true;
    else if (a === '--json') out.json = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else words.push(a);
  }
  if (!words.length) throw new UsageError('a question is required');
  if (!out.models?.length) throw new UsageError('--models is required');
  if (out.baseUrl) for (const m of out.models) m.baseUrl = out.baseUrl;
  return { ...out, question: words.join(' '), models: out.models } as Args;
}

const money = (v: number | null) => (v === null ? '?' : `$${v.toFixed(6)}`);

/** The attempts as an aligned text table. */
export function decisionTable(r: CascadeResult): string {
  const rows = [['tier', 'model', 'outcome', 'score', 'cost', 'ms', 'reason']];
  for (const a of r.attempts) {
    rows.push([String(a.tier), a.model, a.outcome, a.verdict ? a.verdict.score.toFixed(2) : '', money(a.cost), String(a.latencyMs), a.reason]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
  const verdict = r.draftAccepted ? 'draft accepted' : r.cascaded ? 'escalated' : 'answered';
  lines.push(`${verdict}: ${r.modelUsed}, cost ${money(r.totalCost)}, saved ${money(r.costSaved)}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`cascade-edge ask: ${e.message}\n${USAGE}`);
    return 2;
  }
  const agent = new CascadeAgent({ models: args.models, keepOrder: true });
  const options = args.maxTokens === undefined ? {} : { maxTokens: args.maxTokens };
  let result: CascadeResult;
  if (args.stream || !args.json) {
    // Progress on stderr as the cascade moves; the answer's text on stdout when streaming.
    const s = agent.stream(args.question, options);
    for await (const e of s) {
      if (e.type === 'routing') process.stderr.write(`… ${e.plan.join(' → ')}\n`);
      else if (e.type === 'draftDecision') process.stderr.write(`… ${e.model}: ${e.accepted ? 'accepted' : `rejected (${e.reason})`}\n`);
      else if (e.type === 'escalated') process.stderr.write(`… escalated to ${e.to}\n`);
      else if (e.type === 'chunk' && args.stream && !args.json) process.stdout.write(e.text);
    }
    result = await s.result;
  } else {
    result = await agent.run(args.question, options);
  }
  if (args.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  if (args.stream) process.stdout.write('\n');
  else console.log(result.content);
  process.stderr.write(`${decisionTable(result)}\n`);
  return 0;
}
