import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as meetingChanges from '../../migrations/20261203_0017_meeting_changes.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

/** Migration 0017 marks the exceptions whose latest change came from chat, so an import keeps them. */
describe.each(dialects)('migration 0017 (meeting changes) on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('should mark chat-made exceptions and leave the file’s alone', async () => {
    await meetingChanges.down(db.db);
    await sql`insert into teams (id, name, area, timezone, source) values ('t', 'T', 'gmina', 'Europe/Warsaw', 'f.yaml')`.execute(db.db);
    await sql`insert into meeting_exceptions (team_id, occurrence_date, cancelled, moved_to_local) values
      ('t', '2027-01-12', true, null), ('t', '2027-01-26', false, '2027-01-27T12:00'), ('t', '2027-02-09', true, null)`.execute(db.db);
    await sql`insert into schedule_changes (kind, team_id, occurrence_date, details, created_at) values
      ('meeting_cancelled', 't', '2027-01-12', '{"by":"chat"}', '2027-01-05T10:00:00Z'),
      ('meeting_moved', 't', '2027-01-26', '{"from":null,"to":"2027-01-27T12:00"}', '2027-01-05T10:00:00Z'),
      ('meeting_moved', 't', '2027-02-09', '{"by":"chat","to":"2027-02-10T10:00"}', '2027-01-05T10:00:00Z'),
      ('meeting_cancelled', 't', '2027-02-09', '{}', '2027-01-06T10:00:00Z')`.execute(db.db);
    await meetingChanges.up(db.db);
    const rows = await db.db.selectFrom('meeting_exceptions').select(['occurrence_date', 'chat_changed_at', 'file_cancelled']).orderBy('occurrence_date').execute();
    expect(rows).toEqual([
      { occurrence_date: '2027-01-12', chat_changed_at: new Date('2027-01-05T10:00:00Z'), file_cancelled: null },
      { occurrence_date: '2027-01-26', chat_changed_at: null, file_cancelled: null },
      // The latest change of 9 February came from an import: the file's word.
      { occurrence_date: '2027-02-09', chat_changed_at: null, file_cancelled: null },
    ]);
  });
});
