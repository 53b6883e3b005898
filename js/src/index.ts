/** Everything the package exports, whichever runtime entry loaded it. */
export { CascadeAgent, scoreDraft, ready } from './agent.js';
export { evaluateCascade, calibrate } from './evaluate.js';
export { testConnection, validateApiKey } from './probe.js';
export { CascadeStream } from './stream.js';
export { initCascade, type WasmSource } from './wasm-source.js';
export { registerProvider } from './custom.js';
export { PRESET_ULTRA_FAST, PRESET_BALANCED, PRESET_COST_OPTIMIZED, PRESETS, type Preset } from './presets.js';
export * from './errors.js';
export type { CascadeStore, StoreReservation, StoreSettlement, StoreCounter, StoreRecord } from './store.js';
export type * from './types.js';
export type { CascadeLogger } from './log.js';
