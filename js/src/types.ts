/** The public contract of cascade-edge: every shape a user passes or gets. */

export type BuiltinProvider =
  | 'openai'
  | 'anthropic'
  | 'ollama'
  | 'groq'
  | 'together'
  | 'vllm'
  | 'huggingface'
  | 'deepseek'
  | 'openrouter'
  | 'litellm'
  | 'openai-compatible';

/**
 * Names given to `registerProvider`, declared for the type checker so that
 * a misspelt built-in id (`'opnai'`) fails `tsc` instead of failing at run
 * time. Add yours by augmenting this interface:
 *
 * ```ts
 * declare module 'cascade-edge' {
 *   interface RegisteredProviders { 'my-llm': true }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RegisteredProviders {}

/** A provider id a model may name: a built-in one or a registered one. */
export type ProviderId = BuiltinProvider | Extract<keyof RegisteredProviders, string>;

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed arguments, or null when the model wrote invalid JSON. */
  arguments: Record<string, unknown> | null;
  /** The arguments exactly as the model wrote them. */
  argumentsRaw: string;
}

export interface Message {
  role: Role;
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

/** A tool in the OpenAI shape (or the flat `{name, description, parameters}`). */
export type Tool =
  | { type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }
  | { name: string; description?: string; parameters?: Record<string, unknown> };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown> };

/** A provider written in JS. */
export interface CustomProvider {
  /** Used in results and errors. Defaults to `custom-N`. */
  name?: string;
  complete(request: CustomProviderRequest): Promise<string | CustomCompletion> | string | CustomCompletion;
  /** Yield text chunks (strings) or `{ text }` / `{ toolCall }` / `{ usage }` objects. */
  stream?(request: CustomProviderRequest): AsyncIterable<string | CustomStreamItem>;
}

export interface CustomProviderRequest {
  model: string;
  provider: string;
  messages: Message[];
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  tools?: { name: string; description: string; parameters: unknown }[];
  toolChoice?: unknown;
  responseFormat?: ResponseFormat;
  parameters: Record<string, unknown>;
  /**
   * Fires when the caller aborts the run or the attempt's deadline
   * (`timeouts.attemptMs`) passes; pass it on to your own `fetch`.
   */
  signal?: AbortSignal;
}

export interface CustomCompletion {
  content: string;
  toolCalls?: { id?: string; name: string; arguments: string | Record<string, unknown> }[];
  usage?: { inputTokens: number; outputTokens: number };
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  thinking?: string;
  logprobs?: { token: string; logprob: number; topLogprobs?: { token: string; logprob: number }[] }[];
}

export type CustomStreamItem =
  | { type?: 'text'; text: string }
  | { type: 'toolCall'; index?: number; id?: string; name?: string; arguments?: string }
  | { type: 'usage'; usage: { inputTokens: number; outputTokens: number } }
  | { type: 'finish'; finishReason?: string };

export interface ModelConfig {
  /** The provider's model id, e.g. `gpt-4o-mini`. */
  name: string;
  /** A built-in provider id, the name of a registered provider, or a provider object. */
  provider: ProviderId | CustomProvider;
  /** Blended USD per 1K tokens (the original's `cost`). */
  cost?: number;
  /** USD per 1M input tokens; with `outputCost`, wins over `cost`. */
  inputCost?: number;
  /** USD per 1M output tokens. */
  outputCost?: number;
  apiKey?: string;
  /** With or without `/v1`: both `http://localhost:8000/v1` and `http://localhost:8000` work. */
  baseUrl?: string;
  /** Score a draft from this tier must reach to be accepted (0..1). */
  qualityThreshold?: number;
  maxTokens?: number;
  temperature?: number;
  /** Passed through to the provider's request body (`top_p`, `seed`, `thinking`, ...). */
  parameters?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Anthropic prompt caching of the system prompt. */
  cacheControl?: boolean;
  /** This model's own client-side rate limit, beside the agent's. */
  rateLimit?: RateLimitOptions | false;
  /**
   * Several API keys used in turn. A key the provider refuses (401/403) is
   * replaced by the next one within the same run; attempts name the key by
   * `keyIndex`, never by value.
   */
  keyRotation?: { keys: string[]; strategy?: 'round_robin' | 'least_used' | 'random' };
  /**
   * The model's context window in tokens (prompt and answer together), as its
   * provider states it. When a prompt is too long for one model, the cascade
   * moves once to a later model whose `contextWindow` is larger; with none
   * known, the run fails with `E_CONTEXT_LENGTH`.
   */
  contextWindow?: number;
}

/**
 * Client-side limits per minute of wall time (shared through `store`
 * across isolates). A call holds one request and its token estimate (the
 * prompt counted generously plus `maxTokens`) and settles to what it used.
 */
export interface RateLimitOptions {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /**
   * When a call does not fit: `'wait'` (default) for the next minute, up to
   * three times within the run's deadline; `'fallback'`: pass the model over
   * as after a 429 (the next model of its group, or the next tier);
   * `'skip'`: send nothing and fail the run with `E_RATE_LIMITED`.
   */
  onRateLimit?: 'wait' | 'skip' | 'fallback';
  /**
   * The same limits again for each `userId` a run names (each customer;
   * each proxy key), beside the shared ones above.
   */
  perUser?: { requestsPerMinute?: number; tokensPerMinute?: number };
}

export type Complexity = 'trivial' | 'simple' | 'moderate' | 'hard' | 'expert';
export type Domain =
  | 'code'
  | 'math'
  | 'data'
  | 'medical'
  | 'legal'
  | 'finance'
  | 'creative'
  | 'translation'
  | 'summarization'
  | 'general';

export interface QualityOptions {
  /** One threshold for every complexity. */
  threshold?: number;
  /** Per-complexity thresholds. */
  thresholds?: Partial<Record<Complexity, number>>;
  /** `strict`, `balanced` (default) or `cost-optimized`. */
  preset?: 'strict' | 'balanced' | 'cost-optimized';
  [key: string]: unknown;
}

export interface RunOptions {
  maxTokens?: number;
  temperature?: number;
  systemPrompt?: string;
  tools?: Tool[];
  toolChoice?: unknown;
  responseFormat?: ResponseFormat;
  /** Abort the whole run: in-flight requests are cancelled. */
  signal?: AbortSignal;
  /** A deadline for the whole run, in ms (`Infinity` for none); per-attempt deadlines are the agent's `timeouts`. */
  timeoutMs?: number;
  /**
   * The tool executor; giving it turns on the tool loop. When an answer has
   * tool calls, each is passed here in order; what it returns (a string as
   * is, anything else as JSON) goes back to the model as a `role: 'tool'`
   * message answering that call, and the cascade runs again. If it throws,
   * the run fails with a `ToolError` (`E_TOOL`) whose `cause` is what it threw.
   */
  onToolCall?: (call: ToolCall) => unknown | Promise<unknown>;
  /**
   * Tool loop: the most cascade runs (steps) to make, default 5. The last
   * allowed step's tool calls are returned in `result.toolCalls`, not run.
   */
  maxSteps?: number;
  /** Whose budget the run spends (`budget.perUser`). */
  userId?: string;
}

export interface StreamOptions extends RunOptions {
  /**
   * `buffered` (default): a draft is held back until judged and released
   * only if accepted. `live`: drafts stream as they arrive; on rejection an
   * `escalated` event with `discard: true` says to drop what was shown.
   */
  mode?: 'buffered' | 'live';
}

export interface Timeouts {
  /** Until the response headers (default 120000 for streams; for plain calls only when set). */
  firstByteMs?: number | null;
  /** Until the first answer text or tool call of a stream; pings do not count (default off). */
  firstTokenMs?: number | null;
  /** Longest silence between two reads of a stream (default 120000). */
  idleMs?: number | null;
  /** One call, from sending to the last byte (default 600000). */
  attemptMs?: number | null;
  /** The whole run, like `timeoutMs` (default none). */
  totalMs?: number | null;
}

export interface BudgetOptions {
  /** USD per UTC day, over all runs. */
  daily?: number;
  /** USD per UTC month, over all runs. */
  monthly?: number;
  /** The same, for each `userId` a run names. */
  perUser?: { daily?: number; monthly?: number };
  /** The share of a limit at which `onWarning` is called (default 0.8). */
  warningThreshold?: number;
  /**
   * `block` (default): a call that does not fit fails the run with
   * `E_BUDGET`. `cheapest-only`: when a dearer tier does not fit, the draft
   * already paid for is returned instead.
   */
  policy?: 'block' | 'cheapest-only';
  /** Called after a run once a limit is at its warning threshold (once a day per scope). */
  onWarning?: (status: BudgetStatus) => void;
  /** Called when a run is refused for the budget. */
  onLimitExceeded?: (status: BudgetStatus, error: import('./errors.js').CascadeError) => void;
}

/** `agent.getSharedAnalytics()`: the sums over every agent on one `store`. Amounts in USD. */
export interface SharedAnalytics {
  runs: number;
  failedRuns: number;
  totalCost: number;
  costSaved: number;
  baselineCost: number;
  savingsPercentage: number;
  runsWithUnknownCost: number;
  drafterAcceptance: { drafts: number; accepted: number; rate: number };
}

/** One endpoint in `agent.checkHealth()`. */
export interface EndpointHealth {
  provider: string;
  model: string;
  /** Password and query values masked. */
  baseUrl: string;
  /** `null` until the first probe has finished. */
  healthy: boolean | null;
  /** When the last probe finished (ms since the epoch). */
  checkedAt?: number;
  reason: string;
}

/** `agent.getBudget(userId?)`. Amounts in USD. */
export interface BudgetStatus {
  userId: string | null;
  spentToday: number;
  spentThisMonth: number;
  /** Held by calls in flight. */
  reserved: number;
  /** Left under the tightest limit, after what is reserved; null with no limit. */
  remaining: number | null;
  dailyLimit: number | null;
  monthlyLimit: number | null;
  atWarning: boolean;
  atLimit: boolean;
}

export interface RetryOptions {
  /** Retries after the first call, per tier and run: 0 to 10 (default 2). */
  maxRetries?: number;
  /** How the wait grows (default `exponential`). */
  backoff?: 'exponential' | 'linear' | 'constant';
  /** The first wait, in ms (default 500). */
  baseDelayMs?: number;
  /** The longest wait, in ms (default 8000). */
  maxDelayMs?: number;
  /** Spread each wait over its upper half (default true). */
  jitter?: boolean;
  /** Wait what a 429's `Retry-After` asks (default true)... */
  honorRetryAfter?: boolean;
  /** ...when it is no longer than this; a longer one moves on at once (default 30000). */
  maxRetryAfterMs?: number;
}

export interface Limits {
  /** A response body, counted after decompression (default 8 MiB). */
  maxResponseBytes?: number;
  /** One stream event (default 2 MiB). */
  maxEventBytes?: number;
}

/**
 * Tiers, cheapest first (or sorted by price for you). A tier is a model, or
 * an array of equivalent models (a same-tier failover group): when one
 * fails, the next of its group is called; when one's draft is rejected,
 * the next tier is.
 */
export type Tiers = (ModelConfig | ModelConfig[])[];

export interface DomainRouteOptions {
  /** This domain's own tiers; the agent's `models` when left out. */
  models?: Tiers;
  /** Threshold for drafts in this domain. */
  threshold?: number;
  /** Never accept a draft here: go straight to the top tier (e.g. medical). */
  requireVerifier?: boolean;
}

export interface AgentOptions {
  /** Tiers; may be left out when `preset` or `domains.default` gives them. */
  models?: Tiers;
  /** A preset (`PRESET_BALANCED`, ...) or its name. */
  preset?: import('./presets.js').Preset | 'ultra-fast' | 'balanced' | 'cost-optimized';
  /** Per-domain routes: `{ code: [models], medical: { requireVerifier: true }, default: [models] }`. */
  domains?: Partial<Record<Domain | 'default', Tiers | DomainRouteOptions>>;
  /** Skip the drafter for queries at or above this complexity. */
  preRouting?: { skipDrafterFrom?: Complexity };
  quality?: QualityOptions;
  /** Keep the given order instead of sorting tiers by price. */
  keepOrder?: boolean;
  /**
   * Requests leave from a web page. The browser entry sets this for you;
   * it makes Anthropic requests carry `anthropic-dangerous-direct-browser-access: true`,
   * without which Anthropic refuses cross-origin calls.
   */
  browser?: boolean;
  /** Defaults for every run (`onToolCall` is per run). */
  defaults?: Omit<RunOptions, 'signal' | 'onToolCall'>;
  /**
   * Per-attempt deadlines in ms. When one passes, that attempt fails with
   * `E_TIMEOUT` and the next tier is tried; `null` switches one off.
   */
  timeouts?: Timeouts;
  /** How much a provider may send; a response over a limit fails its attempt (`E_BAD_RESPONSE`). */
  limits?: Limits;
  /** Retries of a failed call on the same model before the next tier is tried (see the README's failure table). */
  retry?: RetryOptions;
  /**
   * Per-endpoint circuit breakers (provider, model, base URL): after
   * `failureThreshold` failures in a row (default 5) the endpoint is skipped
   * for `resetTimeoutMs` (default 30000), then one request tests it. `false` turns them off.
   */
  circuitBreaker?: { failureThreshold?: number; resetTimeoutMs?: number } | boolean;
  /**
   * Spending limits in USD that no run, however many run at once, can
   * overshoot: each call's worst-case cost is held before it is sent.
   */
  budget?: BudgetOptions;
  /**
   * Probe each endpoint in the background, at most once per `intervalMs`
   * (default 60000), with the cheapest call its API has (the models list:
   * no tokens); an endpoint whose last probe failed is passed over while a
   * later model remains. `true` for the defaults. See `agent.checkHealth()`.
   */
  healthCheck?: { intervalMs?: number; timeoutMs?: number } | boolean;
  /** A client-side rate limit over every call the agent makes (see `RateLimitOptions`). */
  rateLimit?: RateLimitOptions | false;
  /**
   * Where budgets, rate-limit windows and circuit breakers keep their state
   * when several isolates, Workers or processes must share it (Redis,
   * Upstash, a Durable Object; see `CascadeStore`). Default: this agent's memory.
   */
  store?: import('./store.js').CascadeStore;
  /** How long one store call may take before the store counts as down (default 2000). */
  storeTimeoutMs?: number;
  /** The seed's spelling of `retry`: `retryOnError: false` turns retries off. */
  errorConfig?: { retryOnError?: boolean; maxRetries?: number; fallbackOnProviderError?: boolean };
  /** The fetch to send with; defaults to the runtime's global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Where to say what each run decided: `console`, or any object with
   * `debug`, `info`, `warn`, `error`. One info line per run (model, cost,
   * savings, reason), the attempts at debug, a failed run at warn. Off by
   * default; never prints a prompt, an answer or a key.
   */
  logger?: import('./log.js').CascadeLogger;
  /**
   * Where to look up API keys a model does not set (`OPENAI_API_KEY`, ...).
   * In Node, `process.env` by default; in a Worker, pass its `env`. Any
   * object: wrangler's generated `Env` interface (no index signature) fits.
   */
  env?: object;
}

export interface CheckOutcome {
  name: string;
  passed: boolean;
  score: number;
  /** How much this check counts in the verdict's score. */
  weight: number;
  /** A failed veto check rejects the draft whatever the score. */
  veto: boolean;
  detail?: string;
}

export interface Verdict {
  accepted: boolean;
  score: number;
  threshold: number;
  complexity: Complexity;
  domain: Domain;
  checks: CheckOutcome[];
  reason: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  reasoningTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  estimated: boolean;
}

export interface Attempt {
  tier: number;
  model: string;
  provider: string;
  /** `cancelled`: the caller aborted, or a stream's consumer stopped reading. */
  outcome: 'accepted' | 'rejected' | 'failed' | 'skipped' | 'cancelled';
  /** USD; null when the model's price is unknown. */
  cost: number | null;
  latencyMs: number;
  usage?: Usage;
  verdict?: Verdict;
  error?: { code: string; message: string; status?: number };
  reason: string;
  /** In a tool loop, the step (1-based) that made this call. */
  step?: number;
  /** This call failed and the same model was called again after this many ms (see `retry`). */
  retryInMs?: number;
  /** Which of the model's `keyRotation.keys` this call used: an index, never the key. */
  keyIndex?: number;
  /**
   * Stream events that were not JSON and were skipped (a stray line from a
   * proxy); present when any were. More than 8 in one stream, or one with
   * nothing readable after it, fails the attempt with `E_BAD_RESPONSE`.
   */
  malformedEvents?: number;
}

/**
 * A content block passed through untouched, e.g. `server_tool_use`,
 * `web_search_tool_result`, `code_execution_tool_result`, `mcp_tool_use`,
 * `mcp_tool_result`, or a block type newer than this package.
 */
export interface RawBlock {
  type: string;
  [field: string]: unknown;
}

export interface CascadeResult {
  content: string;
  modelUsed: string;
  provider: string;
  /** USD over every call made; null if a called model's price is unknown. */
  totalCost: number | null;
  /** Versus the top tier alone on the same tokens; negative when the cascade cost more. */
  costSaved: number | null;
  savingsPercentage: number | null;
  draftAccepted: boolean;
  cascaded: boolean;
  complexity: Complexity;
  domain: Domain;
  reason: string;
  usage: { inputTokens: number; outputTokens: number; estimated: boolean };
  latencyMs: number;
  finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'unknown';
  toolCalls?: ToolCall[];
  thinking?: string;
  parsed?: unknown;
  /**
   * The model declined to answer (OpenAI's `refusal`): its words. `content`
   * is then empty and `finishReason` is `'content_filter'`.
   */
  refusal?: string;
  /**
   * Tools the provider ran itself (Anthropic web search, web fetch, code
   * execution, MCP connector) and their results, as the provider sent them,
   * in answer order. They are not `toolCalls`: nothing here is for you to run.
   */
  rawBlocks?: RawBlock[];
  /**
   * Cascade runs this result covers: 1, or more in a tool loop, where
   * costs, savings, usage and `attempts` are summed over every step and
   * the answer, `toolCalls` and `finishReason` are the last step's.
   */
  steps: number;
  attempts: Attempt[];
}

export type StreamEvent =
  | { type: 'routing'; complexity: Complexity; domain: Domain; plan: string[]; mode: 'buffered' | 'live' }
  | { type: 'chunk'; text: string; model: string; tier: number }
  | { type: 'toolCallDelta'; index: number; id?: string | null; name?: string | null; arguments: string; model: string }
  | {
      type: 'draftDecision';
      model: string;
      tier: number;
      accepted: boolean;
      score: number;
      threshold: number;
      reason: string;
      checks: CheckOutcome[];
    }
  | { type: 'escalated'; from: string; to: string; reason: string; discard: boolean }
  /** Tool loop: a call was run; the next step follows with its own `routing` event. */
  | { type: 'toolResult'; step: number; id: string; name: string; content: string }
  | { type: 'complete'; result: CascadeResult }
  | { type: 'error'; error: import('./errors.js').CascadeError };

export interface ScoreDraftOptions {
  quality?: QualityOptions;
  qualityThreshold?: number;
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  logprobs?: { token: string; logprob: number; topLogprobs?: { token: string; logprob: number }[] }[];
  toolCalls?: { name: string; arguments: string | Record<string, unknown> }[];
  tools?: Tool[];
  responseFormat?: ResponseFormat;
  /** The conversation already holds tool results (a tool loop's later step). */
  hasToolResults?: boolean;
}

export type DraftScore = Verdict;

export interface ResolvedModel {
  /** The tier, from 0: the models of one failover group share it. */
  tier: number;
  name: string;
  provider: string;
  baseUrl: string;
  inputCostPer1M: number | null;
  outputCostPer1M: number | null;
  hasApiKey: boolean;
  /** The configured `contextWindow`, or null. */
  contextWindow: number | null;
  /** The model has its own `rateLimit`. */
  rateLimited: boolean;
  /** How many `keyRotation.keys` it rotates over (0: none); never the keys. */
  rotatingKeys: number;
}

/**
 * One labelled draft for `evaluateCascade` and `calibrate`: the data file's
 * shape (`draft_correct`), camelCase (`draftCorrect`) works too. Labels may
 * be booleans or 0/1. Token counts are estimated from the text (about 4
 * characters a token) unless given here or in `options.tokens`.
 */
export interface LabelledRecord {
  query: string;
  /** The cheap model's answer, judged as the engine would. */
  draft: string;
  /** The strong model's answer: only its length is used, for its cost. */
  verifier?: string;
  draft_correct?: boolean | 0 | 1;
  draftCorrect?: boolean | 0 | 1;
  verifier_correct?: boolean | 0 | 1;
  verifierCorrect?: boolean | 0 | 1;
  input_tokens?: number;
  inputTokens?: number;
  draft_tokens?: number;
  draftTokens?: number;
  verifier_tokens?: number;
  verifierTokens?: number;
  [key: string]: unknown;
}

/** A model name from the built-in price table, or prices in USD (per 1M tokens; `cost` per 1K, blended). */
export type PriceSpec =
  | string
  | { inputCost: number; outputCost: number; name?: string }
  | { cost: number; name?: string };

export interface OfflinePriceOptions {
  /** Default `gpt-4o-mini`. */
  draft?: PriceSpec;
  /** Default `gpt-4o`. */
  verifier?: PriceSpec;
}

/** Fixed token counts per query, for records that carry none; `'estimate'` (default) reads the text. */
export type TokenCounts = { input?: number; draft?: number; verifier?: number } | 'estimate';

export interface EvaluateOptions {
  /** The judge settings under test, as for `new CascadeAgent({ quality })`. */
  quality?: QualityOptions | 'strict' | 'balanced' | 'cost-optimized' | number;
  prices?: OfflinePriceOptions;
  tokens?: TokenCounts;
  /** Include the escalation curve (one point per distinct score). */
  curve?: boolean;
}

/** Where a cascade lands at one accept/escalate decision. Shares are 0..1; costs USD per query. */
export interface CascadeOutcome {
  escalatedShare: number;
  /** Share of queries answered correctly. */
  quality: number;
  /** Share of the draft-to-verifier quality gap recovered; null when there is no gap. */
  gapRecovered: number | null;
  costPerQuery: number;
  verifierOnlyCostPerQuery: number;
  /** Saved against sending every query to the verifier, in percent. */
  savingsPercentage: number;
}

export interface ResolvedPrice {
  model?: string;
  /** USD per 1M tokens. */
  inputCost: number;
  outputCost: number;
}

export interface CascadeEvaluation {
  count: number;
  /** Share of queries escalated (by `1 - score`) to recover 50% / 80% of the gap; null if never or no gap. */
  cpt50: number | null;
  cpt80: number | null;
  /** Area under the gap-recovered curve: random ≈ 0.5, oracle ≈ 1. */
  apgr: number | null;
  decision: CascadeOutcome & {
    draftOnlyQuality: number;
    verifierOnlyQuality: number;
    draftOnlyCostPerQuery: number;
  };
  prices: { draft: ResolvedPrice; verifier: ResolvedPrice };
  curve?: { share: number; quality: number; pgr: number }[];
}

export interface CalibrateOptions {
  /** Share of verifier-only quality to reach, in (0, 1]; default 0.95. */
  targetQuality?: number;
  /** Records a complexity level needs to get its own threshold; default 50. */
  minPerComplexity?: number;
  prices?: OfflinePriceOptions;
  tokens?: TokenCounts;
}

export interface Calibration {
  targetQuality: number;
  /** The quality aimed at: `targetQuality × verifierOnlyQuality`. */
  target: number;
  /** False when no threshold reaches the target; the thresholds then give the best quality found. */
  met: boolean;
  /** The best single threshold. */
  threshold: number;
  /** The thresholds to use: per complexity where that escalates less, else the single one everywhere. */
  thresholds: Record<Complexity, number>;
  perComplexity: boolean;
  reached: CascadeOutcome;
  /** What the single threshold reaches. */
  global: CascadeOutcome;
  /** Records per complexity level. */
  counts: Record<Complexity, number>;
  draftOnlyQuality: number;
  verifierOnlyQuality: number;
  /** Pass to `new CascadeAgent({ quality })`. */
  quality: QualityOptions;
}

export interface Acceptance {
  drafts: number;
  accepted: number;
  /** accepted / drafts */
  rate: number;
}

export interface Analytics {
  runs: number;
  failedRuns: number;
  /** USD over all runs with a known cost. */
  totalCost: number;
  costSaved: number;
  /** What the same runs would have cost on the top tier alone. */
  baselineCost: number;
  savingsPercentage: number;
  runsWithUnknownCost: number;
  drafterAcceptance: Acceptance;
  perModel: Record<string, { calls: number; failures: number; cost: number }>;
  byComplexity: Partial<Record<Complexity, Acceptance>>;
  byDomain: Partial<Record<Domain, Acceptance>>;
}

/** What `testConnection()` and `validateApiKey()` resolve to; they never throw for a refused key. */
export interface ConnectionResult {
  /** The server answered its models list: reachable, and the key (if any) accepted. */
  ok: boolean;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Why, in one line (e.g. "HTTP 401: the API key was refused ..."); never contains the key. */
  reason: string;
  latencyMs: number;
  /** Model ids the server lists (the first 50). */
  models?: string[];
}

export interface ConnectionOptions {
  /** The fetch to send with; defaults to the runtime's global `fetch`. */
  fetch?: typeof fetch;
  /** Where to find a key the model does not set (testConnection only); `process.env` in Node. */
  env?: object;
  signal?: AbortSignal;
  /** Give up after this many ms (default 10000); a timeout is `ok: false`, not an error. */
  timeoutMs?: number;
  /** Send Anthropic's browser opt-in header; the browser entry sets it for you. */
  browser?: boolean;
}

export interface ValidateApiKeyOptions extends Omit<ConnectionOptions, 'env'> {
  /** Where the provider lives, for self-hosted or proxied ones (required for `openai-compatible`). */
  baseUrl?: string;
  /** Extra headers (a gateway's own, OpenRouter's `X-Title`, ...). */
  headers?: Record<string, string>;
}
