/**
 * Ready-made cascades from the seeds. Use one as
 * `new CascadeAgent({ preset: PRESET_BALANCED })`; keys come from the
 * environment (or `env`) as for any model. Prices come from the built-in table.
 */
import type { ModelConfig, QualityOptions } from './types.js';

export interface Preset {
  readonly name: string;
  readonly models: readonly Readonly<ModelConfig>[];
  readonly quality?: QualityOptions;
}

/** gpt-4o-mini drafts, gpt-4o verifies: fastest round trips on one key. */
export const PRESET_ULTRA_FAST: Preset = Object.freeze({
  name: 'ultra-fast',
  models: Object.freeze([
    Object.freeze({ name: 'gpt-4o-mini', provider: 'openai' }),
    Object.freeze({ name: 'gpt-4o', provider: 'openai' }),
  ]),
});

/** Claude Haiku drafts, Claude Sonnet verifies. */
export const PRESET_BALANCED: Preset = Object.freeze({
  name: 'balanced',
  models: Object.freeze([
    Object.freeze({ name: 'claude-3-5-haiku-latest', provider: 'anthropic' }),
    Object.freeze({ name: 'claude-sonnet-4-20250514', provider: 'anthropic' }),
  ]),
});

/** A Groq-hosted Llama drafts for pennies, gpt-4o verifies; judged leniently. */
export const PRESET_COST_OPTIMIZED: Preset = Object.freeze({
  name: 'cost-optimized',
  models: Object.freeze([
    Object.freeze({ name: 'llama-3.1-8b-instant', provider: 'groq' }),
    Object.freeze({ name: 'gpt-4o', provider: 'openai' }),
  ]),
  quality: Object.freeze({ preset: 'cost-optimized' as const }),
});

export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  'ultra-fast': PRESET_ULTRA_FAST,
  balanced: PRESET_BALANCED,
  'cost-optimized': PRESET_COST_OPTIMIZED,
});
