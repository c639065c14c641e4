import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { currentDataVersion } from '../../src/db/data-version-watch.js';
import { NOT_SHOWN } from '../../src/db/data-version-tables.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { createLogger } from '../../src/log.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * Issue: RSVPs and activities created in chat did not raise the data version, so on PostgreSQL
 * other replicas kept serving stale team and personal feeds. Every table a feed, page or kept
 * answer shows now raises it by a trigger; the catalog says which tables exist.
 */
describe.each(dialects)('the data version on %s', (kind) => {
  let db: Db;
  /** Another replica: its own connections and its own watch of the version (PostgreSQL); PGlite has one process. */
  let replica: Db;
  let bot: Bot;
  const clock = new FixedClock('2026-12-20T12:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await planInvitations(db.db, clock);
    if (kind === 'postgres') {
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db.db)).rows[0]!.s;
      replica = await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 2 });
    } else replica = db;
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  }, 120_000);
  afterAll(async () => {
    if (replica !== db) await replica?.close();
    await db?.close();
  });

  /** The version the other replica serves by, once its watch has heard (at most a few seconds). */
  async function replicaSeesAbove(before: number): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const version = await currentDataVersion(replica.db);
      if (version > before) return version;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    return currentDataVersion(replica.db);
  }

  it('should raise it from every table a feed, page or kept answer may show, as the catalog lists them', async () => {
    const tables = await sql<{ name: string; triggers: string[] }>`
      select c.relname as name, coalesce(array_agg(t.tgname::text order by t.tgname) filter (where t.tgname is not null), '{}') as triggers
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
      left join pg_trigger t on t.tgrelid = c.oid and t.tgname like 'data_version_%'
      where c.relkind in ('r', 'p')
      group by c.relname order by c.relname`.execute(db.db);
    expect(tables.rows.length).toBeGreaterThan(20);
    const uncovered = tables.rows.filter((t) => !(t.name in NOT_SHOWN) && JSON.stringify(t.triggers) !== JSON.stringify(['data_version_change', 'data_version_write']));
    expect(uncovered.map((t) => t.name), 'tables that neither raise the version nor say why not (src/db/data-version-tables.ts)').toEqual([]);
    expect(Object.keys(NOT_SHOWN).filter((name) => !tables.rows.some((t) => t.name === name)), 'listed tables that do not exist').toEqual([]);
  });

  it('should let another replica see an answer given in chat', async () => {
    const before = await currentDataVersion(replica.db);
    const answer = await bot.handle({ type: 'action', from: { channel: 'console', email: 'anna.nowak@example.org' }, actionId: 'rsvp:accept', value: 'szkolenie-niebieska-karta-2027-01' });
    expect(answer.title).not.toMatch(/błąd/i);
    expect(await db.db.selectFrom('rsvps').select('answer').where('activity_id', '=', 'szkolenie-niebieska-karta-2027-01').execute()).toHaveLength(1);
    expect(await replicaSeesAbove(before)).toBeGreaterThan(before);
  });

  it('should let another replica see an activity created in chat', async () => {
    const before = await currentDataVersion(replica.db);
    await bot.handle({
      type: 'form',
      from: { channel: 'console', email: 'jan.kowalski@example.org' },
      formId: 'activity-new',
      values: { title: 'Superwizja', kind: 'consultation', starts: '2027-02-10 10:00', ends: '2027-02-10 12:00', location: 'Sala 3', capacity: '', rsvp_by: '', audience: 'lodz' },
    });
    expect(await db.db.selectFrom('activities').select('id').where('title', '=', 'Superwizja').execute()).toHaveLength(1);
    expect(await replicaSeesAbove(before)).toBeGreaterThan(before);
  });

  it('should not raise it for a write that changes nothing, nor for the outbox', async () => {
    // Read from the row itself: the watch may still be hearing of the raises above.
    const before = await readDataVersion(db.db);
    await db.db.updateTable('teams').set((eb) => ({ name: eb.ref('name') })).execute();
    await db.db.updateTable('deliveries').set({ attempts: 0 }).execute();
    expect(await readDataVersion(db.db)).toBe(before);
  });
});
