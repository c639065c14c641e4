import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';
import { ZONE, expand, parseCalendar } from '../feeds/ical.js';

/**
 * Review: the feed publishes the series up to the holiday horizon (2 years from the month's
 * start: 1 December 2028 here) with an UNTIL, and its overrides come from expandSeries, which
 * windows by the RULE's date. A meeting whose rule date lies beyond the horizon but which was
 * moved before it (here 12 December 2028 → 30 November 2028) is then in neither: the RRULE
 * stops before its rule date and no override is written, so calendars never show it, though
 * the schedule page and `spotkania` (occurrencesStartingIn) do. calendar-events.ts:34.
 */
describe.each(dialects)('a meeting moved from beyond the feed horizon to before it on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-03T08:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, {
      'h.yaml': aSchedule().with(aTeam('wt').meetingsEvery('FREQ=MONTHLY;BYDAY=2TU,4TU', '2027-01-12T10:00').moving('2028-12-12', '2028-11-30T10:00')).toYaml(),
    });
  });
  afterAll(async () => db?.close());

  // Known gap, proven: it.fails passes while the bug is there and turns red once it is fixed;
  // then make it an ordinary test in its proper folder (see the README's State section).
  it.fails('should be in the team feed at its new time', async () => {
    const feed = parseCalendar((await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock }).team('wt'))!.body.toString('utf8'));
    const starts = expand(feed, 'pzk-wt@kooperator', '2028-11-01', '2029-01-01').map((o) => o.start.toFormat("yyyy-MM-dd'T'HH:mm"));
    expect(starts).toContain('2028-11-30T10:00');
  });
});
