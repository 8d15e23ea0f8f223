import type { ComponentStatus, IncidentStatus } from '../status/vocabulary';

export interface TimelineText {
  day: 18 | 19;
  hour: number;
  minute: number;
  status: Exclude<IncidentStatus, 'postmortem'>;
  /** New status of the web app, API and mobile apps, when this entry changed it. */
  components?: ComponentStatus;
  body: string;
}

/**
 * The June 18, 2018 renewal outage, retold for the demo. Times are Japan
 * Standard Time; the entries were written afterwards, so each carries the time
 * its event happened rather than the time it was typed.
 */
export const JUNE_18 = {
  /** Fixed ids, so the demo postmortem in content/postmortems can name them. */
  incidentId: 'jun18renewal',
  maintenanceId: 'jun17mainten',
  name: 'Service unavailable after the renewal release',
  maintenance: {
    name: 'Renewal release: planned maintenance',
    announcement:
      'We will release the renewed app, with a new design and new features, during the quietest hours of the week. The service is closed for the whole window; boards and cards are kept as they are.',
    started: 'Maintenance mode is on and the renewal work has begun.',
    completed: 'The renewal work finished on schedule and the service reopened at 06:00 with the new version.',
  },
  timeline: [
    { day: 18, hour: 7, minute: 0, status: 'investigating', components: 'degraded_performance', body: 'As Monday-morning traffic grew after the renewal release, pages and the apps began to respond slowly.' },
    { day: 18, hour: 8, minute: 0, status: 'investigating', components: 'major_outage', body: 'The service stopped responding. The web app and the mobile apps could not be reached.' },
    { day: 18, hour: 9, minute: 0, status: 'investigating', body: 'We saw an unusually large volume of network traffic and started investigating where it came from.' },
    { day: 18, hour: 10, minute: 0, status: 'identified', body: 'We traced the flood of requests to one part of the new application code.' },
    { day: 18, hour: 11, minute: 0, status: 'identified', body: 'We put the service back into maintenance mode so we could investigate without live traffic.' },
    { day: 18, hour: 11, minute: 30, status: 'identified', body: 'A code fix for the request flood is being written.' },
    { day: 18, hour: 14, minute: 0, status: 'identified', body: 'Testing of the fix has started.' },
    { day: 18, hour: 16, minute: 0, status: 'identified', body: 'The fix works on the test server.' },
    { day: 18, hour: 17, minute: 0, status: 'monitoring', components: 'operational', body: 'The fix is deployed to production and the service is open again. We are watching it closely.' },
    { day: 18, hour: 17, minute: 30, status: 'investigating', components: 'major_outage', body: 'The service became unreachable again shortly after reopening.' },
    { day: 18, hour: 18, minute: 0, status: 'investigating', body: 'The service is back in maintenance mode while we keep investigating.' },
    { day: 18, hour: 18, minute: 10, status: 'investigating', body: 'Server metrics show a very heavy load on the cache server.' },
    { day: 18, hour: 22, minute: 30, status: 'investigating', body: 'We are still investigating; the cause of the cache server load has not been found yet.' },
    { day: 18, hour: 23, minute: 0, status: 'identified', body: 'We have decided to return to the version from before the renewal. The rollback has started.' },
    { day: 19, hour: 1, minute: 40, status: 'resolved', components: 'operational', body: 'The rollback is released and the service can be used again. We are sorry for the long interruption; a full report with the cause, what we are changing and compensation for paid plans will follow.' },
  ] satisfies TimelineText[] as TimelineText[],
};
