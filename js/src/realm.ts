/**
 * For the edge entries (`edge.ts`, `proxy-edge.ts`):
 * `next dev`, `next start` and `vercel dev` run edge code in a Node `vm`
 * sandbox and compile `?module` imports outside it, so the Module belongs to
 * another realm: wasm-bindgen's `instanceof WebAssembly.Module` fails and it
 * would try to compile the Module as if it were bytes, which the sandbox
 * forbids. A Module works from any realm of its isolate, so re-parent it.
 */
export function ownRealm(m: WebAssembly.Module): WebAssembly.Module {
  if (m instanceof WebAssembly.Module) return m;
  if (Object.prototype.toString.call(m) === '[object WebAssembly.Module]') {
    return Object.setPrototypeOf(m, WebAssembly.Module.prototype) as WebAssembly.Module;
  }
  throw new TypeError(
    'cascade-edge: the "?module" import of cascade_edge_bg.wasm did not give a WebAssembly.Module; ' +
      'bundle for the edge with a tool that supports it (Next.js, `vercel build`), or use the "workerd" or "node" entry',
  );
}
