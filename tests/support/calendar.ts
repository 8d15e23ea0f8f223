import ICAL from 'ical.js';

export interface ParsedEvent {
  uid: string;
  sequence: number;
  dtstamp: string;
  /** DTSTART and DTEND as instants, read through the calendar's own VTIMEZONE. */
  start: number;
  end: number;
  tzid: string | null;
  status: string | null;
  summary: string;
  description: string;
  url: string | null;
  rrule: string | null;
  exdates: number[];
  recurrenceId: number | null;
}

/**
 * Parses an iCalendar file with ical.js, as a calendar client would: every
 * TZID must be defined by a VTIMEZONE in the file, or the times would be read
 * in the wrong zone and this throws.
 */
export function parseCalendar(text: string): { calendar: ICAL.Component; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const zones = new Map<string, ICAL.Timezone>();
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) {
    const zone = new ICAL.Timezone(vtimezone);
    zones.set(zone.tzid, zone);
  }
  const instant = (time: ICAL.Time, tzid: unknown): number => {
    if (typeof tzid === 'string') {
      const zone = zones.get(tzid);
      if (!zone) throw new Error(`TZID ${tzid} has no VTIMEZONE`);
      time.zone = zone;
    }
    return time.toJSDate().getTime();
  };
  const instantOf = (property: ICAL.Property | null): number => {
    if (!property) throw new Error('a time is missing');
    return instant(property.getFirstValue() as ICAL.Time, property.getParameter('tzid'));
  };
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const start = vevent.getFirstProperty('dtstart');
    const rrule = vevent.getFirstPropertyValue('rrule') as ICAL.Recur | null;
    const recurrenceId = vevent.getFirstProperty('recurrence-id');
    const tzid = start?.getParameter('tzid');
    return {
      uid: String(vevent.getFirstPropertyValue('uid')),
      sequence: Number(vevent.getFirstPropertyValue('sequence')),
      dtstamp: vevent.getFirstProperty('dtstamp')!.toICALString(),
      start: instantOf(start),
      end: instantOf(vevent.getFirstProperty('dtend')),
      tzid: typeof tzid === 'string' ? tzid : null,
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      summary: String(vevent.getFirstPropertyValue('summary') ?? ''),
      description: String(vevent.getFirstPropertyValue('description') ?? ''),
      url: (vevent.getFirstPropertyValue('url') as string | null) ?? null,
      rrule: rrule ? rrule.toString() : null,
      exdates: vevent.getAllProperties('exdate').flatMap((p) => p.getValues().map((v) => instant(v as ICAL.Time, p.getParameter('tzid')))),
      recurrenceId: recurrenceId ? instantOf(recurrenceId) : null,
    };
  });
  return { calendar, events };
}

/** Every start a repeating event stands for, as ical.js expands its RRULE, EXDATEs and overrides in the file's own VTIMEZONE. */
export function expandOccurrences(text: string, uid: string): number[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  const master = calendar.getAllSubcomponents('vevent').find((v) => v.getFirstPropertyValue('uid') === uid && !v.hasProperty('recurrence-id'));
  if (!master) throw new Error(`no repeating event ${uid}`);
  const event = new ICAL.Event(master);
  // Overrides (RECURRENCE-ID) move or rename their occurrence, as a calendar client applies them.
  for (const v of calendar.getAllSubcomponents('vevent'))
    if (v.getFirstPropertyValue('uid') === uid && v.hasProperty('recurrence-id')) event.relateException(new ICAL.Event(v));
  const expansion = event.iterator();
  const starts: number[] = [];
  for (let next = expansion.next(); next; next = expansion.next()) starts.push(event.getOccurrenceDetails(next).startDate.toJSDate().getTime());
  return starts;
}
