import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { Duration, type DateTime } from 'luxon';
import type { CalendarDocument, CalendarEvent, CalendarRenderer } from '../../src/ports/calendar.port.js';

const PROD_ID = { company: 'RCPS', product: 'Kooperator', language: 'PL' };

/**
 * Writes RFC 5545 with ical-generator. Times go in as luxon DateTimes in the event's own zone
 * (a native Date would be written in the process zone's wall clock), and a VTIMEZONE is
 * generated for every zone used.
 */
export class IcalGeneratorRenderer implements CalendarRenderer {
  constructor(private readonly defaultZone: string) {}

  render(document: CalendarDocument): string {
    const calendar = ical({
      prodId: PROD_ID,
      name: document.name,
      ...(document.description ? { description: document.description } : {}),
      // No calendar-wide zone: with one, ical-generator writes DTSTAMP in local time without Z.
      // Each event names its zone and the generator adds a VTIMEZONE for every zone used.
      timezone: { name: null, generator: getVtimezoneComponent },
      // An iTIP message (REQUEST, CANCEL) is not a subscription: no refresh hint.
      ...(document.method === 'REQUEST' || document.method === 'CANCEL' ? {} : { ttl: Duration.fromISO(document.refreshInterval).as('seconds') }),
      ...(document.method ? { method: ICalCalendarMethod[document.method] } : {}),
    });
    for (const event of document.events) this.addEvent(calendar, event);
    return calendar.toString();
  }

  private addEvent(calendar: ReturnType<typeof ical>, event: CalendarEvent): void {
    const zone = event.start.zoneName ?? this.defaultZone;
    calendar.createEvent({
      id: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      ...(event.description ? { description: event.description } : {}),
      ...(event.location ? { location: event.location } : {}),
      ...(event.url ? { url: event.url } : {}),
      timezone: zone,
      start: event.start,
      end: event.end.setZone(zone),
      stamp: event.lastModified,
      lastModified: event.lastModified,
      ...(event.recurrenceId ? { recurrenceId: event.recurrenceId.setZone(zone) } : {}),
      ...(event.rrule ? { repeating: repeatingLines(event.rrule, event.exdates ?? [], zone) } : {}),
      ...(event.status ? { status: ICalEventStatus[event.status] } : {}),
      ...(event.categories ? { categories: event.categories.map((name) => ({ name })) } : {}),
      ...(event.organizer ? { organizer: event.organizer } : {}),
      ...(event.attendees
        ? {
            attendees: event.attendees.map((a) => ({
              name: a.name,
              email: a.email,
              rsvp: a.rsvp,
              role: ICalAttendeeRole.REQ,
              status: PARTSTAT[a.partstat],
            })),
          }
        : {}),
    });
  }
}

const PARTSTAT = {
  'NEEDS-ACTION': ICalAttendeeStatus.NEEDSACTION,
  ACCEPTED: ICalAttendeeStatus.ACCEPTED,
  DECLINED: ICalAttendeeStatus.DECLINED,
  TENTATIVE: ICalAttendeeStatus.TENTATIVE,
} as const;

/** The RRULE as given plus EXDATEs in the event's zone: ical-generator's rule object cannot say BYDAY=2TU,4TU. */
function repeatingLines(rule: string, exdates: DateTime[], zone: string): string {
  const lines = [`RRULE:${rule}`];
  if (exdates.length > 0) {
    lines.push(`EXDATE;TZID=${zone}:${exdates.map((d) => d.setZone(zone).toFormat("yyyyMMdd'T'HHmmss")).join(',')}`);
  }
  return lines.join('\n');
}
