import { describe, expect, it } from 'vitest';
import { planReminders, replanTeam } from '../../src/reminders/plan-reminders.js';
import { dialects } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { heldReminderWorld, local, oneMeetingTeam, warsaw } from './held-reminder-fixture.js';

// Found while giving every writer personalReminderTiming (reminder-timing-writers.model.test.ts):
// planning skipped a reminder whose time meant had passed, even when quiet hours would still hold
// it to a time to come, while the re-timing writers (replanPerson, dropStaleReminders) time such
// a row from now. So a member added in the evening got no reminder of tomorrow morning's meeting
// that the others get at 07:00. Planning now plans it, timed from its time meant.

const schedule = oneMeetingTeam('2027-03-09T09:00', 'PT12H');

describe.each(dialects)('a reminder held by quiet hours, for a member added after its time meant, on %s', (kind) => {
  const world = heldReminderWorld(kind, '2027-03-08T12:00');
  const { clock } = world;

  it('is planned for the time the others have (meant 21:00, held to 07:00)', async () => {
    await importYaml(world.db.db, clock, { 't.yaml': schedule(false) });
    await planReminders(world.db.db, { clock });
    clock.set(warsaw('2027-03-08T22:00'));
    await importYaml(world.db.db, clock, { 't.yaml': schedule(true) });
    await replanTeam(world.db.db, 't1', clock);
    const rows = await world.db.db
      .selectFrom('deliveries')
      .innerJoin('people', 'people.id', 'deliveries.person_id')
      .select(['people.email', 'deliveries.due_at'])
      .where('deliveries.kind', '=', 'reminder')
      .orderBy('people.email')
      .execute();
    expect(rows.map((r) => `${r.email} ${local(r.due_at)}`)).toEqual(['ewa@example.org 2027-03-09T07:00', 'ola@example.org 2027-03-09T07:00']);
  });

  it('is not planned once its held time has passed, nor when its time meant passed outside quiet hours', async () => {
    await importYaml(world.db.db, clock, { 't.yaml': schedule(false) });
    await planReminders(world.db.db, { clock });
    // 07:30: the others' reminder (held to 07:00) is past; a member added now gets none of it.
    clock.set(warsaw('2027-03-09T07:30'));
    await importYaml(world.db.db, clock, { 't.yaml': schedule(true) });
    await replanTeam(world.db.db, 't1', clock);
    const rows = await world.db.db.selectFrom('deliveries').innerJoin('people', 'people.id', 'deliveries.person_id').select('people.email').where('deliveries.kind', '=', 'reminder').execute();
    expect(rows.map((r) => r.email)).toEqual(['ewa@example.org']);
  });
});
