import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

/**
 * Review: `spotkania odwołaj <day>` names the meeting by the day it takes place
 * (occurrenceForDay). When a meeting was moved in chat onto a day that has its own meeting
 * (at another hour), the same cancellation sent twice (a double send, or two coordinators at
 * once, serialised by the series lock) does not get "already cancelled": the second one
 * silently cancels the OTHER meeting of that day, and every member is told of it.
 */
describe.each(dialects)('a repeated cancellation on a day with two meetings on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const say = (line: string, email: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email }, command, text: rest.join(' ') });
  };
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => db?.close());

  it('should refuse the second "odwołaj 2027-02-09" and keep the meeting of 26 January moved to 9 February 14:00', async () => {
    // Łódź meets 2nd and 4th Tuesday 10:00-12:00; 26 January moved to 9 February 14:00 (no overlap).
    expect((await say('spotkania przenieś 2027-01-26 2027-02-09 14:00', 'anna.nowak@example.org')).text).toContain('przeniesiono');
    // Two coordinators (or one double send) cancel "the meeting of 9 February", meaning the 10:00 one.
    expect((await say('spotkania odwołaj 2027-02-09', 'anna.nowak@example.org')).text).toContain('10:00');
    const second = await say('spotkania odwołaj 2027-02-09', 'anna.nowak@example.org');
    expect(second.text).toContain('jest już odwołane');
    const exceptions = await db.db.selectFrom('meeting_exceptions').select(['occurrence_date', 'cancelled', 'moved_to_local']).where('team_id', '=', 'lodz').where('occurrence_date', '=', '2027-01-26').executeTakeFirstOrThrow();
    expect(exceptions).toEqual({ occurrence_date: '2027-01-26', cancelled: false, moved_to_local: '2027-02-09T14:00' });
  });
});
