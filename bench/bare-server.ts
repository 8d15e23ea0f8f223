// The yardstick: plain node:http sending fixed bytes from memory, nothing else.
// Run as its own process so it gets a core of its own, as Shirase's server does.
// Usage: node --import tsx bench/bare-server.ts <manifest.json>
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const manifest = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, { file: string; headers: Record<string, string> }>;
const bodies = new Map(Object.entries(manifest).map(([path, e]) => [path, { body: readFileSync(e.file), headers: e.headers }]));
const server = createServer((req, res) => {
  const entry = bodies.get(req.url ?? '/');
  if (!entry) return res.writeHead(404).end();
  res.writeHead(200, entry.headers).end(entry.body);
});
server.listen(0, '127.0.0.1', () => console.log(`bare server at http://127.0.0.1:${(server.address() as AddressInfo).port}`));
