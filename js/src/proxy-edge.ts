/** `cascade-edge/proxy` on edge: the runtime's engine loader, then the proxy. */
import './edge.js';

export * from './proxy/index.js';
