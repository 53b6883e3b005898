/**
 * `CascadeAgent`: the wrapper around the wasm engine. It holds no cascade
 * logic: it fills defaults (keys from the environment), adapts custom
 * providers, carries AbortSignals, and turns engine errors into
 * `CascadeError` subclasses.
 */
import { CascadeError, ConfigError, fromEngine, makeError } from './errors.js';
import { adapt, isProviderObject, registered, type Adapter } from './custom.js';
import { withEnvKey } from './keys.js';
import { currentGeneration, defaultEnv, engine, engineSync, isBrowserEntry, track, type Engine } from './runtime.js';
import { drive } from './drive.js';
import { toJson } from './json.js';
import { readResult } from './tape.js';
import { CascadeStream } from './stream.js';
import { transport } from './transport.js';
import { PRESETS, type Preset } from './presets.js';
import { storeBridge, type StoreBridge } from './store.js';
import type {
  AgentOptions,
  Analytics,
  BudgetStatus,
  CascadeResult,
  DraftScore,
  EndpointHealth,
  Message,
  ModelConfig,
  ResolvedModel,
  RunOptions,
  ScoreDraftOptions,
  SharedAnalytics,
  StreamOptions,
  Tiers,
  ToolCall,
} from './types.js';

type WasmAgent = InstanceType<Engine['WasmAgent']>;

interface Prepared {
  /** The config for the engine, minus keys from the environment. */
  config: Record<string, unknown>;
  /** Models (inside `config`) that may take a key from `env` once the engine is loaded. */
  keySlots: Record<string, unknown>[];
  env: Record<string, unknown>;
  custom: Record<string, Adapter>;
  fetch: typeof fetch;
  /** The run deadline when a run sets none: `defaults.timeoutMs`, else `timeouts.totalMs`. */
  runTimeoutMs: unknown;
  /** `budget.onWarning` / `budget.onLimitExceeded`, called here after a run. */
  budgetHooks?: BudgetHooks;
  /** The user's shared `store`, as the engine calls it. */
  store?: StoreBridge;
  /** `healthCheck.timeoutMs` when health checks are on. */
  healthTimeoutMs?: number;
}

interface BudgetHooks {
  onWarning?: (status: BudgetStatus) => void;
  onLimitExceeded?: (status: BudgetStatus, error: CascadeError) => void;
  /** Scopes (`userId`, or '' overall) already warned about, with the day they were. */
  warned: Map<string, number>;
}

let customCounter = 0;

const EMPTY_ANALYTICS = JSON.stringify({
  runs: 0, failedRuns: 0, totalCost: 0, costSaved: 0, baselineCost: 0, savingsPercentage: 0,
  runsWithUnknownCost: 0, drafterAcceptance: { drafts: 0, accepted: 0, rate: 0 },
  perModel: {}, byComplexity: {}, byDomain: {},
});

export class CascadeAgent {
  #prepared: Prepared;
  #agent: WasmAgent | undefined;
  /** The engine instance `#agent` lives in (see runtime.ts: a crashed one is replaced). */
  #generation = -1;
  #loading: Promise<WasmAgent> | undefined;

  /**
   * @param modelsOrOptions an array of models (cheapest first, or sorted by
   *   price for you), or `{ models, quality, keepOrder, defaults, fetch, env }`.
   * @throws ConfigError naming the field, when the configuration is invalid.
   */
  constructor(modelsOrOptions: Tiers | AgentOptions) {
    this.#prepared = prepare(modelsOrOptions);
    const eng = engineSync();
    // Where the engine is ready (all runtimes but the browser), validate now
    // so that configuration errors surface at construction.
    if (eng) this.#adopt(build(eng, this.#prepared));
  }

  #adopt(agent: WasmAgent): WasmAgent {
    this.#agent = agent;
    this.#generation = currentGeneration();
    return agent;
  }

  /** The engine's agent, if it is ready in the current instance. */
  #current(): WasmAgent | undefined {
    return this.#generation === currentGeneration() ? this.#agent : undefined;
  }

  /** The tiers in the order they are tried, with resolved prices and no keys. */
  get models(): ResolvedModel[] {
    const agent = this.#current() ?? this.#rebuildSync();
    if (!agent) throw new ConfigError('E_CONFIG', 'the engine is still loading; await agent.ready() first');
    try {
      return JSON.parse(agent.models());
    } catch (e) {
      throw fromEngine(e);
    }
  }

  /** Resolves once the engine is loaded (only ever waits in browsers). */
  async ready(): Promise<this> {
    await this.#wasm();
    return this;
  }

  /**
   * Run one query through the cascade. With `tools` and `onToolCall`, a
   * tool loop: calls the answer asks for are run and fed back, and the
   * cascade runs again, up to `maxSteps` times.
   */
  async run(query: string | Message[], options: RunOptions = {}): Promise<CascadeResult> {
    // No await once loaded: each one is a turn of the microtask queue on every run.
    const agent = this.#current() ?? (await this.#wasm());
    if (this.#prepared.healthTimeoutMs !== undefined) this.#probe(agent);
    const tools = toolRunner(options);
    const { signal, cleanup } = runSignal(options, this.#prepared.runTimeoutMs);
    try {
      const out = await drive(stepper(), agent.run(queryJson(query), optionsJson(options), signal, tools?.run));
      const result = readResult(out);
      if (this.#prepared.budgetHooks) await this.#budgetHooks(options.userId);
      return result;
    } catch (e) {
      const err = withToolCause(fromEngine(e), tools);
      if (this.#prepared.budgetHooks) await this.#budgetHooks(options.userId, err);
      throw err;
    } finally {
      cleanup();
      if (this.#prepared.store) this.#flushAnalytics(agent);
    }
  }

  /**
   * The budget: spent today and this month, held by calls in flight,
   * remaining, and whether it is at its warning threshold or its limit;
   * overall, or for `userId`. `null` when the agent has no `budget`.
   * Asynchronous because a shared `store` is read over the network.
   * @throws BudgetError (`E_BUDGET_STORE`) when the store does not answer.
   */
  async getBudget(userId?: string): Promise<BudgetStatus | null> {
    if (userId !== undefined && typeof userId !== 'string') {
      throw new ConfigError('E_CONFIG', `getBudget: userId must be a string, got ${typeof userId}`);
    }
    const agent = this.#current() ?? (await this.#wasm());
    try {
      return JSON.parse(await drive(stepper(), agent.budget(userId)));
    } catch (e) {
      throw fromEngine(e);
    }
  }

  /** After a run: tell the caller's budget hooks what changed, once per scope and day for a warning. */
  async #budgetHooks(userId: string | undefined, err?: CascadeError): Promise<void> {
    const hooks = this.#prepared.budgetHooks;
    if (!hooks) return;
    for (const scope of userId === undefined ? [undefined] : [undefined, userId]) {
      // A store that cannot be read now costs the caller a hook call, never the run.
      const status = await this.getBudget(scope).catch(() => null);
      if (!status) return;
      if (err?.code === 'E_BUDGET') {
        hooks.onLimitExceeded?.(status, err);
      } else if (status.atWarning) {
        const key = scope ?? '';
        const day = Math.floor(Date.now() / 86_400_000);
        if (hooks.warned.get(key) !== day) {
          hooks.warned.set(key, day);
          hooks.onWarning?.(status);
        }
      }
    }
  }

  /** Stream one query: an async iterable of typed events ending with `complete`. */
  stream(query: string | Message[], options: StreamOptions = {}): CascadeStream {
    const tools = toolRunner(options);
    // Always a signal of our own: a consumer that stops reading cancels
    // the provider request, rather than leaving it to run to its end.
    const stop = new AbortController();
    return new CascadeStream(async (emit) => {
      const agent = this.#current() ?? (await this.#wasm());
      if (this.#prepared.healthTimeoutMs !== undefined) this.#probe(agent);
      const { signal, cleanup } = runSignal(options, this.#prepared.runTimeoutMs, stop.signal);
      try {
        const out = await drive(
          stepper(),
          agent.stream(
            queryJson(query),
            optionsJson(options),
            options.mode === 'live',
            (json: string) => emit(JSON.parse(json)),
            (text: string, model: string, tier: number) => emit({ type: 'chunk', text, model, tier }),
            signal,
            tools?.run,
          ),
        );
        const result = JSON.parse(out);
        if (this.#prepared.budgetHooks) await this.#budgetHooks(options.userId);
        return result;
      } catch (e) {
        if (this.#prepared.budgetHooks) await this.#budgetHooks(options.userId, fromEngine(e));
        throw e;
      } finally {
        cleanup();
        if (this.#prepared.store) this.#flushAnalytics(agent);
      }
    }, (raw) => withToolCause(fromEngine(raw), tools), () =>
      stop.abort(new DOMException('the stream was cancelled by its consumer', 'AbortError')),
    );
  }

  /**
   * Start the health probes the engine finds due, in the background: a
   * run never waits for them. Each is cut off at `healthCheck.timeoutMs`.
   */
  #probe(agent: WasmAgent): Promise<unknown>[] {
    const started: Promise<unknown>[] = [];
    const ms = this.#prepared.healthTimeoutMs ?? 5_000;
    for (;;) {
      const id = agent.healthTick(AbortSignal.timeout(ms));
      if (id === 0xffffffff) return started;
      // A probe that fails records the endpoint as unhealthy; nothing to throw.
      started.push(drive(stepper(), id).catch(() => undefined));
    }
  }

  /**
   * What the health probes (`healthCheck`) last found for each endpoint:
   * `healthy` (`null` before the first probe), `checkedAt`, and `reason`.
   * Probes run in the background of runs; this starts any that are due
   * and waits for them.
   */
  async checkHealth(): Promise<EndpointHealth[]> {
    const agent = this.#current() ?? (await this.#wasm());
    await Promise.all(this.#probe(agent));
    try {
      return JSON.parse(agent.health());
    } catch (e) {
      throw fromEngine(e);
    }
  }

  /** Send this agent's new analytics to the shared store in the background (one send at a time). */
  #flushAnalytics(agent: WasmAgent): Promise<unknown> | undefined {
    const id = agent.analyticsFlush();
    // A send the store refuses is kept by the engine for the next one.
    return id === 0xffffffff ? undefined : drive(stepper(), id).catch(() => undefined);
  }

  /**
   * The totals of every agent sharing this agent's `store` (runs, failed
   * runs, cost, savings, drafter acceptance), or `null` without a store.
   * Each agent adds its runs in the background after they finish.
   * @throws CascadeError when the store cannot be read.
   */
  async getSharedAnalytics(): Promise<SharedAnalytics | null> {
    const agent = this.#current() ?? (await this.#wasm());
    await this.#flushAnalytics(agent);
    try {
      return JSON.parse(await drive(stepper(), agent.sharedAnalytics()));
    } catch (e) {
      throw fromEngine(e);
    }
  }

  /** Totals over this agent's runs: cost, savings, acceptance by model, complexity and domain. */
  getAnalytics(): Analytics {
    const agent = this.#current();
    if (!agent) return JSON.parse(EMPTY_ANALYTICS);
    try {
      return JSON.parse(agent.analytics());
    } catch (e) {
      throw fromEngine(e);
    }
  }

  resetAnalytics(): void {
    try {
      this.#current()?.resetAnalytics();
    } catch (e) {
      throw fromEngine(e);
    }
  }

  /** After a crash, where the engine loads synchronously: this agent again, in the new instance. */
  #rebuildSync(): WasmAgent | undefined {
    const eng = engineSync();
    return eng ? this.#adopt(build(eng, this.#prepared)) : undefined;
  }

  async #wasm(): Promise<WasmAgent> {
    const current = this.#current();
    if (current) return current;
    if (this.#loading && this.#generation !== -1 && this.#generation !== currentGeneration()) this.#loading = undefined;
    this.#loading ??= engine().then((eng) => this.#current() ?? this.#adopt(build(eng, this.#prepared)));
    return this.#loading;
  }
}

/**
 * The engine's judge on its own, with no network: how a draft would be scored.
 * Synchronous once the engine is loaded; in browsers, `await ready()` first.
 */
export function scoreDraft(query: string, draft: string, options: ScoreDraftOptions = {}): DraftScore {
  const eng = engineSync();
  if (!eng) throw new ConfigError('E_CONFIG', 'the engine is still loading; await ready() before scoreDraft');
  if (typeof query !== 'string') throw new ConfigError('E_CONFIG', 'scoreDraft: query must be a string');
  if (typeof draft !== 'string') throw new ConfigError('E_CONFIG', 'scoreDraft: draft must be a string');
  try {
    return JSON.parse(eng.scoreDraft(query, draft, toJson(options, 'scoreDraft: options')));
  } catch (e) {
    throw fromEngine(e);
  }
}

/** Load the engine (browsers fetch the .wasm on first use; elsewhere it is already loaded). */
export async function ready(): Promise<void> {
  await engine();
}

/**
 * Make the engine's agent. Keys from the environment are filled in here,
 * not at construction, because the variable names come from the engine's
 * provider table, which browsers only have once the .wasm is loaded.
 */
function build(eng: Engine, p: Prepared): WasmAgent {
  for (const slot of p.keySlots) {
    const filled = withEnvKey(eng, slot, p.env);
    if (filled.apiKey !== undefined) slot.apiKey = filled.apiKey;
    if (filled.baseUrl !== undefined) slot.baseUrl = filled.baseUrl;
  }
  try {
    // The config keeps the keys (in the agent's private field) so that the
    // agent can be rebuilt if the engine ever has to be restarted.
    return track(new eng.WasmAgent(toJson(p.config, 'config'), transport(p.fetch), p.custom, p.store));
  } catch (e) {
    throw fromEngine(e);
  }
}

/** The engine's task stepper; the engine is loaded wherever an agent exists. */
function stepper() {
  const eng = engineSync();
  if (!eng) throw new ConfigError('E_CONFIG', 'the engine is still loading; await agent.ready() first');
  return eng.stepTask;
}

function prepare(input: Tiers | AgentOptions): Prepared {
  const opts: AgentOptions = Array.isArray(input) ? { models: input } : input;
  if (!opts || typeof opts !== 'object') {
    throw new ConfigError('E_CONFIG', 'config: expected an array of models or an object with `models`');
  }
  const { fetch: userFetch, env: userEnv, preset: presetOpt, store: userStore, storeTimeoutMs, ...rest } = opts;
  const store = userStore === undefined ? undefined : storeBridge(userStore, storeTimeoutMs);
  const preset = resolvePreset(presetOpt);
  const models = rest.models ?? (preset ? [...preset.models] : undefined);
  if (!Array.isArray(models) && !rest.domains) {
    throw new ConfigError('E_CONFIG', 'config.models: required, expected a non-empty array of models (or a `preset`)');
  }
  const env = (userEnv as Record<string, unknown> | undefined) ?? defaultEnv() ?? {};
  const custom: Record<string, Adapter> = {};
  const keySlots: Record<string, unknown>[] = [];
  // A tier is a model or an array of equivalent models (a failover group).
  const resolveTier = (m: unknown, path: string): unknown =>
    Array.isArray(m) ? m.map((x, j) => resolveModel(x, `${path}[${j}]`, keySlots, custom)) : resolveModel(m, path, keySlots, custom);
  const resolveList = (list: unknown, path: string) =>
    Array.isArray(list) ? list.map((m, i) => resolveTier(m, `${path}[${i}]`)) : list;
  const config: Record<string, unknown> = { ...rest };
  // Browser entry: Anthropic needs its CORS opt-in header. An explicit `browser` wins.
  if (config.browser === undefined && isBrowserEntry()) config.browser = true;
  if (models) config.models = resolveList(models, 'models');
  if (preset?.quality && !rest.quality) config.quality = preset.quality;
  if (rest.domains && typeof rest.domains === 'object') {
    const domains: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest.domains)) {
      domains[k] = Array.isArray(v)
        ? resolveList(v, `domains.${k}`)
        : v && typeof v === 'object' && Array.isArray((v as { models?: unknown }).models)
          ? { ...v, models: resolveList((v as { models: unknown[] }).models, `domains.${k}.models`) }
          : v;
    }
    config.domains = domains;
  }
  const f = userFetch ?? globalThis.fetch;
  if (typeof f !== 'function') {
    throw new ConfigError('E_CONFIG', 'config.fetch: this runtime has no global fetch; pass one as `fetch`');
  }
  const defaults = rest.defaults as { timeoutMs?: unknown } | undefined;
  const timeouts = (rest as { timeouts?: { totalMs?: unknown } }).timeouts;
  const runTimeoutMs = defaults?.timeoutMs ?? timeouts?.totalMs;
  const budget = rest.budget;
  const hook = (name: 'onWarning' | 'onLimitExceeded') => {
    const f = budget?.[name];
    if (f !== undefined && typeof f !== 'function') {
      throw new ConfigError('E_CONFIG', `config.budget.${name}: expected a function (status) => void, got ${typeof f}`);
    }
    return f;
  };
  const onWarning = hook('onWarning') as BudgetHooks['onWarning'];
  const onLimitExceeded = hook('onLimitExceeded') as BudgetHooks['onLimitExceeded'];
  const budgetHooks = onWarning || onLimitExceeded ? { onWarning, onLimitExceeded, warned: new Map() } : undefined;
  const health = (rest as { healthCheck?: unknown }).healthCheck;
  const healthTimeoutMs =
    health === true ? 5_000
    : health && typeof health === 'object' ? (typeof (health as { timeoutMs?: unknown }).timeoutMs === 'number' ? (health as { timeoutMs: number }).timeoutMs : 5_000)
    : undefined;
  return { config, keySlots, env, custom, fetch: f.bind(globalThis), runTimeoutMs, budgetHooks, store, healthTimeoutMs };
}

function resolvePreset(p: AgentOptions['preset']): Preset | undefined {
  if (p === undefined) return undefined;
  if (typeof p === 'string') {
    const found = PRESETS[p];
    if (!found) {
      throw new ConfigError('E_CONFIG', `config.preset: unknown preset ${JSON.stringify(p)} (expected one of ${Object.keys(PRESETS).join(', ')})`);
    }
    return found;
  }
  if (p && typeof p === 'object' && Array.isArray(p.models)) return p;
  throw new ConfigError('E_CONFIG', 'config.preset: expected a preset name or object such as PRESET_BALANCED');
}

/** Swap provider objects for registered names; note models that may take a key from the environment. */
function resolveModel(
  m: unknown,
  path: string,
  keySlots: Record<string, unknown>[],
  custom: Record<string, Adapter>,
): unknown {
  if (!m || typeof m !== 'object') return m;
  const model = m as ModelConfig;
  const out: Record<string, unknown> = { ...model };
  if (isProviderObject(model.provider)) {
    const name = model.provider.name ?? `custom-${++customCounter}`;
    custom[name] = adapt(model.provider, name);
    out.provider = name;
  } else if (typeof model.provider === 'string') {
    const reg = registered(model.provider);
    if (reg) custom[model.provider] = reg;
    else if (out.apiKey === undefined || out.baseUrl === undefined) keySlots.push(out);
  } else if (model.provider !== undefined) {
    throw new ConfigError(
      'E_CONFIG',
      `${path}.provider: expected a provider name or an object with complete(request), got ${typeof model.provider}`,
    );
  }
  return out;
}

function queryJson(query: string | Message[]): string {
  if (typeof query !== 'string' && !Array.isArray(query)) {
    throw new ConfigError('E_CONFIG', `query: expected a string or an array of messages, got ${typeof query}`);
  }
  return toJson(query, 'query');
}


function optionsJson(options: RunOptions): string {
  if (isEmpty(options)) return '{}';
  const { signal: _signal, timeoutMs: _timeout, onToolCall: _tools, ...rest } = options as RunOptions & {
    mode?: string;
  };
  return toJson(rest, 'options');
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

interface ToolRunner {
  /** What the engine calls: a call as JSON in, the result as text out. */
  run: (callJson: string) => Promise<string>;
  /** What the user's executor threw, kept for the `ToolError`'s `cause`. */
  thrown?: { value: unknown };
}

/** Adapt `onToolCall` to the engine: results that are not text go back as JSON. */
function toolRunner(options: RunOptions): ToolRunner | undefined {
  const exec = options.onToolCall;
  if (exec === undefined) return undefined;
  if (typeof exec !== 'function') {
    throw new ConfigError('E_CONFIG', `options.onToolCall: expected a function (call) => result, got ${typeof exec}`);
  }
  const runner: ToolRunner = {
    run: async (callJson) => {
      const call = JSON.parse(callJson) as ToolCall;
      try {
        const out = await exec(call);
        return typeof out === 'string' ? out : (JSON.stringify(out ?? null) ?? 'null');
      } catch (e) {
        runner.thrown = { value: e };
        throw e;
      }
    },
  };
  return runner;
}

/** A `ToolError` carries what the executor threw as its `cause`. */
function withToolCause(err: CascadeError, tools: ToolRunner | undefined): CascadeError {
  if (err.code !== 'E_TOOL' || !tools?.thrown) return err;
  return makeError(err.code, err.message, { attempts: err.attempts, cause: tools.thrown.value });
}

/** setTimeout's delay is a signed 32-bit number; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The run's signal: the caller's, merged with the run deadline
 * (`timeoutMs`, else the agent's default) and with `extra` (the stream's
 * own cancel), when there is more than one.
 */
export function runSignal(
  options: Pick<RunOptions, 'signal' | 'timeoutMs'>,
  fallbackTimeoutMs?: unknown,
  extra?: AbortSignal,
): { signal: AbortSignal | undefined; cleanup: () => void } {
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ConfigError('E_CONFIG', 'options.signal: expected an AbortSignal');
  }
  const timeoutMs = options.timeoutMs !== undefined ? options.timeoutMs : fallbackTimeoutMs;
  if (timeoutMs !== undefined && timeoutMs !== null && timeoutMs !== Infinity && (typeof timeoutMs !== 'number' || !(timeoutMs > 0))) {
    const where = options.timeoutMs !== undefined ? 'options.timeoutMs' : 'config.defaults.timeoutMs';
    throw new ConfigError('E_CONFIG', `${where}: expected a positive number of milliseconds (or Infinity for none), got ${String(timeoutMs)}`);
  }
  const deadline = typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) ? timeoutMs : undefined;
  if (deadline === undefined && extra === undefined) return { signal, cleanup: () => {} };
  const ctl = new AbortController();
  // Past setTimeout's range the deadline is weeks away: the same as none.
  const timer =
    deadline !== undefined && deadline <= MAX_TIMER_MS
      ? setTimeout(() => ctl.abort(new DOMException('run deadline passed', 'TimeoutError')), deadline)
      : undefined;
  const links: (() => void)[] = [];
  for (const s of [signal, extra]) {
    if (!s) continue;
    const onAbort = () => ctl.abort(s.reason);
    if (s.aborted) onAbort();
    else {
      s.addEventListener('abort', onAbort, { once: true });
      links.push(() => s.removeEventListener('abort', onAbort));
    }
  }
  return {
    signal: ctl.signal,
    cleanup: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const unlink of links) unlink();
    },
  };
}
