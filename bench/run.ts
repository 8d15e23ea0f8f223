// `npm run bench [-- pages|history|fanout|herd|alerts|edge|writes]`: measurements, never pass/fail assertions.
import { benchPages } from './pages';
import { benchHistory } from './history';
import { benchFanout } from './fanout';
import { benchHerd } from './herd';
import { benchAlerts } from './alerts';
import { benchEdge } from './edge';
import { benchWrites } from './writes';

const which = process.argv[2] ?? 'pages';
const benches: Record<string, () => Promise<void>> = {
  pages: benchPages,
  history: benchHistory,
  fanout: benchFanout,
  herd: benchHerd,
  alerts: benchAlerts,
  edge: benchEdge,
  writes: benchWrites,
};
const run = benches[which];
if (!run) {
  console.error(`Unknown benchmark "${which}". Choose one of: ${Object.keys(benches).join(', ')}.`);
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
