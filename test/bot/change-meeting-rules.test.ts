import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
const coordinator = 'anna.nowak@example.org';

/** What `spotkania odwołaj|przenieś` refuses, and that a refusal writes and tells nothing. */
describe.each(dialects)('meeting changes in chat, refused or done, on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const say = (line: string, email = coordinator) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email }, command, text: rest.join(' ') });
  };
  const notices = async () => (await db.db.selectFrom('deliveries').select('id').where('kind', '=', 'meeting_change').execute()).length;
  const changes = async () => (await db.db.selectFrom('schedule_changes').select('id').execute()).length;
  const members = async () => (await db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('removed_at', 'is', null).execute()).length;

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => db?.close());

  it('should queue the notices in the same transaction as the cancellation (one per member, nothing else run)', async () => {
    await say('spotkania odwołaj 2027-01-26');
    expect(await notices()).toBe(await members());
  });

  it.each([
    ['onto another meeting of the series', 'spotkania przenieś 2027-01-26 2027-02-09 10:00', 'jest już spotkanie tego zespołu'],
    ['so that it overlaps another meeting', 'spotkania przenieś 2027-01-26 2027-02-09 11:30', 'jest już spotkanie tego zespołu'],
    ['to the time it already has', 'spotkania przenieś 2027-01-26 2027-01-26 10:00', 'już jest o tej porze'],
    ['into the past', 'spotkania przenieś 2027-01-26 2027-01-02 10:00', 'Nowy termin już minął'],
  ])('should refuse a move %s, with the reason, writing and telling nothing', async (_what, line, reason) => {
    const [before, told] = [await changes(), await notices()];
    expect((await say(line)).text).toContain(reason);
    expect([await changes(), await notices()]).toEqual([before, told]);
  });

  it('should refuse a second cancellation of the same meeting, and tell nobody again', async () => {
    await say('spotkania odwołaj 2027-01-26');
    const [before, told] = [await changes(), await notices()];
    expect((await say('spotkania odwołaj 2027-01-26')).text).toContain('jest już odwołane');
    expect([await changes(), await notices()]).toEqual([before, told]);
  });

  it('should refuse to cancel the meeting of 9 March 2027, which the schedule file already cancels', async () => {
    expect((await say('spotkania odwołaj 2027-03-09')).text).toContain('jest już odwołane');
  });

  it('should cancel the moved meeting by its new date, after a move in chat', async () => {
    expect((await say('spotkania przenieś 2027-01-26 2027-01-28 12:00')).text).toContain('przeniesiono');
    const answer = await say('spotkania odwołaj 2027-01-28');
    expect(answer.text).toMatch(/^Spotkanie \(czwartek, 28 stycznia 2027, 12:00\) zostało odwołane/);
  });

  it('should answer in English with the same reasons', async () => {
    await db.db.updateTable('people').set({ language: 'en' }).where('email', '=', coordinator).execute();
    expect((await say('meetings move 2027-01-26 2027-02-09 10:00')).text).toContain('the team already meets');
    expect((await say('meetings move 2027-01-26 2027-01-26 10:00')).text).toContain('already at that time');
  });
});
