import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

const ACTIVITY = 'szkolenie-niebieska-karta-2027-01';

/**
 * An RSVP button in chat tells the service which pair answered (onAnswered: that person's
 * reminders planned alone, as after a link's answer), not that anything may have changed
 * (onDataChanged: a whole planning, which after thousands of answers kept PostgreSQL busy).
 * Without onAnswered it falls back to onDataChanged, and other changes still use it.
 */
describe.each(dialects)('an RSVP button in chat on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  let emails: string[];
  let ids: number[];
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await planInvitations(db.db, clock);
    const rows = await db.db.selectFrom('invitations').innerJoin('people', 'people.id', 'invitations.person_id').select(['people.id', 'people.email']).where('activity_id', '=', ACTIVITY).orderBy('people.id').limit(3).execute();
    emails = rows.map((r) => r.email);
    ids = rows.map((r) => r.id);
  }, 120_000);
  afterAll(async () => db?.close());

  const botTelling = (withAnswered: boolean) => {
    const told = { answered: [] as unknown[], changed: 0 };
    const bot = new Bot({
      db: db.db,
      clock,
      publicUrl: 'https://koop.example.org',
      appSecret: 'k'.repeat(40),
      log: createLogger('silent'),
      onDataChanged: () => told.changed++,
      ...(withAnswered ? { onAnswered: (a: unknown) => void told.answered.push(a) } : {}),
    });
    return { bot, told };
  };
  const press = (bot: Bot, email: string, actionId: string, key?: string) => {
    const incoming = { type: 'action' as const, from: { channel: 'console' as const, email }, actionId, value: ACTIVITY };
    return key ? bot.handleOnce(key, incoming) : bot.handle(incoming);
  };

  it('should tell the pair that answered, after the commit of a button handled once, and nothing for the same answer again', async () => {
    const { bot, told } = botTelling(true);
    expect((await press(bot, emails[0]!, 'rsvp:accept', `k-${kind}-1`))?.text).toContain('zapisaliśmy');
    expect(told).toEqual({ answered: [{ activityId: ACTIVITY, personId: ids[0] }], changed: 0 });
    await press(bot, emails[0]!, 'rsvp:accept', `k-${kind}-2`);
    expect(told.answered).toHaveLength(1);
    await press(bot, emails[1]!, 'rsvp:decline');
    expect(told).toEqual({ answered: [{ activityId: ACTIVITY, personId: ids[0] }, { activityId: ACTIVITY, personId: ids[1] }], changed: 0 });
  });

  it('should fall back to onDataChanged when the bot is given no onAnswered', async () => {
    const { bot, told } = botTelling(false);
    await press(bot, emails[2]!, 'rsvp:maybe');
    expect(told).toEqual({ answered: [], changed: 1 });
  });
});
