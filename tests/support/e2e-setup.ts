import buildOnce from './build-once';
import { chromiumPath, NO_CHROMIUM } from './chromium';

/**
 * Before the browser tier: a browser to drive and a build of the current
 * sources. Each test file then starts its own server on a fresh database.
 */
export default function setup(): void {
  if (!chromiumPath()) throw new Error(NO_CHROMIUM);
  buildOnce();
}
