import { inArray } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { renderMarkdown } from '../markdown/render';
import { compareTimeline } from '../status/incident-status';
import { groupByLocalDay } from '../time';
import { loadIncidents, type IncidentView, type UpdateView } from '../incidents/load-incidents';
import { incidentFigures, type IncidentFigures, type IncidentMetric } from './metrics';
import { buildSlaBlock, type SlaBlock } from './sla-block';
import type { Postmortem } from './load-postmortems';
import type { FollowUpView } from '../followups/load-follow-ups';
import type { Locale } from '../i18n/messages';
import { scanPlaceholders } from '../templates/placeholders';

export type BlockName = 'report' | 'impact' | 'components' | 'metrics' | 'phases' | 'timeline' | 'sla' | 'followups';
/** A placed block, and the parts it shows: each part appears once in a report (see placeParts). */
export type Segment = { kind: 'html'; html: string } | { kind: 'block'; name: BlockName; shows: Exclude<BlockName, 'report'>[] };

const BLOCK_NAMES: readonly string[] = ['report', 'impact', 'components', 'metrics', 'phases', 'timeline', 'sla', 'followups'] satisfies BlockName[];
/** What `{{report}}` holds, in its order; the follow-ups come last on their own unless `{{followups}}` places them. */
const REPORT_PARTS = ['impact', 'components', 'metrics', 'phases', 'sla', 'timeline'] as const satisfies Exclude<BlockName, 'report'>[];

/**
 * Each part appears once: where its own directive places it (the first time,
 * if placed twice), else in the first `{{report}}`, which leaves out the
 * parts placed on their own. A placement with nothing left to show is dropped.
 */
function placeParts(segments: Segment[]): Segment[] {
  const own = new Set(segments.flatMap((s) => (s.kind === 'block' && s.name !== 'report' ? [s.name] : [])));
  const shown = new Set<string>();
  return segments.flatMap((s): Segment[] => {
    if (s.kind === 'html') return [s];
    const parts = s.name === 'report' ? REPORT_PARTS.filter((p) => !own.has(p)) : [s.name];
    const shows = parts.filter((p) => !shown.has(p));
    for (const p of shows) shown.add(p);
    return shows.length ? [{ ...s, shows }] : [];
  });
}

/** The block a line places: a line that is one `{{name}}` and nothing else. */
function directiveOf(line: string): BlockName | null {
  const text = line.trim();
  if (!text.startsWith('{{')) return null;
  const [only, ...more] = scanPlaceholders(text);
  return only && more.length === 0 && only.start === 0 && only.end === text.length && BLOCK_NAMES.includes(only.name) ? (only.name as BlockName) : null;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^<>]+>/g, '')
    .replace(/&[a-z#0-9]+;/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Renders the Markdown body around the directives that place the generated
 * blocks (`{{timeline}}` on a line of its own, and so on). Without any
 * directive the whole report comes first. Headings get anchors for the table
 * of contents, prefixed so they never collide with the page's own ids.
 */
export function renderBody(body: string): { segments: Segment[]; headings: { id: string; text: string; level: number }[] } {
  const segments: Segment[] = [];
  const headings: { id: string; text: string; level: number }[] = [];
  const used = new Set<string>();
  // The next number to try per heading id, so that many headings with one title cost one step each, not one per earlier heading.
  const nextNumber = new Map<string, number>();
  let buffer: string[] = [];
  const flush = () => {
    if (buffer.join('').trim() === '') return void (buffer = []);
    const html = renderMarkdown(buffer.join('\n')).replace(/<h([23])>([\s\S]*?)<\/h\1>/g, (_, level: string, inner: string) => {
      const base = `pm-${slugify(inner) || 'section'}`;
      let id = base;
      for (let n = nextNumber.get(base) ?? 2; used.has(id); n++) {
        id = `${base}-${n}`;
        nextNumber.set(base, n + 1);
      }
      used.add(id);
      headings.push({ id, text: inner.replace(/<[^<>]+>/g, ''), level: Number(level) });
      return `<h${level} id="${id}">${inner} <a class="anchor" href="#${id}" aria-hidden="true" tabindex="-1">#</a></h${level}>`;
    });
    segments.push({ kind: 'html', html });
    buffer = [];
  };
  let inFence = false;
  for (const line of body.split('\n')) {
    if (/^(```|~~~)/.test(line.trim())) inFence = !inFence;
    const directive = inFence ? null : directiveOf(line);
    if (directive) {
      flush();
      segments.push({ kind: 'block', name: directive, shows: [] });
    } else buffer.push(line);
  }
  flush();
  if (!segments.some((s) => s.kind === 'block' && s.name !== 'followups')) segments.unshift({ kind: 'block', name: 'report', shows: [] });
  return { segments: placeParts(segments), headings };
}

export interface PostmortemView {
  postmortem: Postmortem;
  incidents: IncidentView[];
  /** The incident the metrics describe: the first linked one that is not maintenance. */
  primary: IncidentView | undefined;
  /** The outages' start and end of impact as the figures count them (metrics.ts): notes written afterwards move neither. */
  impactStart: number | null;
  impactEnd: number | null;
  components: { id: string; name: string }[];
  timeline: { key: string; updates: (UpdateView & { incidentName: string })[] }[];
  /** The primary incident's figures; `metrics` are theirs. */
  figures: IncidentFigures | undefined;
  metrics: IncidentMetric[];
  /** Ids of the updates that the figures leave out as notes written afterwards (marked in the timeline). */
  afterwards: Set<string>;
  /** Uptime against target in the months the incidents touched ({{sla}}). */
  sla: SlaBlock | null;
  summaryHtml: string;
  segments: Segment[];
  headings: { id: string; text: string; level: number }[];
  /** The report's public follow-ups: where `{{followups}}` places them, else after the report (followUpsPlaced). */
  followUps: FollowUpView[];
  followUpsPlaced: boolean;
}

export function buildPostmortemView(
  db: Db,
  postmortem: Postmortem,
  timeZone: string,
  now: number,
  locale?: Locale,
  followUps: FollowUpView[] = [],
): PostmortemView {
  const linked = postmortem.incidents.length > 0 ? loadIncidents(db, inArray(incidents.id, postmortem.incidents), { newestFirst: false, locale }) : [];
  const outages = linked.filter((i) => i.kind === 'incident');
  const primary = outages[0] ?? linked[0];
  const figures = new Map(linked.map((i) => [i.id, incidentFigures(i, now)]));
  const spans = outages.map((i) => figures.get(i.id)!);
  const impactStart = spans.length ? Math.min(...spans.map((f) => f.start)) : null;
  const ends = spans.map((f) => f.end);
  const impactEnd = spans.length && ends.every((e) => e !== null) ? Math.max(...(ends as number[])) : null;
  const primaryFigures = primary ? figures.get(primary.id) : undefined;
  const components = [...new Map(linked.flatMap((i) => i.components).map((c) => [c.id, c])).values()];
  const entries = linked.flatMap((i) => i.updates.map((u) => ({ ...u, incidentName: i.name }))).sort(compareTimeline);
  const { segments, headings } = renderBody(postmortem.body);
  return {
    postmortem,
    incidents: linked,
    primary,
    impactStart,
    impactEnd,
    components,
    timeline: groupByLocalDay(entries, timeZone),
    figures: primaryFigures,
    metrics: primaryFigures?.metrics ?? [],
    afterwards: new Set([...figures.values()].flatMap((f) => f.afterwards)),
    // Only built where the body places it: it reads months of history.
    sla: segments.some((seg) => seg.kind === 'block' && seg.shows.includes('sla')) ? buildSlaBlock(db, linked, timeZone, now, locale) : null,
    summaryHtml: renderMarkdown(postmortem.summary),
    segments,
    headings,
    followUps,
    followUpsPlaced: segments.some((seg) => seg.kind === 'block' && seg.shows.includes('followups')),
  };
}
