import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { backfillEarliestSend } from '../../src/reminders/earliest-backfill.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, InjectedFault } from '../support/faults.js';
import { importYaml } from '../support/schedule-builder.js';
import { importFixture, personId, WORKSHOP } from '../invitations/support.js';

// Rows planned before migration 0031 have no earliest_at: the start-up back-fill gives pending
// meeting and activity reminders the value planning now writes, in batches, and a run stopped
// halfway is taken up by the next.

const schedule = `
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=2
      starts: 2027-03-09T18:00
      duration: PT2H
      location: Sala 1
      reminders: [P1D, PT2H, PT15M]
    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator }
      - { name: Anna Członek, email: anna@example.org }
`;

/** Every row: key → earliest_at (ISO, or null), with its state. */
async function earliestByKey(db: Kysely<Database>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('deliveries').select(['dedupe_key', 'state', 'earliest_at']).orderBy('dedupe_key').execute();
  return Object.fromEntries(rows.map((r) => [r.dedupe_key, `${r.state} ${r.earliest_at?.toISOString() ?? null}`]));
}

/** As before migration 0031: no row has an earliest_at. */
const forget = (db: Kysely<Database>) => sql`update deliveries set earliest_at = null`.execute(db);

describe.each(dialects)('the start-up back-fill of earliest_at on %s', (kind) => {
  let db: Db | undefined;
  afterEach(async () => db?.close());

  it('fills pending reminders only, and after a failure at its second batch, the next run finishes', async () => {
    const clock = new FixedClock('2027-03-01T00:00:00Z');
    const faulty = await faultyDatabase(kind);
    db = faulty.db;
    await importYaml(db.db, clock, { 't.yaml': schedule });
    await planReminders(db.db, { clock });
    await planCheckins(db.db, { clock });
    // One reminder already sent: the back-fill leaves it alone (it would never be claimed again).
    await sql`update deliveries set state = 'sent' where id = (select min(id) from deliveries where kind = 'reminder')`.execute(db.db);
    const planned = await earliestByKey(db.db);
    const reminders = Object.entries(planned).filter(([key, v]) => key.startsWith('reminder:') && v.startsWith('pending'));
    expect(reminders.length).toBe(11);
    expect(reminders.every(([, v]) => !v.endsWith('null'))).toBe(true);
    await forget(db.db);

    // Ranges of 4 ids: the second write fails, as a crash there would.
    faulty.faults.failNth(2, { writesOnly: true });
    await expect(backfillEarliestSend(db.db, { batchSize: 4 })).rejects.toBeInstanceOf(InjectedFault);
    const halfway = Object.values(await earliestByKey(db.db)).filter((v) => !v.endsWith('null')).length;
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(11);

    expect(await backfillEarliestSend(db.db, { batchSize: 4 })).toBe(11 - halfway);
    const after = await earliestByKey(db.db);
    for (const [key, v] of Object.entries(planned)) {
      // Pending reminders as planning wrote them; the sent one and every check-in keep null.
      expect(after[key], key).toBe(key.startsWith('reminder:') && v.startsWith('pending') ? v : `${v.split(' ')[0]} null`);
    }
    // Nothing left: a further start reads and writes nothing.
    faulty.faults.clear();
    expect(await backfillEarliestSend(db.db, { batchSize: 4 })).toBe(0);
    expect(faulty.faults.writes()).toEqual([]);
  });

  it("fills activity reminders as planActivityReminders writes them, the RSVP deadline's rows stay null", async () => {
    const clock = new FixedClock('2027-02-01T09:00:00Z');
    const faulty = await faultyDatabase(kind);
    db = faulty.db;
    await importFixture(db.db, clock);
    await planInvitations(db.db, clock);
    for (const email of ['lodz1@example.org', 'lowicz2@example.org']) {
      await answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: await personId(db.db, email), answer: 'accepted' });
    }
    await db.db.insertInto('preferences').values({ person_id: await personId(db.db, 'lodz1@example.org'), quiet_from: 22, quiet_to: 8, muted_kinds: '[]', muted_channels: '[]' }).execute();
    await planActivityReminders(db.db, clock);
    const planned = await earliestByKey(db.db);
    expect(Object.entries(planned).filter(([key, v]) => key.startsWith('activity-reminder:') && !v.endsWith('null'))).toHaveLength(4);
    expect(Object.keys(planned).filter((key) => key.startsWith('rsvp-deadline:'))).not.toEqual([]);
    await forget(db.db);
    expect(await backfillEarliestSend(db.db)).toBe(4);
    expect(await earliestByKey(db.db)).toEqual(planned);
  });
});
