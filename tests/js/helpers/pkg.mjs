// The package under test, loaded the way Node would load it for a user: through
// the "node" condition of pkg/package.json's exports map (not a hard-coded file),
// so a broken exports map fails every test file.
import { readFileSync } from 'node:fs';

const pkgDir = new URL('../../../pkg/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', pkgDir), 'utf8'));
const entry = manifest.exports?.['.']?.node;
if (typeof entry !== 'string') {
  throw new Error('pkg/package.json has no exports["."].node entry; run `bash scripts/build.sh` first');
}

export const pkg = await import(new URL(entry, pkgDir).href);

export const {
  CascadeAgent,
  CascadeStream,
  scoreDraft,
  ready,
  registerProvider,
  CascadeError,
  ConfigError,
  ProviderError,
  AuthError,
  RateLimitError,
  TransportError,
  CascadeAbortError,
  CascadeTimeoutError,
  StreamError,
  AllModelsFailedError,
  CustomProviderError,
} = pkg;
