// A reader herd in a process of its own (see startHerd's ownProcess): reads
// until the parent says 'stop', then sends back what the readers saw.
import { startHerd } from './support';

const [connections, ...urls] = process.argv.slice(2);
const herd = startHerd(urls, Number(connections));
process.once('message', () => {
  void herd.stop().then((results) => process.send!(results, () => process.exit(0)));
});
