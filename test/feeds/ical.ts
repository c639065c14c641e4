import ICAL from 'ical.js';
import { DateTime } from 'luxon';

/**
 * Reads our feeds with ical.js (Thunderbird's parser), the way a client would: the VTIMEZONE
 * of the feed itself is registered, recurrences are expanded by ical.js, and times are read
 * as Warsaw wall clock from the instant, never through the process zone.
 */
export const ZONE = 'Europe/Warsaw';

// NAME (RFC 7986), X-WR-CALNAME and X-WR-CALDESC are TEXT, escaped like SUMMARY; ical.js knows
// none of them and would hand back `\,` as written.
for (const name of ['name', 'x-wr-calname', 'x-wr-caldesc']) ICAL.design.icalendar.property[name] ??= { defaultType: 'text' };

export function parseCalendar(text: string): ICAL.Component {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  return calendar;
}

export const wall = (time: ICAL.Time) => DateTime.fromJSDate(time.toJSDate(), { zone: ZONE });
export const wallText = (time: ICAL.Time) => wall(time).toFormat("yyyy-MM-dd'T'HH:mm");

export function text(component: ICAL.Component, property: string): string | undefined {
  const value = component.getFirstPropertyValue(property);
  return value === null ? undefined : String(value);
}

export function uids(calendar: ICAL.Component): string[] {
  return [...new Set(calendar.getAllSubcomponents('vevent').map((e) => text(e, 'uid')!))].sort();
}

export function vevents(calendar: ICAL.Component, uid: string): ICAL.Component[] {
  return calendar.getAllSubcomponents('vevent').filter((e) => text(e, 'uid') === uid);
}

export interface ExpandedOccurrence {
  /** RECURRENCE-ID: where the rule puts it, Warsaw wall clock. */
  ruleDate: string;
  start: DateTime;
  end: DateTime;
  /** True when a RECURRENCE-ID override supplied this occurrence. */
  overridden: boolean;
  description: string | undefined;
}

/** Every occurrence of one UID whose rule date lies in [from, to), expanded by ical.js. */
export function expand(calendar: ICAL.Component, uid: string, from: string, to: string): ExpandedOccurrence[] {
  const components = vevents(calendar, uid);
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  if (!master) throw new Error(`no master VEVENT for ${uid}`);
  const event = new ICAL.Event(master, { strictExceptions: true, exceptions: [] });
  for (const exception of components) if (exception !== master) event.relateException(exception);
  const result: ExpandedOccurrence[] = [];
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const ruleDate = wallText(next);
    if (ruleDate >= to) break;
    if (ruleDate < from) continue;
    const details = event.getOccurrenceDetails(next);
    result.push({
      ruleDate,
      start: wall(details.startDate),
      end: wall(details.endDate),
      overridden: details.item !== event,
      description: details.item.description,
    });
  }
  return result;
}

/** Raw content lines (unfolded) that start with `name` followed by ':' or ';'. */
export function rawLines(ics: string, name: string): string[] {
  return ics
    .replace(/\r?\n[ \t]/g, '')
    .split(/\r?\n/)
    .filter((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`));
}
