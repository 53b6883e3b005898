// The agent Worker that also defines the Durable Object.
export { CascadeStateObject } from 'cascade-edge/stores';
export { default } from './agent-handler.js';
