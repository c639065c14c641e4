import type { DateTime } from 'luxon';

/** One VEVENT, in the terms the core decides; the adapter writes RFC 5545. */
export interface CalendarEvent {
  uid: string;
  sequence: number;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  /** Both in the event's zone; written with TZID and a VTIMEZONE. */
  start: DateTime;
  end: DateTime;
  /** A bare rule (FREQ=…), with any UNTIL already in UTC. */
  rrule?: string;
  exdates?: DateTime[];
  recurrenceId?: DateTime;
  status?: 'CONFIRMED' | 'CANCELLED';
  /** Stable DTSTAMP/LAST-MODIFIED, so the same data renders the same bytes. */
  lastModified: Date;
  categories?: string[];
  /** iTIP invitations (RFC 5546): who invites, and the one person a copy is for. */
  organizer?: { name: string; email: string };
  attendees?: { name: string; email: string; partstat: 'NEEDS-ACTION' | 'ACCEPTED' | 'DECLINED' | 'TENTATIVE'; rsvp: boolean }[];
}

export interface CalendarHeader {
  name: string;
  description?: string;
  /** ISO 8601 duration for REFRESH-INTERVAL and X-PUBLISHED-TTL. */
  refreshInterval: string;
  method?: 'PUBLISH' | 'REQUEST' | 'CANCEL';
}

export interface CalendarDocument extends CalendarHeader {
  events: CalendarEvent[];
}

export interface CalendarRenderer {
  render(document: CalendarDocument): string;
  /** The VEVENTs' text, ready to go into `assemble`: a feed keeps it as long as the data it came from. */
  renderEvents(events: CalendarEvent[]): string;
  /**
   * A calendar from event texts of `renderEvents`, the same bytes as `render` of those events.
   * `zones`: every zone the events use, in the order they first appear.
   */
  assemble(header: CalendarHeader, zones: string[], eventTexts: string[]): string;
}
