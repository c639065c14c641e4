import { describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import { dataVersionWatch } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';

/**
 * Hostile review of 9edc7e7: two replicas end raising transactions at the same instant, again and
 * again, while this replica's notifications are held. Each end reads the version in its own
 * transaction; this replica must serve its own change right after each of its commits.
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('hostile: two replicas ending raising transactions together (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const replicas = replicasBehindListenProxy({
    schema: `t_one_trip_race_${process.pid}`,
    seed: async (db) => importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' }),
  });

  it('serves its own change after every commit, whatever the other commits beside it', async () => {
    const [ours, theirs] = await replicas.own.db.selectFrom('teams').select('id').orderBy('id').limit(2).execute();
    const feeds = new FeedService({ db: replicas.own.db, renderer: new IcalGeneratorRenderer('Europe/Warsaw'), clock });
    const watch = dataVersionWatch(replicas.own.db);
    const start = await replicas.settled();
    replicas.proxy.hold();
    for (let round = 0; round < 15; round++) {
      const name = `Nasza ${round}`;
      await Promise.all([
        replicas.own.db.transaction().execute(async (trx) => {
          await trx.updateTable('teams').set({ name }).where('id', '=', ours!.id).execute();
        }),
        replicas.other.db.transaction().execute(async (trx) => {
          await trx.updateTable('teams').set({ name: `Ich ${round}` }).where('id', '=', theirs!.id).execute();
        }),
      ]);
      expect((await feeds.team(ours!.id))!.body.toString('utf8'), `round ${round}`).toContain(name);
      expect(watch.settled() ?? 0).toBeGreaterThan(start + round);
    }
    expect(await readDataVersion(replicas.other.db)).toBe(start + 30);
    replicas.proxy.release();
  }, 60_000);
});
