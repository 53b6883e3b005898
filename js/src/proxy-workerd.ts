/** `cascade-edge/proxy` on workerd: the runtime's engine loader, then the proxy. */
import './workerd.js';

export * from './proxy/index.js';
