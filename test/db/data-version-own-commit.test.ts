import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import { currentDataVersion, dataVersionWatch, writesShownTable } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { until } from '../process/service-process.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';

/**
 * Issue 13: the watch guessed that a transaction writing a shown table would commit
 * `known + 1`. When another replica raised the version while our transaction was open, this
 * replica heard of that raise, took it for its own, and after our commit kept serving what it
 * had cached at that version (without our own change) until our commit's notification came
 * back. Here that notification is held back by a proxy in front of the listening connection,
 * so the order is certain: we write, they commit, we hear them, we commit, we serve.
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('our own commit after another replica raised the data version meanwhile (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const replicas = replicasBehindListenProxy({
    schema: `t_own_commit_${process.pid}`,
    seed: async (db) => importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' }),
  });

  it('should serve our own change right after our commit, before its notification comes back', async () => {
    const [ours, theirs] = await replicas.own.db.selectFrom('teams').select('id').orderBy('id').limit(2).execute();
    const feeds = new FeedService({ db: replicas.own.db, renderer: new IcalGeneratorRenderer('Europe/Warsaw'), clock });
    const showsOurs = async () => (await feeds.team(ours!.id))!.body.toString('utf8').includes('Nasza zmiana');
    const watch = dataVersionWatch(replicas.own.db);
    const before = await replicas.settled();
    expect(await showsOurs()).toBe(false);

    await replicas.own.db.transaction().execute(async (trx) => {
      await trx.updateTable('teams').set({ name: 'Nasza zmiana' }).where('id', '=', ours!.id).execute();
      // Another replica commits a change meanwhile; this one hears of it while our transaction is open.
      await replicas.other.db.updateTable('teams').set({ name: 'Ich zmiana' }).where('id', '=', theirs!.id).execute();
      await until(() => watch.settled() === before + 1, 5000, 'this replica heard of the other raise');
      // Served now, and kept at that version: our change is not committed yet.
      expect(await showsOurs()).toBe(false);
      replicas.proxy.hold();
    });
    expect(await readDataVersion(replicas.other.db)).toBe(before + 2);

    expect(await showsOurs(), 'the team feed served right after our commit shows our change').toBe(true);
    expect(await currentDataVersion(replicas.own.db)).toBe(before + 2);
    replicas.proxy.release();
  });

  it('should serve our own change written in raw SQL outside a transaction, while no notification arrives', async () => {
    const [ours, theirs] = await replicas.own.db.selectFrom('teams').select('id').orderBy('id').limit(2).execute();
    const feeds = new FeedService({ db: replicas.own.db, renderer: new IcalGeneratorRenderer('Europe/Warsaw'), clock });
    const showsOurs = async () => (await feeds.team(ours!.id))!.body.toString('utf8').includes('Surowa zmiana');
    const watch = dataVersionWatch(replicas.own.db);
    const before = await readDataVersion(replicas.other.db);
    await until(() => watch.settled() === before, 5000, 'this replica knows the version');
    expect(await showsOurs()).toBe(false);
    replicas.proxy.hold();
    await replicas.other.db.updateTable('teams').set({ name: 'Ich druga zmiana' }).where('id', '=', theirs!.id).execute();
    await sql`update teams set name = 'Surowa zmiana' where id = ${ours!.id}`.execute(replicas.own.db);
    expect(await showsOurs(), 'the team feed served right after our raw write shows it').toBe(true);
    replicas.proxy.release();
  });
});

describe('which statements make the driver read our commit back', () => {
  const raw = { kind: 'RawNode' } as Parameters<typeof writesShownTable>[0];
  it.each([
    ['update "invitations" set offer_expires_at = $1 where activity_id = $2', true],
    ['with gone as (delete from rsvps where person_id = $1 returning *) select count(*) from gone', true],
    ['insert into people (email) values ($1)', true],
    ["update deliveries set state = 'sending' where id in (select id from deliveries where state = 'pending' for update skip locked) returning *", false],
    ['insert into dispatchers (worker_id, seen_at) values ($1, now()) on conflict (worker_id) do update set seen_at = now()', false],
    ['select * from teams where id = $1 for no key update', false],
  ])('%s → %s', (text, expected) => {
    expect(writesShownTable(raw, text)).toBe(expected);
  });
  // Built with Kysely but never run: only the tree is judged.
  const build = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const judged = (query: { compile(): { query: Parameters<typeof writesShownTable>[0]; sql: string } }) => {
    const compiled = query.compile();
    return writesShownTable(compiled.query, compiled.sql);
  };
  it('Kysely: a write in a WITH clause under a SELECT counts, of a shown table only', () => {
    const inCte = build.with('x', (qb) => qb.updateTable('teams').set({ name: 'n' }).where('name', '=', 'm').returning('id')).selectFrom('x').selectAll();
    expect(judged(inCte)).toBe(true);
    const notShown = build.with('x', (qb) => qb.deleteFrom('deliveries').where('id', '=', 1).returning('id')).selectFrom('x').selectAll();
    expect(judged(notShown)).toBe(false);
    const rawCte = build.with('x', () => sql`delete from rsvps where person_id = ${1} returning person_id`).selectFrom('x').selectAll();
    expect(judged(rawCte)).toBe(true);
    const underNotShown = build
      .with('x', (qb) => qb.insertInto('people').values({ email: 'a@example.org' } as never).returning('id'))
      .updateTable('deliveries')
      .set({ state: 'pending' })
      .where('id', '=', 1);
    expect(judged(underNotShown)).toBe(true);
    expect(judged(build.selectFrom('teams').selectAll())).toBe(false);
    expect(judged(build.updateTable('teams').set({ name: 'n' }))).toBe(true);
  });
});
