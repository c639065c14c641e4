import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import type { Message } from '../../src/ports/channel.port.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
const coordinator = 'anna.nowak@example.org';

/**
 * Review: renderChangeNotice (change-message.ts) silences a notice overtaken by a later change
 * of the same occurrence, "the later one tells the news". But the later one tells its news
 * relative to the overtaken change: a meeting moved 26 Jan 10:00 → 28 Jan 12:00 and, before the
 * notices went out (one batch, a channel down, the dispatcher busy), moved back to 26 Jan 10:00
 * gives members "moved from 28 January 12:00 to 26 January 10:00": a time they never heard of,
 * for a meeting that is where it always was. Nothing (or the net change) should be sent.
 */
describe.each(dialects)('notices of two quick changes of one meeting on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const say = (line: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email: coordinator }, command, text: rest.join(' ') });
  };
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) }).execute();
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => db?.close());

  it('should not tell members of a time they never heard of when a meeting is moved and moved back', async () => {
    expect((await say('spotkania przenieś 2027-01-26 2027-01-28 12:00')).text).toContain('przeniesiono');
    clock.advance(60_000);
    expect((await say('spotkania przenieś 2027-01-28 2027-01-26 10:00')).text).toContain('przeniesiono');
    const sent: Message[] = [];
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      render: deliveryRenderer(db.db, 'https://k.example.org'),
      senders: new Map([['email', { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m), { ok: true }) }]]),
    });
    await dispatcher.drain();
    // Members heard of no change yet: nothing they get may speak of 28 January.
    expect(sent.map((m) => `${m.title} / ${m.text}`).filter((t) => /28 stycznia|28 January/.test(t))).toEqual([]);
  });
});
