import { diffWords } from 'diff';

/** One field an entry changed, as a person reads it: the text before and after, or the words that differ. */
export interface AuditChange {
  field: string;
  before: string | null;
  after: string | null;
  /** Whether the entry changed a value (both sides known), rather than creating or removing the thing. */
  changed: boolean;
  /** For two texts: the words in order, each kept, removed or added. */
  words?: { text: string; change: 'same' | 'removed' | 'added' }[];
}

// Bookkeeping every row carries: showing it would hide the change people look for.
const NOISE = new Set(['id', 'version', 'createdAt', 'updatedAt', 'seq', 'passwordHash', 'tokenHash', 'totpSecret']);

function parse(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { value: json };
  }
}

/** Stored rows keep nested values (translations) as JSON text; the verbs' input has them as objects. One spelling for comparing. */
function normalize(value: unknown): unknown {
  if (typeof value === 'string' && /^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

export interface ShowValues {
  /** A time, in the page's zone. */
  time: (ms: number) => string;
  /** A component's or group's name for its id, when it has one. */
  nameOf: (id: string) => string | undefined;
}

/** Plain text for a value: times in the page's zone, components by name, lists and objects compactly. */
function show(field: string, value: unknown, values: ShowValues): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && isInstant(field, value)) return values.time(value);
  if (field === 'groupId' && typeof value === 'string') return values.nameOf(value) ?? value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((id: string) => values.nameOf(id) ?? id).join(', ');
  // An incident's affected components: [{ componentId, status }].
  if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && 'componentId' in v)) {
    return value
      .map((v: { componentId: string; status?: string }) => `${values.nameOf(v.componentId) ?? v.componentId}${v.status ? `: ${v.status}` : ''}`)
      .join(', ');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Anything else as words: `ja: name “…”; body “…”`, never raw JSON.
  if (Array.isArray(value)) return value.map((v, i) => show(`${field}.${i}`, v, values) ?? '').join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([key, v]) => [key, show(key, normalize(v), values)] as const)
    .filter(([, shown]) => shown !== null)
    .map(([key, shown]) => `${key}: ${shown}`)
    .join('; ');
}

/** A stored instant: a time-named field holding milliseconds between 2000 and 2100. */
function isInstant(field: string, value: number): boolean {
  return /(At|For|Until|Since|Time|^at|^since|^until)$/.test(field) && value > 946_684_800_000 && value < 4_102_444_800_000;
}

/**
 * The fields an audit entry changed. With both sides, only the fields the
 * change named whose value differs (`before` is often the whole row); a
 * creation lists what it set, a removal what was there.
 */
export function auditChanges(beforeJson: string | null, afterJson: string | null, values: ShowValues): AuditChange[] {
  const before = parse(beforeJson);
  const after = parse(afterJson);
  const fields = after ? Object.keys(after) : before ? Object.keys(before) : [];
  const changes: AuditChange[] = [];
  for (const field of fields) {
    if (NOISE.has(field)) continue;
    const b = before ? normalize(before[field]) : undefined;
    const a = after ? normalize(after[field]) : undefined;
    if (before && after && JSON.stringify(b) === JSON.stringify(a)) continue;
    const shownBefore = show(field, b, values);
    const shownAfter = show(field, a, values);
    if (shownBefore === null && shownAfter === null) continue;
    const change: AuditChange = { field, before: shownBefore, after: shownAfter, changed: before !== null && after !== null };
    if (typeof b === 'string' && typeof a === 'string') {
      change.words = diffWords(b, a).map((part) => ({ text: part.value, change: part.added ? 'added' : part.removed ? 'removed' : 'same' }));
    }
    changes.push(change);
  }
  return changes;
}
