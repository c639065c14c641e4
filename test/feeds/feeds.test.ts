import type ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { expandSeries } from '../../src/domain/occurrences.js';
import { activityEvent, meetingEvents } from '../../src/feeds/calendar-events.js';
import { loadActivities, loadTeams } from '../../src/feeds/feed-data.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { messages } from '../../src/i18n/messages.js';
import type { CalendarRenderer } from '../../src/ports/calendar.port.js';
import { referenceRender } from '../adapters/ical/reference-renderer.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { LODZ_LOCATION, LODZ_NAME, WORKSHOP_DESCRIPTION, WORKSHOP_LOCATION, WORKSHOP_TITLE, feedSchedule } from './feed-schedule.js';
import { ZONE, expand, parseCalendar, rawLines, text, uids, vevents, type ExpandedOccurrence } from './ical.js';

const START = '2027-01-01T00:00:00Z';
const local = (t: DateTime) => t.toFormat("yyyy-MM-dd'T'HH:mm");
const newFeeds = (db: Db, clock: FixedClock) => new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock });
const in2027 = (calendar: ICAL.Component, team: string) => expand(calendar, `pzk-${team}@kooperator`, '2027-01-01', '2028-01-01');

describe.each(dialects)('iCal feeds on %s', (kind) => {
  let db: Db;
  let allText: string;
  let all: ICAL.Component;
  let lodz: ICAL.Component;
  let lodzText: string;
  let lowicz: ICAL.Component;
  let lodzMeetings: ExpandedOccurrence[];

  beforeAll(async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock(START);
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    const feeds = newFeeds(db, clock);
    allText = (await feeds.all()).body.toString('utf8');
    all = parseCalendar(allText);
    lodzText = (await feeds.team('lodz'))!.body.toString('utf8');
    lodz = parseCalendar(lodzText);
    lowicz = parseCalendar((await feeds.team('lowicz'))!.body.toString('utf8'));
    lodzMeetings = in2027(lodz, 'lodz');
  });
  afterAll(async () => db?.close());

  it('should declare Europe/Warsaw in a VTIMEZONE and write every time against it', () => {
    for (const calendar of [all, lodz, lowicz]) {
      expect(calendar.getAllSubcomponents('vtimezone').map((tz) => text(tz, 'tzid'))).toEqual([ZONE]);
    }
    for (const event of all.getAllSubcomponents('vevent')) {
      for (const name of ['dtstart', 'dtend']) expect(event.getFirstProperty(name)!.getParameter('tzid'), text(event, 'uid')).toBe(ZONE);
    }
  });

  it('should name the calendar, ask for an hourly refresh and write DTSTAMP in UTC', () => {
    expect(text(all, 'x-wr-calname')).toBe(messages.pl.calendarAll);
    expect(text(lodz, 'x-wr-calname')).toBe(messages.pl.calendarTeam(LODZ_NAME));
    expect(text(all, 'refresh-interval')).toBe('PT1H');
    const stamps = rawLines(allText, 'DTSTAMP');
    expect(stamps).toHaveLength(all.getAllSubcomponents('vevent').length);
    for (const line of stamps) expect(line).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
  });

  it('should serve all.ics assembled from kept event texts byte for byte as ical-generator renders the whole calendar', async () => {
    const teams = await loadTeams(db.db);
    const activities = await loadActivities(db.db, { kind: 'public' });
    const horizon = new Date('2029-01-01T00:00:00Z');
    const events = [...teams.flatMap((t) => meetingEvents(t, horizon)), ...activities.map((a) => activityEvent(a))];
    const document = { name: messages.pl.calendarAll, description: messages.pl.calendarAllDescription, refreshInterval: 'PT1H', events };
    expect(allText).toBe(referenceRender(document));
  });

  it("should serve a team feed, loaded in one query, byte for byte as ical-generator renders the team's rows and the activities open to it", async () => {
    const teams = await loadTeams(db.db, ['lodz']);
    const activities = await loadActivities(db.db, { kind: 'team', teamId: 'lodz' });
    const events = [...teams.flatMap((t) => meetingEvents(t, new Date('2029-01-01T00:00:00Z'))), ...activities.map((a) => activityEvent(a))];
    expect(activities.length).toBeGreaterThan(0);
    expect(lodzText).toBe(referenceRender({ name: messages.pl.calendarTeam(LODZ_NAME), refreshInterval: 'PT1H', events }));
  });

  it('should stamp DTSTAMP and LAST-MODIFIED with the injected clock of the import, not the database clock', async () => {
    expect(new Set(rawLines(allText, 'DTSTAMP'))).toEqual(new Set(['DTSTAMP:20270101T000000Z']));
    expect(new Set(rawLines(allText, 'LAST-MODIFIED'))).toEqual(new Set(['LAST-MODIFIED:20270101T000000Z']));
    const teams = await db.db.selectFrom('teams').select(['created_at', 'updated_at']).execute();
    for (const team of teams) expect([team.created_at, team.updated_at]).toEqual([new Date(START), new Date(START)]);
  });

  it('should keep every Łódź meeting of 2027 at 10:00 Warsaw time across the March and October changes', () => {
    // 52 Mondays, one cancelled.
    expect(lodzMeetings).toHaveLength(51);
    for (const o of lodzMeetings.filter((m) => m.ruleDate !== '2027-06-14T10:00')) {
      expect(o.start.toFormat('HH:mm'), o.ruleDate).toBe('10:00');
      expect(o.end.toFormat('HH:mm'), o.ruleDate).toBe('12:00');
    }
    const utcHour = (date: string) => lodzMeetings.find((o) => o.ruleDate.startsWith(date))!.start.toUTC().hour;
    expect([utcHour('2027-03-22'), utcHour('2027-04-05'), utcHour('2027-10-25'), utcHour('2027-11-08')]).toEqual([9, 8, 8, 9]);
  });

  it('should leave out cancelled and holiday-skipped meetings (EXDATE)', () => {
    expect(lodzMeetings.map((o) => o.ruleDate)).not.toContain('2027-02-15T10:00');
    const lowiczMeetings = in2027(lowicz, 'lowicz');
    // 24 on the rule: Corpus Christi and 11 November skipped, 23 September cancelled.
    expect(lowiczMeetings).toHaveLength(21);
    const dates = lowiczMeetings.map((o) => o.ruleDate.slice(0, 10));
    for (const gone of ['2027-05-27', '2027-09-23', '2027-11-11']) expect(dates).not.toContain(gone);
    for (const o of lowiczMeetings) expect(local(o.start).slice(11), o.ruleDate).toBe('13:00');
  });

  it('should show moved and holiday-shifted meetings at their new time through RECURRENCE-ID overrides', () => {
    const overridden = lodzMeetings.filter((o) => o.overridden).map((o) => [o.ruleDate, local(o.start), local(o.end)]);
    expect(overridden).toEqual([
      ['2027-03-29T10:00', '2027-03-30T10:00', '2027-03-30T12:00'], // Easter Monday
      ['2027-05-03T10:00', '2027-05-04T10:00', '2027-05-04T12:00'], // 3 May
      ['2027-06-14T10:00', '2027-06-16T12:00', '2027-06-16T14:00'], // moved in the file
      ['2027-11-01T10:00', '2027-11-02T10:00', '2027-11-02T12:00'], // All Saints' Day
    ]);
    expect(lodzMeetings.filter((o) => ['2027-03-29', '2027-05-03', '2027-11-01'].includes(local(o.start).slice(0, 10)))).toEqual([]);
    const note = (date: string) => lodzMeetings.find((o) => o.ruleDate.startsWith(date))!.description;
    expect(note('2027-03-29')).toContain('Drugi dzień Wielkanocy');
    expect(note('2027-06-14')).toContain('Przeniesione z dnia 14 czerwca 2027');
    expect(lodzMeetings.find((o) => o.ruleDate.startsWith('2027-11-01'))!.start.toUTC().hour).toBe(9);
  });

  it('should give a team’s series and its overrides one stable UID and the series’ SEQUENCE', () => {
    const components = vevents(lodz, 'pzk-lodz@kooperator');
    // The master and one override per moved or shifted meeting up to the two-year horizon.
    expect(components.filter((c) => !c.hasProperty('recurrence-id'))).toHaveLength(1);
    expect(components.length).toBeGreaterThan(4);
    expect(new Set(components.map((c) => c.getFirstPropertyValue('sequence')))).toEqual(new Set([0]));
    expect(uids(all).filter((uid) => uid.startsWith('pzk-'))).toEqual(['pzk-konin@kooperator', 'pzk-kutno@kooperator', 'pzk-lodz@kooperator', 'pzk-lowicz@kooperator']);
  });

  it('should put every team’s meetings and only the public activities in all.ics', () => {
    expect(uids(all).filter((uid) => uid.startsWith('activity-'))).toEqual(['activity-szkolenie-all@kooperator', 'activity-warsztaty-lodz-lowicz@kooperator']);
  });

  it('should put in a team feed its own meetings and the activities open to it, public or not', () => {
    expect(uids(lodz)).toEqual([
      'activity-coaching-lodz@kooperator',
      'activity-edukacja-all@kooperator',
      'activity-szkolenie-all@kooperator',
      'activity-warsztaty-lodz-lowicz@kooperator',
      'pzk-lodz@kooperator',
    ]);
    expect(uids(lowicz)).toEqual([
      'activity-edukacja-all@kooperator',
      'activity-konsultacje-lowicz@kooperator',
      'activity-szkolenie-all@kooperator',
      'activity-warsztaty-lodz-lowicz@kooperator',
      'pzk-lowicz@kooperator',
    ]);
  });

  it('should have no feed for an unknown team', async () => {
    expect(await newFeeds(db, new FixedClock(START)).team('nope')).toBeUndefined();
  });

  it('should escape commas, semicolons, backslashes and new lines so they read back unchanged', () => {
    const [workshop] = vevents(all, 'activity-warsztaty-lodz-lowicz@kooperator');
    expect(text(workshop!, 'summary')).toBe(WORKSHOP_TITLE);
    expect(text(workshop!, 'location')).toBe(WORKSHOP_LOCATION);
    expect(text(workshop!, 'description')).toBe(WORKSHOP_DESCRIPTION);
    const [master] = vevents(lodz, 'pzk-lodz@kooperator');
    expect(text(master!, 'summary')).toBe(messages.pl.meetingTitle(LODZ_NAME));
    expect(text(master!, 'location')).toBe(LODZ_LOCATION);
    expect(rawLines(allText, 'LOCATION')).toContain('LOCATION:Sala 12\\, ul. Przykładowa 1\\; wejście B\\nII piętro');
  });

  it('should write UNTIL in UTC and have ical.js stop on the last meeting day', () => {
    const untils = rawLines(allText, 'RRULE').flatMap((line) => line.match(/UNTIL=[^;]+/g) ?? []);
    // 22 June 10:00 CEST is 08:00Z; a bare date means the end of that day in Warsaw. The series
    // with no end are published up to the holiday horizon (two years from the month's start).
    expect(untils.filter((u) => u !== 'UNTIL=20281231T235959Z').sort()).toEqual(['UNTIL=20270622T080000Z', 'UNTIL=20270622T215959Z']);
    for (const team of ['konin', 'kutno']) {
      const meetings = expand(all, `pzk-${team}@kooperator`, '2027-01-01', '2030-01-01');
      expect(meetings, team).toHaveLength(12);
      expect(meetings.at(-1)!.ruleDate, team).toBe('2027-06-22T10:00');
    }
  });

  // A bare-date UNTIL counts the whole day in: the domain (reminders, schedule page, exception
  // checks) and the feed must agree that kutno meets on 22 June.
  it('should end a series with a date-only UNTIL on the same day in the domain as in the feed', async () => {
    const [kutno] = await loadTeams(db.db, ['kutno']);
    const domain = expandSeries(kutno!.meetings, new Date(START), new Date('2028-01-01T00:00:00Z')).map((o) => local(o.originalStart.setZone(ZONE)));
    const feed = expand(all, 'pzk-kutno@kooperator', '2027-01-01', '2028-01-01').map((o) => o.ruleDate);
    expect(domain).toEqual(feed);
  });
});

describe.each(dialects)('feeds after importing the schedule again on %s', (kind) => {
  let db: Db;
  afterEach(async () => db?.close());

  it('should render the same bytes and ETag when the same file is imported again', async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock(START);
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    const before = await newFeeds(db, clock).team('lodz');
    const summary = await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    expect(summary.changed).toBe(false);
    const after = await newFeeds(db, clock).team('lodz');
    expect(after!.etag).toBe(before!.etag);
    expect(after!.body.equals(before!.body)).toBe(true);
  });

  it('should raise SEQUENCE and change the ETag when the meeting place changes, and leave other feeds alone', async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock(START);
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    const feeds = newFeeds(db, clock);
    const [lodzBefore, lowiczBefore] = [await feeds.team('lodz'), await feeds.team('lowicz')];
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule({ lodzLocation: 'Sala 14, ul. Nowa 2' }) });
    const [lodzAfter, lowiczAfter] = [await feeds.team('lodz'), await feeds.team('lowicz')];
    expect(lodzAfter!.etag).not.toBe(lodzBefore!.etag);
    const components = vevents(parseCalendar(lodzAfter!.body.toString('utf8')), 'pzk-lodz@kooperator');
    expect(new Set(components.map((c) => c.getFirstPropertyValue('sequence')))).toEqual(new Set([1]));
    expect(new Set(components.map((c) => text(c, 'location')))).toEqual(new Set(['Sala 14, ul. Nowa 2']));
    expect(lowiczAfter!.etag).toBe(lowiczBefore!.etag);
  });

  it('should render again only the team that changed, and give the same bytes as a render from nothing', async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock(START);
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    const real = new IcalGeneratorRenderer(ZONE);
    const rendered: string[] = [];
    const counting: CalendarRenderer = {
      render: (document) => real.render(document),
      renderEvents: (events) => (rendered.push(...events.map((e) => e.uid)), real.renderEvents(events)),
      assemble: (header, zones, texts) => real.assemble(header, zones, texts),
    };
    const feeds = new FeedService({ db: db.db, renderer: counting, clock });
    await feeds.all();
    expect(new Set(rendered)).toEqual(new Set(['pzk-konin@kooperator', 'pzk-kutno@kooperator', 'pzk-lodz@kooperator', 'pzk-lowicz@kooperator', 'activity-szkolenie-all@kooperator', 'activity-warsztaty-lodz-lowicz@kooperator']));

    rendered.length = 0;
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule({ lodzLocation: 'Sala 14, ul. Nowa 2' }) });
    const after = await feeds.all();
    expect(new Set(rendered)).toEqual(new Set(['pzk-lodz@kooperator']));
    const fromNothing = await newFeeds(db, clock).all();
    expect(after.body.equals(fromNothing.body)).toBe(true);
    expect(after.body.toString('utf8')).toContain('LOCATION:Sala 14\\, ul. Nowa 2');
  });

  // Holidays are resolved up to the start of the month + 2 years, matching the monthly cache key:
  // a replica rendering on 15 January must give the same bytes (and ETag) as one on 1 January.
  it('should render the same bytes for the same data on any day of a month', async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock(START);
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    const early = await newFeeds(db, clock).team('lodz');
    clock.set('2027-01-15T08:00:00Z');
    const later = await newFeeds(db, clock).team('lodz');
    expect(later!.etag).toBe(early!.etag);
  });
});
