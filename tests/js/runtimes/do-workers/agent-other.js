// A second agent Worker, bound to the first one's Durable Object by script name.
export { default } from './agent-handler.js';
