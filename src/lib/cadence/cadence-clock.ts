// The clocks staff watch during an incident: how long impact has lasted, how
// long customers have gone without a public update, and whether that silence
// has outrun the incident's update cadence. Pure: no database, no framework.

export const MIN_CADENCE_MINUTES = 5;
export const MAX_CADENCE_MINUTES = 1_440;

export interface CadenceClock {
  /** When impact began (the declared start, else the first update). */
  impactBeganAt: number;
  /** The display time of the latest update: when customers last heard from us. */
  lastPublicUpdateAt: number;
  cadenceMinutes: number;
  /** When the next public update is due. */
  dueAt: number;
  sinceImpactMs: number;
  sinceUpdateMs: number;
  /** True once `dueAt` has passed with no newer update. */
  overdue: boolean;
  /** How long past `dueAt` it is (0 while not overdue). */
  overdueByMs: number;
}

function cadenceClock(input: { impactBeganAt: number; lastPublicUpdateAt: number; cadenceMinutes: number }, now: number): CadenceClock {
  const dueAt = input.lastPublicUpdateAt + input.cadenceMinutes * 60_000;
  return {
    ...input,
    dueAt,
    sinceImpactMs: Math.max(0, now - input.impactBeganAt),
    sinceUpdateMs: Math.max(0, now - input.lastPublicUpdateAt),
    overdue: now >= dueAt,
    overdueByMs: Math.max(0, now - dueAt),
  };
}

/** The clock of an incident as the views load it: impact began at its start, customers last heard at its latest update. */
export function incidentCadenceClock(
  incident: { startedAt: number; updates: readonly { displayAt: number }[] },
  cadenceMinutes: number,
  now: number,
): CadenceClock {
  const lastPublicUpdateAt = Math.max(incident.startedAt, ...incident.updates.map((u) => u.displayAt));
  return cadenceClock({ impactBeganAt: incident.startedAt, lastPublicUpdateAt, cadenceMinutes }, now);
}
