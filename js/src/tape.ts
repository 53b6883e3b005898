/**
 * Reads a `run()` result from the engine's tape (src/tape_out.rs): values
 * in a fixed order, no keys. Building the objects from literals here costs
 * a fraction of what `JSON.parse` of the same result does, cold, on every
 * run. The order below must match the `Shape` impls in Rust (src/shape.rs),
 * which the JSON form reads too; the package tests compare every kind of
 * result against its JSON form.
 */
import type { Attempt, CascadeResult, CheckOutcome, Usage, Verdict } from './types.js';

class Tape {
  #s: string;
  #i = 0;

  constructor(s: string) {
    this.#s = s;
  }

  /** A string, or undefined where the tape says absent (`~`). */
  opt(): string | undefined {
    if (this.#s.charCodeAt(this.#i) === 126) {
      this.#i++;
      return undefined;
    }
    const n = this.#digits(58);
    const i = this.#i;
    this.#i = i + n;
    return this.#s.slice(i, i + n);
  }

  /**
   * The digits up to the char code `end` as a number, read without making
   * a string; leaves `#i` just past `end`.
   */
  #digits(end: number): number {
    const s = this.#s;
    let i = this.#i;
    let n = 0;
    for (;;) {
      const c = s.charCodeAt(i++);
      if (c === end) break;
      // Also ends the loop at the end of the text, where c is NaN.
      if (!(c >= 48 && c <= 57)) this.#malformed();
      n = n * 10 + c - 48;
    }
    this.#i = i;
    return n;
  }

  /** Only an engine bug gets here; it must not hang or read garbage. */
  #malformed(): never {
    throw new Error(`cascade-edge: the engine's result could not be read (at ${this.#i} of ${this.#s.length})`);
  }

  str(): string {
    return this.opt() ?? '';
  }

  /** A number, or null (an unknown cost, a non-finite value). */
  num(): number | null {
    const s = this.#s;
    const i = this.#i;
    const end = s.indexOf(';', i);
    if (end < 0) this.#malformed();
    this.#i = end + 1;
    return end === i ? null : +s.slice(i, end);
  }

  /** A count or token number: never null. */
  int(): number {
    return this.#digits(59);
  }

  /** A float field: null only where JSON would have null (non-finite). */
  real(): number {
    return this.num() as number;
  }

  flag(): boolean {
    return this.#s.charCodeAt(this.#i++) === 49;
  }

  json(): unknown {
    const t = this.opt();
    return t === undefined ? undefined : JSON.parse(t);
  }

  list<T>(item: (t: Tape) => T): T[] {
    const n = this.int();
    const out: T[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = item(this);
    return out;
  }
}

function usage(t: Tape): Usage {
  return {
    inputTokens: t.int(),
    outputTokens: t.int(),
    reasoningTokens: t.int(),
    cacheReadTokens: t.int(),
    cacheWriteTokens: t.int(),
    estimated: t.flag(),
  };
}

function check(t: Tape): CheckOutcome {
  const c: CheckOutcome = { name: t.str(), passed: t.flag(), score: t.real(), weight: t.real(), veto: t.flag() };
  const detail = t.opt();
  if (detail !== undefined) c.detail = detail;
  return c;
}

function verdict(t: Tape): Verdict {
  return {
    accepted: t.flag(),
    score: t.real(),
    threshold: t.real(),
    complexity: t.str() as Verdict['complexity'],
    domain: t.str() as Verdict['domain'],
    checks: t.list(check),
    reason: t.str(),
  };
}

function attempt(t: Tape): Attempt {
  const a: Attempt = {
    tier: t.int(),
    model: t.str(),
    provider: t.str(),
    outcome: t.str() as Attempt['outcome'],
    cost: t.num(),
    latencyMs: t.real(),
    reason: t.str(),
  };
  if (t.flag()) a.usage = usage(t);
  if (t.flag()) a.verdict = verdict(t);
  const error = t.json();
  if (error !== undefined) a.error = error as Attempt['error'];
  const step = t.num();
  if (step !== null) a.step = step;
  const retryInMs = t.num();
  if (retryInMs !== null) a.retryInMs = retryInMs;
  const keyIndex = t.num();
  if (keyIndex !== null) a.keyIndex = keyIndex;
  const malformedEvents = t.num();
  if (malformedEvents !== null) a.malformedEvents = malformedEvents;
  return a;
}

export function readResult(text: string): CascadeResult {
  const t = new Tape(text);
  const r: CascadeResult = {
    content: t.str(),
    modelUsed: t.str(),
    provider: t.str(),
    totalCost: t.num(),
    costSaved: t.num(),
    savingsPercentage: t.num(),
    draftAccepted: t.flag(),
    cascaded: t.flag(),
    complexity: t.str() as CascadeResult['complexity'],
    domain: t.str() as CascadeResult['domain'],
    reason: t.str(),
    usage: { inputTokens: t.int(), outputTokens: t.int(), estimated: t.flag() },
    latencyMs: t.real(),
    finishReason: t.str() as CascadeResult['finishReason'],
    steps: t.int(),
    attempts: t.list(attempt),
  };
  const toolCalls = t.json();
  if (toolCalls !== undefined) r.toolCalls = toolCalls as CascadeResult['toolCalls'];
  const thinking = t.opt();
  if (thinking !== undefined) r.thinking = thinking;
  const parsed = t.json();
  if (parsed !== undefined) r.parsed = parsed;
  const refusal = t.opt();
  if (refusal !== undefined) r.refusal = refusal;
  const rawBlocks = t.json();
  if (rawBlocks !== undefined) r.rawBlocks = rawBlocks as CascadeResult['rawBlocks'];
  return r;
}
