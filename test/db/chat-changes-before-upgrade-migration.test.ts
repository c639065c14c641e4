import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as chatChangesBeforeUpgrade from '../../migrations/20261203_0019_chat_changes_before_upgrade.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Migration 0019 marks "what the file said is unknown" on exactly the chat changes made by the
 * command before 0017 (whose record has no `from`) that no import changed since; a chat change
 * written after 0017 knows what the file said and is left alone.
 */
describe.each(dialects)('migration 0019 (chat changes before the upgrade) on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('should mark only the chat changes made before 0017 that no import has changed since', async () => {
    await chatChangesBeforeUpgrade.down(db.db);
    // 0017 ran on 7 January 2027: the changes of the 5th predate it, those of the 8th and 9th do not.
    await sql`update kysely_migration set timestamp = '2027-01-07T00:00:00.000Z' where name = '20261203_0017_meeting_changes'`.execute(db.db);
    await sql`insert into teams (id, name, area, timezone, source) values ('t', 'T', 'gmina', 'Europe/Warsaw', 'f.yaml')`.execute(db.db);
    await sql`insert into meeting_exceptions (team_id, occurrence_date, cancelled, moved_to_local, chat_changed_at, file_cancelled, file_moved_to_local) values
      ('t', '2027-01-12', false, '2027-01-13T12:00', '2027-01-05T10:00:00Z', null, null),
      ('t', '2027-01-26', true, null, '2027-01-05T10:00:00Z', null, null),
      ('t', '2027-02-09', true, null, '2027-01-08T10:00:00Z', null, null),
      ('t', '2027-02-23', true, null, '2027-01-08T10:00:00Z', false, '2027-02-24T10:00'),
      ('t', '2027-03-09', true, null, '2027-01-09T10:00:00Z', null, null),
      ('t', '2027-03-23', false, '2027-03-24T10:00', null, null, null)`.execute(db.db);
    await sql`insert into schedule_changes (kind, team_id, occurrence_date, details, created_at) values
      ('meeting_moved', 't', '2027-01-12', '{"by":"chat","to":"2027-01-13T12:00"}', '2027-01-05T10:00:00Z'),
      ('meeting_cancelled', 't', '2027-01-26', '{"by":"chat","to":null}', '2027-01-05T10:00:00Z'),
      ('meeting_cancelled', 't', '2027-02-09', '{"by":"chat","from":"2027-02-09T09:00:00.000Z","to":null,"to_local":null}', '2027-01-08T10:00:00Z'),
      ('meeting_cancelled', 't', '2027-02-23', '{"by":"chat","from":"2027-02-24T09:00:00.000Z","to":null,"to_local":null}', '2027-01-08T10:00:00Z'),
      ('meeting_cancelled', 't', '2027-03-09', '{"by":"chat","to":null}', '2027-01-05T10:00:00Z'),
      ('series_changed', 't', '2027-03-09', '{"restored":true}', '2027-01-06T10:00:00Z'),
      ('meeting_cancelled', 't', '2027-03-09', '{"by":"chat","from":"2027-03-09T09:00:00.000Z","to":null,"to_local":null}', '2027-01-09T10:00:00Z')`.execute(db.db);
    await chatChangesBeforeUpgrade.up(db.db);
    const rows = await db.db.selectFrom('meeting_exceptions').select(['occurrence_date', 'file_unknown']).orderBy('occurrence_date').execute();
    expect(rows).toEqual([
      // Before 0017, over what the file said, and before 0017 of a date the file may not have named.
      { occurrence_date: '2027-01-12', file_unknown: true },
      { occurrence_date: '2027-01-26', file_unknown: true },
      // After 0017: it knows the file had no entry, or what the entry said.
      { occurrence_date: '2027-02-09', file_unknown: false },
      { occurrence_date: '2027-02-23', file_unknown: false },
      // Before 0017, undone by an import, and made again after 0017.
      { occurrence_date: '2027-03-09', file_unknown: false },
      // The file's own.
      { occurrence_date: '2027-03-23', file_unknown: false },
    ]);
  });
});
