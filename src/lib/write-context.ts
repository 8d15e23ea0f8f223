import type { SiteForText } from './templates/fill-published';

/** Who is writing: a signed-in person, an API token, or Shirase itself (seeding, timers). */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  id: string | null;
  label: string;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, label: 'Shirase' };

export interface WriteContext {
  now: number;
  actor?: Actor;
  /**
   * The site's zone and language, for what a write fills into published text
   * (template variables). Pages and the API pass the site's; without it the
   * settings staff saved are read, else UTC and English.
   */
  site?: SiteForText;
}
