import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { migrations } from '../../migrations/index.js';
import { readPlanningMark } from '../../src/invitations/invitation-inputs.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { dialects, demoDatabase } from '../support/databases.js';

// Hostile review of f717548: two deferred counters (data_version, invitation_inputs) raised at commit.
describe.each(dialects)('hostile: invitation_inputs beside data_version, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await planInvitations(db.db, clock);
  }, 120_000);
  afterAll(async () => db?.close());

  it.runIf(kind === 'postgres')('no deadlock between writers of input tables and of answers committing together', async () => {
    const people = (await db.db.selectFrom('people').select('id').orderBy('id').limit(6).execute()).map((r) => r.id);
    const inv = await db.db.selectFrom('invitations').select(['activity_id', 'person_id']).limit(6).execute();
    const before = (await readPlanningMark(db.db)).version;
    const errors: unknown[] = [];
    let raisers = 0;
    const worker = async (w: number) => {
      for (let i = 0; i < 40; i++) {
        try {
          await db.db.transaction().execute(async (trx) => {
            // Answers (data_version only), then an input table (both), in an order that varies.
            const pair = inv[(w + i) % inv.length]!;
            if ((w + i) % 2 === 0) {
              await trx.insertInto('rsvps').values({ activity_id: pair.activity_id, person_id: pair.person_id, answer: 'maybe', answered_at: clock.now() })
                .onConflict((oc) => oc.columns(['activity_id', 'person_id']).doUpdateSet({ answered_at: new Date(clock.now().getTime() + w * 1000 + i) })).execute();
            }
            if ((w + i) % 3 !== 0) {
              await trx.updateTable('people').set({ institution: `w${w}i${i}` }).where('id', '=', people[(w * 7 + i) % people.length]!).execute();
              raisers++;
            }
            await sql`select pg_sleep(0.002)`.execute(trx);
          });
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    expect(errors.map((e) => String(e))).toEqual([]);
    expect((await readPlanningMark(db.db)).version - before).toBe(raisers);
  }, 60_000);

  it('migration 0037 goes down and up again', async () => {
    const m = migrations['20261207_0037_invitation_inputs']!;
    await m.down!(db.db);
    await db.db.updateTable('people').set({ institution: 'after down' }).where('id', '=', 1).execute();
    await m.up(db.db);
    await db.db.updateTable('people').set({ institution: 'after up' }).where('id', '=', 1).execute();
    expect((await readPlanningMark(db.db)).version).toBe(1);
  });
});
