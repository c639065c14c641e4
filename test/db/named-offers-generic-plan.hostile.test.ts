import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { freshDatabase } from '../support/databases.js';

/**
 * Hostile review of 312c8db: with statements named, PostgreSQL may reuse a generic plan (made
 * without the values) after five executions. The partial index of migration 0036
 * (invitations_offers, where offer_expires_at is not null) must still serve answerState's reads
 * when the bound is a parameter ($2), not a value: PostgreSQL proves `offer_expires_at > $2`
 * implies the index's predicate (a strict operator), so a generic plan may use it. Forced here
 * (plan_cache_mode = force_generic_plan), as claim-order.test.ts does for the claim. A guard.
 */
describe.runIf(!!process.env.TEST_DATABASE_URL)('seat offers under a generic plan (PostgreSQL)', () => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDatabase('postgres');
    await sql`insert into activities (id, kind, title, starts_local, ends_local, timezone, starts_at, ends_at, location, audience_all, public, source)
      values ('conf', 'conference', 'Konferencja', '2027-03-01T10:00', '2027-03-01T16:00', 'Europe/Warsaw', '2027-03-01T09:00:00Z', '2027-03-01T15:00:00Z', 'Warszawa', false, true, 'test')`.execute(db.db);
    await sql`insert into people (name, email, language, source) select 'Osoba ' || g, 'o' || g || '@example.org', 'pl', 'test' from generate_series(1, 3000) g`.execute(db.db);
    await sql`insert into invitations (activity_id, person_id, sequence, invited_at) select 'conf', id, 0, '2027-01-15T09:00:00Z' from people`.execute(db.db);
    await sql`update invitations set offer_expires_at = '2027-02-10T12:00:00Z' where person_id in (select id from people order by id limit 2)`.execute(db.db);
    await sql`analyze invitations`.execute(db.db);
  });
  afterEach(async () => db?.close());

  for (const [label, condition] of [
    ['overdue offers', sql`x.offer_expires_at <= $2`],
    ['standing offers', sql`x.offer_expires_at > $2`],
  ] as const) {
    it(`should read ${label} by invitations_offers in a generic plan`, async () => {
      const plan = await db.db.transaction().execute(async (trx) => {
        await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
        await sql`prepare hostile_offers (text, timestamptz) as select count(*) from invitations x where x.activity_id = $1 and ${condition}`.execute(trx);
        const { rows } = await sql<{ 'QUERY PLAN': string }>`explain execute hostile_offers('conf', '2027-02-11T00:00:00Z')`.execute(trx);
        await sql`deallocate hostile_offers`.execute(trx);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan, 'a generic plan names its parameters').toMatch(/\$\d/);
      expect(plan, plan).toContain('invitations_offers');
      expect(plan, plan).not.toMatch(/Seq Scan|invitations_pk/);
    });
  }
});
