import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { erasePersonalData } from '../../src/privacy/personal-data.js';
import { until } from '../process/service-process.js';
import { backendPid, waitingOn } from '../support/lock-waits.js';
import { freshDatabase } from '../support/databases.js';
import { everyone, importFixture, personId, WORKSHOP } from '../invitations/support.js';

/**
 * An RSVP used to deadlock with an erasure of the same person on PostgreSQL (40P01): the RSVP
 * locks the activity, then its insert into rsvps takes a key share on the person's row (the
 * foreign key); the erasure locked the person's row first and the activities last. The erasure
 * now locks the activities the person is invited to first, in id order, then the person
 * (src/privacy/personal-data.ts, lockInOrder), the order every answer follows.
 *
 * A third transaction holds a row the first of the two needs, so the interleaving is certain
 * instead of lucky. Nothing of our code is faked.
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('an RSVP and an erasure of the same person at once (PostgreSQL)', () => {
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  let current: Db;
  beforeEach(async () => {
    current = await freshDatabase('postgres');
    await importFixture(current.db, clock);
    await planInvitations(current.db, clock);
  }, 60_000);
  afterEach(async () => current?.close());

  it('should finish both without a deadlock', async () => {
    const db = current.db;
    const id = await personId(db, 'lodz2@example.org');
    expect(await db.selectFrom('invitations').select('person_id').where('activity_id', '=', WORKSHOP).where('person_id', '=', id).executeTakeFirst()).toBeDefined();

    const gate = await db.startTransaction().execute();
    const gatePid = await backendPid(gate);
    await gate.selectFrom('memberships').select('person_id').where('person_id', '=', id).forUpdate().execute();

    const erasure = erasePersonalData(db, id, clock).then(
      (value) => ({ ok: true as const, value }),
      (error: Error & { code?: string; where?: string }) => ({ ok: false as const, error: `${error.code} ${error.message}`, where: error.where }),
    );
    await until(async () => (await waitingOn(db, gatePid)) >= 1, 5000, 'the erasure waits at the gate, holding its locks');
    const rsvp = answerInvitation(db, clock, { activityId: WORKSHOP, personId: id, answer: 'accepted' }).then(
      (value) => ({ ok: true as const, value }),
      (error: Error & { code?: string; where?: string }) => ({ ok: false as const, error: `${error.code} ${error.message}`, where: error.where }),
    );
    await until(async () => (await waitingOn(db, gatePid)) >= 2, 5000, 'the RSVP waits for the erasure');
    await gate.commit().execute();

    const [erased, answered] = await Promise.all([erasure, rsvp]);
    expect({ erased, answered: answered.ok ? { ok: true } : answered }).toEqual({ erased: { ok: true, value: true }, answered: { ok: true } });
  }, 30_000);

  it('should finish both when someone declines while the first on the waiting list is erased', async () => {
    // Same lock order, other people: B's decline holds the activity and offers the freed seat to X
    // (an update of X's invitation); X's erasure used to delete that invitation first, then wait for the activity.
    const db = current.db;
    for (const email of everyone.slice(0, 26)) {
      clock.advance(60_000);
      await answerInvitation(db, clock, { activityId: WORKSHOP, personId: await personId(db, email), answer: 'accepted' });
    }
    const b = await personId(db, everyone[0]!);
    const x = await personId(db, everyone[24]!);

    // The gate holds B's answer row, so B's decline pauses holding the activity.
    const gate = await db.startTransaction().execute();
    const gatePid = await backendPid(gate);
    await gate.selectFrom('rsvps').select('person_id').where('activity_id', '=', WORKSHOP).where('person_id', '=', b).forUpdate().execute();
    const settle = <T>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: Error & { code?: string; where?: string }) => ({ ok: false as const, error: `${error.code} ${error.message}`, where: error.where }));
    const decline = settle(answerInvitation(db, clock, { activityId: WORKSHOP, personId: b, answer: 'declined' }));
    await until(async () => (await waitingOn(db, gatePid)) >= 1, 5000, 'the decline waits at the gate, holding the activity');
    const erasure = settle(erasePersonalData(db, x, clock));
    await until(async () => (await waitingOn(db, gatePid)) >= 2, 5000, 'the erasure waits for the activity');
    await gate.commit().execute();

    const [declined, erased] = await Promise.all([decline, erasure]);
    expect({ declined: declined.ok ? { ok: true } : declined, erased }).toEqual({ declined: { ok: true }, erased: { ok: true, value: true } });
  }, 30_000);
});
