import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects } from '../support/databases.js';
import { faultyDemoDatabase, type FaultyDb } from '../support/faults.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
const coordinator = 'anna.nowak@example.org';

/** A meeting's change and the notices it causes are stored together or not at all (transactional outbox). */
describe.each(dialects)('meeting changes and their notices under failing writes on %s', (kind) => {
  let faulty: FaultyDb;
  let bot: Bot;
  const db = () => faulty.db.db;
  const say = (line: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email: coordinator }, command, text: rest.join(' ') });
  };
  const state = async () => ({
    exceptions: (await db().selectFrom('meeting_exceptions').select('occurrence_date').where('chat_changed_at', 'is not', null).execute()).length,
    changes: (await db().selectFrom('schedule_changes').select('id').execute()).length,
    notices: (await db().selectFrom('deliveries').select('id').where('kind', '=', 'meeting_change').execute()).length,
  });
  const members = async () => (await db().selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('removed_at', 'is', null).execute()).length;

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    faulty = await faultyDemoDatabase(kind, clock);
    bot = new Bot({ db: db(), clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => faulty?.db.close());

  it('should leave nothing when any write of a chat cancellation fails, and tell every member once on the retry', async () => {
    const empty = await state();
    const writes = await faulty.faults.writesOf(async () => {
      await say('spotkania odwołaj 2027-01-26');
    });
    const done = await state();
    expect(done.notices).toBe(await members());
    expect(writes.length).toBeGreaterThan(2);
    // Undo the cancellation, then fail each write in turn.
    for (let i = 1; i <= writes.length; i++) {
      await db().deleteFrom('deliveries').execute();
      await db().deleteFrom('schedule_changes').execute();
      await db().deleteFrom('meeting_exceptions').where('chat_changed_at', 'is not', null).execute();
      faulty.faults.failNth(i, { writesOnly: true });
      await say('spotkania odwołaj 2027-01-26').catch(() => undefined);
      faulty.faults.clearRules();
      expect(await state(), `write ${i} failed`).toEqual(empty);
      await say('spotkania odwołaj 2027-01-26');
      expect(await state(), `retry after write ${i}`).toEqual(done);
    }
  });

  it('should leave nothing when an import’s notice insert fails, and queue them with the retried import', async () => {
    const files = await loadScheduleFiles(['calendars/demo.yaml']);
    files[0]!.data.teams.find((t) => t.id === 'lodz')!.meetings.except.push({ date: '2027-01-26', cancelled: true });
    const before = await state();
    faulty.faults.failFirst(/insert into "deliveries"|insert into deliveries/i, { inTransaction: true });
    await expect(importSchedules(db(), files, { clock, defaultTimezone: 'Europe/Warsaw' })).rejects.toThrow(/injected/);
    faulty.faults.clearRules();
    expect(await state()).toEqual(before);
    await importSchedules(db(), files, { clock, defaultTimezone: 'Europe/Warsaw' });
    expect((await state()).notices).toBe(await members());
  });
});
