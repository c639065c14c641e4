import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { PersonRow } from '../../src/db/tables.js';
import { submitPresence } from '../../src/participation/presence-checkin.js';
import { activityDayTimes } from '../../src/participation/presence-window.js';
import { dialects, demoDatabase } from '../support/databases.js';

/** Presence windows of a residential workshop (activity-days.ts hours), a substitute unticked after the member came back, and two lists confirmed at once. */
const person = async (db: Db, email: string): Promise<PersonRow> => db.db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirstOrThrow();

describe('A residential workshop from Monday 14:00 to Wednesday 12:00', () => {
  // The usual shape: arrive after lunch, leave at noon. Each day's window is 14:00–midnight.
  const workshop = { starts_local: '2027-03-15T14:00', ends_local: '2027-03-17T12:00', timezone: 'Europe/Warsaw' };
  it.each([
    ['2027-03-16', '2027-03-16T10:00'],
    ['2027-03-17', '2027-03-17T10:00'],
  ])('should let people check in on %s during the morning session (%s)', (day, at) => {
    const { start, end } = activityDayTimes(workshop, day);
    const moment = DateTime.fromISO(at, { zone: 'Europe/Warsaw' });
    expect({ open: start.toMillis() - 30 * 60_000 <= moment.toMillis(), notEnded: moment.toMillis() < end.toMillis() }).toEqual({ open: true, notEnded: true });
  });
  it('should not keep the last day open after the workshop ended at noon', () => {
    const { end } = activityDayTimes(workshop, '2027-03-17');
    expect(end.toISO()).toBe(DateTime.fromISO('2027-03-17T12:00', { zone: 'Europe/Warsaw' }).toISO());
  });
});

describe.each(dialects)('Presence check-in, review part 2, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-05T12:00:00Z');
  let anna: PersonRow; // coordinator of Łódź
  let jan: PersonRow; // RCPS staff
  let marta: PersonRow;
  let tomasz: PersonRow;
  let monika: PersonRow; // Łowicz, named as Tomasz's substitute
  const row = async (personId: number, day = '2027-01-12') =>
    (await db.db.selectFrom('attendance').select('present').where('ref_id', '=', 'lodz').where('day', '=', day).where('person_id', '=', personId).executeTakeFirst())?.present;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    [anna, jan, marta, tomasz, monika] = (await Promise.all(['anna.nowak', 'jan.kowalski', 'marta.grabowska', 'tomasz.zielinski', 'monika.wrobel'].map((n) => person(db, `${n}@example.org`)))) as [PersonRow, PersonRow, PersonRow, PersonRow, PersonRow];
  });
  afterAll(async () => db?.close());

  it('should not leave a substitute recorded present once the member takes the place back (the list can no longer reach them)', async () => {
    clock.set('2027-01-12T11:30:00Z');
    await db.db
      .insertInto('meeting_answers')
      .values({ team_id: 'lodz', occurrence_date: '2027-01-12', person_id: tomasz.id, answer: 'not_attending', reason: null, substitute_person_id: monika.id, substitute_email: monika.email, absence_id: null, source: 'chat', answered_at: clock.now() })
      .execute();
    expect(await submitPresence(db.db, clock, anna, 'lodz', '2027-01-12', `${marta.id},${monika.id}`)).toMatchObject({ ok: true });
    expect(await row(monika.id)).toBe(true);
    // Tomasz came himself after all: his answer changes, the coordinator corrects the list.
    await db.db.updateTable('meeting_answers').set({ answer: 'attending', substitute_person_id: null, substitute_email: null }).where('person_id', '=', tomasz.id).execute();
    expect(await submitPresence(db.db, clock, anna, 'lodz', '2027-01-12', `${marta.id},${tomasz.id}`)).toMatchObject({ ok: true });
    expect(await row(tomasz.id)).toBe(true);
    // The coordinator's list said Marta and Tomasz: Monika must not stay "present".
    expect(await row(monika.id)).not.toBe(true);
  });

  it('should keep the audit trail consistent with the list when two people confirm different lists at once', async () => {
    clock.set('2027-01-26T11:30:00Z');
    const lists = [`${marta.id}`, `${tomasz.id}`];
    const results = await Promise.all([submitPresence(db.db, clock, anna, 'lodz', '2027-01-26', lists[0]!), submitPresence(db.db, clock, jan, 'lodz', '2027-01-26', lists[1]!)]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const rows = await db.db.selectFrom('attendance').select(['person_id', 'present']).where('ref_id', '=', 'lodz').where('day', '=', '2027-01-26').orderBy('person_id').execute();
    // Each person's presence is the last audit row for them, and the whole list is one submitter's.
    const audit = await db.db.selectFrom('attendance_changes').select(['person_id', 'present', 'changed_by']).where('ref_id', '=', 'lodz').where('day', '=', '2027-01-26').orderBy('id').execute();
    const last = new Map(audit.map((a) => [a.person_id, a.present]));
    expect(rows.map((r) => [r.person_id, r.present])).toEqual(rows.map((r) => [r.person_id, last.get(r.person_id)]));
    const presentIds = rows.filter((r) => r.present).map((r) => String(r.person_id)).join(',');
    expect(lists).toContain(presentIds);
  });
});
