/**
 * The loop that runs an engine task (src/wasm/driver.rs): each `step` runs
 * the Rust future until it needs a promise; we await it here and hand the
 * outcome back. The task ends with a string (the answer as JSON) or throws
 * the engine's error.
 */

export interface EngineTask {
  step(value: unknown, failed: boolean): unknown;
  free(): void;
}

export async function drive(task: EngineTask): Promise<string> {
  try {
    let out = task.step(undefined, false);
    while (typeof out !== 'string') {
      let value: unknown;
      let failed = false;
      try {
        value = await out;
      } catch (e) {
        value = e;
        failed = true;
      }
      out = task.step(value, failed);
    }
    return out;
  } finally {
    task.free();
  }
}
