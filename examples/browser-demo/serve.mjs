// Serve the demo page, with the package under /vendor/cascade-edge/.
//   npm install cascade-edge && node serve.mjs      ->  http://127.0.0.1:8787/
// Any static server works the same way; the .wasm must be served as
// `application/wasm` to be compiled while it downloads.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const DEMO_DIR = path.dirname(fileURLToPath(import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Start the server; resolves to `{ url, close() }`. */
export async function serveDemo({ port = 8787, host = '127.0.0.1', packageDir } = {}) {
  const pkgRoot = packageDir ?? path.dirname(createRequire(import.meta.url).resolve('cascade-edge/package.json'));
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const [root, rel] = pathname.startsWith('/vendor/cascade-edge/')
      ? [pkgRoot, pathname.slice('/vendor/cascade-edge/'.length)]
      : [DEMO_DIR, pathname === '/' ? 'index.html' : pathname.slice(1)];
    const file = path.resolve(root, decodeURIComponent(rel));
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(path.resolve(root) + path.sep) || !type || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    url: `http://${host}:${server.address().port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  };
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await serveDemo({ port: Number(process.argv[2] ?? 8787) });
  console.log(`cascade-edge demo: ${url}`);
}
