/**
 * What DurableObjectStore and CascadeStateObject say to each other: one
 * POST per call to `<ORIGIN>/<op>`, a JSON body of the call's arguments, and
 * a JSON answer `{"result": ...}` (200) or `{"error": "..."}` (400 for a bad
 * call, 500 for a storage failure).
 *
 * The transport is the object's `fetch`, not JS RPC, on purpose: RPC needs
 * the class to extend `DurableObject` from `cloudflare:workers`, a module
 * only Workers can import, which would split the stores entry by runtime and
 * break bundling it for Node, Vercel Edge or browsers; fetch works with a
 * plain class and any compatibility date. The cost, one JSON encoding per
 * call, is small against the few calls an attempt makes.
 */
export const ORIGIN = 'https://cascade-state.internal';

export const OPS = ['reserve', 'settle', 'read', 'get', 'compareAndSet'] as const;
export type Op = (typeof OPS)[number];

export function isOp(s: string): s is Op {
  return (OPS as readonly string[]).includes(s);
}
