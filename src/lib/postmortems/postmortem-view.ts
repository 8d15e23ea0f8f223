import { inArray } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { renderMarkdown } from '../markdown/render';
import { compareTimeline } from '../status/incident-status';
import { groupByLocalDay } from '../time';
import { loadIncidents, type IncidentView, type UpdateView } from '../incidents/load-incidents';
import { incidentMetrics, type IncidentMetric } from './metrics';
import { buildSlaBlock, type SlaBlock } from './sla-block';
import type { Postmortem } from './load-postmortems';
import type { Locale } from '../i18n/messages';
import { scanPlaceholders } from '../templates/placeholders';

export type BlockName = 'report' | 'impact' | 'components' | 'metrics' | 'phases' | 'timeline' | 'sla';
export type Segment = { kind: 'html'; html: string } | { kind: 'block'; name: BlockName };

const BLOCK_NAMES: readonly string[] = ['report', 'impact', 'components', 'metrics', 'phases', 'timeline', 'sla'] satisfies BlockName[];

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
      segments.push({ kind: 'block', name: directive });
    } else buffer.push(line);
  }
  flush();
  if (!segments.some((s) => s.kind === 'block')) segments.unshift({ kind: 'block', name: 'report' });
  return { segments, headings };
}

export interface PostmortemView {
  postmortem: Postmortem;
  incidents: IncidentView[];
  /** The incident the metrics describe: the first linked one that is not maintenance. */
  primary: IncidentView | undefined;
  impactStart: number | null;
  impactEnd: number | null;
  components: { id: string; name: string }[];
  timeline: { key: string; updates: (UpdateView & { incidentName: string })[] }[];
  metrics: IncidentMetric[];
  /** Uptime against target in the months the incidents touched ({{sla}}). */
  sla: SlaBlock | null;
  summaryHtml: string;
  segments: Segment[];
  headings: { id: string; text: string; level: number }[];
}

export function buildPostmortemView(db: Db, postmortem: Postmortem, timeZone: string, now: number, locale?: Locale): PostmortemView {
  const linked = postmortem.incidents.length > 0 ? loadIncidents(db, inArray(incidents.id, postmortem.incidents), { newestFirst: false, locale }) : [];
  const outages = linked.filter((i) => i.kind === 'incident');
  const primary = outages[0] ?? linked[0];
  const impactStart = outages.length ? Math.min(...outages.map((i) => i.startedAt)) : null;
  const ends = outages.map((i) => i.resolvedAt);
  const impactEnd = outages.length && ends.every((e) => e !== null) ? Math.max(...(ends as number[])) : null;
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
    metrics: primary ? incidentMetrics(primary) : [],
    // Only built where the body places it (or the whole report): it reads months of history.
    sla: segments.some((seg) => seg.kind === 'block' && (seg.name === 'sla' || seg.name === 'report'))
      ? buildSlaBlock(db, linked, timeZone, now, locale)
      : null,
    summaryHtml: renderMarkdown(postmortem.summary),
    segments,
    headings,
  };
}
