import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import type { InvitationDeps } from '../../src/invitations/invitation-message.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, type Answer } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

// Hostile review of feb992d (an answer through its link plans that pair alone, DeliveryService.answered):
// the flows the whole planning used to follow each answer with, answered by links only, the sweep
// never run. Each step must leave at once what the person would otherwise wait 15 minutes for:
// reminders of whoever is seated, an offer's message for the next on the list, the dispatcher woken.
// (A guard: these pass on feb992d.)

const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw (08:00Z)

describe.each(dialects)('answers through links, planned pair by pair, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await planInvitations(db.db, clock);
    await db.db.updateTable('activities').set({ capacity: 1 }).where('id', '=', ACTIVITY).execute();
  }, 120_000);
  afterAll(async () => db?.close());

  it('accept, decline, waiting list, offer, accept again: reminders and offers at once, the dispatcher woken each time', async () => {
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'hostile', invitations });
    const poke = vi.spyOn(service.loop, 'queued').mockResolvedValue(undefined);
    const [ewa, ola] = (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id').limit(2).execute()).map((r) => r.person_id);
    const link = async (personId: number, answer: Answer, minutes: number) => {
      clock.advance(minutes * 60_000);
      const outcome = await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId, answer });
      if (outcome.ok && !outcome.unchanged) await service.answered({ activityId: ACTIVITY, personId });
      return outcome.ok ? outcome.status : outcome.code;
    };
    const pending = async (personId: number) =>
      (await db.db.selectFrom('deliveries').select(['dedupe_key', 'payload']).where('person_id', '=', personId).where('state', '=', 'pending').where('kind', 'in', ['reminder', 'invitation']).orderBy('dedupe_key').execute())
        .map((r) => r.payload as { type: string; offset?: string })
        .map((p) => (p.offset ? `${p.type} ${p.offset}` : p.type))
        .filter((t) => t !== 'invitation');

    expect(await link(ewa!, 'accepted', 1)).toBe('accepted');
    expect(await pending(ewa!)).toEqual(['activity_reminder P1D', 'activity_reminder P7D']);
    expect(await link(ola!, 'accepted', 1)).toBe('waiting');
    expect(await pending(ola!)).toEqual([]);
    poke.mockClear();
    // Ewa declines: the seat is offered to Ola in the answer's transaction, and the dispatcher is woken for it.
    expect(await link(ewa!, 'declined', 1)).toBe('declined');
    expect(await pending(ola!)).toEqual(['rsvp_offer']);
    expect(poke).toHaveBeenCalled();
    // Ola takes the offer by its link: her reminders at once.
    expect(await link(ola!, 'accepted', 1)).toBe('accepted');
    expect((await pending(ola!)).filter((t) => t.startsWith('activity_reminder'))).toEqual(['activity_reminder P1D', 'activity_reminder P7D']);
    // Ewa changes her mind: on the list now; her earlier reminders wait and are dropped when due unless she is seated.
    expect(await link(ewa!, 'accepted', 1)).toBe('waiting');
    // Ola declines: Ewa is offered the seat and takes it; her rows from the first accept are still pending, so she is reminded.
    expect(await link(ola!, 'declined', 1)).toBe('declined');
    expect(await pending(ewa!)).toContain('rsvp_offer');
    expect(await link(ewa!, 'accepted', 1)).toBe('accepted');
    const reminders = await db.db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', ewa!).where('kind', '=', 'reminder').where('state', '=', 'pending').execute();
    expect(reminders.map((r) => r.dedupe_key).sort()).toEqual([`activity-reminder:${ACTIVITY}:${ewa}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${ewa}:P7D:2027-01-20T08:00:00.000Z`]);
  });
});
