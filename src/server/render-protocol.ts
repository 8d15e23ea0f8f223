import type { Config } from '../lib/config';

/** What the render thread is started with. */
export interface RenderWorkerData {
  databasePath: string;
  config: Config;
  distDir: string;
  renderKey: string;
}

/** Carries the per-process key; the render thread answers nobody without it. */
export const RENDER_HEADER = 'x-shirase-render';
/** The address of the client a relayed request came from, as the serving thread saw it. */
export const CLIENT_ADDRESS_HEADER = 'x-shirase-client-address';
/** The main thread's clock at the moment it asked, so tests with a fixed clock render consistently. */
export const NOW_HEADER = 'x-shirase-now';
/** The live-update version a public page is rendered for, which the page names so that open copies know what they show. */
export const LIVE_VERSION_HEADER = 'x-shirase-live-version';
