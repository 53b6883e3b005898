/**
 * What `GET /stats` reports: the seed's fields (`total_queries`,
 * `total_cost`, `avg_cost_per_query`, `cascade_used_count`,
 * `cascade_usage_pct`, `models_used`) plus savings, errors and per-route
 * figures. Counted from the results the engine returned; an unknown price
 * adds nothing to the costs and is counted as such.
 */
import type { CascadeResult } from '../types.js';

interface RouteStats {
  queries: number;
  accepted: number;
  cost: number;
  saved: number;
}

export class ProxyStats {
  #queries = 0;
  #errors = 0;
  #cost = 0;
  #saved = 0;
  #unpriced = 0;
  #accepted = 0;
  #models: Record<string, number> = {};
  #routes: Record<string, RouteStats> = {};

  record(route: string, result: CascadeResult, accepted: boolean): void {
    this.#queries++;
    if (accepted) this.#accepted++;
    this.#models[result.modelUsed] = (this.#models[result.modelUsed] ?? 0) + 1;
    const r = (this.#routes[route] ??= { queries: 0, accepted: 0, cost: 0, saved: 0 });
    r.queries++;
    if (accepted) r.accepted++;
    if (typeof result.totalCost === 'number') {
      this.#cost += result.totalCost;
      r.cost += result.totalCost;
    } else {
      this.#unpriced++;
    }
    if (typeof result.costSaved === 'number') {
      this.#saved += result.costSaved;
      r.saved += result.costSaved;
    }
  }

  error(): void {
    this.#errors++;
  }

  /**
   * The same figures as Prometheus text (exposition format 0.0.4): counters
   * per route and per answering model, costs in USD.
   */
  toPrometheus(): string {
    const out: string[] = [];
    const metric = (name: string, help: string, rows: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of rows) out.push(`${name}${labels} ${v}`);
    };
    const label = (k: string, v: string) => `{${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"}`;
    const routes = Object.entries(this.#routes);
    metric('cascade_proxy_queries_total', 'Answered requests, by route.', routes.map(([r, s]) => [label('route', r), s.queries]));
    metric('cascade_proxy_drafts_accepted_total', 'Requests answered by an accepted draft, by route.', routes.map(([r, s]) => [label('route', r), s.accepted]));
    metric('cascade_proxy_cost_usd_total', 'What the answers cost, by route (unpriced ones add nothing).', routes.map(([r, s]) => [label('route', r), s.cost]));
    metric('cascade_proxy_saved_usd_total', 'Saved against the top tier alone, by route.', routes.map(([r, s]) => [label('route', r), s.saved]));
    metric('cascade_proxy_answers_total', 'Answers, by the model that gave them.', Object.entries(this.#models).map(([m, n]) => [label('model', m), n]));
    metric('cascade_proxy_errors_total', 'Requests answered with an error status.', [['', this.#errors]]);
    return out.join('\n') + '\n';
  }

  toJSON(): Record<string, unknown> {
    const q = this.#queries;
    return {
      total_queries: q,
      total_cost: this.#cost,
      avg_cost_per_query: q ? this.#cost / q : 0,
      cascade_used_count: this.#accepted,
      cascade_usage_pct: q ? (100 * this.#accepted) / q : 0,
      models_used: { ...this.#models },
      total_saved: this.#saved,
      unpriced_queries: this.#unpriced,
      errors: this.#errors,
      routes: structuredClone(this.#routes),
    };
  }
}
