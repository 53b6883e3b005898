/**
 * What every store rejects with. The engine turns a rejected store call into
 * `E_BUDGET_STORE` (budgets fail closed) or ignores it (breakers and rate
 * limits fail open), so a store only has to say what went wrong, in words
 * that are safe to log: messages never hold a token, a password or a URL's
 * query.
 */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** The message of anything thrown, for wrapping it in a `StoreError`. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'unknown error';
}
