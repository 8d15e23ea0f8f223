// `npm run bench [-- public|pages|history|fanout|herd|alerts|edge|writes]`: measurements, never pass/fail assertions.
import { benchPublic } from './public';
import { benchStatusPages } from './status-pages';
import { benchHistory } from './history';
import { benchFanout } from './fanout';
import { benchHerd } from './herd';
import { benchAlerts } from './alerts';
import { benchEdge } from './edge';
import { benchWrites } from './writes';

const which = process.argv[2] ?? 'public';
const benches: Record<string, () => Promise<void>> = {
  public: benchPublic,
  pages: benchStatusPages,
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
