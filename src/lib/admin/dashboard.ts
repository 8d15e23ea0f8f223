import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { loadIncidents } from '../incidents/load-incidents';
import { isClosedStatus, OPEN_MAINTENANCE_STATUSES, UNRESOLVED_INCIDENT_STATUSES } from '../status/vocabulary';
import { incidentCadenceClock } from '../cadence/cadence-clock';
import { deliveryReport, failingWebhooks } from '../notifications/manage-recipients';
import { STAFF_EVENT_KINDS } from '../notifications/enqueue-staff';
import { listRules } from '../alerts/rule';
import { autonomousRules } from '../alerts/rule-autonomy';
import { overdueFollowUps } from '../followups/load-follow-ups';
import { loadPostmortems, type PostmortemSources } from '../postmortems/load-postmortems';

const UPCOMING_MS = 7 * 24 * 3_600_000;
const LATEST_NOTIFICATIONS = 5;

/** Open incidents, each with its clocks: since impact began, since customers last heard from us, and against its cadence. */
function openIncidentsWithClocks(db: Db, now: number) {
  const open = loadIncidents(db, and(eq(incidents.kind, 'incident'), inArray(incidents.status, [...UNRESOLVED_INCIDENT_STATUSES])));
  if (open.length === 0) return [];
  const cadences = new Map(
    db
      .select({ id: incidents.id, minutes: incidents.updateCadenceMinutes })
      .from(incidents)
      .where(
        inArray(
          incidents.id,
          open.map((i) => i.id),
        ),
      )
      .all()
      .map((r) => [r.id, r.minutes]),
  );
  return open.map((incident) => ({ incident, clock: incidentCadenceClock(incident, cadences.get(incident.id)!, now) }));
}

/** Maintenance in progress, and windows that start within the next seven days, soonest first. */
function maintenanceSoon(db: Db, now: number) {
  return loadIncidents(db, and(eq(incidents.kind, 'maintenance'), inArray(incidents.status, [...OPEN_MAINTENANCE_STATUSES])))
    .filter((m) => m.status !== 'scheduled' || (m.scheduledFor ?? Infinity) <= now + UPCOMING_MS)
    .sort((a, b) => (a.scheduledFor ?? a.startedAt) - (b.scheduledFor ?? b.startedAt));
}

/**
 * What staff see first, answering "what is happening": open incidents with
 * their clocks, maintenance now and soon, how the latest notifications to
 * subscribers are being delivered, failing webhooks, the alert rules that
 * publish or notify with no person involved, postmortem follow-ups past
 * their due day, and the recently closed.
 * Addresses, webhook URLs and delivery errors are read only for a viewer who may read the recipients.
 */
export function buildDashboard(db: Db, now: number, viewer: { recipients: boolean }, site: { postmortems: PostmortemSources; timeZone: string }) {
  const recent = loadIncidents(db, undefined, { limit: 30 }).filter((i) => isClosedStatus(i.status));
  const deliveries = deliveryReport(db, LATEST_NOTIFICATIONS, { excludeKinds: STAFF_EVENT_KINDS }).map(({ failures, ...rest }) => ({
    ...rest,
    failures: viewer.recipients ? failures : [],
  }));
  return {
    openIncidents: openIncidentsWithClocks(db, now),
    maintenance: maintenanceSoon(db, now),
    deliveries,
    failingWebhooks: viewer.recipients ? failingWebhooks(db, now) : [],
    autonomousRules: autonomousRules(listRules(db)),
    overdueFollowUps: overdueFollowUps(db, loadPostmortems(site.postmortems), now, site.timeZone),
    recent,
  };
}

export type Dashboard = ReturnType<typeof buildDashboard>;
