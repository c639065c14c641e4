import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { Duration } from 'luxon';
import type { CalendarDocument } from '../../../src/ports/calendar.port.js';

/**
 * ical-generator used the plain way, one calendar and its own toString() (and its own slow
 * line folding): what the adapter rendered before it folded events itself. The adapter must
 * give exactly these bytes.
 */
const escapeText = (text: string) => text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');

export function referenceRender(document: CalendarDocument, defaultZone = 'Europe/Warsaw'): string {
  const calendar = ical({
    prodId: { company: 'RCPS', product: 'Kooperator', language: 'PL' },
    // ical-generator writes these raw; RFC 5545 TEXT wants `\`, `;`, `,` and line breaks
    // escaped (a line break in a team's name added events to feeds), so the adapter does.
    name: escapeText(document.name),
    ...(document.description ? { description: escapeText(document.description) } : {}),
    timezone: { name: null, generator: getVtimezoneComponent },
    // An iTIP message (REQUEST, CANCEL) carries no refresh hint.
    ...(document.method === 'REQUEST' || document.method === 'CANCEL' ? {} : { ttl: Duration.fromISO(document.refreshInterval).as('seconds') }),
    ...(document.method ? { method: ICalCalendarMethod[document.method] } : {}),
  });
  for (const event of document.events) {
    const zone = event.start.zoneName ?? defaultZone;
    const exdates = event.exdates ?? [];
    const repeating = event.rrule
      ? [`RRULE:${event.rrule}`, ...(exdates.length ? [`EXDATE;TZID=${zone}:${exdates.map((d) => d.setZone(zone).toFormat("yyyyMMdd'T'HHmmss")).join(',')}`] : [])].join('\n')
      : undefined;
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
      ...(repeating ? { repeating } : {}),
      ...(event.status ? { status: ICalEventStatus[event.status] } : {}),
      ...(event.categories ? { categories: event.categories.map((name) => ({ name })) } : {}),
    });
  }
  return calendar.toString();
}
