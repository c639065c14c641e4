import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import type { InvitationDeps } from '../../src/invitations/invitation-message.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

// Hostile review of feb992d (an answer through its link plans that pair alone, DeliveryService.answered).
// Before it, every answer ran a whole planning (changed()): when one answer's planning failed (the
// database away for a moment: a failover, a reset connection, a statement timeout under the national
// week's load), the next answer's run planned that person's reminders too. Now nothing but the
// 15-minute sweep does, and a reminder whose time falls before the sweep is never planned: the sweep
// finds its time past (plannedTimingRule) and skips it. The person accepted, got "see you", and gets
// no "tomorrow" reminder, while the person who answered five minutes after them gets theirs.

const failNext = vi.hoisted(() => ({ on: false, always: new Set<number>() }));
vi.mock('../../src/invitations/plan-activity-reminders.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/invitations/plan-activity-reminders.js')>();
  return {
    ...actual,
    planActivityReminders: (async (db, clock, only) => {
      // One answer's planning (DeliveryService.answered), not the sweep's look at answers since its last run.
      const pair = only && 'personId' in only ? only : undefined;
      if (pair && failNext.on) {
        failNext.on = false;
        throw new Error('Connection terminated unexpectedly');
      }
      if (pair && failNext.always.has(Number(pair.personId))) throw new Error('this pair always fails');
      return actual.planActivityReminders(db, clock, only);
    }) as typeof actual.planActivityReminders,
  };
});

const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw (08:00Z); P1D meant 19 January 09:00
const P1D = (personId: number) => `activity-reminder:${ACTIVITY}:${personId}:P1D:2027-01-20T08:00:00.000Z`;

describe.each(dialects)('an answer whose planning failed, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await planInvitations(db.db, clock);
    // Answers open until the start (no RSVP deadline), so people may accept the day before.
    await db.db.updateTable('activities').set({ rsvp_by: null }).where('id', '=', ACTIVITY).execute();
  }, 120_000);
  afterAll(async () => db?.close());

  it('is planned by the next answer, not left to a sweep that comes after the reminder\'s time', async () => {
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'hostile', invitations });
    // The dispatcher is not what this is about (and has no senders here).
    vi.spyOn(service.loop, 'queued').mockResolvedValue(undefined);
    const [ewa, ola] = (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id').limit(2).execute()).map((r) => r.person_id);

    // 08:50 Warsaw the day before: Ewa accepts; planning her reminders fails (the database away for a moment).
    clock.set(new Date('2027-01-19T07:50:00Z'));
    expect(await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: ewa!, answer: 'accepted' })).toMatchObject({ ok: true, status: 'accepted' });
    failNext.on = true;
    await expect(service.answered({ activityId: ACTIVITY, personId: ewa! })).rejects.toThrow('Connection terminated');

    // 08:55: Ola accepts, and her planning works.
    clock.set(new Date('2027-01-19T07:55:00Z'));
    expect(await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: ola!, answer: 'accepted' })).toMatchObject({ ok: true, status: 'accepted' });
    await service.answered({ activityId: ACTIVITY, personId: ola! });

    // 09:05: the 15-minute sweep; the day-before reminder's time (09:00) has passed.
    clock.set(new Date('2027-01-19T08:05:00Z'));
    await service.planInvitations();

    const keys = (await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', `activity-reminder:${ACTIVITY}:%:P1D:%`).execute()).map((r) => r.dedupe_key);
    expect(keys).toContain(P1D(ola!));
    expect(keys).toContain(P1D(ewa!));
  });

  it('plans each answer even while an earlier pair keeps failing, and wakes the dispatcher for an offer however planning went', async () => {
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'hostile-2', invitations });
    const poke = vi.spyOn(service.loop, 'queued').mockResolvedValue(undefined);
    const [, , iza, jan] = (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id').limit(4).execute()).map((r) => r.person_id);
    clock.set(new Date('2027-01-19T06:00:00Z'));
    failNext.always.add(Number(iza));
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: iza!, answer: 'accepted' });
    await expect(service.answered({ activityId: ACTIVITY, personId: iza! })).rejects.toThrow('always fails');
    expect(poke).toHaveBeenCalledTimes(1);
    clock.set(new Date('2027-01-19T06:05:00Z'));
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: jan!, answer: 'accepted' });
    await service.answered({ activityId: ACTIVITY, personId: jan! }).catch(() => undefined);
    const keys = (await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', `activity-reminder:${ACTIVITY}:${jan}:%`).execute()).map((r) => r.dedupe_key);
    expect(keys).toEqual([`activity-reminder:${ACTIVITY}:${jan}:P1D:2027-01-20T08:00:00.000Z`]);
    expect(poke).toHaveBeenCalledTimes(2);
    failNext.always.clear();
  });
});
