/**
 * The `logger` option: one line per run saying what the cascade decided
 * (info), the attempts behind it (debug), and a failed run (warn). Off
 * unless a logger is given. Lines carry model names, reasons, costs and
 * token counts, never a prompt, an answer or a key: attempts and errors
 * are already masked by the engine, and nothing else is printed.
 */
import { ConfigError, type CascadeError } from './errors.js';
import type { CascadeResult } from './types.js';

/** `console`, or any object with these four methods (pino, winston, ...). */
export interface CascadeLogger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export function checkLogger(logger: unknown): CascadeLogger | undefined {
  if (logger === undefined || logger === null || logger === false) return undefined;
  const l = logger as Record<string, unknown>;
  for (const level of ['debug', 'info', 'warn', 'error']) {
    if (typeof l[level] !== 'function') {
      throw new ConfigError('E_CONFIG', `config.logger: expected console or an object with debug, info, warn and error methods; ${level} is missing`);
    }
  }
  return logger as CascadeLogger;
}

const usd = (n: number | null) => (n === null ? 'unknown' : `$${n.toFixed(6)}`);

/** A finished run: its decision at info, its attempts at debug. */
export function logResult(logger: CascadeLogger | undefined, r: CascadeResult): void {
  if (!logger) return;
  try {
    const how = r.draftAccepted ? 'draft accepted' : r.cascaded ? 'escalated' : 'answered';
    logger.info(
      `cascade-edge: ${how}: ${r.modelUsed} answered in ${r.latencyMs} ms, ${r.usage.inputTokens}+${r.usage.outputTokens} tokens, ` +
        `cost ${usd(r.totalCost)}, saved ${usd(r.costSaved)} (${r.reason})`,
    );
    logger.debug(`cascade-edge: trace ${JSON.stringify(r.attempts)}`);
  } catch {
    // A logger that throws must not fail the run it reports on.
  }
}

/** A run that failed: one warn line with the code, and the attempts at debug. */
export function logFailure(logger: CascadeLogger | undefined, e: unknown): void {
  if (!logger) return;
  const err = e as Partial<CascadeError>;
  try {
    logger.warn(`cascade-edge: run failed: ${err.code ?? 'E_INTERNAL'}: ${err.message ?? String(e)}`);
    if (err.attempts?.length) logger.debug(`cascade-edge: trace ${JSON.stringify(err.attempts)}`);
  } catch {
    // As above.
  }
}
