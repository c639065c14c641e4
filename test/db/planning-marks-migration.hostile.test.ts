import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as planningMarks from '../../migrations/20261204_0030_planning_marks.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

/** Hostile review of migration 0030: down keeps the reminders' marks as reminder_plans, and up again restores them. */
describe.each(dialects)('migration 0030 (planning marks) down and up on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('should keep the reminders’ marks through down and up, and drop the other kinds’', async () => {
    await sql`insert into teams (id, name, area, timezone, source) values ('t', 'T', 'gmina', 'Europe/Warsaw', 'f.yaml')`.execute(db.db);
    await sql`insert into planning_marks (team_id, kind, planned_until, data_stamp) values
      ('t', 'reminders', '2027-03-01T00:00:00Z', '2027-01-01T00:00:00Z'), ('t', 'checkins', '2027-03-02T00:00:00Z', '2027-01-01T00:00:00Z')`.execute(db.db);
    await planningMarks.down(db.db);
    const before = await sql<{ team_id: string; planned_until: Date }>`select team_id, planned_until from reminder_plans`.execute(db.db);
    expect(before.rows).toEqual([{ team_id: 't', planned_until: new Date('2027-03-01T00:00:00Z') }]);
    await expect(sql`insert into reminder_plans (team_id, planned_until, data_stamp) values ('t', now(), now())`.execute(db.db)).rejects.toThrow();
    await planningMarks.up(db.db);
    const after = await db.db.selectFrom('planning_marks').select(['team_id', 'kind']).execute();
    expect(after).toEqual([{ team_id: 't', kind: 'reminders' }]);
  });
});
