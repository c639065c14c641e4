import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { freshDatabase } from '../support/databases.js';

/**
 * Every answer asks whether an offer of its activity is overdue (rsvp.ts answerState), the sweep
 * lapses them and seatsTaken counts those standing. Before migration 0036 each read walked every
 * invitation of the activity by its primary key (5,000 at a national conference, on every answer);
 * now the partial index of the rows holding an offer answers it. PostgreSQL's plan is checked
 * (PGlite has the same index; its planner is the same code, its statistics are not gathered here).
 */
describe.runIf(!!process.env.TEST_DATABASE_URL)('seat offers have an index of their own (PostgreSQL)', () => {
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

  afterEach(async () => {
    await db.close();
  });

  it('an answer finds overdue offers without reading the activity\'s invitations', async () => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select exists (select 1 from invitations x where x.activity_id = ${'conf'} and x.offer_expires_at <= ${new Date('2027-02-11T00:00:00Z')}) as overdue`.execute(db.db);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('invitations_offers');
    expect(plan).not.toContain('invitations_pk');
  });

  it('the seats held count standing offers by the same index', async () => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select count(*) from invitations where activity_id = ${'conf'} and offer_expires_at > ${new Date('2027-02-01T00:00:00Z')}`.execute(db.db);
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('invitations_offers');
  });
});
