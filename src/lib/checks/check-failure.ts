// A failed probe is stored as its code and detail (JSON in check_results.error),
// so staff read it in their own language and the alert says it in the site's.
import { t, type Locale } from '../i18n/messages';
import type { ProbeFailure } from './probe';

export function storedFailure(failure: ProbeFailure | null): string | null {
  return failure ? JSON.stringify(failure) : null;
}

function readFailure(stored: string): ProbeFailure | null {
  try {
    const value = JSON.parse(stored) as ProbeFailure;
    return typeof value === 'object' && value !== null && 'code' in value ? value : null;
  } catch {
    return null;
  }
}

/** What failed, in plain words; a stored text this version does not know is shown as it is. */
export function describeFailure(locale: Locale, stored: string | null): string {
  if (stored === null) return '';
  const f = readFailure(stored);
  if (!f) return stored;
  switch (f.code) {
    case 'status':
      return t(locale, 'checks.failure.status', { status: f.status, expected: f.expected });
    case 'keyword':
      return t(locale, 'checks.failure.keyword', { keyword: f.keyword });
    case 'timeout':
      return t(locale, 'checks.failure.timeout', { seconds: f.seconds });
    case 'refused':
      return t(locale, 'checks.failure.refused');
    case 'dns':
      return t(locale, 'checks.failure.dns', { host: f.host });
    case 'tls':
      return t(locale, 'checks.failure.tls', { reason: f.reason });
    case 'network':
      return t(locale, 'checks.failure.network', { reason: f.reason });
  }
}
