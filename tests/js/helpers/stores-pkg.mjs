// `cascade-edge/stores` as Node resolves it for a user: through the
// "./stores" entry of pkg/package.json's exports map.
import { readFileSync } from 'node:fs';

const pkgDir = new URL('../../../pkg/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8'));
const entry = manifest.exports?.['./stores'];
const target = typeof entry === 'string' ? entry : (entry?.node ?? entry?.import ?? entry?.default);
if (typeof target !== 'string') {
  throw new Error('pkg/package.json has no exports["./stores"] entry for Node; run `bash scripts/build.sh` first');
}

export const stores = await import(new URL(target, pkgDir).href);
export const { MemoryStore, RedisStore, UpstashStore, DurableObjectStore, CascadeStateObject, StoreError } = stores;
