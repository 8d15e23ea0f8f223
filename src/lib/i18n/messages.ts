// Interface strings. Templates ask for a key; the catalog says it in the
// reader's language. `{name}` placeholders are filled by `t`.

export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

const en = {
  'site.skipToContent': 'Skip to content',
  'nav.status': 'Current status',
  'nav.history': 'Incident history',
  'footer.timeZone': 'Times are shown in {zone} ({abbr}).',
  'footer.poweredBy': 'Powered by Shirase',
  'banner.updated': 'Updated {time}',
  'components.heading': 'Components',
  'components.ungrouped': 'Other services',
  'uptime.heading': 'Uptime over the last {days} days',
  'uptime.overall': '{percent} uptime',
  'uptime.noData': 'No data',
  'uptime.daysAgo': '{days} days ago',
  'uptime.today': 'Today',
  'uptime.cell': '{date}: {percent} uptime',
  'uptime.cellNoData': '{date}: no data',
  'uptime.cellIncidents': 'Incidents: {names}',
  'uptime.cellMaintenance': 'Maintenance: {duration}',
  'uptime.formula':
    'How uptime is counted: time in major outage counts fully as down, partial outage counts 30 % as down, degraded performance does not count as down, and maintenance is left out of the measured time.',
  'incidents.active': 'Active incidents',
  'incidents.recent': 'Past incidents',
  'incidents.noneOnDay': 'No incidents reported.',
  'incidents.viewHistory': 'Incident history',
  'maintenance.active': 'Maintenance in progress',
  'maintenance.upcoming': 'Scheduled maintenance',
  'maintenance.window': 'Scheduled for {start} to {end}',
  'incident.affects': 'Affected components',
  'incident.noComponents': 'No components were marked as affected.',
  'incident.impact': 'Impact',
  'incident.started': 'Started',
  'incident.resolved': 'Resolved',
  'incident.ongoing': 'Ongoing',
  'incident.duration': 'Duration',
  'incident.durationSoFar': 'Duration so far',
  'incident.timeline': 'Timeline',
  'incident.backfilled': 'This timeline was written after the event; each entry carries the time its event happened.',
  'incident.statusLabel': 'Status',
  'incident.changes': 'Component changes',
  'incident.change': '{name}: {from} → {to}',
  'incident.window': 'Window',
  'incident.kind.maintenance': 'Maintenance',
  'incident.kind.incident': 'Incident',
  'incident.back': 'Back to current status',
  'history.heading': 'Incident history',
  'history.empty': 'No incidents or maintenance have been recorded.',
  'history.emptyPage': 'There is nothing on this page.',
  'history.firstPage': 'Go to the newest incidents',
  'history.newer': 'Newer',
  'history.older': 'Older',
  'history.page': 'Page {page} of {count}',
  'notFound.title': 'Page not found',
  'notFound.body': 'There is no page at this address. It may have been mistyped, or the incident it pointed to no longer exists.',
  'notFound.back': 'Go to the current status',
  'status.component.operational': 'Operational',
  'status.component.degraded_performance': 'Degraded performance',
  'status.component.partial_outage': 'Partial outage',
  'status.component.major_outage': 'Major outage',
  'status.component.under_maintenance': 'Under maintenance',
  'status.update.investigating': 'Investigating',
  'status.update.identified': 'Identified',
  'status.update.monitoring': 'Monitoring',
  'status.update.resolved': 'Resolved',
  'status.update.postmortem': 'Postmortem',
  'status.update.scheduled': 'Scheduled',
  'status.update.in_progress': 'In progress',
  'status.update.verifying': 'Verifying',
  'status.update.completed': 'Completed',
  'impact.none': 'No impact',
  'impact.minor': 'Minor',
  'impact.major': 'Major',
  'impact.critical': 'Critical',
  'impact.maintenance': 'Maintenance',
  'page.All Systems Operational': 'All Systems Operational',
  'page.Partially Degraded Service': 'Partially Degraded Service',
  'page.Degraded System Service': 'Degraded System Service',
  'page.Minor Service Outage': 'Minor Service Outage',
  'page.Partial System Outage': 'Partial System Outage',
  'page.Major System Outage': 'Major System Outage',
  'page.Service Under Maintenance': 'Service Under Maintenance',
} as const;

export type MessageKey = keyof typeof en;

const catalogs: Record<Locale, Partial<Record<MessageKey, string>>> = { en, ja: {} };

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The message for `key` in `locale`, falling back to English, with `{placeholders}` filled. */
export function t(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = catalogs[locale][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function messageKeys(): MessageKey[] {
  return Object.keys(en) as MessageKey[];
}
