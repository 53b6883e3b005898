/**
 * Which tiers answer a requested model. A route is the caller's model name
 * (or a virtual one such as `cascade-auto`) mapped to tiers, cheapest
 * first; the built-in rules bring the seed's table up to date (a Sonnet
 * request drafts on Haiku, an Opus request on Sonnet), and any other name
 * passes through, alone, to the provider its name belongs to. The model
 * name never chooses a server: every tier's base URL comes from the proxy's
 * configuration (or the provider's default), so no request can turn the
 * proxy towards a host it was not configured for.
 */
import type { ModelConfig, Tiers } from '../types.js';

export interface ProviderSettings {
  apiKey?: string;
  baseUrl?: string;
  headers?: Record<string, string>;
}

export interface RouteConfig {
  /** Tiers, cheapest first: model names, or full model configs. */
  tiers: (string | ModelConfig)[];
  /** The score a draft must reach (0..1), set on every tier but the last. */
  qualityThreshold?: number;
  /**
   * `false`: no cascade, a failover chain. The first model answers and the
   * others are tried, in order, only when it fails (after its retries);
   * nothing is judged. List the requested model first to forward it unchanged.
   */
  judge?: boolean;
}

export interface ResolvedRoute {
  /** The key agents are cached by: the route's name. */
  name: string;
  /** The agent's tiers: one failover group for a route that does not judge. */
  models: Tiers;
  /** Only one tier: nothing is judged, the answer is the provider's. */
  direct: boolean;
}

/** Draft models for the built-in rules; thresholds as in the seed's table. */
const HAIKU = 'claude-haiku-4-5';
/** Not in the built-in price table yet: give it `inputCost`/`outputCost` in a route for costs. */
const SONNET = 'claude-sonnet-4-6';
const BUILTIN: { test: RegExp; route: (model: string) => RouteConfig }[] = [
  { test: /^claude-(?:sonnet-|3-7-sonnet|3-5-sonnet)/, route: (m) => ({ tiers: [HAIKU, m], qualityThreshold: 0.7 }) },
  { test: /^claude-(?:opus-|3-opus)/, route: (m) => ({ tiers: [SONNET, m], qualityThreshold: 0.75 }) },
  { test: /^cascade-auto$/, route: () => ({ tiers: [HAIKU, SONNET], qualityThreshold: 0.7 }) },
];

/** The provider a bare model name belongs to. */
export function providerOf(model: string): string {
  return /^claude-/.test(model) ? 'anthropic' : 'openai';
}

export class Router {
  #routes: Record<string, RouteConfig | (string | ModelConfig)[]>;
  #providers: Record<string, ProviderSettings>;
  #builtin: boolean;
  #passthrough: boolean;

  constructor(opts: {
    routes?: Record<string, RouteConfig | (string | ModelConfig)[]>;
    providers?: Record<string, ProviderSettings>;
    builtinRoutes?: boolean;
    passthrough?: boolean;
  }) {
    this.#routes = opts.routes ?? {};
    this.#providers = opts.providers ?? {};
    this.#builtin = opts.builtinRoutes !== false;
    this.#passthrough = opts.passthrough !== false;
  }

  /** The route for a requested model, or undefined when none may serve it. */
  resolve(model: string): ResolvedRoute | undefined {
    const own = Object.prototype.hasOwnProperty.call(this.#routes, model) ? this.#routes[model] : undefined;
    let route: RouteConfig | undefined = Array.isArray(own) ? { tiers: own } : own;
    if (!route && this.#builtin) route = BUILTIN.find((b) => b.test.test(model))?.route(model);
    if (!route && this.#passthrough) route = { tiers: [model] };
    if (!route) return undefined;
    if (route.judge === false) {
      // One tier of equivalent models: a failure moves along the chain, and a
      // one-tier run is never judged.
      const chain = route.tiers.map((t) => this.#model(t, undefined));
      return { name: model, models: [chain], direct: true };
    }
    const models = route.tiers.map((t, i) => this.#model(t, i < route.tiers.length - 1 ? route.qualityThreshold : undefined));
    return { name: model, models, direct: models.length === 1 };
  }

  /** Names to list in `GET /v1/models`: configured routes, then the virtual built-in. */
  names(): string[] {
    const names = Object.keys(this.#routes);
    if (this.#builtin && !names.includes('cascade-auto')) names.push('cascade-auto');
    return names;
  }

  #model(tier: string | ModelConfig, threshold: number | undefined): ModelConfig {
    const base: ModelConfig = typeof tier === 'string' ? { name: tier, provider: providerOf(tier) } : { ...tier };
    const provider = typeof base.provider === 'string' ? base.provider : undefined;
    const settings = provider ? this.#providers[provider] : undefined;
    const m: ModelConfig = { ...settings, ...base };
    if (threshold !== undefined && m.qualityThreshold === undefined) m.qualityThreshold = threshold;
    return m;
  }
}
