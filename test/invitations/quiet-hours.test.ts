import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { createLogger } from '../../src/log.js';
import { loadPreferences, savePreferences } from '../../src/preferences/preferences.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importFixture, personId, WORKSHOP } from './support.js';

const TRAINING = 'szkolenie-lodz';

describe.each(dialects)('invitations and quiet hours on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-02-01T09:00:00Z');

  beforeEach(async () => {
    clock.set('2027-02-01T09:00:00Z');
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
  });
  afterEach(async () => db?.close());

  /** Due time of each invitation row, by activity and e-mail. */
  const dueTimes = async (activityId: string) => {
    const rows = await db.db
      .selectFrom('deliveries')
      .innerJoin('people', 'people.id', 'deliveries.person_id')
      .select(['people.email', 'deliveries.due_at', 'deliveries.next_attempt_at'])
      .where('deliveries.kind', '=', 'invitation')
      .where('deliveries.dedupe_key', 'like', `invite:${activityId}:%`)
      .execute();
    for (const r of rows) expect(r.next_attempt_at).toEqual(r.due_at);
    return new Map(rows.map((r) => [r.email, r.due_at.toISOString()]));
  };
  const distinct = (times: Map<string, string>) => [...new Set(times.values())];

  it('should send at once in the daytime', async () => {
    await planInvitations(db.db, clock);
    expect(distinct(await dueTimes(WORKSHOP))).toEqual(['2027-02-01T09:00:00.000Z']);
  });

  it('should hold an invitation planned at 22:30 until 07:00 local, and the dispatcher should not send it before', async () => {
    clock.set('2027-02-01T21:30:00Z'); // 22:30 in Warsaw
    await planInvitations(db.db, clock);
    expect(distinct(await dueTimes(WORKSHOP))).toEqual(['2027-02-02T06:00:00.000Z']);
    expect(distinct(await dueTimes(TRAINING))).toEqual(['2027-02-02T06:00:00.000Z']);

    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'test', senders: new Map(), batchSize: 500 });
    clock.set('2027-02-02T05:59:59Z');
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0, failed: 0, retried: 0, cancelled: 0 });
    clock.set('2027-02-02T06:00:00Z');
    const report = await dispatcher.runOnce();
    // No channel is turned on here: what matters is that every invitation was taken up at 07:00.
    expect(report.failed + report.retried).toBe(40);
  });

  it('should follow a person’s own quiet hours', async () => {
    const lodz1 = await personId(db.db, 'lodz1@example.org');
    await savePreferences(db.db, lodz1, { ...(await loadPreferences(db.db, lodz1)), quiet: { from: 22, to: 9 } }, clock.now());
    clock.set('2027-02-01T20:30:00Z'); // 21:30: quiet for everyone else, not yet for lodz1
    await planInvitations(db.db, clock);
    const times = await dueTimes(WORKSHOP);
    expect(times.get('lodz1@example.org')).toBe('2027-02-01T20:30:00.000Z');
    expect(times.get('lodz2@example.org')).toBe('2027-02-02T06:00:00.000Z');

    clock.set('2027-02-01T09:00:00Z');
    await db.db.deleteFrom('deliveries').execute();
    await db.db.deleteFrom('invitations').execute();
    await savePreferences(db.db, lodz1, { ...(await loadPreferences(db.db, lodz1)), quiet: { from: 20, to: 9 } }, clock.now());
    clock.set('2027-02-01T22:00:00Z'); // 23:00: quiet until 09:00 for lodz1
    await planInvitations(db.db, clock);
    expect((await dueTimes(WORKSHOP)).get('lodz1@example.org')).toBe('2027-02-02T08:00:00.000Z');
  });

  it('should send at once when the RSVP deadline would pass before the quiet hours end', async () => {
    clock.set('2027-02-24T20:30:00Z'); // 21:30 on the deadline day (answers close at 23:59)
    await planInvitations(db.db, clock);
    expect(distinct(await dueTimes(WORKSHOP))).toEqual(['2027-02-24T20:30:00.000Z']);
    // The training has no RSVP deadline and begins weeks later: it waits for the morning.
    expect(distinct(await dueTimes(TRAINING))).toEqual(['2027-02-25T06:00:00.000Z']);
  });

  it('should hold a moved activity’s update until the morning too', async () => {
    await planInvitations(db.db, clock);
    clock.set('2027-02-01T21:30:00Z');
    await db.db.updateTable('activities').set((eb) => ({ sequence: eb('sequence', '+', 1), location: 'Łódź, ul. Nowa 1' })).where('id', '=', TRAINING).execute();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 10 });
    const updates = await db.db.selectFrom('deliveries').select('due_at').where('dedupe_key', 'like', `invite:${TRAINING}:%:1`).execute();
    expect(updates).toHaveLength(10);
    expect([...new Set(updates.map((u) => u.due_at.toISOString()))]).toEqual(['2027-02-02T06:00:00.000Z']);
  });
});
