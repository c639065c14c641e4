import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as meetingChanges from '../../migrations/20261203_0017_meeting_changes.js';
import * as chatChangesBeforeUpgrade from '../../migrations/20261203_0019_chat_changes_before_upgrade.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

/**
 * Migration 0019 used to find the chat changes made before 0017 only through their record in
 * schedule_changes (by chat, without `from`). That record can be gone by the time 0019 runs
 * on a database that took 0017 when it shipped: the erasure of the coordinator who made the
 * change deletes every schedule_changes row with their person_id (privacy/personal-data.ts,
 * scheduleChangesPart), and retention deletes notified ones. The row 0017 marked then keeps
 * "the file had no entry", and the first import of the unchanged file undoes the chat move
 * (issue 13 again). The row itself tells what 0019 needs: marked by 0017 (chat_changed_at
 * before 0017 ran, per kysely_migration; file_cancelled null), whatever became of the record.
 */
describe.each(dialects)('a chat change from before 0017 whose record is gone when 0019 runs, on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    await chatChangesBeforeUpgrade.down(db.db);
    await meetingChanges.down(db.db);
  });
  afterEach(async () => db?.close());

  it('should survive the first import of the unchanged file after 0019', async () => {
    const anna = await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    // The chat command before 0017: the file's move of 13 April (to the 14th) overwritten by a move to the 15th, recorded with its author.
    await sql`insert into meeting_exceptions (team_id, occurrence_date, cancelled, moved_to_local, created_at)
      values ('lodz', '2027-04-13', false, '2027-04-15T12:00', ${clock.now()})
      on conflict (team_id, occurrence_date) do update set cancelled = excluded.cancelled, moved_to_local = excluded.moved_to_local`.execute(db.db);
    await sql`insert into schedule_changes (kind, team_id, occurrence_date, person_id, details, created_at)
      values ('meeting_moved', 'lodz', '2027-04-13', ${anna.id}, ${JSON.stringify({ by: 'chat', to: '2027-04-15T12:00' })}, ${clock.now()})`.execute(db.db);
    // The upgrade to 0017 as shipped, a minute later (the migrator records when); it marks the chat change.
    clock.advance(60_000);
    await meetingChanges.up(db.db);
    await sql`update kysely_migration set timestamp = ${clock.now().toISOString()} where name = '20261203_0017_meeting_changes'`.execute(db.db);
    expect((await db.db.selectFrom('meeting_exceptions').select('chat_changed_at').where('team_id', '=', 'lodz').where('occurrence_date', '=', '2027-04-13').executeTakeFirstOrThrow()).chat_changed_at).not.toBeNull();
    // Later, the record goes, as the erasure of its author deletes it.
    await db.db.deleteFrom('schedule_changes').where('person_id', '=', anna.id).execute();
    // Today's upgrade, then the first import of the very same file.
    await chatChangesBeforeUpgrade.up(db.db);
    clock.advance(3600_000);
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    const row = await db.db.selectFrom('meeting_exceptions').select('moved_to_local').where('team_id', '=', 'lodz').where('occurrence_date', '=', '2027-04-13').executeTakeFirstOrThrow();
    expect(row.moved_to_local, 'the chat move stands').toBe('2027-04-15T12:00');
  });
});
