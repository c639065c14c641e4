import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { MAX_KEEP_MS } from '../../src/bot/repeat-answers.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import type { Incoming, Message } from '../../src/ports/channel.port.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
/** Anna Nowak, coordinator of PZK Łódź in calendars/demo.yaml, as Slack delivers her. */
const anna = { channel: 'slack', externalId: 'UANNA', address: 'UANNA', email: 'anna.nowak@example.org' } as const;
const command = (line: string, from: Incoming['from'] = anna): Incoming => {
  const [word = '', ...rest] = line.split(' ');
  return { type: 'command', from, command: word, text: rest.join(' ') };
};
const shown = (message: Message | undefined) => JSON.stringify(message?.items ?? []);

describe.each(dialects)('answers to a command asked again, on %s', (kind) => {
  let db: Db;
  let bot: Bot;

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => db?.close());

  it('should give the same "spotkania" answer again from memory until a meeting is moved', async () => {
    expect(bot.answerAgain(command('spotkania'))).toBeUndefined();
    const first = await bot.handle(command('spotkania'));
    expect(shown(first)).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(bot.answerAgain(command('spotkania'))).toBe(first);
    // Only what was typed exactly, by the same platform user.
    expect(bot.answerAgain(command('meetings'))).toBeUndefined();
    expect(bot.answerAgain(command('spotkania', { ...anna, externalId: 'UOTHER', address: 'UOTHER' }))).toBeUndefined();

    const moved = await bot.handle(command('spotkania przenieś 2027-01-12 2027-01-13 12:30'));
    expect(moved.text).not.toContain('Użycie');
    expect(bot.answerAgain(command('spotkania'))).toBeUndefined();
    const after = await bot.handle(command('spotkania'));
    expect(shown(after)).toContain('środa, 13 stycznia 2027, 12:30');
    expect(shown(after)).not.toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(bot.answerAgain(command('spotkania'))).toBe(after);
  });

  it('should keep an answer a minute at most, and not past the start of its first meeting', async () => {
    const first = await bot.handle(command('spotkania'));
    clock.advance(MAX_KEEP_MS - 1000);
    expect(bot.answerAgain(command('spotkania'))).toBe(first);
    clock.advance(1000);
    expect(bot.answerAgain(command('spotkania'))).toBeUndefined();

    // Half a minute before the meeting of 12 January 2027, 10:00 in Warsaw (09:00 UTC).
    clock.set('2027-01-12T08:59:30Z');
    expect(shown(await bot.handle(command('spotkania')))).toContain('wtorek, 12 stycznia 2027, 10:00');
    clock.advance(30_000);
    expect(shown(bot.answerAgain(command('spotkania')))).toContain('wtorek, 12 stycznia 2027, 10:00');
    clock.advance(1);
    expect(bot.answerAgain(command('spotkania'))).toBeUndefined();
    expect(shown(await bot.handle(command('spotkania')))).not.toContain('wtorek, 12 stycznia 2027, 10:00');
  });

  it('should keep nothing for commands that change or show changing things, for strangers, or without a platform id', async () => {
    for (const line of ['kalendarz', 'moje-dane', 'warsztaty', 'status', 'spotkania odwołaj', 'pomoc']) {
      await bot.handle(command(line));
      expect(bot.answerAgain(command(line)), line).toBeUndefined();
    }
    const stranger = { channel: 'slack', externalId: 'USTRANGER', address: 'USTRANGER', email: 'nikt@example.org' } as const;
    expect((await bot.handle(command('spotkania', stranger))).text).toContain('nie należy do żadnego zespołu');
    expect(bot.answerAgain(command('spotkania', stranger))).toBeUndefined();
    const byMail = { channel: 'console', email: anna.email } as const;
    await bot.handle(command('spotkania', byMail));
    expect(bot.answerAgain(command('spotkania', byMail))).toBeUndefined();
  });
});
