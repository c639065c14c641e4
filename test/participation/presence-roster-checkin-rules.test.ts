import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { presenceMessages, activityPresenceMessages } from '../../src/i18n/presence-messages.js';
import { meetingRoster } from '../../src/participation/meeting-roster.js';
import { endPeriod, startPeriods } from '../../src/participation/membership-periods.js';
import { submitPresence } from '../../src/participation/presence-checkin.js';
import { activityDays } from '../../src/participation/presence-window.js';
import { codeFor, selfCheckIn, MAX_FAILURES } from '../../src/participation/self-checkin.js';
import { hereAnswer } from '../../src/participation/here-command.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * Presence rules: Polish and English agreement of the counts, the days of an activity ending at
 * midnight, the meeting list of members at that occurrence, a cancelled activity's code (not a
 * guess), and the guessing limit under concurrent attempts.
 */
const idOf = async (db: Db, email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
const WORKSHOP = 'warsztaty-2027-1'; // 10–11 March 2027, 09:00–16:00 Warsaw (08:00–15:00 UTC)

describe('Polish agreement of the presence counts', () => {
  it.each([
    [1, '1 osoba obecna'],
    [2, '2 osoby obecne'],
    [5, '5 osób obecnych'],
    [22, '22 osoby obecne'],
    [25, '25 osób obecnych'],
  ])('should say "%s" present with the adjective agreeing (check-in and RCPS marking)', (n, expected) => {
    expect(presenceMessages.pl.saved(n as number, 1, false)).toContain(expected);
    expect(activityPresenceMessages.pl.saved(n as number, 1)).toContain(expected);
  });
});

describe('Days of an activity ending at midnight', () => {
  it('should not invent a second day for an evening activity 18:00–00:00', () => {
    expect(activityDays({ starts_local: '2027-03-10T18:00', ends_local: '2027-03-11T00:00' })).toEqual(['2027-03-10']);
  });
});

describe.each(dialects)('Presence list and self check-in rules on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-05T12:00:00Z');
  let anna: number; // coordinator of Łódź
  let marta: number; // member of Łódź
  let tomasz: number; // member of Łódź
  let monika: number; // member of Łowicz
  let katarzyna: number;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    [anna, marta, tomasz, monika, katarzyna] = (await Promise.all(
      ['anna.nowak', 'marta.grabowska', 'tomasz.zielinski', 'monika.wrobel', 'katarzyna.wisniewska'].map((n) => idOf(db, `${n}@example.org`)),
    )) as [number, number, number, number, number];
    await db.db.insertInto('invitations').values({ activity_id: WORKSHOP, person_id: katarzyna, sequence: 0, invited_at: clock.now() }).execute();
  });
  afterAll(async () => db?.close());

  // Łódź meets on Tuesday 12 January 2027, 10:00–12:00 Warsaw.
  it('should not record as absent a member who joined the team after the meeting (the roster is today\'s members)', async () => {
    clock.set('2027-01-13T09:00:00Z');
    // As the schedule import does, the membership (and its period) starts now, from the clock.
    await db.db.insertInto('memberships').values({ team_id: 'lodz', person_id: monika, role: 'member', removed_at: null, created_at: clock.now() }).execute();
    await startPeriods(db.db, [{ team_id: 'lodz', person_id: monika }], clock.now());
    const result = await submitPresence(db.db, clock, (await db.db.selectFrom('people').selectAll().where('id', '=', anna).executeTakeFirstOrThrow()), 'lodz', '2027-01-12', String(marta));
    expect(result.ok).toBe(true);
    const row = await db.db.selectFrom('attendance').select('present').where('ref_id', '=', 'lodz').where('day', '=', '2027-01-12').where('person_id', '=', monika).executeTakeFirst();
    // Monika was not a member on the 12th: she was neither present nor absent.
    expect(row).toBeUndefined();
  });

  it('should keep on the list a member who left the team after the meeting (markPresence allows them, the form hides them)', async () => {
    clock.set('2027-01-14T09:00:00Z');
    await db.db.updateTable('memberships').set({ removed_at: clock.now() }).where('team_id', '=', 'lodz').where('person_id', '=', tomasz).execute();
    await endPeriod(db.db, { team_id: 'lodz', person_id: tomasz }, clock.now());
    const roster = await meetingRoster(db.db, 'lodz', '2027-01-12');
    expect(roster.map((e) => e.personId)).toContain(tomasz);
  });

  it('should not tell an invited person "you are not invited" (and count a guess) when the activity was cancelled', async () => {
    const code = await codeFor(db.db, WORKSHOP, '2027-03-10');
    await db.db.updateTable('activities').set({ cancelled_at: new Date('2027-03-01T10:00:00Z') }).where('id', '=', WORKSHOP).execute();
    clock.set('2027-03-10T08:30:00Z');
    try {
      const result = await selfCheckIn(db.db, katarzyna, code, clock);
      const failures = await db.db.selectFrom('checkin_failures').select('id').where('person_id', '=', katarzyna).execute();
      expect(hereAnswer('pl', result).text).not.toContain('nie ma Pani/Pana na liście osób zaproszonych');
      expect(failures).toHaveLength(0);
    } finally {
      await db.db.updateTable('activities').set({ cancelled_at: null }).where('id', '=', WORKSHOP).execute();
    }
  });

  it('should allow no more than MAX_FAILURES wrong codes per quarter hour even when they arrive at once (two replicas)', async () => {
    clock.set('2027-03-10T09:00:00Z');
    await db.db.deleteFrom('checkin_failures').execute();
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect(await selfCheckIn(db.db, marta, 'AAAAAA', clock)).toMatchObject({ reason: 'wrong_code' });
    // The last allowed guess, typed ten times at once (a script over two replicas' connections).
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => selfCheckIn(db.db, marta, `AAAAC${CODE_TAIL[i]}`, clock)));
    const wrong = results.filter((r) => !r.ok && r.reason === 'wrong_code').length;
    const failures = await db.db.selectFrom('checkin_failures').select('id').where('person_id', '=', marta).execute();
    expect({ wrong, failures: failures.length }).toEqual({ wrong: 1, failures: MAX_FAILURES });
  });
});

const CODE_TAIL = 'ACDEFGHJKM';
