import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesCommand } from '../../src/bot/commands/deliveries.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { demoDatabase } from '../support/databases.js';

/**
 * Review of issue 14 (no internal names in Polish text; correct cases). `dostarczenia` titles a
 * message that did not reach RCPS's Slack channel "Kanał w Slack: C0123ABCD": the platform's
 * internal channel id (a Teams one reads "19:…@thread.tacv2"), and "w Slack" where Polish says
 * "w Slacku" (deliveriesTexts.pl.place).
 */
describe('a failed message to the RCPS Slack channel, as `dostarczenia` lists it', () => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase('pglite', clock);
    await db.db
      .insertInto('deliveries')
      .values({
        dedupe_key: 'problem_report:review:rcps-channel',
        kind: 'problem_report',
        person_id: null,
        place_address: 'C0123ABCD',
        place_language: 'pl',
        team_id: 'lodz',
        channels: JSON.stringify(['slack']),
        payload: JSON.stringify({ type: 'problem_report', reportId: '1', personId: '' }),
        due_at: clock.now(),
        next_attempt_at: clock.now(),
        state: 'failed',
        last_error: 'slack: channel_not_found',
      } as never)
      .execute();
  });
  afterAll(async () => db?.close());

  it('should name the channel as a person knows it, in correct Polish', async () => {
    const rcps = await db.db.selectFrom('people').selectAll().where('email', '=', 'jan.kowalski@example.org').executeTakeFirstOrThrow();
    const answer = await deliveriesCommand({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent'), person: rcps, text: '', changed: () => {} });
    const titles = (answer.items ?? []).map((i) => i.title).join('\n');
    expect(titles).toContain('Kanał');
    // Fails today: "Kanał w Slack: C0123ABCD"
    expect(titles).not.toContain('C0123ABCD');
    expect(titles).not.toMatch(/w Slack\b/);
    expect(titles).toContain('Kanał RCPS w Slacku');
  });
});
