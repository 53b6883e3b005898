/**
 * The loop that runs an engine task (src/wasm/driver.rs): each step runs
 * the Rust future until it needs a promise; we await it here and hand the
 * outcome back. The task ends with a string (the answer as JSON) or throws
 * the engine's error.
 */

/** The engine's `stepTask`. */
export type StepTask = (id: number, value: unknown, failed: boolean) => unknown;

export async function drive(step: StepTask, id: number): Promise<string> {
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
    out = step(id, value, failed);
  }
  return out;
}
