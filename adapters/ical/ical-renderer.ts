import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { Duration, type DateTime } from 'luxon';
import type { CalendarDocument, CalendarEvent, CalendarHeader, CalendarRenderer } from '../../src/ports/calendar.port.js';
import { cleanText, escapeText, quotedParameter, uriValue } from './escape.js';
import { foldLines } from './fold-lines.js';

const PROD_ID = { company: 'RCPS', product: 'Kooperator', language: 'PL' };
const END = 'END:VCALENDAR';
// ical-generator writes the VTIMEZONEs right before the refresh hint (and after the name).
const AFTER_ZONES = '\r\nREFRESH-INTERVAL;';

/**
 * Writes RFC 5545 with ical-generator. Times go in as luxon DateTimes in the event's own zone
 * (a native Date would be written in the process zone's wall clock), and a VTIMEZONE is
 * generated for every zone used.
 *
 * ical-generator folds the whole calendar at the end with a TextEncoder per character, which
 * made folding most of a feed's render time. So each VEVENT comes from ical-generator
 * unfolded and is folded once by `foldLines` (same break points), and the calendar around
 * the events is ical-generator's too; test/adapters/ical checks the bytes are the same as
 * ical-generator's own `toString()`. It also lets the feeds keep each event's text and
 * assemble a calendar from kept parts.
 */
export class IcalGeneratorRenderer implements CalendarRenderer {
  constructor(private readonly defaultZone: string) {}

  render(document: CalendarDocument): string {
    const zones = [...new Set(document.events.map((e) => this.zoneOf(e)))];
    return this.assemble(document, zones, [this.renderEvents(document.events)]);
  }

  renderEvents(events: CalendarEvent[]): string {
    if (events.length === 0) return '';
    const calendar = this.calendar({ name: '', refreshInterval: 'PT1H' });
    return foldLines(events.map((event) => this.event(calendar, event)).join(''));
  }

  assemble(header: CalendarHeader, zones: string[], eventTexts: string[]): string {
    // Only the few header lines go through ical-generator's slow fold. An iTIP message
    // (REQUEST, CANCEL) has no refresh hint: its zones go right before its events.
    const frame = this.frame(header);
    const timezones = zones.map(vtimezone).join('');
    const end = frame.lastIndexOf(END);
    const hint = frame.indexOf(AFTER_ZONES);
    const at = hint < 0 ? end : hint + 2;
    return frame.slice(0, at) + timezones + frame.slice(at, end) + eventTexts.join('') + frame.slice(end);
  }

  /**
   * The calendar around the events: ical-generator's text for the header, kept per header (a
   * feed's name and hint change far less often than its events; making it was a third of
   * assembling a feed). Nothing in it depends on the time it is made.
   */
  private frame(header: CalendarHeader): string {
    const subscription = !isItip(header);
    // Every field of the header (a field added to CalendarHeader must be added here: typed so).
    const fields: Record<keyof CalendarHeader, unknown> = { name: header.name, description: header.description ?? null, refreshInterval: header.refreshInterval, method: header.method ?? null };
    const key = JSON.stringify(fields);
    let frame = this.frames.get(key);
    if (frame === undefined) {
      frame = this.calendar(header, subscription).toString();
      if (this.frames.size >= MAX_FRAMES) this.frames.clear();
      this.frames.set(key, frame);
    }
    return frame;
  }

  private readonly frames = new Map<string, string>();

  /** Mirrors the calendar options of ical-generator's own toString() exactly. */
  private calendar(header: CalendarHeader, subscription = true): ICalCalendar {
    return ical({
      prodId: PROD_ID,
      ...(header.name ? { name: escapeText(header.name) } : {}),
      ...(header.description ? { description: escapeText(header.description) } : {}),
      // No calendar-wide zone: with one, ical-generator writes DTSTAMP in local time without Z.
      // Each event names its zone and a VTIMEZONE is added for every zone used.
      timezone: { name: null, generator: getVtimezoneComponent },
      ...(subscription ? { ttl: Duration.fromISO(header.refreshInterval).as('seconds') } : {}),
      ...(header.method ? { method: ICalCalendarMethod[header.method] } : {}),
    });
  }

  private zoneOf(event: CalendarEvent): string {
    return event.start.zoneName ?? this.defaultZone;
  }

  /** One VEVENT, unfolded: ical-generator's, with the URL and the iTIP people written here (escape.ts). */
  private event(calendar: ICalCalendar, event: CalendarEvent): string {
    const zone = this.zoneOf(event);
    let text = calendar
      .createEvent({
        id: event.uid,
        sequence: event.sequence,
        summary: cleanText(event.summary),
        ...(event.description ? { description: cleanText(event.description) } : {}),
        ...(event.location ? { location: cleanText(event.location) } : {}),
        timezone: zone,
        start: event.start,
        end: event.end.setZone(zone),
        stamp: event.lastModified,
        lastModified: event.lastModified,
        ...(event.recurrenceId ? { recurrenceId: event.recurrenceId.setZone(zone) } : {}),
        ...(event.rrule ? { repeating: repeatingLines(event.rrule, event.exdates ?? [], zone) } : {}),
        ...(event.status ? { status: ICalEventStatus[event.status] } : {}),
        ...(event.categories ? { categories: event.categories.map((name) => ({ name: cleanText(name) })) } : {}),
      })
      .toString();
    // Where ical-generator would put them, so the bytes stay the same for ordinary data.
    if (event.url) text = insertBefore(text, [`URL;VALUE=URI:${uriValue(event.url)}`], ['STATUS:', 'LAST-MODIFIED:', 'END:VEVENT']);
    const people = [
      ...(event.organizer ? [`ORGANIZER${cn(event.organizer.name)}:mailto:${uriValue(event.organizer.email)}`] : []),
      ...(event.attendees ?? []).map(
        (a) => `ATTENDEE;ROLE=${ICalAttendeeRole.REQ};PARTSTAT=${PARTSTAT[a.partstat]};RSVP=${a.rsvp ? 'TRUE' : 'FALSE'}${cn(a.name)}:MAILTO:${uriValue(a.email)}`,
      ),
    ];
    if (people.length > 0) text = insertBefore(text, people, ['CATEGORIES:', 'URL;VALUE=URI:', 'STATUS:', 'LAST-MODIFIED:', 'END:VEVENT']);
    return text;
  }
}

/** Headers kept: one per team and personal feed in use is a few thousand (~300 bytes each). */
const MAX_FRAMES = 10_000;

/** A zone's VTIMEZONE, folded, made once per zone: the same text for every calendar. */
const vtimezones = new Map<string, string>();
function vtimezone(zone: string): string {
  let text = vtimezones.get(zone);
  if (text === undefined) vtimezones.set(zone, (text = foldLines(normalise(getVtimezoneComponent(zone)))));
  return text;
}

const isItip = (header: CalendarHeader) => header.method === 'REQUEST' || header.method === 'CANCEL';

/** `;CN="…"`, or nothing for an empty name (as ical-generator does). */
const cn = (name: string) => (cleanText(name) ? `;CN=${quotedParameter(name)}` : '');

/**
 * Lines put into an unfolded VEVENT before the first of `before` it has. Every value in it is
 * escaped (no raw line break), so each CRLF there starts a property.
 */
function insertBefore(vevent: string, lines: string[], before: string[]): string {
  for (const name of before) {
    const at = vevent.indexOf(`\r\n${name}`);
    if (at >= 0) return `${vevent.slice(0, at + 2)}${lines.map((line) => `${line}\r\n`).join('')}${vevent.slice(at + 2)}`;
  }
  return vevent + lines.map((line) => `${line}\r\n`).join('');
}

const PARTSTAT = {
  'NEEDS-ACTION': ICalAttendeeStatus.NEEDSACTION,
  ACCEPTED: ICalAttendeeStatus.ACCEPTED,
  DECLINED: ICalAttendeeStatus.DECLINED,
  TENTATIVE: ICalAttendeeStatus.TENTATIVE,
} as const;

/** As ical-generator puts a generated VTIMEZONE into a calendar: CRLF line ends, trimmed. */
function normalise(component: string | null): string {
  if (!component) return '';
  return `${component.replace(/\r\n/g, '\n').replace(/\n/g, '\r\n').trim()}\r\n`;
}

/** The RRULE as given plus EXDATEs in the event's zone: ical-generator's rule object cannot say BYDAY=2TU,4TU. */
function repeatingLines(rule: string, exdates: DateTime[], zone: string): string {
  // The rule was checked on import; a line break in it must still never start a property.
  const lines = [`RRULE:${rule.replace(/[\x00-\x1f\x7f]/g, '')}`];
  if (exdates.length > 0) {
    lines.push(`EXDATE;TZID=${zone}:${exdates.map((d) => d.setZone(zone).toFormat("yyyyMMdd'T'HHmmss")).join(',')}`);
  }
  return lines.join('\n');
}
