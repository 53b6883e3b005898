/**
 * JSON for the engine. A value JSON cannot hold (a BigInt, a cycle) is the
 * caller's mistake, so it is a `ConfigError` naming what was being sent,
 * never an internal error.
 */
import { ConfigError } from './errors.js';

export function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    throw new ConfigError('E_CONFIG', `${what}: cannot be sent to the engine as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}
