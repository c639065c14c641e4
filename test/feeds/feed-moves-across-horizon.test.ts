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
const RULE = 'FREQ=MONTHLY;BYDAY=2TU,4TU';

/**
 * The feeds publish a series up to the holiday horizon (two years from the month's start:
 * 1 December 2028 on 3 December 2026) and write an override for each moved meeting under its
 * rule date (RECURRENCE-ID). A meeting moved across the horizon is in the feed at its new
 * time all the same, once: from beyond it to before it (12 December 2028 → 30 November 2028,
 * issue 13) and from before it to beyond it; the holidays of the longer series are decided.
 */
describe.each(dialects)('meetings moved across the feed horizon on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-03T08:00:00Z');
  const feed = async (team: string) => parseCalendar((await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock }).team(team))!.body.toString('utf8'));
  const published = async (team: string, from = '2028-10-01', to = '2029-03-01') => expand(await feed(team), `pzk-${team}@kooperator`, from, to).map((o) => [o.ruleDate.slice(0, 10), local(o.start)]);
  const ours = async (team: string) => {
    const [t] = await loadTeams(db.db, [team]);
    return expandSeries(t!.meetings, new Date('2028-10-01T00:00:00Z'), new Date('2029-03-01T00:00:00Z'))
      .filter(takesPlace)
      .map((o) => [o.date, local(o.start.setZone(ZONE))]);
  };

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, {
      'h.yaml': aSchedule()
        .with(
          aTeam('wt').meetingsEvery(RULE, '2027-01-12T10:00').moving('2028-12-12', '2028-11-30T10:00'),
          aTeam('out').meetingsEvery(RULE, '2027-01-12T10:00').moving('2028-11-28', '2028-12-05T10:00'),
          aTeam('two').meetingsEvery(RULE, '2027-01-12T10:00').moving('2028-12-12', '2028-11-29T10:00').moving('2029-01-09', '2028-11-30T12:00'),
          aTeam('far').meetingsEvery(RULE, '2027-01-12T10:00').moving('2029-01-23', '2028-12-20T10:00'),
          aTeam('cx').meetingsEvery(RULE, '2027-01-12T10:00').cancelling('2028-12-12'),
        )
        .toYaml(),
    });
  });
  afterAll(async () => db?.close());

  it('should put a meeting moved from beyond the horizon to before it in the team feed at its new time, once', async () => {
    const feedOf = await published('wt');
    expect(feedOf.filter(([, start]) => start === '2028-11-30T10:00')).toEqual([['2028-12-12', '2028-11-30T10:00']]);
    expect(feedOf.map(([, start]) => start)).not.toContain('2028-12-12T10:00');
    // Everything it publishes is what we compute, in order, up to where it ends.
    expect(feedOf).toEqual((await ours('wt')).slice(0, feedOf.length));
  });

  it('should put a meeting moved from before the horizon to beyond it in the feed at its new time', async () => {
    const feedOf = await published('out');
    expect(feedOf.filter(([date]) => date === '2028-11-28')).toEqual([['2028-11-28', '2028-12-05T10:00']]);
    expect(feedOf.map(([, start]) => start)).not.toContain('2028-11-28T10:00');
    expect(feedOf).toEqual((await ours('out')).slice(0, feedOf.length));
  });

  it('should decide the holidays of every occurrence it publishes past the horizon (26 December 2028 shifted)', async () => {
    const feedOf = await published('two');
    expect(feedOf.map(([, start]) => start)).toEqual(expect.arrayContaining(['2028-11-29T10:00', '2028-11-30T12:00']));
    expect(feedOf).toEqual((await ours('two')).slice(0, feedOf.length));
    expect(feedOf.map(([date]) => date)).toContain('2028-12-26');
    for (const [date, start] of feedOf) expect(polishHoliday(start!.slice(0, 10)), `${date} → ${start}`).toBeUndefined();
  });

  it('should not publish a meeting moved from beyond the horizon to a time beyond it, nor a cancelled one', async () => {
    for (const team of ['far', 'cx']) {
      const feedOf = await published(team);
      expect(feedOf.at(-1)).toEqual(['2028-11-28', '2028-11-28T10:00']);
      expect(feedOf).toEqual((await ours(team)).slice(0, feedOf.length));
    }
  });

  it('should keep the moved meeting once when the horizon moves past its rule date', async () => {
    const later = new FixedClock('2027-01-02T08:00:00Z');
    const text = (await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock: later }).team('wt'))!.body.toString('utf8');
    const feedOf = expand(parseCalendar(text), 'pzk-wt@kooperator', '2028-10-01', '2029-03-01').map((o) => [o.ruleDate.slice(0, 10), local(o.start)]);
    expect(feedOf.filter(([, start]) => start === '2028-11-30T10:00')).toEqual([['2028-12-12', '2028-11-30T10:00']]);
    expect(feedOf).toEqual((await ours('wt')).slice(0, feedOf.length));
  });
});
