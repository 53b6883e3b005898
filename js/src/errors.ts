/**
 * Errors with stable codes. Every error the package throws is a
 * `CascadeError`; switch on `err.code` (stable, listed in the README) or on
 * the subclass. Messages never contain an API key.
 */
import type { Attempt } from './types.js';
import { isTrap, markCrashed } from './runtime.js';

export type ErrorCode =
  | 'E_CONFIG'
  | 'E_PROVIDER_STATUS'
  | 'E_CONTEXT_LENGTH'
  | 'E_CONTENT_FILTER'
  | 'E_PROVIDER_UNAVAILABLE'
  | 'E_AUTH'
  | 'E_RATE_LIMITED'
  | 'E_BUDGET'
  | 'E_BUDGET_STORE'
  | 'E_TRANSPORT'
  | 'E_TIMEOUT'
  | 'E_ABORTED'
  | 'E_BAD_RESPONSE'
  | 'E_STREAM'
  | 'E_ALL_MODELS_FAILED'
  | 'E_CUSTOM_PROVIDER'
  | 'E_TOOL'
  | 'E_INTERNAL';

export interface CascadeErrorDetails {
  status?: number;
  provider?: string;
  model?: string;
  retryAfterMs?: number;
  attempts?: Attempt[];
  cause?: unknown;
}

export class CascadeError extends Error {
  readonly code: ErrorCode;
  readonly status?: number;
  readonly provider?: string;
  readonly model?: string;
  /** How long the provider asked us to wait (from `Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  /** What was tried before the failure, one entry per model called. */
  readonly attempts: Attempt[];

  constructor(code: ErrorCode, message: string, details: CascadeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = details.status;
    this.provider = details.provider;
    this.model = details.model;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts ?? [];
  }
}

/** Invalid configuration or options; the message names the field. */
export class ConfigError extends CascadeError {}
/** The provider refused the request itself (400, 404, 422...). */
export class ProviderError extends CascadeError {}
/**
 * The prompt does not fit the model's context window, and no later model is
 * known (by its `contextWindow`) to have a larger one, or that one refused it too.
 */
export class ContextLengthError extends CascadeError {}
/**
 * The provider's content filter or safety system blocked the request or
 * stopped the answer; the message carries the provider's reason. Not retried,
 * and no other model is asked.
 */
export class ContentFilterError extends CascadeError {}
/** The provider failed (5xx); in a cascade the next tier was tried first. */
export class ProviderUnavailableError extends CascadeError {}
/** The API key was refused (401/403). */
export class AuthError extends CascadeError {}
/** Rate limited (429); see `retryAfterMs`. */
export class RateLimitError extends CascadeError {}
/** Out of credits (402) or over budget. */
export class BudgetError extends CascadeError {}
/** Network failure: refused, reset, DNS. */
export class TransportError extends CascadeError {}
/** A deadline passed. */
export class CascadeTimeoutError extends CascadeError {}
/** The caller's AbortSignal fired. */
export class CascadeAbortError extends CascadeError {}
/** A provider answered with something we could not understand. */
export class BadResponseError extends CascadeError {}
/** A stream broke before it finished; no truncated answer is returned. */
export class StreamError extends CascadeError {}
/** Every tier failed; `attempts` says how. */
export class AllModelsFailedError extends CascadeError {}
/** A provider written in JS threw or returned a bad shape. */
export class CustomProviderError extends CascadeError {}
/** A tool loop's `onToolCall` threw; `cause` is what it threw, `attempts` the steps so far. */
export class ToolError extends CascadeError {}
/** A defect in cascade-edge itself. Please report it. */
export class InternalError extends CascadeError {}

const CLASSES: Record<ErrorCode, typeof CascadeError> = {
  E_CONFIG: ConfigError,
  E_PROVIDER_STATUS: ProviderError,
  E_CONTEXT_LENGTH: ContextLengthError,
  E_CONTENT_FILTER: ContentFilterError,
  E_PROVIDER_UNAVAILABLE: ProviderUnavailableError,
  E_AUTH: AuthError,
  E_RATE_LIMITED: RateLimitError,
  E_BUDGET: BudgetError,
  E_BUDGET_STORE: BudgetError,
  E_TRANSPORT: TransportError,
  E_TIMEOUT: CascadeTimeoutError,
  E_ABORTED: CascadeAbortError,
  E_BAD_RESPONSE: BadResponseError,
  E_STREAM: StreamError,
  E_ALL_MODELS_FAILED: AllModelsFailedError,
  E_CUSTOM_PROVIDER: CustomProviderError,
  E_TOOL: ToolError,
  E_INTERNAL: InternalError,
};

export function makeError(code: ErrorCode, message: string, details: CascadeErrorDetails = {}): CascadeError {
  const Cls = CLASSES[code] ?? CascadeError;
  return new Cls(code, message, details);
}

/** Turn what the engine rejected with (JSON text) into the right subclass. */
export function fromEngine(raw: unknown): CascadeError {
  if (raw instanceof CascadeError) return raw;
  if (typeof raw === 'string') {
    try {
      const e = JSON.parse(raw);
      if (e && typeof e.code === 'string' && typeof e.message === 'string') {
        return makeError(e.code as ErrorCode, e.message, e);
      }
    } catch {
      /* not ours: fall through */
    }
  }
  const message = raw instanceof Error ? raw.message : String(raw);
  if (isTrap(raw)) {
    markCrashed();
    return new InternalError(
      'E_INTERNAL',
      `cascade-edge internal error: the engine crashed (${message}); it has been restarted and the next call will work. Please report this.`,
      { cause: raw },
    );
  }
  return new InternalError('E_INTERNAL', `cascade-edge internal error: ${message}`, { cause: raw });
}
