import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMeetings } from '../../src/bot/commands/meetings.js';
import type { CommandContext } from '../../src/bot/commands/context.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const clock = new FixedClock('2027-01-04T08:00:00Z');

describe.each(dialects)('kept `spotkania` answers on %s', (kind) => {
  let db: Db;
  let ctx: CommandContext;
  beforeEach(async () => {
    db = await demoDatabase(kind, clock);
    const person = await db.db
      .selectFrom('people')
      .innerJoin('memberships', 'memberships.person_id', 'people.id')
      .selectAll('people')
      .where('memberships.team_id', '=', 'lodz')
      .executeTakeFirstOrThrow();
    ctx = { db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent'), person, text: '', changed: () => undefined };
  });
  afterEach(async () => db?.close());

  it('are one object while the data stays, and let go of once the data changed (a busy service does not pile them up)', async () => {
    // Only a WeakRef and a copy outlive this block: nothing in the test holds the answer.
    const { kept, copy } = await (async () => {
      const first = await listMeetings(ctx);
      expect(first.items?.length).toBeGreaterThan(0);
      expect(await listMeetings(ctx)).toBe(first);
      return { kept: new WeakRef(first), copy: structuredClone(first) };
    })();
    // A change of the team's rows that shows nowhere in the answer (a raise of the version alone
    // keeps the team's meetings, and so the answer, since 66c38b9).
    await db.db.updateTable('meeting_series').set({ updated_at: new Date('2027-01-04T09:00:00Z') }).where('team_id', '=', 'lodz').execute();
    const after = await listMeetings(ctx);
    expect(after).not.toBe(kept.deref());
    expect(after).toEqual(copy);
    // WeakRef targets live to the end of the job that read them: collect in a later one.
    for (let i = 0; i < 5 && kept.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(kept.deref()).toBeUndefined();
  });
});
