/** `cascade-edge/proxy` on node: the runtime's engine loader, then the proxy. */
import './node.js';

export * from './proxy/index.js';
