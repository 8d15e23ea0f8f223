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
}
