import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';

/**
 * A write inside a CTE whose outer statement is a SELECT reports no rows affected (command tag
 * SELECT), and a Kysely-built `with(..., updateTable(...)).selectFrom(...)` roots at a
 * SelectQueryNode: adapters/db/own-commits.ts must still read our commit back, or the feed keeps
 * serving the old data until our notification arrives (held back here by a proxy).
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('our own commit of a write inside a CTE (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const replicas = replicasBehindListenProxy({
    schema: `t_own_cte_${process.pid}`,
    seed: async (db) => importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' }),
  });

  async function setUp(marker: string) {
    const [ours] = await replicas.own.db.selectFrom('teams').select('id').orderBy('id').limit(1).execute();
    const feeds = new FeedService({ db: replicas.own.db, renderer: new IcalGeneratorRenderer('Europe/Warsaw'), clock });
    const shows = async () => (await feeds.team(ours!.id))!.body.toString('utf8').includes(marker);
    await replicas.settled();
    expect(await shows()).toBe(false); // cached at the version it knows
    replicas.proxy.hold();
    return { id: ours!.id, shows };
  }

  it('should serve a plain raw update at once', async () => {
    const { id, shows } = await setUp('Zwykla zmiana');
    await sql`update teams set name = 'Zwykla zmiana' where id = ${id}`.execute(replicas.own.db);
    expect(await shows()).toBe(true);
  });

  it('should serve a raw `with x as (update teams ...) select count(*) from x` at once, outside a transaction', async () => {
    const { id, shows } = await setUp('Zmiana w CTE');
    await sql`with x as (update teams set name = 'Zmiana w CTE' where id = ${id} returning id) select count(*) from x`.execute(replicas.own.db);
    expect(await readDataVersion(replicas.other.db), 'the write did raise the version').toBeGreaterThan(0);
    expect(await shows(), 'the team feed served right after our CTE write shows it').toBe(true);
  });

  it('should serve a Kysely `with(updateTable(teams)).selectFrom(x)` at once, in a transaction', async () => {
    const { id, shows } = await setUp('Zmiana z Kysely');
    await replicas.own.db.transaction().execute((trx) =>
      trx
        .with('x', (qb) => qb.updateTable('teams').set({ name: 'Zmiana z Kysely' }).where('id', '=', id).returning('id'))
        .selectFrom('x')
        .selectAll()
        .execute(),
    );
    expect(await shows(), 'the team feed served right after our commit shows it').toBe(true);
  });
});
