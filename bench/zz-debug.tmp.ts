import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { createApiToken } from '../src/lib/auth/create-api-token';
import { startServer } from '../bench/support';
const db = openDatabase('/tmp/wb/b.db'); migrateDatabase(db); seedDemo(db, Date.now(), 'Asia/Tokyo');
const { incidentId } = openIncident(db, { name: 'B', status: 'investigating', body: 'x' }, { now: Date.now() });
const { token } = createApiToken(db, { name: 'w', scopes: ['incidents'] }, { now: Date.now() });
db.$client.close();
const server = await startServer('/tmp/wb/b.db', { SEED_DEMO: 'never' });
for (let i = 0; i < 40; i++) {
  const t = performance.now();
  const res = await fetch(`${server.url}/api/v1/incidents/${incidentId}/updates`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'identified', body: `u ${i}`, notify: false }) });
  await res.arrayBuffer();
  console.log('write', res.status, (performance.now() - t).toFixed(1));
}
await server.stop();
