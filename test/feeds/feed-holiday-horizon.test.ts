import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { polishHoliday } from '../../src/domain/holidays.js';
import { expandSeries, takesPlace } from '../../src/domain/occurrences.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';
import { ZONE, expand, parseCalendar } from './ical.js';

const local = (t: { toFormat(f: string): string }) => t.toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * Every occurrence a feed publishes has its holiday decided: ical.js (Thunderbird's engine)
 * expands the feed as a client would, years ahead, and must find exactly the meetings we
 * compute, none of them a plain meeting on a holiday (26 December 2028 is a Tuesday).
 */
describe.each(dialects)('holidays in feeds as far as a calendar expands them on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-03T08:00:00Z');
  const feedOf = async (team: string) => parseCalendar((await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock }).team(team))!.body.toString('utf8'));
  const ours = async (team: string, to: string) => {
    const [t] = await loadTeams(db.db, [team]);
    return expandSeries(t!.meetings, new Date('2026-01-01T00:00:00Z'), new Date(to)).filter(takesPlace).map((o) => [o.date, local(o.start.setZone(ZONE))]);
  };

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, {
      'h.yaml': aSchedule()
        .with(
          aTeam('wt').meetingsEvery('FREQ=MONTHLY;BYDAY=2TU,4TU', '2027-01-12T10:00'),
          aTeam('mo').meetingsEvery('FREQ=WEEKLY;BYDAY=MO,TU', '2027-01-04T10:00'),
          aTeam('z').meetingsEvery('FREQ=WEEKLY;BYDAY=TU;UNTIL=20271228T090000Z', '2027-01-05T10:00'),
          aTeam('c').meetingsEvery('FREQ=WEEKLY;BYDAY=TU;COUNT=400', '2027-01-05T10:00'),
        )
        .toYaml(),
    });
  });
  afterAll(async () => db?.close());

  it.each(['wt', 'mo', 'c'])('should publish for %s no occurrence that ical.js expands differently from ours, up to 2040', async (team) => {
    const theirs = expand(await feedOf(team), `pzk-${team}@kooperator`, '2026-01-01', '2040-01-01').map((o) => [o.ruleDate.slice(0, 10), local(o.start)]);
    const expected = await ours(team, '2040-01-01T00:00:00Z');
    // What the feed publishes is ours, in order, up to where it ends (the published horizon).
    expect(theirs.length).toBeGreaterThan(40);
    expect(theirs).toEqual(expected.slice(0, theirs.length));
    for (const [date, start] of theirs) expect(polishHoliday(start!.slice(0, 10)), `${date} → ${start}`).toBeUndefined();
  });

  it('should show no plain meeting on 26 December 2028', async () => {
    const theirs = expand(await feedOf('wt'), 'pzk-wt@kooperator', '2028-12-01', '2029-01-01');
    expect(theirs.filter((o) => o.start.toISODate() === '2028-12-26')).toEqual([]);
  });

  it('should publish the last meeting of a series whose UNTIL is written in UTC', async () => {
    const theirs = expand(await feedOf('z'), 'pzk-z@kooperator', '2027-12-01', '2028-06-01').map((o) => local(o.start));
    expect(theirs.at(-1)).toBe('2027-12-28T10:00');
  });
});
