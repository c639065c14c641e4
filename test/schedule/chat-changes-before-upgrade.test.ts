import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as meetingChanges from '../../migrations/20261203_0017_meeting_changes.js';
import * as chatChangesBeforeUpgrade from '../../migrations/20261203_0019_chat_changes_before_upgrade.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { createLogger } from '../../src/log.js';
import { loadScheduleFiles, type LoadedSchedule } from '../../src/schedule/load-schedule.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

/**
 * A chat change made before migration 0017 (the chat command then overwrote the file's
 * exception) survives the first import of the unchanged file after the upgrade, and from then
 * on the file changing that occurrence decides (migration 0019, docs/meetings.md). Issue 13:
 * 0017 counted such changes as "the file had no entry", so for an occurrence the file does
 * have an entry for (demo.yaml moves 13 April 2027 to 14 April 12:00) the first import undid a
 * chat move to 15 April 12:00 and told every member of a move.
 */
describe.each(dialects)('a chat change made before the upgrade to migration 0017 on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    // Back to the schema before 0017, as a database upgraded today was.
    await chatChangesBeforeUpgrade.down(db.db);
    await meetingChanges.down(db.db);
  });
  afterEach(async () => db?.close());

  /** What the chat command before 0017 wrote: the exception overwritten, and a record by chat. */
  const oldChatChange = async (date: string, change: { cancelled: true } | { to: string }) => {
    const to = 'to' in change ? change.to : null;
    await sql`insert into meeting_exceptions (team_id, occurrence_date, cancelled, moved_to_local, created_at)
      values ('lodz', ${date}, ${to === null}, ${to}, ${clock.now()})
      on conflict (team_id, occurrence_date) do update set cancelled = excluded.cancelled, moved_to_local = excluded.moved_to_local`.execute(db.db);
    await sql`insert into schedule_changes (kind, team_id, occurrence_date, details, created_at)
      values (${to === null ? 'meeting_cancelled' : 'meeting_moved'}, 'lodz', ${date}, ${JSON.stringify({ by: 'chat', to })}, ${clock.now()})`.execute(db.db);
  };
  const upgrade = async () => {
    await meetingChanges.up(db.db);
    // The migrator records when 0017 ran: after every change made before the upgrade.
    await sql`update kysely_migration set timestamp = ${new Date(clock.now().getTime() + 1000).toISOString()} where name = '20261203_0017_meeting_changes'`.execute(db.db);
    await chatChangesBeforeUpgrade.up(db.db);
  };
  const runImport = async (edit: (s: LoadedSchedule) => void = () => {}) => {
    clock.advance(3600_000);
    const files = await loadScheduleFiles(['calendars/demo.yaml']);
    edit(files[0]!);
    return importSchedules(db.db, files, { clock, defaultTimezone: 'Europe/Warsaw' });
  };
  const lodzExcept = (s: LoadedSchedule) => s.data.teams.find((t) => t.id === 'lodz')!.meetings.except;
  const exception = (date: string) =>
    db.db.selectFrom('meeting_exceptions').select(['cancelled', 'moved_to_local', 'chat_changed_at']).where('team_id', '=', 'lodz').where('occurrence_date', '=', date).executeTakeFirst();
  const notices = async () => (await db.db.selectFrom('deliveries').select('id').where('kind', '=', 'meeting_change').execute()).length;

  it('should survive the first import of the unchanged file after the upgrade, with no notice', async () => {
    await oldChatChange('2027-04-13', { to: '2027-04-15T12:00' });
    await upgrade();
    const before = await notices();
    const summary = await runImport();
    expect((await exception('2027-04-13'))?.moved_to_local).toBe('2027-04-15T12:00');
    expect(summary.meetings.updated).toBe(0);
    expect(summary.keptChatChanges).toEqual([{ teamId: 'lodz', date: '2027-04-13', cancelled: false, movedTo: '2027-04-15T12:00' }]);
    expect(await notices()).toBe(before);
    // And the second import of it too.
    await runImport();
    expect((await exception('2027-04-13'))?.moved_to_local).toBe('2027-04-15T12:00');
  });

  it('should give way once the file itself changes that occurrence after the first import', async () => {
    await oldChatChange('2027-04-13', { to: '2027-04-15T12:00' });
    await upgrade();
    await runImport();
    const before = await notices();
    const summary = await runImport((s) => {
      lodzExcept(s).find((e) => e.date === '2027-04-13')!.moved_to = '2027-04-14T13:00';
    });
    expect(await exception('2027-04-13')).toMatchObject({ moved_to_local: '2027-04-14T13:00', chat_changed_at: null });
    expect(summary.meetings.updated).toBe(1);
    expect(await notices()).toBeGreaterThan(before);
  });

  it('should keep a cancellation of a meeting the file had no entry for, until the file adds one', async () => {
    await oldChatChange('2027-01-26', { cancelled: true });
    await upgrade();
    await runImport();
    expect(await exception('2027-01-26')).toMatchObject({ cancelled: true });
    await runImport((s) => lodzExcept(s).push({ date: '2027-01-26', moved_to: '2027-01-27T10:00' }));
    expect(await exception('2027-01-26')).toMatchObject({ cancelled: false, moved_to_local: '2027-01-27T10:00', chat_changed_at: null });
  });

  it('should keep a chat change made again after the upgrade through the first import', async () => {
    await oldChatChange('2027-04-13', { to: '2027-04-15T12:00' });
    await upgrade();
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
    await bot.handle({ type: 'command', from: { channel: 'console', email: 'anna.nowak@example.org' }, command: 'spotkania', text: 'przenieś 2027-04-15 2027-04-15 14:00' });
    expect((await exception('2027-04-13'))?.moved_to_local).toBe('2027-04-15T14:00');
    await runImport();
    expect((await exception('2027-04-13'))?.moved_to_local).toBe('2027-04-15T14:00');
  });
});
