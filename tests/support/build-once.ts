import { buildIfStale } from '../../src/cli/build-if-stale';

/** Integration and browser tests run against the built site, as production does. */
export default function setup(): void {
  buildIfStale(process.cwd(), (line) => console.log(line));
}
