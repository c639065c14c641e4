import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { createLogger } from '../../src/log.js';
import { Registry } from 'prom-client';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

const DAY = 24 * 3600_000;

describe.each(dialects)('the daily re-plan on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  // Tuesdays at 10:00 from 5 January, reminders P7D, P1D, PT2H.
  const team = () => aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org').withMember('Bolek', 'bolek@example.org');
  const keys = async () => (await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', 'reminder').execute()).map((r) => r.dedupe_key.replace(/:\d+$/, ''));

  beforeEach(async () => {
    clock.set('2027-01-01T00:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team()).toYaml() });
  });
  afterEach(async () => db?.close());

  it('should plan only the new days at the end of the horizon when nothing changed, and everything again for a team that changed', async () => {
    // 5 January: P1D and PT2H (P7D is past); 12 January: all three. Two members.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(10);
    // A probe: a row the first plan made, taken away. A re-plan that offered the whole horizon
    // to ON CONFLICT again would put it back.
    const probe = await db.db.deleteFrom('deliveries').where('dedupe_key', 'like', 'reminder:t1:2027-01-12:P1D:%').returning('dedupe_key').execute();
    expect(probe).toHaveLength(2);

    clock.advance(7 * DAY);
    // A week on: only 19 January is new (three offsets, two members); the probe stays away.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(6);
    expect(await keys()).not.toContain('reminder:t1:2027-01-12:P1D');
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(0);

    // A new member: the team's data changed, so its whole horizon is planned again.
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team().withMember('Cela', 'cela@example.org')).toYaml() });
    // Cela: 12 January P1D and PT2H, 19 January all three; and the two probe rows come back.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(7);
    expect((await keys()).filter((k) => k === 'reminder:t1:2027-01-12:P1D')).toHaveLength(3);
  });

  it('should plan a new team in full while the others only extend', async () => {
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(10);
    clock.advance(DAY);
    await importYaml(db.db, clock, {
      't.yaml': aSchedule().with(team(), aTeam('t2').meetingsEvery('FREQ=WEEKLY;BYDAY=WE', '2027-01-06T10:00').withMember('Darek', 'darek@example.org')).toYaml(),
    });
    // t2: 6 January P1D and PT2H, 13 January all three (P7D on the 6th is past); t1 gains no day with a meeting.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(5);
    expect((await keys()).filter((k) => k.startsWith('reminder:t2:'))).toHaveLength(5);
  });

  it('should plan a member added by an import as soon as the running service hears of the change, not the next day', async () => {
    // A service whose dispatcher has nothing to send to: the outbox is what is checked.
    const service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'http://localhost', registry: new Registry(), workerId: 'w1', horizonDays: 14 });
    await service.start();
    try {
      const forCela = async () =>
        (await db.db.selectFrom('deliveries').innerJoin('people', 'people.id', 'deliveries.person_id').select('dedupe_key').where('people.email', '=', 'cela@example.org').execute()).length;
      clock.advance(60_000);
      await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team().withMember('Cela', 'cela@example.org')).toYaml() });
      expect(await forCela()).toBe(0);
      await service.scheduleChanged();
      // 5 January P1D and PT2H, 12 January all three.
      expect(await forCela()).toBe(5);
    } finally {
      await service.stop();
    }
  });
});
