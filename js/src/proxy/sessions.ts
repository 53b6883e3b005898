/**
 * Sticky sessions: once a conversation has been answered by a stronger
 * tier, its later turns start there instead of drafting again, so an
 * agentic client (Claude Code sends `x-claude-code-session-id`) does not
 * see one conversation switch back and forth between models. Off unless
 * asked for; the map is bounded, oldest first out.
 */
import type { CascadeResult, Tiers } from '../types.js';

export interface StickyOptions {
  /** The request header naming the conversation (default `x-claude-code-session-id`). */
  header?: string;
  /** Conversations remembered at once (default 10000). */
  maxSessions?: number;
}

export class Sessions {
  #header: string;
  #max: number;
  /** `route\0session` to the first tier its next turn uses. */
  #from = new Map<string, number>();

  constructor(opts: boolean | StickyOptions | undefined) {
    const o = typeof opts === 'object' && opts ? opts : {};
    this.#header = (o.header ?? 'x-claude-code-session-id').toLowerCase();
    this.#max = o.maxSessions ?? 10_000;
  }

  /** The conversation a request belongs to, if it names one. */
  key(route: string, headers: Headers): string | undefined {
    const id = headers.get(this.#header);
    return id ? `${route}\u0000${id}` : undefined;
  }

  /** The tier this conversation's turns start from (0: the drafter). */
  from(key: string | undefined): number {
    return key === undefined ? 0 : (this.#from.get(key) ?? 0);
  }

  /** Remember the tier that answered (`offset`: where this turn started). */
  answered(key: string | undefined, offset: number, result: CascadeResult): void {
    if (key === undefined) return;
    const tier = result.attempts.find((a) => a.outcome === 'accepted')?.tier;
    if (tier === undefined) return;
    const from = offset + tier;
    if (from <= this.from(key)) return;
    this.#from.delete(key);
    this.#from.set(key, from);
    if (this.#from.size > this.#max) this.#from.delete(this.#from.keys().next().value as string);
  }
}

/** A route's tiers from `from` on: the same route for the agent cache under its own name. */
export function startingAt<R extends { name: string; models: Tiers; direct: boolean }>(route: R, from: number): R {
  if (from <= 0 || from >= route.models.length) return route;
  const models = route.models.slice(from);
  return { ...route, name: `${route.name}\u0000from ${from}`, models, direct: models.length === 1 };
}
