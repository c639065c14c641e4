import type { Driver, KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpcomingMeetings } from '../../src/bot/upcoming-meetings.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

const WEEKS_8 = 8 * 7 * 86_400_000;

/**
 * Hostile review of 66c38b9 (a team kept, its version raised, when its rows are the same): two
 * people ask `spotkania` at once while an unrelated write raises the data version. The one who
 * read the older version finishes loading second: the team's entry was already raised to the newer
 * version by the other, and raising it "to the max" left it at the newer one, which the older
 * call did not count as fresh: it listed no meetings of that team at all ("no meetings").
 */
/** Set to a promise: the next connection asked for waits for it first (holding nothing meanwhile). */
let delayNext: Promise<void> | undefined;
let delayed: () => void = () => undefined;
const delaying = (inner: Driver): Driver => ({
  init: () => inner.init(),
  acquireConnection: async () => {
    const wait = delayNext;
    delayNext = undefined;
    if (wait) {
      delayed();
      await wait;
    }
    return inner.acquireConnection();
  },
  beginTransaction: (c, s) => inner.beginTransaction(c, s),
  commitTransaction: (c) => inner.commitTransaction(c),
  rollbackTransaction: (c) => inner.rollbackTransaction(c),
  releaseConnection: (c) => inner.releaseConnection(c),
  destroy: () => inner.destroy(),
});

describe.each(dialects)('upcoming meetings asked at once across a version raise on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind, { wrapDriver: delaying });
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
  });
  afterAll(async () => db?.close());

  it('should list the team to both askers when the later one loads first', async () => {
    const from = new Date('2027-01-04T08:00:00Z');
    const to = new Date(from.getTime() + WEEKS_8);
    // Once armed, the version read of the cache's db arms the delay of its next statement: the load.
    let arm: Promise<void> | undefined;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (arm && args.result.rows.length === 1 && 'version' in args.result.rows[0]!) [delayNext, arm] = [arm, undefined];
        return args.result;
      },
    };
    const cache = new UpcomingMeetings(db.db.withPlugin(plugin));
    const first = await cache.of(['lodz'], from, to);
    expect(first.length).toBeGreaterThan(3);
    // Something else changed since, so the next asker reads lodz again.
    await db.db.updateTable('meeting_series').set({ location: 'Sala 8' }).where('team_id', '!=', 'lodz').execute();
    let letGo!: () => void;
    arm = new Promise<void>((resolve) => (letGo = resolve));
    const loadWaits = new Promise<void>((resolve) => (delayed = resolve));
    // The earlier asker: reads the version, then its load waits.
    const earlier = cache.of(['lodz'], from, to);
    await loadWaits;
    // Another team's place changes meanwhile (lodz's rows stay the same); the later asker loads at once.
    await db.db.updateTable('meeting_series').set({ location: 'Sala 9' }).where('team_id', '!=', 'lodz').execute();
    const later = await cache.of(['lodz'], from, to);
    letGo();
    expect(later).toHaveLength(first.length);
    expect(await earlier, 'the earlier asker\'s list').toHaveLength(first.length);
  });
});
