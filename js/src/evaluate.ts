/**
 * Offline evaluation and calibration of the judge on labelled drafts. The
 * engine does the work (judging, metrics, the threshold search); this side
 * only checks the shape of what it is given and moves it across as JSON.
 */
import { ConfigError, fromEngine } from './errors.js';
import { engineSync } from './runtime.js';
import { toJson } from './json.js';
import type {
  CalibrateOptions,
  Calibration,
  CascadeEvaluation,
  EvaluateOptions,
  LabelledRecord,
} from './types.js';

/**
 * The judge as a router on labelled records, with no model call: CPT(50%),
 * CPT(80%) and APGR for the ranking `1 - score`, and what the judge's own
 * accept/escalate decision reaches and costs per query.
 * Synchronous once the engine is loaded; in browsers, `await ready()` first.
 */
export function evaluateCascade(
  records: Iterable<LabelledRecord> | ArrayLike<LabelledRecord>,
  options: EvaluateOptions = {},
): CascadeEvaluation {
  return onRecords('evaluateCascade', records, options);
}

/**
 * Thresholds that reach `targetQuality` (default 0.95) of verifier-only
 * quality while escalating the fewest drafts: one for every query, and
 * per complexity where there are enough records. Pass `result.quality` to
 * `new CascadeAgent({ quality })`.
 */
export function calibrate(
  records: Iterable<LabelledRecord> | ArrayLike<LabelledRecord>,
  options: CalibrateOptions = {},
): Calibration {
  return onRecords('calibrate', records, options);
}

/** Check the input, run the engine's `fn` on it, and read its JSON answer. */
function onRecords<T>(
  fn: 'evaluateCascade' | 'calibrate',
  records: Iterable<LabelledRecord> | ArrayLike<LabelledRecord>,
  options: unknown,
): T {
  const eng = engineSync();
  if (!eng) throw new ConfigError('E_CONFIG', `the engine is still loading; await ready() before ${fn}`);
  const [r, o] = [recordsJson(records, fn), optionsJson(options, fn)];
  try {
    return JSON.parse(eng[fn](r, o));
  } catch (e) {
    throw fromEngine(e);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function recordsJson(records: unknown, fn: string): string {
  let list: unknown[];
  if (Array.isArray(records)) list = records;
  else if (records && typeof records === 'object' && (Symbol.iterator in records || 'length' in records)) {
    list = Array.from(records as Iterable<unknown>);
  } else {
    throw new ConfigError(
      'E_CONFIG',
      `${fn}: records: expected an array of {query, draft, draft_correct, verifier_correct}, got ${describe(records)}`,
    );
  }
  if (list.length === 0) throw new ConfigError('E_CONFIG', `${fn}: records: expected at least one record, got none`);
  list.forEach((r, i) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) {
      throw new ConfigError('E_CONFIG', `${fn}: records[${i}]: expected an object, got ${describe(r)}`);
    }
  });
  return toJson(list, `${fn}: records`);
}

function optionsJson(options: unknown, fn: string): string {
  if (options === undefined || options === null) return '{}';
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('E_CONFIG', `${fn}: options: expected an object, got ${describe(options)}`);
  }
  return toJson(options, `${fn}: options`);
}


