import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesCommand } from '../../src/bot/commands/deliveries.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * `dostarczenia` shows the latest 20 failed messages. Many fail in the same instant (one outage,
 * one dispatcher pass); among those the ones written later must be the ones shown, the same on
 * every run, not whichever rows the database happens to return first.
 */
describe.each(dialects)('failed messages with the same time, as `dostarczenia` lists them, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    for (let i = 1; i <= 21; i++) {
      await db.db
        .insertInto('deliveries')
        .values({
          dedupe_key: `problem_report:ties:${i}`,
          kind: 'problem_report',
          person_id: null,
          place_address: 'C0123ABCD',
          place_language: 'pl',
          team_id: 'lodz',
          channels: JSON.stringify(['slack']),
          payload: JSON.stringify({ type: 'problem_report', reportId: '1', personId: '' }),
          due_at: clock.now(),
          next_attempt_at: clock.now(),
          updated_at: clock.now(),
          state: 'failed',
          last_error: `slack: oddity_${i}_`,
        } as never)
        .execute();
    }
  });
  afterAll(async () => db?.close());

  it('should show the 20 written last', async () => {
    const rcps = await db.db.selectFrom('people').selectAll().where('email', '=', 'jan.kowalski@example.org').executeTakeFirstOrThrow();
    const answer = await deliveriesCommand({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent'), person: rcps, text: '', changed: () => {} });
    const text = (answer.items ?? []).flatMap((i) => i.lines).join('\n');
    expect(text).toContain('oddity_21_');
    expect(text).toContain('oddity_2_');
    expect(text).not.toContain('oddity_1_');
  });
});
