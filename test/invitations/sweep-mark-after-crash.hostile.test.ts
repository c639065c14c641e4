import { execSync } from 'node:child_process';
import pg from 'pg';
import { Registry } from 'prom-client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import type { PlanningMark } from '../../src/invitations/invitation-inputs.js';
import type { InvitationDeps } from '../../src/invitations/invitation-message.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { demoDatabase } from '../support/databases.js';

/**
 * Hostile review of f717548. The sweep keeps its last mark (the oldest running xid) in memory
 * and later plans only answers whose xmin is not older. PostgreSQL does not promise that xids
 * only grow across a crash: xids of transactions that ended without a flushed WAL record (a
 * rollback: a failed answer, a statement timeout, a dropped connection) are handed out again
 * after crash recovery (here 777 before an immediate stop, 752 after). A mark read after such
 * rollbacks and before the crash is then newer than the answers written after the restart: every
 * sweep leaves them out while nothing else changes the version, and the pair whose answered()
 * failed (the database had just come back) is taken off `unplanned` as covered. The person accepted
 * and gets no reminder. Not one of ours: needs a PostgreSQL this test may crash
 * (HOSTILE_CRASHABLE_PG: a URL; HOSTILE_PG_CRASH: a command that stops it with `-m immediate`
 * and starts it again).
 */
const url = process.env.HOSTILE_CRASHABLE_PG;
const crash = process.env.HOSTILE_PG_CRASH;
const ACTIVITY = 'szkolenie-niebieska-karta-2027-01';
const reminderKeys = (personId: number) => [`activity-reminder:${ACTIVITY}:${personId}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${personId}:P7D:2027-01-20T08:00:00.000Z`];

describe.runIf(url && crash)('hostile: the sweep after a PostgreSQL crash', () => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  beforeAll(async () => {
    process.env.TEST_DATABASE_URL = url;
    db = await demoDatabase('postgres', clock);
  }, 120_000);
  afterAll(async () => db?.close().catch(() => undefined));

  /** After the restart the pool's old connections fail once each: try again, as the service's next run would. */
  const retry = async <T>(work: () => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return await work();
      } catch (error) {
        if (i > 20) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  it('plans the reminders of an answer written after the restart', async () => {
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'crash', invitations });
    const internals = service as unknown as { lastMark: PlanningMark };
    await service.planInvitations('all');
    await service.planInvitations('changed');
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;

    // Some transactions that rolled back (failed answers, a timeout): their xids are taken, their WAL not yet flushed.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (let i = 0; i < 50; i++) await client.query('begin; select pg_current_xact_id(); rollback');
    await client.end();
    // A sweep: nothing changed, nothing written; its mark is the next xid.
    await service.planInvitations('changed');
    const mark = internals.lastMark;

    execSync(crash!, { stdio: 'inherit' });

    // Back: Anna accepts; the planning of her answer fails (the pool's connection to the old server).
    await retry(() => answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: anna, answer: 'accepted' }));
    const { rows } = await sql<{ xmin: string }>`select xmin::text as xmin from rsvps where activity_id = ${ACTIVITY} and person_id = ${anna}`.execute(db.db);
    // The next sweeps (nothing else changed).
    await retry(() => service.planInvitations('changed'));
    await retry(() => service.planInvitations('changed'));
    const keys = (await db.db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', anna).where('dedupe_key', 'like', 'activity-reminder:%').orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);
    expect(keys, `answer's xmin ${rows[0]!.xmin}, the mark's xmin before the crash ${mark.xmin}`).toEqual(reminderKeys(anna));
  }, 120_000);
});
