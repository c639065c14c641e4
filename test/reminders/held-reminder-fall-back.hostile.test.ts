import { describe, expect, it } from 'vitest';
import { planReminders, replanTeam } from '../../src/reminders/plan-reminders.js';
import { dialects } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { heldReminderWorld, oneMeetingTeam, warsaw } from './held-reminder-fixture.js';

// Hostile review of f0114da: plannedReminderTiming times a reminder whose time meant has passed
// from that time, and says that within one quiet span this is what re-timing (from now) gives.
// Not on the night the clocks go back when quiet hours end in the hour that repeats (02:00 in
// Europe/Warsaw on 31 October 2027): from 21:00 the evening before, outsideQuietHours sets 02:00
// on a day carrying the winter offset and gets the second 02:00 (01:00 UTC); from a time after
// midnight it gets the first (00:00 UTC), when the quiet hours did end. So the member added at
// 00:00 is reminded an hour after the one whose row the same re-plan timed again from now.

const schedule = oneMeetingTeam('2027-10-31T06:00', 'PT10H');

describe.each(dialects)('a reminder held by quiet hours ending in the hour that repeats when the clocks go back, on %s', (kind) => {
  const world = heldReminderWorld(kind, '2027-10-30T12:00');
  const { clock } = world;

  const quiet = async (email: string) => {
    const { id } = await world.db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    await world.db.db.insertInto('preferences').values({ person_id: id, quiet_from: 21, quiet_to: 2, muted_kinds: '[]', muted_channels: '[]' }).execute();
  };

  it('is due when the quiet hours end (the first 02:00, 00:00 UTC) for the member added late as for the others', async () => {
    await importYaml(world.db.db, clock, { 't.yaml': schedule(false) });
    await quiet('ewa@example.org');
    await planReminders(world.db.db, { clock });
    // 00:00 summer time, 31 October: the reminder (meant 21:00) is held by the quiet hours 21–2.
    clock.set(new Date('2027-10-30T22:00:00Z'));
    await importYaml(world.db.db, clock, { 't.yaml': schedule(true) });
    await quiet('ola@example.org');
    await replanTeam(world.db.db, 't1', clock);
    const rows = await world.db.db
      .selectFrom('deliveries')
      .innerJoin('people', 'people.id', 'deliveries.person_id')
      .select(['people.email', 'deliveries.due_at'])
      .where('deliveries.kind', '=', 'reminder')
      .orderBy('people.email')
      .execute();
    expect(rows.map((r) => `${r.email} ${new Date(r.due_at).toISOString()}`)).toEqual(['ewa@example.org 2027-10-31T00:00:00.000Z', 'ola@example.org 2027-10-31T00:00:00.000Z']);
  });
});
