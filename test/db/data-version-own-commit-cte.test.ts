import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { currentDataVersion, dataVersionWatch } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { until } from '../process/service-process.js';
import { dropSchemaGuarded, migrateGuarded } from '../support/databases.js';
import { startListenProxy, type ListenProxy } from '../support/listen-proxy.js';

/**
 * A write inside a CTE whose outer statement is a SELECT reports no rows affected (command tag
 * SELECT), and a Kysely-built `with(..., updateTable(...)).selectFrom(...)` roots at a
 * SelectQueryNode: adapters/db/own-commits.ts must still read our commit back, or the feed keeps
 * serving the old data until our notification arrives (held back here by a proxy).
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('our own commit of a write inside a CTE (PostgreSQL)', () => {
  let admin: Db;
  let own: Db;
  let other: Db;
  let proxy: ListenProxy;
  const schema = `t_own_cte_${process.pid}`;
  const clock = new FixedClock('2026-12-20T12:00:00Z');

  beforeAll(async () => {
    const target = new URL(url!);
    proxy = await startListenProxy({ host: target.hostname, port: Number(target.port || 5432) });
    admin = await connect({ databaseUrl: url!, poolSize: 1 });
    await dropSchemaGuarded(admin, schema);
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    own = await connect({ databaseUrl: proxy.url(url!), schema, poolSize: 3 });
    await migrateGuarded(admin, own);
    await importSchedules(own.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    other = await connect({ databaseUrl: url!, schema, poolSize: 2 });
  }, 120_000);
  afterEach(() => proxy.release());
  afterAll(async () => {
    await other?.close();
    await own?.close();
    if (admin) await dropSchemaGuarded(admin, schema);
    await admin?.close();
    await proxy?.close();
  });

  async function setUp(marker: string) {
    const [ours] = await own.db.selectFrom('teams').select('id').orderBy('id').limit(1).execute();
    const feeds = new FeedService({ db: own.db, renderer: new IcalGeneratorRenderer('Europe/Warsaw'), clock });
    const shows = async () => (await feeds.team(ours!.id))!.body.toString('utf8').includes(marker);
    const watch = dataVersionWatch(own.db);
    await currentDataVersion(own.db);
    const before = await readDataVersion(other.db);
    await until(() => watch.settled() === before, 5000, 'this replica knows the version');
    expect(await shows()).toBe(false); // cached at `before`
    proxy.hold();
    return { id: ours!.id, shows };
  }

  it('should serve a plain raw update at once', async () => {
    const { id, shows } = await setUp('Zwykla zmiana');
    await sql`update teams set name = 'Zwykla zmiana' where id = ${id}`.execute(own.db);
    expect(await shows()).toBe(true);
  });

  it('should serve a raw `with x as (update teams ...) select count(*) from x` at once, outside a transaction', async () => {
    const { id, shows } = await setUp('Zmiana w CTE');
    await sql`with x as (update teams set name = 'Zmiana w CTE' where id = ${id} returning id) select count(*) from x`.execute(own.db);
    expect(await readDataVersion(other.db), 'the write did raise the version').toBeGreaterThan(0);
    expect(await shows(), 'the team feed served right after our CTE write shows it').toBe(true);
  });

  it('should serve a Kysely `with(updateTable(teams)).selectFrom(x)` at once, in a transaction', async () => {
    const { id, shows } = await setUp('Zmiana z Kysely');
    await own.db.transaction().execute((trx) =>
      trx
        .with('x', (qb) => qb.updateTable('teams').set({ name: 'Zmiana z Kysely' }).where('id', '=', id).returning('id'))
        .selectFrom('x')
        .selectAll()
        .execute(),
    );
    expect(await shows(), 'the team feed served right after our commit shows it').toBe(true);
  });
});
