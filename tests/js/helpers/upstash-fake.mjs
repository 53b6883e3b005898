// Our own stand-in for Upstash's REST API, on 127.0.0.1, in front of a real
// redis-server: a POST to / with a JSON array ["CMD", "arg", ...] and
// `Authorization: Bearer <token>` runs that command; the answer is
// {"result": ...} (200), or {"error": "..."} with 400 for a Redis error and
// 401 for a missing or wrong token, as Upstash documents. `commands()` lists
// the command names received, to check what a store sent.
import http from 'node:http';
import { createClient } from 'redis';

export async function startUpstashFake({ redisUrl, token }) {
  const client = await createClient({ url: redisUrl }).connect();
  const journal = [];
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'Unauthorized' });
    if (req.method !== 'POST' || req.url !== '/') return send(res, 405, { error: 'Method Not Allowed' });
    let args;
    try {
      args = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: 'ERR failed to parse command' });
    }
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string' || typeof a === 'number')) {
      return send(res, 400, { error: 'ERR failed to parse command' });
    }
    journal.push(String(args[0]).toUpperCase());
    try {
      send(res, 200, { result: await client.sendCommand(args.map(String)) });
    } catch (err) {
      send(res, 400, { error: err.message });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    commands: () => journal.slice(),
    clear: () => void (journal.length = 0),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      client.destroy();
    },
  };
}
