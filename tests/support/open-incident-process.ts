// Opens an incident from a separate process, as the CLI or a second worker would.
import { openDatabase } from '../../db/open';
import { openIncident } from '../../src/lib/incidents/open-incident';

const [databasePath, name] = process.argv.slice(2);
const db = openDatabase(databasePath!);
const { incidentId } = openIncident(db, { name: name!, status: 'investigating', body: 'Opened from another process.' }, { now: Date.now() });
db.$client.close();
console.log(incidentId);
