// A throwaway consumer project outside the repo whose node_modules holds the
// built package, the way `npm install ./pkg` (a link) would leave it, so that
// Node, esbuild and browsers resolve `cascade-edge` through its package.json
// `exports`, never through a path picked into dist/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PKG = path.join(ROOT, 'pkg');

export function assertBuilt() {
  for (const f of ['package.json', 'dist/index.d.ts', 'dist/wasm/cascade_edge_bg.wasm']) {
    if (!fs.existsSync(path.join(PKG, f))) throw new Error(`pkg/${f} is missing: run \`bash scripts/build.sh\` first`);
  }
}

/** A fresh temp dir with node_modules/cascade-edge -> pkg/. Call `cleanup()` when done. */
export function consumerProject(prefix = 'cascade-edge-consumer-') {
  assertBuilt();
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(PKG, path.join(dir, 'node_modules', 'cascade-edge'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
