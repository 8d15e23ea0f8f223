// Follow-ups are due on a calendar day in the page's zone: one is overdue from
// the start of the next day there, while it is still planned or in progress.
// Pure: no database, no framework.
import { localDateKey, zonedTimeToUtc } from '../time';
import { FOLLOW_UP_STATUSES } from '../../../db/vocabulary';

export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];
export { FOLLOW_UP_STATUSES };

/** Done and dropped follow-ups are closed: nothing more is owed on them. */
export function isClosedFollowUp(status: FollowUpStatus): boolean {
  return status === 'done' || status === 'dropped';
}

/** The instant a due day (YYYY-MM-DD) has passed in the zone: midnight at the start of the next day. */
function dueDayPassesAt(dueOn: string, timeZone: string): number {
  const [y, m, d] = dueOn.split('-').map(Number) as [number, number, number];
  return zonedTimeToUtc(y, m, d + 1, 0, 0, timeZone);
}

export function isOverdue(followUp: { status: FollowUpStatus; dueOn: string }, now: number, timeZone: string): boolean {
  return !isClosedFollowUp(followUp.status) && now >= dueDayPassesAt(followUp.dueOn, timeZone);
}

/** Today in the zone, as a due or closing day is written. */
export function todayIn(now: number, timeZone: string): string {
  return localDateKey(now, timeZone);
}

/** A calendar day as people read it, at noon so no zone moves it to the day before or after. */
export function dayInstant(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d, 12);
}
