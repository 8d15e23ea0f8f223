import { buildIfStale } from '../../scripts/build-if-stale.mjs';

/** Integration and browser tests run against the built site, as production does. */
export default function setup(): void {
  buildIfStale(process.cwd(), (line) => console.log(line));
}
