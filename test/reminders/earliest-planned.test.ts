import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { answerMeeting } from '../../src/participation/meeting-answers.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planReminders, replanPerson, replanTeam } from '../../src/reminders/plan-reminders.js';
import { earliestSend, type QuietHours } from '../../src/reminders/quiet-hours.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { teamWithSubstitute } from './earliest-fixture.js';

// Every writer of a meeting reminder's due time writes the instant it may leave ahead of a lump
// with it (earliest_at, docs/delivery-engine.md); every other kind keeps null.

const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (d: Date | null) => (d ? DateTime.fromJSDate(new Date(d), { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss") : 'null');


describe.each(dialects)('earliest_at written with the due time of meeting reminders, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  const load = (text: string) => importYaml(db.db, clock, { 't.yaml': text });
  const personId = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const setQuiet = async (email: string, quiet: QuietHours) => {
    const id = await personId(email);
    await db.db
      .insertInto('preferences')
      .values({ person_id: id, quiet_from: quiet.from, quiet_to: quiet.to, muted_kinds: '[]', muted_channels: '[]' })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ quiet_from: quiet.from, quiet_to: quiet.to }))
      .execute();
    return id;
  };
  /** Pending meeting reminders: whose, offset, due time and earliest_at (local). */
  const reminders = async () =>
    (
      await db.db
        .selectFrom('deliveries')
        .innerJoin('people', 'people.id', 'deliveries.person_id')
        .select(['people.email', 'deliveries.payload', 'deliveries.due_at', 'deliveries.earliest_at'])
        .where('deliveries.state', '=', 'pending')
        .where('deliveries.kind', '=', 'reminder')
        .orderBy('people.email')
        .orderBy('deliveries.due_at')
        .execute()
    ).map((r) => `${r.email.split('@')[0]} ${(r.payload as { date: string }).date} ${(r.payload as { offset: string }).offset} due ${local(r.due_at)} earliest ${local(r.earliest_at)}`);
  /** Rows of any other kind that carry an earliest_at: must be none. */
  const othersWithEarliest = async () =>
    (
      await sql<{ kind: string; dedupe_key: string }>`
        select kind, dedupe_key from deliveries
        where earliest_at is not null and (kind <> 'reminder' or payload->>'type' not in ('reminder', 'activity_reminder'))`.execute(db.db)
    ).rows.map((r) => `${r.kind} ${r.dedupe_key}`);

  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('plans each reminder with its earliest_at: the tenth, the end of quiet hours, or personal quiet hours', async () => {
    await load(teamWithSubstitute());
    // Anna's own quiet hours (20–16) end at 16:00: her rows are planned apart (the personal rows).
    await setQuiet('anna@example.org', { from: 20, to: 16 });
    await planReminders(db.db, { clock });
    await planCheckins(db.db, { clock });
    expect(await reminders()).toEqual([
      'anna 2027-03-09 P1D due 2027-03-08T18:00:00 earliest 2027-03-08T16:00:00',
      'anna 2027-03-09 PT2H due 2027-03-09T16:00:00 earliest 2027-03-09T16:00:00',
      'anna 2027-03-09 PT15M due 2027-03-09T17:45:00 earliest 2027-03-09T17:43:30',
      'ewa 2027-03-09 P1D due 2027-03-08T18:00:00 earliest 2027-03-08T15:36:00',
      'ewa 2027-03-09 PT2H due 2027-03-09T16:00:00 earliest 2027-03-09T15:48:00',
      'ewa 2027-03-09 PT15M due 2027-03-09T17:45:00 earliest 2027-03-09T17:43:30',
    ]);
    expect(await db.db.selectFrom('deliveries').select('id').where('kind', '=', 'checkin').execute()).not.toEqual([]);
    expect(await othersWithEarliest()).toEqual([]);
  });

  it("follows a move of the meeting, the substitute's rows too; the notices keep null", async () => {
    await load(teamWithSubstitute());
    await planReminders(db.db, { clock });
    clock.set(warsaw('2027-03-02T09:00').toISOString());
    const anna = await personId('anna@example.org');
    const answered = await answerMeeting(db.db, { teamId: 't1', occurrenceDate: '2027-03-09', personId: anna, answer: 'not_attending', substituteEmail: 'marta@example.org', source: 'link' }, clock);
    expect(answered.ok).toBe(true);
    const marta = (await reminders()).filter((r) => r.startsWith('marta'));
    expect(marta).toEqual([
      'marta 2027-03-09 P1D due 2027-03-08T18:00:00 earliest 2027-03-08T15:36:00',
      'marta 2027-03-09 PT2H due 2027-03-09T16:00:00 earliest 2027-03-09T15:48:00',
      'marta 2027-03-09 PT15M due 2027-03-09T17:45:00 earliest 2027-03-09T17:43:30',
    ]);
    // Moved to Thursday at 08:30: the day-before one is held to 07:00, the 2-hour one (06:30) keeps 07:00 too.
    await load(teamWithSubstitute('        - { date: 2027-03-09, moved_to: "2027-03-11T08:30" }'));
    await processScheduleChanges(db.db, clock);
    await replanTeam(db.db, 't1', clock);
    expect(await reminders()).toEqual([
      'anna 2027-03-09 P1D due 2027-03-10T08:30:00 earliest 2027-03-10T07:00:00',
      'anna 2027-03-09 PT2H due 2027-03-11T07:00:00 earliest 2027-03-11T07:00:00',
      'anna 2027-03-09 PT15M due 2027-03-11T08:15:00 earliest 2027-03-11T08:13:30',
      'ewa 2027-03-09 P1D due 2027-03-10T08:30:00 earliest 2027-03-10T07:00:00',
      'ewa 2027-03-09 PT2H due 2027-03-11T07:00:00 earliest 2027-03-11T07:00:00',
      'ewa 2027-03-09 PT15M due 2027-03-11T08:15:00 earliest 2027-03-11T08:13:30',
      'marta 2027-03-09 P1D due 2027-03-10T08:30:00 earliest 2027-03-10T07:00:00',
      'marta 2027-03-09 PT2H due 2027-03-11T07:00:00 earliest 2027-03-11T07:00:00',
      'marta 2027-03-09 PT15M due 2027-03-11T08:15:00 earliest 2027-03-11T08:13:30',
    ]);
    expect(await db.db.selectFrom('deliveries').select('id').where('kind', '!=', 'reminder').execute()).not.toEqual([]);
    expect(await othersWithEarliest()).toEqual([]);
  });

  it("follows a change of quiet hours, also one that moves only the early window", async () => {
    await load(teamWithSubstitute());
    await planReminders(db.db, { clock });
    // 20–16: the 2-hour reminder stays due at 16:00, but may no longer leave at 15:48.
    const ewa = await setQuiet('ewa@example.org', { from: 20, to: 16 });
    await replanPerson(db.db, ewa, clock);
    expect((await reminders()).filter((r) => r.startsWith('ewa'))).toEqual([
      'ewa 2027-03-09 P1D due 2027-03-08T18:00:00 earliest 2027-03-08T16:00:00',
      'ewa 2027-03-09 PT2H due 2027-03-09T16:00:00 earliest 2027-03-09T16:00:00',
      'ewa 2027-03-09 PT15M due 2027-03-09T17:45:00 earliest 2027-03-09T17:43:30',
    ]);
    // Changed again behind the planner's back, then the team changes: the re-plan re-times both.
    await setQuiet('ewa@example.org', { from: 9, to: 9 });
    await replanTeam(db.db, 't1', clock);
    expect((await reminders()).filter((r) => r.startsWith('ewa'))).toEqual([
      'ewa 2027-03-09 P1D due 2027-03-08T18:00:00 earliest 2027-03-08T15:36:00',
      'ewa 2027-03-09 PT2H due 2027-03-09T16:00:00 earliest 2027-03-09T15:48:00',
      'ewa 2027-03-09 PT15M due 2027-03-09T17:45:00 earliest 2027-03-09T17:43:30',
    ]);
  });

  it('writes what earliestSend gives for every row, whatever quiet hours each person has', async () => {
    await load(teamWithSubstitute());
    const quiet: Record<string, QuietHours> = { 'anna@example.org': { from: 8, to: 18 }, 'ewa@example.org': { from: 22, to: 2 } };
    for (const [email, q] of Object.entries(quiet)) await setQuiet(email, q);
    await planReminders(db.db, { clock });
    const rows = await db.db
      .selectFrom('deliveries')
      .innerJoin('people', 'people.id', 'deliveries.person_id')
      .select(['people.email', 'deliveries.due_at', 'deliveries.expires_at', 'deliveries.earliest_at'])
      .where('deliveries.kind', '=', 'reminder')
      .execute();
    expect(rows.length).toBe(6);
    for (const r of rows) {
      expect(new Date(r.earliest_at!).toISOString()).toBe(earliestSend(new Date(r.due_at), new Date(r.expires_at!), zone, quiet[r.email]).toISOString());
    }
  });
});
