/** The routing proxy: `cascade-edge/proxy`, apart from the core entry so the core bundle does not carry it. */
export { createProxy, type ProxyConfig, type ProxyHandler, type RequestLog, type Decision } from './handler.js';
export type { RouteConfig, ProviderSettings } from './routes.js';
export type { ProxyKey } from './auth.js';
export type { StickyOptions } from './sessions.js';
