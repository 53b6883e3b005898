/**
 * The loop that runs an engine task (src/wasm/driver.rs): each step runs
 * the Rust future until it needs a promise; we await it here and hand the
 * outcome back. The task ends with a string (the answer as JSON) or throws
 * the engine's error.
 */

import { InternalError } from './errors.js';
import { currentGeneration } from './runtime.js';

/** The engine's `stepTask`. */
export type StepTask = (id: number, value: unknown, failed: boolean) => unknown;

export async function drive(step: StepTask, id: number): Promise<string> {
  const gen = currentGeneration();
  let out = step(id, undefined, false);
  while (typeof out !== 'string') {
    let value: unknown;
    let failed = false;
    try {
      value = await out;
    } catch (e) {
      value = e;
      failed = true;
    }
    // The instance crashed meanwhile: this task's number now means nothing
    // (or another run's task) in the new one.
    if (currentGeneration() !== gen) {
      throw new InternalError('E_INTERNAL', 'cascade-edge internal error: the engine was restarted while this call was in flight');
    }
    out = step(id, value, failed);
  }
  return out;
}
