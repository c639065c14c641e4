import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { answerMeeting } from '../../src/participation/meeting-answers.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { importYaml } from '../support/schedule-builder.js';
import { teamWithSubstitute } from './earliest-fixture.js';

// Hostile review of e5daa74: planning writes a substitute's rows in two steps (fanOutSubstitutes'
// insert for default quiet hours, then fanOutOwnQuietSubstitutes' read and insert for their own);
// a failure between them must not leave a substitute with quiet hours of their own unplanned.
const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();

describe.each(dialects)("planning a substitute's reminders under faults, on %s", (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  const personId = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    ({ db, faults } = await faultyDatabase(kind));
    await importYaml(db.db, clock, { 't.yaml': teamWithSubstitute() });
    await db.db.insertInto('preferences').values({ person_id: await personId('marta@example.org'), quiet_from: 20, quiet_to: 16, muted_kinds: '[]', muted_channels: '[]' }).execute();
    faults.clear();
  });
  afterEach(async () => db?.close());

  for (const [step, pattern] of [
    ['the read of substitutes with quiet hours of their own', /select distinct a\.team_id/i],
    ['the insert of their rows (enqueue)', /insert into deliveries \(dedupe_key, kind, person_id, place_address/i],
  ] as const) {
    it(`should plan her rows at the next run when ${step} failed`, async () => {
      clock.set(warsaw('2027-03-02T09:00').toISOString());
      const anna = await personId('anna@example.org');
      expect((await answerMeeting(db.db, { teamId: 't1', occurrenceDate: '2027-03-09', personId: anna, answer: 'not_attending', substituteEmail: 'marta@example.org', source: 'link' }, clock)).ok).toBe(true);
      // Her rows gone (as after a move, whose new key planning writes again).
      await db.db.deleteFrom('deliveries').where('person_id', '=', await personId('marta@example.org')).execute();
      faults.failFirst(pattern);
      await planReminders(db.db, { clock }).catch(() => undefined);
      expect(faults.queries.some((q) => q.failed)).toBe(true);
      faults.clear();
      await planReminders(db.db, { clock });
      const rows = await db.db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', await personId('marta@example.org')).where('kind', '=', 'reminder').execute();
      expect(rows).toHaveLength(3);
    });
  }
});
