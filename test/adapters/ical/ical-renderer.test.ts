import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { foldLines } from '../../../adapters/ical/fold-lines.js';
import { IcalGeneratorRenderer } from '../../../adapters/ical/ical-renderer.js';
import type { MeetingSeriesRow, TeamRow } from '../../../src/db/tables.js';
import { toMeetingSeries } from '../../../src/feeds/feed-data.js';
import { meetingEvents } from '../../../src/feeds/calendar-events.js';
import type { CalendarDocument, CalendarEvent } from '../../../src/ports/calendar.port.js';
import { referenceRender } from './reference-renderer.js';

const WARSAW = 'Europe/Warsaw';
const STAMP = new Date('2027-01-04T08:00:00Z');

/** Texts that land a multi-octet character on and around the 75-octet fold, in every width. */
const TRICKY = [
  'Ośrodek szkoleniowy, Spała; budynek „C” — sala konferencyjna nr 3 (II piętro, winda od strony parkingu)',
  `${'a'.repeat(73)}ąę${'ż'.repeat(60)}`,
  `${'b'.repeat(72)}€€€ koszt ${'€'.repeat(40)}`,
  `${'c'.repeat(71)}😀😀 emoji ${'🗓️'.repeat(30)} koniec`,
  `Dzień 1: diagnoza, potrzeby; plan.\nDzień 2: role\\zadania, podsumowanie. ${'Zażółć gęślą jaźń. '.repeat(12)}`,
  'x'.repeat(74),
  'y'.repeat(75),
];

function events(): CalendarEvent[] {
  const team: TeamRow = { id: 'lodz', name: 'PZK Łódź, Bałuty; zespół A', area: 'gmina', timezone: WARSAW, slack_channel: null, teams_channel: null, report_code: null, source: 'a.yaml', removed_at: null, created_at: STAMP, updated_at: STAMP };
  const series: MeetingSeriesRow = {
    team_id: 'lodz',
    rrule: 'FREQ=WEEKLY;BYDAY=MO',
    starts_local: '2027-01-04T10:00',
    duration: 'PT2H',
    location: TRICKY[0]!,
    online_url: 'https://example.org/meet/pzk-lodz?room=bałuty&very-long-parameter=1234567890',
    reminders: ['P1D'],
    on_holiday: 'shift',
    checkin_at: null,
    sequence: 3,
    updated_at: STAMP,
  };
  const exceptions = [
    { date: '2027-02-15', cancelled: true, movedToLocal: null },
    { date: '2027-06-14', cancelled: false, movedToLocal: '2027-06-16T12:00' },
  ];
  const meetings = meetingEvents({ team, series, meetings: toMeetingSeries(team, series, exceptions) }, new Date('2029-01-01T00:00:00Z'));
  const activities = TRICKY.map<CalendarEvent>((text, i) => ({
    uid: `activity-${i}@kooperator`,
    sequence: i,
    summary: text,
    description: `${text}\n${text}`,
    location: text,
    start: DateTime.fromISO(`2027-03-1${i}T09:00`, { zone: i === 3 ? 'Europe/London' : WARSAW }),
    end: DateTime.fromISO(`2027-03-1${i}T16:00`, { zone: i === 3 ? 'Europe/London' : WARSAW }),
    status: i === 2 ? 'CANCELLED' : 'CONFIRMED',
    lastModified: STAMP,
    categories: ['Warsztaty'],
  }));
  return [...meetings, ...activities];
}

const document = (): CalendarDocument => ({ name: 'Kalendarz PZK: Łódź, Bałuty', description: 'Spotkania i warsztaty', refreshInterval: 'PT1H', events: events() });

describe('the iCal renderer', () => {
  const renderer = new IcalGeneratorRenderer(WARSAW);

  it('should write exactly the bytes of ical-generator’s own toString()', () => {
    const doc = document();
    expect(renderer.render(doc)).toBe(referenceRender(doc));
  });

  it('should give the same bytes with a METHOD, with no events, and with one zone only', () => {
    const itip: CalendarDocument = { name: 'Kooperator', refreshInterval: 'PT1H', method: 'REQUEST', events: events().slice(-2, -1) };
    expect(renderer.render(itip)).toBe(referenceRender(itip));
    const empty: CalendarDocument = { name: 'Pusty', refreshInterval: 'PT1H', events: [] };
    expect(renderer.render(empty)).toBe(referenceRender(empty));
  });

  it('should give each header its own frame and zones when frames and zones are kept (one renderer, headers in turn)', () => {
    const kept = new IcalGeneratorRenderer(WARSAW);
    const all = events();
    const headers: CalendarDocument[] = [
      { name: 'Kalendarz PZK: Łódź, Bałuty', refreshInterval: 'PT1H', events: all },
      { name: 'Kalendarz PZK: Łowicz', refreshInterval: 'PT1H', events: all.slice(0, 3) },
      { name: 'Kalendarz PZK: Łódź, Bałuty', description: 'Spotkania i warsztaty', refreshInterval: 'PT1H', events: all },
      { name: 'Kalendarz PZK: Łódź, Bałuty', refreshInterval: 'PT6H', events: all },
      { name: 'Kalendarz PZK: Łódź, Bałuty', refreshInterval: 'PT1H', method: 'PUBLISH', events: all.slice(-1) },
      { name: 'Kalendarz PZK: Łódź, Bałuty', refreshInterval: 'PT1H', method: 'REQUEST', events: all.slice(-1) },
      { name: 'Kalendarz PZK: Łódź, Bałuty', refreshInterval: 'PT1H', method: 'CANCEL', events: all.slice(-1) },
      { name: '', refreshInterval: 'PT1H', events: all.slice(-5) },
    ];
    for (let round = 0; round < 2; round++) for (const doc of headers) expect(kept.render(doc), `${round} ${JSON.stringify({ ...doc, events: doc.events.length })}`).toBe(referenceRender(doc));
  });

  it('should assemble the same bytes from event texts rendered one at a time', () => {
    const doc = document();
    const zones = [...new Set(doc.events.map((e) => e.start.zoneName!))];
    const assembled = renderer.assemble(doc, zones, doc.events.map((e) => renderer.renderEvents([e])));
    expect(assembled).toBe(referenceRender(doc));
  });

  it('should keep every line within 75 octets and never split a UTF-8 character', () => {
    const bytes = Buffer.from(renderer.render(document()), 'utf8');
    const lines = bytes.toString('latin1').split('\r\n').map((line) => Buffer.from(line, 'latin1'));
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(75);
      // A line that ends or starts inside a character would not decode on its own.
      expect(line.toString('utf8')).not.toContain('\ufffd');
    }
  });

  it('should read back through ical.js with every text unchanged', () => {
    const doc = document();
    const calendar = new ICAL.Component(ICAL.parse(renderer.render(doc)) as unknown[]);
    const activities = calendar.getAllSubcomponents('vevent').filter((e) => String(e.getFirstPropertyValue('uid')).startsWith('activity-'));
    expect(activities.map((e) => e.getFirstPropertyValue('summary'))).toEqual(TRICKY);
    expect(activities.map((e) => e.getFirstPropertyValue('description'))).toEqual(TRICKY.map((t) => `${t}\n${t}`));
    expect(calendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual([WARSAW, 'Europe/London']);
  });
});

describe('folding lines', () => {
  it('should leave short lines and line ends alone and unfold back to the input', () => {
    const input = ['BEGIN:VEVENT', `SUMMARY:${TRICKY.join(' ')}`, 'END:VEVENT'].join('\r\n');
    const folded = foldLines(input);
    expect(folded.startsWith('BEGIN:VEVENT\r\nSUMMARY:')).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe(input);
  });
});
