import { afterEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import type { InvitationDeps } from '../../src/invitations/invitation-message.js';
import { createLogger } from '../../src/log.js';
import { dialects } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { heldReminderWorld, local, oneMeetingTeam } from '../reminders/held-reminder-fixture.js';

// Hostile review of feb992d (an answer through its link plans that pair alone, DeliveryService.answered).
// Every answer ran changed() before it, whose first step re-plans the reminders of the teams whose
// schedule changed (processScheduleChanges). When the planning an import or a chat change started
// for itself failed (the database away for a moment), the next answer did it: with answers coming in,
// within seconds. Now no answer does, and neither does the 15-minute sweep (planInvitations alone): a
// moved meeting keeps no reminder for its new time until the next daily re-plan, up to 24 hours later.

const team = oneMeetingTeam('2027-03-10T10:00', 'PT2H');

describe.each(dialects)('a moved meeting whose own planning failed, on %s', (kind) => {
  const world = heldReminderWorld(kind, '2027-03-08T12:00');
  afterEach(() => void vi.useRealTimers());

  it('gets its reminder for the new time by the next 15-minute sweep', async () => {
    const { clock } = world;
    const db = world.db.db;
    await importYaml(db, clock, { 't.yaml': team(false) });
    vi.useFakeTimers({ toFake: ['setInterval'] });
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const service = new DeliveryService({ db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'hostile', invitations });
    vi.spyOn(service.loop, 'poke').mockImplementation(() => undefined);
    await service.start();
    try {
      const reminders = async () => (await db.selectFrom('deliveries').select('due_at').where('kind', '=', 'reminder').where('state', '=', 'pending').orderBy('due_at').execute()).map((r) => local(r.due_at));
      expect(await reminders()).toEqual(['2027-03-10T08:00']);

      // The meeting moves to 14:00 (an import); the planning it starts for itself fails, so it is not called here.
      await importYaml(db, clock, { 't.yaml': team(false, '2027-03-10T14:00') });
      clock.advance(60_000);

      // Fifteen minutes on, the sweep.
      clock.advance(15 * 60_000);
      vi.advanceTimersByTime(15 * 60_000);
      await vi.waitFor(async () => expect(await reminders()).toContain('2027-03-10T12:00'), { timeout: 3000, interval: 50 });
    } finally {
      await service.stop();
    }
  });
});
