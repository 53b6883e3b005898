// A second Worker, bound to the first one's Durable Objects by script name.
export { default } from './handler.js';
