// Moving in from Atlassian Statuspage (or anything speaking its API): read
// the whole page first, check every document's shape, then write it in one
// transaction as back-dated history that notifies nobody. The source ids are
// kept in imported_records, so a second run updates what changed and adds
// nothing twice.
import { and, desc, eq, isNull, lte } from 'drizzle-orm';
import { defaultPageId } from '../pages/default-page';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { componentGroups, componentStatusChanges, components, importedRecords, incidentUpdates, incidents, subscribers } from '../../../db/schema';
import { isPublicId, newPublicId } from '../ids';
import { ShiraseError, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { enqueueEvent } from '../notifications/enqueue';
import { guardedLookup, isBlockedAddress, literalHostAllowed } from '../notifications/webhook-request';
import { createComponent } from '../components/create-component';
import { createComponentGroup } from '../components/create-component-group';
import { componentStatusAt, insertUpdate, linkComponents, recordStatusChanges, refreshIncident, type ComponentChange, type Tx } from '../incidents/log';
import {
  COMPONENT_STATUSES,
  IMPACTS,
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
  isClosedStatus,
  type ComponentStatus,
  type UpdateStatus,
} from '../status/vocabulary';
import { MAX_BODY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS } from '../validation';
import { hasControlCharacters, oneLine, withoutControlCharacters } from '../control-characters';
import type { Locale } from '../i18n/messages';
import type { WriteContext } from '../write-context';
import { trimTrailingSlashes } from '../text/trim-trailing';

/** No document of a status page comes near this; a larger answer is not one. */
const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;
/** v1 lists are read 100 at a time; this many pages (10,000 rows) is the most read of one list. */
const MAX_LIST_PAGES = 100;
const PER_PAGE = 100;
const DEFAULT_API_BASE = 'https://api.statuspage.io/v1';

// ---- What the source says, in Statuspage's shapes -------------------------------------------

const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time');
const optionalTime = time.nullish();

const componentDoc = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: z.enum(COMPONENT_STATUSES).nullish(),
  description: z.string().nullish(),
  position: z.number().nullish(),
  group_id: z.string().nullish(),
  group: z.boolean().nullish(),
  only_show_if_degraded: z.boolean().nullish(),
  created_at: optionalTime,
  updated_at: optionalTime,
  components: z.array(z.string()).nullish(),
});

const groupDoc = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  position: z.number().nullish(),
  components: z.array(z.string()).nullish(),
  created_at: optionalTime,
});

const updateDoc = z.object({
  id: z.string().min(1),
  status: z.enum([...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES]),
  body: z.string().nullish(),
  created_at: time,
  updated_at: optionalTime,
  display_at: optionalTime,
  affected_components: z.array(z.object({ code: z.string(), new_status: z.string(), old_status: z.string().nullish() })).nullish(),
});

const incidentDoc = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: z.enum([...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES]),
  impact: z.enum([...IMPACTS]).nullish(),
  created_at: time,
  updated_at: optionalTime,
  started_at: optionalTime,
  scheduled_for: optionalTime,
  scheduled_until: optionalTime,
  incident_updates: z.array(updateDoc),
  components: z.array(z.object({ id: z.string() })).nullish(),
  postmortem_body: z.string().nullish(),
  postmortem_published_at: optionalTime,
});

const pageDoc = z.object({ id: z.string(), name: z.string() });
const summaryDoc = z.object({ page: pageDoc, components: z.array(componentDoc) });
const incidentsDoc = z.object({ incidents: z.array(incidentDoc) });
const maintenancesDoc = z.object({ scheduled_maintenances: z.array(incidentDoc) });
const subscriberDoc = z.object({
  id: z.string().min(1),
  email: z.string().nullish(),
  components: z.array(z.union([z.string(), z.object({ id: z.string() })])).nullish(),
});

type IncidentDoc = z.infer<typeof incidentDoc>;

// ---- What is imported -----------------------------------------------------------------------

interface SourceGroup {
  id: string;
  name: string;
  description: string | null;
  createdAt: number | null;
}

interface SourceComponent {
  id: string;
  name: string;
  description: string | null;
  groupId: string | null;
  status: ComponentStatus;
  onlyShowIfDegraded: boolean;
  createdAt: number | null;
  updatedAt: number | null;
}

interface SourceUpdate {
  id: string;
  status: UpdateStatus;
  body: string;
  displayAt: number;
  createdAt: number;
  affected: { componentId: string; status: ComponentStatus }[];
}

interface SourceIncident {
  id: string;
  kind: 'incident' | 'maintenance';
  name: string;
  impact: (typeof IMPACTS)[number];
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  scheduledFor: number | null;
  scheduledUntil: number | null;
  componentIds: string[];
  updates: SourceUpdate[];
}

/**
 * Something the import changed or left out to hold to the limits every other
 * way in holds to: a text cut to its field's length, or an item refused
 * because its name has control characters in it (a name is one line).
 */
interface ImportAdjustment {
  kind: 'group' | 'component' | 'incident' | 'maintenance' | 'update' | 'subscriber';
  /** The item's id at the source. */
  id: string;
  /** Its name there, on one line and shortened, to find it by. */
  label: string;
  field: 'name' | 'description' | 'body' | 'email';
  action: 'cut' | 'refused';
}

/** The longest address a mailbox can have (RFC 5321). */
const MAX_EMAIL_CHARS = 254;

/** A whole page read from its source, checked, in the order it is shown there. */
export interface SourcePage {
  /** `statuspage:<page id>`: what imported_records are kept under. */
  key: string;
  name: string;
  groups: SourceGroup[];
  components: SourceComponent[];
  incidents: SourceIncident[];
  subscribers: { id: string; email: string; componentIds: string[] | null }[];
  /** What was cut or refused while reading, in the source's order. */
  adjustments?: ImportAdjustment[];
}

export type ImportProgress = (step: { phase: 'read' | 'write'; label: string; done: number; total: number }) => void;

export interface StatuspageSource {
  /** The public page (v2), as its readers know it: https://status.example.com */
  pageUrl?: string;
  /** The authenticated v1 API: the page's id and an API key. */
  apiKey?: string;
  pageId?: string;
  /** Where the v1 API answers (https://api.statuspage.io/v1); tests point it at loopback. */
  apiBase?: string;
  /**
   * Set when the server itself fetches for a person in the admin: only public
   * addresses are reached (private networks too when true, as with
   * WEBHOOK_ALLOW_PRIVATE), and redirects are not followed. The CLI runs as
   * whoever started it and reaches what they can.
   */
  guard?: { allowPrivate: boolean };
}

function importError(key: Parameters<typeof fieldIssue>[1], params: Record<string, string | number>, hint?: Parameters<typeof fieldIssue>[1]): ShiraseError {
  return new ShiraseError('VALIDATION', key, { params, hint, fields: [fieldIssue('url', key, params)] });
}

/** The page's address as given, reduced to its root; anything but http(s) is refused before a request is made. */
function statuspageRoot(input: string): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw importError('errors.import.badUrl', { url: input }, 'errors.import.badUrl.hint');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw importError('errors.import.badUrl', { url: input }, 'errors.import.badUrl.hint');
  url.hash = '';
  url.search = '';
  // Someone may paste the API's own address; the page's root is what the three documents hang from.
  url.pathname = trimTrailingSlashes(url.pathname.replace(/\/api\/v2(\/.*)?$/, '')) + '/';
  return url;
}

/**
 * A GET through node's own client with the address checked as the socket
 * connects (`guardedLookup`), for imports an admin starts from the web: a
 * name that passed a check and then resolved somewhere inside the network
 * would otherwise be fetched. Redirects are not followed.
 */
function guardedGet(url: URL, headers: Record<string, string>, allowPrivate: boolean): Promise<Response> {
  if (!literalHostAllowed(url, allowPrivate)) return Promise.reject(Object.assign(new Error('blocked address'), { code: 'SHIRASE_BLOCKED_ADDRESS' }));
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, lookup: guardedLookup(allowPrivate), agent: false, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // node's parser takes any three digits; a Response takes 200–599. Anything else is no answer at all.
      if (status < 200 || status > 599) {
        res.destroy();
        return reject(new Error(`HTTP status ${status}`));
      }
      const bodiless = status === 204 || status === 205 || status === 304;
      if (bodiless) res.resume();
      try {
        resolve(new Response(bodiless ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: headersOf(res.headers) }));
      } catch (error) {
        res.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on('error', reject);
    req.end();
  });
}

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return headers;
}

/** One JSON document, its size counted as it arrives and cut off past the bound. */
async function readJson(url: URL, headers: Record<string, string>, guard?: StatuspageSource['guard']): Promise<unknown> {
  let response: Response;
  const wanted = { accept: 'application/json', ...headers };
  try {
    // From the command line the operator names the page and redirects are followed as a browser would.
    response = guard
      ? await guardedGet(url, wanted, guard.allowPrivate)
      : await fetch(url, { headers: wanted, redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    if (isBlockedAddress(error)) throw importError('errors.import.blockedAddress', { url: url.href }, 'errors.import.blockedAddress.hint');
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw importError('errors.import.unreachable', { url: url.href, reason }, 'errors.import.unreachable.hint');
  }
  if (!response.ok) {
    await response.body?.cancel();
    const key = response.status === 401 || response.status === 403 ? 'errors.import.refusedKey' : 'errors.import.httpStatus';
    throw importError(key, { url: url.href, status: response.status }, 'errors.import.notStatuspage.hint');
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw importError('errors.import.tooLarge', { url: url.href, max: MAX_RESPONSE_BYTES / 1024 / 1024 });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      // A source that stops sending, or resets, mid-document is unreachable like one that never answered.
      const { done, value } = await reader.read().catch((error: unknown) => {
        throw importError(
          'errors.import.unreachable',
          { url: url.href, reason: error instanceof Error ? error.message : String(error) },
          'errors.import.unreachable.hint',
        );
      });
      if (done) break;
      size += value.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        await reader.cancel();
        throw importError('errors.import.tooLarge', { url: url.href, max: MAX_RESPONSE_BYTES / 1024 / 1024 });
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw importError('errors.import.notStatuspage', { url: url.href }, 'errors.import.notStatuspage.hint');
  }
}

function checked<S extends z.ZodTypeAny>(schema: S, value: unknown, url: URL): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.join('.') || 'the document';
    throw importError('errors.import.notStatuspage', { url: `${url.href} (${where}: ${issue.message})` }, 'errors.import.notStatuspage.hint');
  }
  return result.data;
}

/**
 * Reads a page from its source and checks every document. Nothing is
 * written: a page that cannot be read whole is refused before the database
 * is touched.
 */
export async function readStatuspage(source: StatuspageSource, progress: ImportProgress = () => {}): Promise<SourcePage> {
  if (source.apiKey || source.pageId) return readV1(source, progress);
  if (!source.pageUrl) throw importError('errors.import.badUrl', { url: '' }, 'errors.import.badUrl.hint');
  const root = statuspageRoot(source.pageUrl);
  const at = (path: string) => new URL(`api/v2/${path}`, root);
  const documents = ['summary.json', 'incidents.json', 'scheduled-maintenances.json'];
  const got: unknown[] = [];
  for (const [i, name] of documents.entries()) {
    progress({ phase: 'read', label: name, done: i, total: documents.length });
    got.push(await readJson(at(name), {}, source.guard));
  }
  progress({ phase: 'read', label: 'done', done: documents.length, total: documents.length });
  const summary = checked(summaryDoc, got[0], at('summary.json'));
  const list = checked(incidentsDoc, got[1], at('incidents.json'));
  const maintenance = checked(maintenancesDoc, got[2], at('scheduled-maintenances.json'));
  const groups = summary.components.filter((c) => c.group === true);
  return assemble({
    key: `statuspage:${summary.page.id || root.host}`,
    name: summary.page.name,
    groups: groups.map((g) => ({ ...g, components: g.components ?? [] })),
    components: summary.components.filter((c) => c.group !== true),
    incidents: [...list.incidents, ...maintenance.scheduled_maintenances],
    subscribers: [],
  });
}

async function readV1(source: StatuspageSource, progress: ImportProgress): Promise<SourcePage> {
  if (!source.apiKey || !source.pageId) throw importError('errors.import.keyAndPage', {});
  const apiBase = trimTrailingSlashes(source.apiBase ?? DEFAULT_API_BASE);
  const base = URL.canParse(apiBase) ? new URL(`${apiBase}/pages/${encodeURIComponent(source.pageId)}/`) : undefined;
  if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:'))
    throw importError('errors.import.badUrl', { url: apiBase }, 'errors.import.badUrl.hint');
  const headers = { authorization: `OAuth ${source.apiKey}` };
  const STEPS = 5;
  const one = (path: string, step: number) => {
    progress({ phase: 'read', label: path === '.' ? 'page' : path, done: step, total: STEPS });
    return readJson(new URL(path, base), headers, source.guard);
  };
  const all = async (path: string, step: number, filter: Record<string, string> = {}): Promise<unknown[]> => {
    const rows: unknown[] = [];
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      progress({ phase: 'read', label: page === 1 ? path : `${path} (${rows.length} so far)`, done: step, total: STEPS });
      const url = new URL(path, base);
      url.searchParams.set('page', String(page));
      url.searchParams.set('per_page', String(PER_PAGE));
      for (const [k, v] of Object.entries(filter)) url.searchParams.set(k, v);
      const got = checked(z.array(z.unknown()), await readJson(url, headers, source.guard), url);
      rows.push(...got);
      if (got.length < PER_PAGE) break;
    }
    return rows;
  };
  const page = checked(pageDoc, await one('.', 0), base);
  const componentList = checked(z.array(componentDoc), await one('components', 1), new URL('components', base));
  const groupList = checked(z.array(groupDoc), await one('component-groups', 2), new URL('component-groups', base));
  const incidentList = checked(z.array(incidentDoc), await all('incidents', 3), new URL('incidents', base));
  const subscriberList = checked(z.array(subscriberDoc), await all('subscribers', 4, { type: 'email' }), new URL('subscribers', base));
  progress({ phase: 'read', label: 'done', done: STEPS, total: STEPS });
  return assemble({
    key: `statuspage:${page.id}`,
    name: page.name,
    groups: groupList.map((g) => ({ ...g, components: g.components ?? [] })),
    components: componentList.filter((c) => c.group !== true),
    incidents: incidentList,
    subscribers: subscriberList.flatMap((s) =>
      s.email?.includes('@')
        ? [
            {
              id: s.id,
              email: s.email.trim().toLowerCase(),
              componentIds: s.components?.length ? s.components.map((c) => (typeof c === 'string' ? c : c.id)) : null,
            },
          ]
        : [],
    ),
  });
}

const ms = (s: string | null | undefined): number | null => (s ? Date.parse(s) : null);
const byPosition = <T extends { position?: number | null }>(a: T, b: T) => (a.position ?? 0) - (b.position ?? 0);
const label = (name: string) => oneLine(name).trim().slice(0, 80);

/**
 * The API's limits, applied to what a source says: names with control
 * characters are refused (the item is left out), bodies lose theirs, and
 * every text is cut to its field's length. Each change is written down for
 * the import's report.
 */
function limiter(adjustments: ImportAdjustment[]) {
  const text = (value: string, max: number, what: Omit<ImportAdjustment, 'action' | 'field'>, field: ImportAdjustment['field']): string => {
    const kept = withoutControlCharacters(value);
    if (kept.length <= max) return kept;
    adjustments.push({ ...what, field, action: 'cut' });
    return kept.slice(0, max);
  };
  return {
    /** The name as kept, or undefined when the item is refused. */
    name(value: string, what: Omit<ImportAdjustment, 'action' | 'field' | 'label'>): string | undefined {
      const item = { ...what, label: label(value) };
      if (hasControlCharacters(value)) {
        adjustments.push({ ...item, field: 'name', action: 'refused' });
        return undefined;
      }
      const trimmed = value.trim();
      if (trimmed.length <= MAX_NAME_CHARS) return trimmed;
      adjustments.push({ ...item, field: 'name', action: 'cut' });
      return trimmed.slice(0, MAX_NAME_CHARS);
    },
    description(value: string | null | undefined, what: Omit<ImportAdjustment, 'action' | 'field'>): string | null {
      return value ? text(value, MAX_DESCRIPTION_CHARS, what, 'description') : null;
    },
    body(value: string, what: Omit<ImportAdjustment, 'action' | 'field'>): string {
      return text(value, MAX_BODY_CHARS, what, 'body');
    },
  };
}
type Limiter = ReturnType<typeof limiter>;

function assemble(raw: {
  key: string;
  name: string;
  groups: (z.infer<typeof groupDoc> & { components: string[] })[];
  components: z.infer<typeof componentDoc>[];
  incidents: IncidentDoc[];
  subscribers: SourcePage['subscribers'];
}): SourcePage {
  const adjustments: ImportAdjustment[] = [];
  const limit = limiter(adjustments);
  const groupsOut = [...raw.groups].sort(byPosition).flatMap((g): SourceGroup[] => {
    const name = limit.name(g.name, { kind: 'group', id: g.id });
    if (name === undefined) return [];
    return [{ id: g.id, name, description: limit.description(g.description, { kind: 'group', id: g.id, label: label(name) }), createdAt: ms(g.created_at) }];
  });
  // v2 names a component's group on the component; v1 may name it only on the group.
  const groupOf = new Map<string, string>();
  for (const g of raw.groups) for (const c of g.components) groupOf.set(c, g.id);
  const groupIds = new Set(groupsOut.map((g) => g.id));
  const componentsOut: SourceComponent[] = [...raw.components].sort(byPosition).flatMap((c): SourceComponent[] => {
    const name = limit.name(c.name, { kind: 'component', id: c.id });
    if (name === undefined) return [];
    const groupId = c.group_id ?? groupOf.get(c.id) ?? null;
    return [
      {
        id: c.id,
        name,
        description: limit.description(c.description, { kind: 'component', id: c.id, label: label(name) }),
        groupId: groupId && groupIds.has(groupId) ? groupId : null,
        status: c.status ?? 'operational',
        onlyShowIfDegraded: c.only_show_if_degraded ?? false,
        createdAt: ms(c.created_at),
        updatedAt: ms(c.updated_at),
      },
    ];
  });
  const known = new Set(componentsOut.map((c) => c.id));
  // The same maintenance is listed by incidents.json and scheduled-maintenances.json on some pages.
  const seen = new Set<string>();
  const incidentsOut = raw.incidents.filter((i) => !seen.has(i.id) && seen.add(i.id)).flatMap((i) => incidentFrom(i, known, limit) ?? []);
  incidentsOut.sort((a, b) => firstTime(a) - firstTime(b) || a.createdAt - b.createdAt);
  const subscribersOut = raw.subscribers.filter((s) => {
    if (s.email.length <= MAX_EMAIL_CHARS && !hasControlCharacters(s.email)) return true;
    adjustments.push({ kind: 'subscriber', id: s.id, label: label(s.email), field: 'email', action: 'refused' });
    return false;
  });
  return {
    key: raw.key,
    name: oneLine(raw.name).trim().slice(0, MAX_NAME_CHARS),
    groups: groupsOut,
    components: componentsOut,
    incidents: incidentsOut,
    subscribers: subscribersOut,
    adjustments,
  };
}

const MAINTENANCE_WORDS: readonly string[] = MAINTENANCE_STATUSES;

function incidentFrom(i: IncidentDoc, known: Set<string>, limit: Limiter): SourceIncident | undefined {
  const kind = i.scheduled_for || MAINTENANCE_WORDS.includes(i.status) || i.impact === 'maintenance' ? 'maintenance' : 'incident';
  const name = limit.name(i.name, { kind, id: i.id });
  if (name === undefined) return undefined;
  const of = { kind: 'update' as const, label: label(name) };
  const updates: SourceUpdate[] = i.incident_updates.map((u) => ({
    id: u.id,
    status: u.status,
    body: limit.body(u.body ?? '', { ...of, id: u.id }),
    displayAt: ms(u.display_at) ?? Date.parse(u.created_at),
    createdAt: Date.parse(u.created_at),
    affected: (u.affected_components ?? []).flatMap((a) =>
      known.has(a.code) && (COMPONENT_STATUSES as readonly string[]).includes(a.new_status)
        ? [{ componentId: a.code, status: a.new_status as ComponentStatus }]
        : [],
    ),
  }));
  // A published postmortem is the incident's last word: kept as its postmortem update.
  const postmortemAt = ms(i.postmortem_published_at);
  if (i.postmortem_body?.trim() && postmortemAt !== null) {
    const id = `${i.id}:postmortem`;
    updates.push({
      id,
      status: 'postmortem',
      body: limit.body(i.postmortem_body, { ...of, id }),
      displayAt: postmortemAt,
      createdAt: postmortemAt,
      affected: [],
    });
  }
  updates.sort((a, b) => a.displayAt - b.displayAt || a.createdAt - b.createdAt);
  const componentIds = new Set((i.components ?? []).map((c) => c.id).filter((id) => known.has(id)));
  for (const u of updates) for (const a of u.affected) componentIds.add(a.componentId);
  return {
    id: i.id,
    kind,
    name,
    impact: kind === 'maintenance' ? 'maintenance' : (i.impact ?? 'none'),
    createdAt: Date.parse(i.created_at),
    updatedAt: ms(i.updated_at) ?? Date.parse(i.created_at),
    startedAt: ms(i.started_at),
    scheduledFor: ms(i.scheduled_for),
    scheduledUntil: ms(i.scheduled_until),
    componentIds: [...componentIds],
    updates,
  };
}

function firstTime(i: SourceIncident): number {
  return Math.min(i.updates[0]?.displayAt ?? Infinity, i.startedAt ?? Infinity, i.createdAt);
}

// ---- Writing it -----------------------------------------------------------------------------

interface ImportCounts {
  added: number;
  updated: number;
}

export interface ImportReport {
  source: string;
  /** The page's name there. */
  name: string;
  groups: ImportCounts;
  components: ImportCounts;
  incidents: ImportCounts;
  maintenances: ImportCounts;
  updates: ImportCounts;
  statusChanges: number;
  subscribers: ImportCounts;
  /** Texts cut to their field's length and items refused, as the API would have. */
  adjusted: ImportAdjustment[];
}

export interface ImportOptions {
  /** Import subscribers as confirmed (they get notifications at once) rather than pending, each sent a request to confirm. */
  subscribersConfirmed?: boolean;
  /** The language imported subscribers are written to in. */
  locale: Locale;
}

type Kind = (typeof importedRecords.$inferSelect)['kind'];

/**
 * Writes a page read by readStatuspage, in one transaction: groups and
 * components (created through their verbs the first time, kept in the
 * source's order), every incident and maintenance with every update at its
 * original time, the component status changes the updates recorded (the
 * ledger the uptime strips are drawn from), each component's current status,
 * and subscribers. Nobody hears of the history; new subscribers not imported
 * as confirmed get a request to confirm. Rows imported before are found by
 * their source id and updated where the source changed.
 */
export function importStatuspage(db: Db, page: SourcePage, options: ImportOptions, ctx: WriteContext, progress: ImportProgress = () => {}): ImportReport {
  const report: ImportReport = {
    source: page.key,
    name: page.name,
    groups: { added: 0, updated: 0 },
    components: { added: 0, updated: 0 },
    incidents: { added: 0, updated: 0 },
    maintenances: { added: 0, updated: 0 },
    updates: { added: 0, updated: 0 },
    statusChanges: 0,
    subscribers: { added: 0, updated: 0 },
    adjusted: page.adjustments ?? [],
  };
  return db.transaction((tx) => {
    const records = recordsOf(tx, page.key, ctx.now);
    const groupIds = importGroups(db, tx, page, records, ctx, report);
    const componentIds = importComponents(db, tx, page, records, groupIds, ctx, report);
    const total = page.incidents.length;
    for (const [i, incident] of page.incidents.entries()) {
      if (i % 25 === 0) progress({ phase: 'write', label: 'incidents', done: i, total });
      importIncident(tx, incident, records, componentIds, ctx, report);
    }
    progress({ phase: 'write', label: 'incidents', done: total, total });
    setCurrentStatuses(tx, page, componentIds, ctx, report);
    importSubscribers(tx, page, records, componentIds, options, ctx, report);
    recordAudit(tx, ctx, {
      action: 'import.statuspage',
      entityType: 'site',
      entityId: page.key,
      after: { ...report, subscribersConfirmed: options.subscribersConfirmed ?? false },
    });
    bumpChangeCounter(tx);
    return report;
  });
}

function recordsOf(tx: Tx, source: string, now: number) {
  return {
    find(kind: Kind, sourceId: string): string | undefined {
      return tx
        .select({ localId: importedRecords.localId })
        .from(importedRecords)
        .where(and(eq(importedRecords.source, source), eq(importedRecords.kind, kind), eq(importedRecords.sourceId, sourceId)))
        .get()?.localId;
    },
    remember(kind: Kind, sourceId: string, localId: string): void {
      // importedAt says when the row was first brought in (or pointed elsewhere), not when a run last saw it.
      if (this.find(kind, sourceId) === localId) return;
      tx.insert(importedRecords)
        .values({ source, kind, sourceId, localId, importedAt: now })
        .onConflictDoUpdate({ target: [importedRecords.source, importedRecords.kind, importedRecords.sourceId], set: { localId, importedAt: now } })
        .run();
    },
  };
}
type Records = ReturnType<typeof recordsOf>;

function importGroups(db: Db, tx: Tx, page: SourcePage, records: Records, ctx: WriteContext, report: ImportReport): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, g] of page.groups.entries()) {
    const remembered = records.find('group', g.id);
    let local = remembered ? tx.select().from(componentGroups).where(eq(componentGroups.id, remembered)).get() : undefined;
    // A group of the same name already here is the same group: moving in onto a page set up by hand adopts it.
    local ??= tx.select().from(componentGroups).where(eq(componentGroups.name, g.name)).get();
    if (!local) {
      const { groupId } = createComponentGroup(db, { name: g.name, description: g.description ?? undefined, createdAt: g.createdAt ?? undefined }, ctx);
      local = tx.select().from(componentGroups).where(eq(componentGroups.id, groupId)).get()!;
      report.groups.added++;
    }
    const wanted = { name: g.name, description: g.description, position: i + 1 };
    if (local.name !== wanted.name || local.description !== wanted.description || local.position !== wanted.position) {
      tx.update(componentGroups)
        .set({ ...wanted, updatedAt: ctx.now })
        .where(eq(componentGroups.id, local.id))
        .run();
      if (remembered) report.groups.updated++;
    }
    records.remember('group', g.id, local.id);
    out.set(g.id, local.id);
  }
  return out;
}

function importComponents(
  db: Db,
  tx: Tx,
  page: SourcePage,
  records: Records,
  groupIds: Map<string, string>,
  ctx: WriteContext,
  report: ImportReport,
): Map<string, string> {
  const out = new Map<string, string>();
  const rank = new Map<string | null, number>();
  for (const c of page.components) {
    const groupId = c.groupId ? (groupIds.get(c.groupId) ?? null) : null;
    const position = (rank.get(groupId) ?? 0) + 1;
    rank.set(groupId, position);
    const remembered = records.find('component', c.id);
    let local = remembered ? tx.select().from(components).where(eq(components.id, remembered)).get() : undefined;
    local ??= tx
      .select()
      .from(components)
      .where(and(eq(components.name, c.name), groupId ? eq(components.groupId, groupId) : isNull(components.groupId)))
      .get();
    if (!local) {
      const { componentId } = createComponent(
        db,
        { name: c.name, description: c.description ?? undefined, groupId, onlyShowIfDegraded: c.onlyShowIfDegraded, createdAt: c.createdAt ?? undefined },
        ctx,
      );
      local = tx.select().from(components).where(eq(components.id, componentId)).get()!;
      report.components.added++;
    }
    const wanted = { name: c.name, description: c.description, groupId, position, onlyShowIfDegraded: c.onlyShowIfDegraded };
    const differs = (Object.keys(wanted) as (keyof typeof wanted)[]).some((k) => local[k] !== wanted[k]);
    if (differs) {
      tx.update(components)
        .set({ ...wanted, updatedAt: ctx.now, version: local.version + 1 })
        .where(eq(components.id, local.id))
        .run();
      if (remembered) report.components.updated++;
    }
    records.remember('component', c.id, local.id);
    out.set(c.id, local.id);
  }
  return out;
}

function importIncident(tx: Tx, source: SourceIncident, records: Records, componentIds: Map<string, string>, ctx: WriteContext, report: ImportReport): void {
  const counts = source.kind === 'maintenance' ? report.maintenances : report.incidents;
  const remembered = records.find('incident', source.id);
  const existing = remembered ? tx.select().from(incidents).where(eq(incidents.id, remembered)).get() : undefined;
  const local = (ids: readonly string[]) => ids.flatMap((id) => (componentIds.has(id) ? [componentIds.get(id)!] : []));
  const open = !isClosedStatus(source.updates[source.updates.length - 1]?.status ?? (source.kind === 'maintenance' ? 'scheduled' : 'investigating'));
  let incidentId: string;
  let changed = false;
  if (existing) {
    incidentId = existing.id;
    const wanted = { name: source.name, impact: source.impact, scheduledFor: source.scheduledFor, scheduledUntil: source.scheduledUntil };
    if ((Object.keys(wanted) as (keyof typeof wanted)[]).some((k) => existing[k] !== wanted[k])) {
      tx.update(incidents)
        .set({ ...wanted, version: existing.version + 1 })
        .where(eq(incidents.id, incidentId))
        .run();
      changed = true;
    }
  } else {
    // Statuspage's ids have the same form as ours: keeping them keeps old links to /incidents/<id> working.
    const free = isPublicId(source.id) && !tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, source.id)).get();
    incidentId = free ? source.id : newPublicId();
    const firstUpdate = source.updates[0]?.displayAt ?? source.createdAt;
    tx.insert(incidents)
      .values({
        id: incidentId,
        kind: source.kind,
        name: source.name,
        impact: source.impact,
        // The old page's impact is what its readers saw; it is kept rather than worked out again.
        impactOverride: source.kind === 'incident',
        declaredStartAt: source.startedAt !== null && source.startedAt < firstUpdate ? source.startedAt : null,
        status: source.kind === 'maintenance' ? 'scheduled' : 'investigating',
        startedAt: firstUpdate,
        scheduledFor: source.scheduledFor,
        scheduledUntil: source.scheduledUntil,
        // A window still ahead or under way starts and ends on the clock as it would have there; history never moves.
        autoTransitions: source.kind === 'maintenance' && open,
        backfilled: true,
        createdAt: source.createdAt,
        updatedAt: source.updatedAt,
      })
      .run();
    changed = true;
    counts.added++;
  }
  records.remember('incident', source.id, incidentId);
  linkComponents(tx, incidentId, local(source.componentIds));
  for (const u of source.updates) {
    const rememberedUpdate = records.find('update', u.id);
    const current = rememberedUpdate ? tx.select().from(incidentUpdates).where(eq(incidentUpdates.id, rememberedUpdate)).get() : undefined;
    if (current) {
      if (current.status !== u.status || current.body !== u.body || current.displayAt !== u.displayAt) {
        tx.update(incidentUpdates)
          .set({ status: u.status, body: u.body, bodyKey: null, displayAt: u.displayAt, updatedAt: ctx.now, version: current.version + 1 })
          .where(eq(incidentUpdates.id, current.id))
          .run();
        report.updates.updated++;
        changed = true;
      }
      continue;
    }
    const updateId = insertUpdate(tx, { incidentId, status: u.status, body: u.body, displayAt: u.displayAt, notify: false, now: u.createdAt });
    records.remember('update', u.id, updateId);
    report.updates.added++;
    changed = true;
    const changes: ComponentChange[] = u.affected.flatMap((a) =>
      componentIds.has(a.componentId) ? [{ componentId: componentIds.get(a.componentId)!, status: a.status }] : [],
    );
    if (isClosedStatus(u.status)) changes.push(...leftOver(tx, incidentId, changes, u.displayAt));
    recordStatusChanges(tx, changes, u.displayAt, source.kind === 'maintenance' ? 'maintenance' : 'incident_update', {
      incidentId,
      incidentUpdateId: updateId,
      now: u.createdAt,
    });
    report.statusChanges += changes.length;
  }
  if (changed) {
    refreshIncident(tx, incidentId, Math.max(source.updatedAt, ...source.updates.map((u) => u.createdAt)));
    if (existing) counts.updated++;
  }
}

/**
 * Components an incident left degraded when it closed without saying so:
 * Statuspage sets them back to operational on resolve by default and does
 * not always record it in affected_components. Without this the uptime strip
 * would show the outage running until the import.
 */
function leftOver(tx: Tx, incidentId: string, said: readonly ComponentChange[], at: number): ComponentChange[] {
  const touched = tx
    .selectDistinct({ componentId: componentStatusChanges.componentId })
    .from(componentStatusChanges)
    .where(eq(componentStatusChanges.incidentId, incidentId))
    .all();
  return touched.flatMap(({ componentId }) => {
    if (said.some((c) => c.componentId === componentId)) return [];
    const last = tx
      .select({ status: componentStatusChanges.status, incidentId: componentStatusChanges.incidentId })
      .from(componentStatusChanges)
      .where(and(eq(componentStatusChanges.componentId, componentId), lte(componentStatusChanges.at, at)))
      .orderBy(desc(componentStatusChanges.at), desc(componentStatusChanges.id))
      .limit(1)
      .get();
    return last && last.incidentId === incidentId && last.status !== 'operational' ? [{ componentId, status: 'operational' as const }] : [];
  });
}

/**
 * Each component's status now, as the old page shows it, from when it last
 * changed there; unless the ledger here has a later change (staff set it
 * after an earlier import), which is newer news than the old page's.
 */
function setCurrentStatuses(tx: Tx, page: SourcePage, componentIds: Map<string, string>, ctx: WriteContext, report: ImportReport): void {
  for (const c of page.components) {
    const id = componentIds.get(c.id)!;
    if (componentStatusAt(tx, id, ctx.now) === c.status) continue;
    const lastAt = tx
      .select({ at: componentStatusChanges.at })
      .from(componentStatusChanges)
      .where(eq(componentStatusChanges.componentId, id))
      .orderBy(desc(componentStatusChanges.at))
      .limit(1)
      .get()?.at;
    if (lastAt !== undefined && c.updatedAt !== null && lastAt > c.updatedAt) continue;
    const at = Math.min(ctx.now, Math.max(c.updatedAt ?? ctx.now, lastAt ?? 0));
    recordStatusChanges(tx, [{ componentId: id, status: c.status }], at, 'manual', { note: `Imported from ${page.name}`, now: ctx.now });
    report.statusChanges++;
  }
}

function importSubscribers(
  tx: Tx,
  page: SourcePage,
  records: Records,
  componentIds: Map<string, string>,
  options: ImportOptions,
  ctx: WriteContext,
  report: ImportReport,
): void {
  const status = options.subscribersConfirmed ? 'confirmed' : 'pending';
  // A page moved in from Statuspage is this site's default page, as its components are.
  const defaultPage = defaultPageId(tx);
  for (const s of page.subscribers) {
    if (records.find('subscriber', s.id)) continue;
    const existing = tx
      .select({ id: subscribers.id })
      .from(subscribers)
      .where(and(eq(subscribers.pageId, defaultPage), eq(subscribers.email, s.email)))
      .get();
    if (existing) {
      // Someone already subscribed here keeps what they chose.
      records.remember('subscriber', s.id, existing.id);
      continue;
    }
    const picked = s.componentIds?.flatMap((id) => (componentIds.has(id) ? [componentIds.get(id)!] : []));
    const id = newPublicId();
    tx.insert(subscribers)
      .values({
        id,
        email: s.email,
        pageId: defaultPage,
        locale: options.locale,
        componentIds: picked?.length ? JSON.stringify(picked) : null,
        status,
        confirmedAt: status === 'confirmed' ? ctx.now : null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .run();
    // Unless they all agreed to hear from this site, each is asked, as the CSV import asks.
    if (status === 'pending') enqueueEvent(tx, { kind: 'confirm', subscriberId: id, ref: 'import' }, ctx.now);
    records.remember('subscriber', s.id, id);
    report.subscribers.added++;
  }
}
