import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../../adapters/ical/ical-renderer.js';
import type { MeetingSeriesRow, TeamRow } from '../../../src/db/tables.js';
import { activityEvent, meetingEvents } from '../../../src/feeds/calendar-events.js';
import { toMeetingSeries } from '../../../src/feeds/feed-data.js';
import type { FeedActivity } from '../../../src/feeds/load-feed.js';
import { messages } from '../../../src/i18n/messages.js';
import type { CalendarDocument } from '../../../src/ports/calendar.port.js';

const STAMP = new Date('2027-01-04T08:00:00Z');
const renderer = new IcalGeneratorRenderer('Europe/Warsaw');

/** Pieces that break calendars (line ends, delimiters, quotes, RFC 6868 carets, whole lines) mixed with any character. */
const tricky = fc.constantFrom('\r\n', '\n', '\r', ',', ';', ':', '\\', '"', '^', "^'", '^n', '\\n', '=', '\t', ' ', '\u2028', '\u2029', '\u0085', '\x00', '\x0b', '\x1b', '\x7f', 'ł', '😀', 'BEGIN:VEVENT', 'END:VEVENT', 'END:VCALENDAR', 'X-INJECTED:1', 'ATTENDEE:mailto:x@evil.example');
const text = fc.string({ unit: fc.oneof(tricky, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 40 });

/**
 * What a calendar can carry of a text: every line break is a newline, other control characters
 * are dropped. A text left empty is not written at all (read back as '').
 */
const asText = (s: string) => s.replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
/** A URI keeps its characters; control characters and line breaks are percent-encoded. */
const asUri = (s: string) => s.replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]/g, (c) => encodeURIComponent(c));
/** An unknown property (X-WR-CALNAME, NAME) reaches us from ical.js as written: decode TEXT escapes here. */
const unescapeText = (s: string) => s.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

/** A display name in a parameter: as a text, with a backslash shown as ＼ (see escape.ts). */
const asParameter = (s: string) => asText(s).replace(/\\/g, '\uff3c');

const parse = (ics: string) => {
  const parsed = ICAL.parse(ics) as unknown[];
  // ICAL.parse gives one component as [name, props, subs], several as a list of them.
  const roots = typeof parsed[0] === 'string' ? [parsed] : parsed;
  expect(roots).toHaveLength(1);
  return new ICAL.Component(roots[0] as unknown[]);
};

const FEED_PROPS = new Set(['uid', 'sequence', 'dtstamp', 'dtstart', 'dtend', 'rrule', 'exdate', 'summary', 'location', 'description', 'url', 'status', 'categories', 'last-modified', 'recurrence-id', 'organizer', 'attendee']);

function activity(over: Partial<FeedActivity>): FeedActivity {
  return {
    id: 'warsztaty-1', kind: 'workshop', title: 'Warsztaty', description: null, starts_local: '2027-03-10T09:00', ends_local: '2027-03-10T15:00',
    timezone: 'Europe/Warsaw', location: null, online_url: null, sequence: 0, cancelled_at: null, updated_at: STAMP, ...over,
  };
}

function teamEvents(name: string, location: string, online: string) {
  const team: TeamRow = { id: 'lodz', name, area: 'gmina', timezone: 'Europe/Warsaw', slack_channel: null, teams_channel: null, report_code: null, source: 'a.yaml', removed_at: null, created_at: STAMP, updated_at: STAMP };
  const series: MeetingSeriesRow = {
    team_id: 'lodz', rrule: 'FREQ=MONTHLY;BYDAY=2TU', starts_local: '2027-01-12T10:00', duration: 'PT2H', location, online_url: online,
    reminders: ['P1D'], on_holiday: 'keep', checkin_at: null, sequence: 1, updated_at: STAMP,
  };
  return meetingEvents({ team, series, meetings: toMeetingSeries(team, series, []) }, new Date('2027-06-01T00:00:00Z'));
}

const RUNS = 300;
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

describe('texts from a schedule in calendars', () => {
  it(`should read back from a feed exactly as given, with no event added (seed ${SEED}, ${RUNS} runs)`, () => {
    console.log(`calendar feed fuzz: seed ${SEED}, ${RUNS} runs`);
    fc.assert(
      fc.property(text, text, text, text, text, text, (teamName, title, description, location, online, personName) => {
        const events = [...teamEvents(teamName, location, online), activityEvent(activity({ title, description, location, online_url: online }))];
        const doc: CalendarDocument = { name: messages.pl.calendarPerson(personName), description: teamName, refreshInterval: 'PT1H', events };
        const calendar = parse(renderer.render(doc));
        const vevents = calendar.getAllSubcomponents('vevent');
        expect(vevents).toHaveLength(events.length);
        expect(calendar.getAllSubcomponents().map((c) => c.name).sort()).toEqual(['vevent', 'vevent', 'vtimezone']);
        expect(unescapeText(String(calendar.getFirstPropertyValue('x-wr-calname')))).toBe(asText(doc.name));
        expect(unescapeText(String(calendar.getFirstPropertyValue('name')))).toBe(asText(doc.name));
        expect(unescapeText(String(calendar.getFirstPropertyValue('x-wr-caldesc') ?? ''))).toBe(asText(teamName));
        for (const [vevent, event] of vevents.map((v, i) => [v, events[i]!] as const)) {
          expect(vevent.getFirstPropertyValue('summary')).toBe(asText(event.summary));
          expect(vevent.getFirstPropertyValue('location') ?? '').toBe(asText(event.location!));
          expect(vevent.getFirstPropertyValue('description') ?? '').toBe(asText(event.description!));
          expect(vevent.getFirstPropertyValue('url') ?? '').toBe(asUri(online));
          for (const property of vevent.getAllProperties()) expect(FEED_PROPS).toContain(property.name);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`should give the invitee of an invitation their own name and address back (seed ${SEED}, ${RUNS} runs)`, () => {
    console.log(`invitation calendar fuzz: seed ${SEED}, ${RUNS} runs`);
    fc.assert(
      fc.property(text, text, text, text, text, text, (title, personName, personEmail, organizerName, organizerEmail, location) => {
        const event = {
          ...activityEvent(activity({ title, location })),
          organizer: { name: organizerName, email: organizerEmail },
          attendees: [{ name: personName, email: personEmail, partstat: 'NEEDS-ACTION' as const, rsvp: true }],
        };
        const calendar = parse(renderer.render({ name: title, refreshInterval: 'PT1H', method: 'REQUEST', events: [event] }));
        const vevents = calendar.getAllSubcomponents('vevent');
        expect(vevents).toHaveLength(1);
        const vevent = vevents[0]!;
        expect(vevent.getFirstPropertyValue('summary')).toBe(asText(title));
        expect(vevent.getFirstPropertyValue('location') ?? '').toBe(asText(location));
        const attendees = vevent.getAllProperties('attendee');
        expect(attendees).toHaveLength(1);
        expect(attendees[0]!.getParameter('cn') ?? '').toBe(asParameter(personName));
        expect(attendees[0]!.getParameter('partstat')).toBe('NEEDS-ACTION');
        expect(attendees[0]!.getFirstValue()).toBe(`MAILTO:${asUri(personEmail)}`);
        const organizer = vevent.getFirstProperty('organizer')!;
        expect(organizer.getParameter('cn') ?? '').toBe(asParameter(organizerName));
        expect(organizer.getFirstValue()).toBe(`mailto:${asUri(organizerEmail)}`);
        expect(vevent.getAllProperties('organizer')).toHaveLength(1);
        for (const property of vevent.getAllProperties()) expect(FEED_PROPS).toContain(property.name);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('should keep the address of an organizer whose name is `\\n:` (found by the fuzz, seed 989163293)', () => {
    const event = { ...activityEvent(activity({})), organizer: { name: '\\n:', email: 'rcps@example.org' } };
    const organizer = parse(renderer.render({ name: 'x', refreshInterval: 'PT1H', method: 'REQUEST', events: [event] })).getFirstSubcomponent('vevent')!.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:rcps@example.org');
    expect(organizer.getParameter('cn')).toBe('\uff3cn:');
  });

  it('should write a name with a line break and a quote as RFC 5545 and RFC 6868 say', () => {
    const event = { ...activityEvent(activity({ title: 'A\nB' })), attendees: [{ name: 'Jan "Kowal" Nowak\nX', email: 'jan@example.org', partstat: 'NEEDS-ACTION' as const, rsvp: true }] };
    const ics = renderer.render({ name: 'Zespół\nBEGIN:VEVENT', refreshInterval: 'PT1H', method: 'REQUEST', events: [event] });
    expect(ics).toContain('X-WR-CALNAME:Zespół\\nBEGIN:VEVENT\r\n');
    expect(ics.replace(/\r\n /g, '')).toContain(`CN="Jan ^'Kowal^' Nowak^nX":MAILTO:jan@example.org`);
  });
});
