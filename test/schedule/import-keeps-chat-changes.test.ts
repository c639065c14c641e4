import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { occurrenceOn } from '../../src/domain/occurrences.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { createLogger } from '../../src/log.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles, type LoadedSchedule } from '../../src/schedule/load-schedule.js';
import { describeSummary } from '../../src/cli/commands.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
const coordinator = 'anna.nowak@example.org';

/** Who wins between a change in chat and the schedule file (docs/meetings.md). */
describe.each(dialects)('an import after changes made in chat on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const say = (line: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email: coordinator }, command, text: rest.join(' ') });
  };
  const demo = async (edit: (s: LoadedSchedule) => void = () => {}) => {
    const files = await loadScheduleFiles(['calendars/demo.yaml']);
    edit(files[0]!);
    return files;
  };
  const runImport = async (edit?: (s: LoadedSchedule) => void, dryRun = false) =>
    importSchedules(db.db, await demo(edit), { clock, defaultTimezone: 'Europe/Warsaw', dryRun });
  const notices = async () => (await db.db.selectFrom('deliveries').select('id').where('kind', '=', 'meeting_change').execute()).length;
  const statusOf = async (date: string) => occurrenceOn((await loadTeams(db.db, ['lodz']))[0]!.meetings, date)!;
  const lodzExcept = (s: LoadedSchedule) => s.data.teams.find((t) => t.id === 'lodz')!.meetings.except;

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => db?.close());

  it('should keep a cancellation made in chat through an import of the unchanged file, list it, and tell nobody again', async () => {
    await say('spotkania odwołaj 2027-01-26');
    const told = await notices();
    const dry = await runImport(undefined, true);
    expect(dry.keptChatChanges).toEqual([{ teamId: 'lodz', date: '2027-01-26', cancelled: true, movedTo: null }]);
    expect(describeSummary(dry, true)).toContain('lodz 2027-01-26: cancelled in chat');
    const summary = await runImport();
    expect(summary.meetings).toEqual({ added: 0, updated: 0, removed: 0 });
    expect(summary.changed).toBe(false);
    expect(summary.keptChatChanges).toHaveLength(1);
    expect(describeSummary(summary, false)).toContain('lodz 2027-01-26: cancelled in chat');
    await processScheduleChanges(db.db, clock);
    expect((await statusOf('2027-01-26')).status).toBe('cancelled');
    expect(await notices()).toBe(told);
  });

  it('should keep a move made in chat while the file changes another occurrence, telling only of that one', async () => {
    await say('spotkania przenieś 2027-01-26 2027-01-28 12:00');
    const told = await notices();
    const summary = await runImport((s) => lodzExcept(s).push({ date: '2027-02-09', cancelled: true }));
    expect(summary.meetings.updated).toBe(1);
    expect((await statusOf('2027-01-26')).start.toISO()).toBe('2027-01-28T12:00:00.000+01:00');
    expect((await statusOf('2027-02-09')).status).toBe('cancelled');
    const members = (await db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('removed_at', 'is', null).execute()).length;
    // Queued with the import itself (no processScheduleChanges run): the transactional outbox.
    expect(await notices()).toBe(told + members);
  });

  it('should let the file win when it changes the occurrence a coordinator changed in chat', async () => {
    await say('spotkania odwołaj 2027-01-26');
    const told = await notices();
    const summary = await runImport((s) => lodzExcept(s).push({ date: '2027-01-26', moved_to: '2027-01-27T12:00' }));
    expect(summary.keptChatChanges).toEqual([]);
    const now = await statusOf('2027-01-26');
    expect([now.status, now.start.toISO()]).toEqual(['moved', '2027-01-27T12:00:00.000+01:00']);
    expect(await notices()).toBeGreaterThan(told);
  });

  it('should send no notice when the file comes to say what chat already did', async () => {
    await say('spotkania odwołaj 2027-01-26');
    const told = await notices();
    await runImport((s) => lodzExcept(s).push({ date: '2027-01-26', cancelled: true }));
    expect((await statusOf('2027-01-26')).status).toBe('cancelled');
    expect(await notices()).toBe(told);
  });

  it('should refuse a file that moves a meeting onto another meeting of the series', async () => {
    await expect(runImport((s) => lodzExcept(s).push({ date: '2027-01-26', moved_to: '2027-02-09T10:30' }))).rejects.toThrow(/demo.yaml:\d+: teams\[0\]\.meetings\.except\[2\]\.moved_to: the meeting of 2027-01-26 moved to 2027-02-09T10:30 would overlap the meeting at 2027-02-09T10:00/);
  });
});
