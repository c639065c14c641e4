import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { markPresence, presenceOf, presenceOfPerson, type PresenceMark } from '../../src/participation/presence.js';
import { collectPersonalData, erasePersonalData } from '../../src/privacy/personal-data.js';
import { dialects, demoDatabase } from '../support/databases.js';

const idOf = async (db: Db, email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

describe.each(dialects)('Presence: who may mark whom, and when, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T12:00:00Z');
  let anna: number; // coordinator of Łódź
  let marta: number; // member of Łódź
  let tomasz: number; // member of Łódź
  let barbara: number; // coordinator of Łowicz
  let jan: number; // RCPS staff
  let monika: number; // member of Łowicz, named as a substitute below
  // Łódź meets on Tuesday 12 January 2027, 10:00–12:00 Warsaw (09:00–11:00 UTC).
  const meeting = (personId: number, markedBy: number, present = true): PresenceMark => ({ kind: 'meeting', refId: 'lodz', day: '2027-01-12', personId, present, method: 'checkin', markedBy });

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    const ids = await Promise.all(['anna.nowak', 'marta.grabowska', 'tomasz.zielinski', 'barbara.kowalczyk', 'jan.kowalski', 'monika.wrobel'].map((n) => idOf(db, `${n}@example.org`)));
    [anna, marta, tomasz, barbara, jan, monika] = ids as [number, number, number, number, number, number];
  });
  afterAll(async () => db?.close());

  it('should refuse before the meeting started, and record nothing', async () => {
    clock.set('2027-01-12T08:59:59Z');
    expect(await markPresence(db.db, meeting(marta, anna), clock)).toMatchObject({ ok: false, reason: 'too_early' });
    expect(await presenceOf(db.db, { kind: 'meeting', refId: 'lodz', day: '2027-01-12' })).toEqual([]);
  });

  it('should let the coordinator mark a member once it started, with one audit row per change and none for a repeat', async () => {
    clock.set('2027-01-12T09:00:00Z');
    expect(await markPresence(db.db, meeting(marta, anna), clock)).toEqual({ ok: true, changed: true, corrected: false });
    expect(await markPresence(db.db, meeting(marta, anna), clock)).toEqual({ ok: true, changed: false, corrected: false });
    const rows = await presenceOf(db.db, { kind: 'meeting', refId: 'lodz', day: '2027-01-12' });
    expect(rows).toMatchObject([{ personId: marta, present: true, method: 'checkin', markedBy: anna }]);
    const audit = await db.db.selectFrom('attendance_changes').selectAll().where('person_id', '=', marta).execute();
    expect(audit).toHaveLength(1);
  });

  it('should refuse a member marking others, or themselves, and a coordinator of another team', async () => {
    clock.set('2027-01-12T11:00:00Z');
    expect(await markPresence(db.db, meeting(tomasz, marta), clock)).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await markPresence(db.db, meeting(marta, marta, false), clock)).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await markPresence(db.db, meeting(tomasz, barbara), clock)).toMatchObject({ ok: false, reason: 'not_allowed' });
    // A member cannot pass as staff or as self check-in at a meeting either.
    expect(await markPresence(db.db, { ...meeting(tomasz, marta), method: 'staff' }, clock)).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await markPresence(db.db, { ...meeting(marta, marta), method: 'self' }, clock)).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await presenceOf(db.db, { kind: 'meeting', refId: 'lodz', day: '2027-01-12' })).toHaveLength(1);
  });

  it('should refuse someone not on the team unless named as a substitute for that occurrence', async () => {
    expect(await markPresence(db.db, meeting(monika, anna), clock)).toMatchObject({ ok: false, reason: 'not_listed' });
    await db.db
      .insertInto('meeting_answers')
      .values({ team_id: 'lodz', occurrence_date: '2027-01-12', person_id: tomasz, answer: 'not_attending', reason: null, substitute_person_id: monika, substitute_email: 'monika.wrobel@example.org', absence_id: null, source: 'chat', answered_at: clock.now() })
      .execute();
    expect(await markPresence(db.db, meeting(monika, anna), clock)).toMatchObject({ ok: true, changed: true });
    // Only for that occurrence.
    clock.set('2027-01-26T10:00:00Z');
    expect(await markPresence(db.db, { ...meeting(monika, anna), day: '2027-01-26' }, clock)).toMatchObject({ ok: false, reason: 'not_listed' });
  });

  it('should let RCPS staff mark, allow audited late changes for 14 days and refuse after', async () => {
    clock.set('2027-01-20T10:00:00Z');
    expect(await markPresence(db.db, { ...meeting(marta, jan, false), method: 'staff' }, clock)).toEqual({ ok: true, changed: true, corrected: true });
    // 14 days after the end (12:00 Warsaw on the 26th of January = 11:00 UTC): the last moment is just before.
    clock.set('2027-01-26T10:59:59Z');
    expect(await markPresence(db.db, meeting(marta, anna, true), clock)).toEqual({ ok: true, changed: true, corrected: true });
    clock.set('2027-01-26T11:00:00Z');
    expect(await markPresence(db.db, meeting(marta, anna, false), clock)).toMatchObject({ ok: false, reason: 'too_late' });
    const audit = await db.db.selectFrom('attendance_changes').select(['present', 'method', 'changed_by']).where('person_id', '=', marta).orderBy('id').execute();
    expect(audit).toEqual([
      { present: true, method: 'checkin', changed_by: anna },
      { present: false, method: 'staff', changed_by: jan },
      { present: true, method: 'checkin', changed_by: anna },
    ]);
  });

  it('should refuse a meeting that does not take place, or a date that is no meeting', async () => {
    clock.set('2027-03-09T12:00:00Z');
    // 9 March 2027 is cancelled in the demo schedule.
    expect(await markPresence(db.db, { ...meeting(marta, anna), day: '2027-03-09' }, clock)).toMatchObject({ ok: false, reason: 'no_subject' });
    expect(await markPresence(db.db, { ...meeting(marta, anna), day: '2027-03-10' }, clock)).toMatchObject({ ok: false, reason: 'no_subject' });
  });

  it('should record a multi-day workshop per local day, by staff for invited people only', async () => {
    await db.db.insertInto('invitations').values({ activity_id: 'warsztaty-2027-1', person_id: tomasz, sequence: 0, invited_at: clock.now() }).execute();
    const day = (d: string, personId: number, present = true): PresenceMark => ({ kind: 'activity', refId: 'warsztaty-2027-1', day: d, personId, present, method: 'staff', markedBy: jan });
    clock.set('2027-03-10T08:00:00Z');
    expect(await markPresence(db.db, day('2027-03-10', tomasz), clock)).toMatchObject({ ok: true });
    // The second day has not started yet.
    expect(await markPresence(db.db, day('2027-03-11', tomasz), clock)).toMatchObject({ ok: false, reason: 'too_early' });
    expect(await markPresence(db.db, day('2027-03-12', tomasz), clock)).toMatchObject({ ok: false, reason: 'no_subject' });
    expect(await markPresence(db.db, day('2027-03-10', marta), clock)).toMatchObject({ ok: false, reason: 'not_listed' });
    expect(await markPresence(db.db, { ...day('2027-03-10', tomasz), markedBy: anna }, clock)).toMatchObject({ ok: false, reason: 'not_allowed' });
    clock.set('2027-03-11T08:00:00Z');
    expect(await markPresence(db.db, day('2027-03-11', tomasz, false), clock)).toMatchObject({ ok: true });
    expect((await presenceOf(db.db, { kind: 'activity', refId: 'warsztaty-2027-1' })).map((r) => [r.day, r.present])).toEqual([
      ['2027-03-10', true],
      ['2027-03-11', false],
    ]);
  });

  it('should show the person their own presence in moje-dane, and erase it with them', async () => {
    expect((await presenceOfPerson(db.db, tomasz)).map((r) => r.day)).toEqual(['2027-03-11', '2027-03-10']);
    const data = await collectPersonalData(db.db, tomasz, clock);
    expect((data.parts.attendance as { attendance: unknown[] }).attendance).toHaveLength(2);
    await erasePersonalData(db.db, tomasz, clock);
    expect(await presenceOfPerson(db.db, tomasz)).toEqual([]);
    expect(await db.db.selectFrom('attendance_changes').select('id').where('person_id', '=', tomasz).execute()).toEqual([]);
  });
});
