import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { changesOf, dataVersion, importFiles, scheduleDir, type ScheduleDir } from './support/import-helpers.js';
import { aMember, anActivity, aTeam, scheduleYaml } from './support/schedule-builder.js';

const FIRST = new Date('2026-11-20T09:00:00Z');
const LATER = new Date('2026-11-27T09:00:00Z');

type Entry = Record<string, unknown>;
interface Parts {
  lodz: Entry;
  lowicz?: Entry;
  workshop: Entry;
  coaching?: Entry;
}

const ewa = aMember({ name: 'Ewa Lis', email: 'ewa.lis@example.org', role: 'member' });

/** Two teams and two activities; `change` edits the parts before they are written out. */
function schedule(change: (parts: Parts) => void = () => {}): string {
  const parts: Parts = {
    lodz: aTeam({ members: [aMember(), ewa], meetings: { except: [{ date: '2027-03-09', cancelled: true }] } }),
    lowicz: aTeam({
      id: 'lowicz',
      name: 'PZK Łowicz',
      area: 'powiat',
      meetings: { rrule: 'FREQ=MONTHLY;BYDAY=1TH,3TH', starts: '2027-01-07T13:00' },
      members: [aMember({ name: 'Barbara Kowalczyk', email: 'barbara.kowalczyk@example.org' })],
    }),
    workshop: anActivity({ audience: ['lodz', 'lowicz'] }),
    coaching: anActivity({ id: 'coaching-2027-02', kind: 'coaching', title: 'Coaching', starts: '2027-02-03T12:00', ends: '2027-02-03T15:00' }),
  };
  change(parts);
  const teams = [parts.lodz, parts.lowicz].filter((t): t is Entry => t !== undefined);
  return scheduleYaml({ teams, activities: [parts.workshop, parts.coaching].filter((a): a is Entry => a !== undefined) });
}

const lodzMeetings = (parts: Parts) => parts.lodz.meetings as Entry;

describe.each(dialects)('importing a changed schedule on %s', (kind) => {
  let db: Db;
  let files: ScheduleDir;
  let file: string;

  beforeEach(async () => {
    db = await freshDatabase(kind);
    files = await scheduleDir();
    file = await files.write('lodz.yaml', schedule());
    await importFiles(db.db, [file], new FixedClock(FIRST));
  });
  afterEach(async () => {
    await db?.close();
    await files?.remove();
  });

  async function reimport(change: (parts: Parts) => void) {
    await files.write('lodz.yaml', schedule(change));
    return importFiles(db.db, [file], new FixedClock(LATER));
  }
  const series = (teamId: string) => db.db.selectFrom('meeting_series').selectAll().where('team_id', '=', teamId).executeTakeFirstOrThrow();
  const team = (id: string) => db.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const activity = (id: string) => db.db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('should raise the series sequence and record series_changed when the meetings move elsewhere', async () => {
    const lowiczBefore = await series('lowicz');
    const summary = await reimport((p) => (lodzMeetings(p).location = 'Sala 5, ul. Inna 2, Łódź'));
    expect(summary).toMatchObject({ changed: true, meetings: { updated: 1 }, teams: { updated: 0 } });
    expect(await series('lodz')).toMatchObject({ location: 'Sala 5, ul. Inna 2, Łódź', sequence: 1, updated_at: LATER });
    expect(await series('lowicz')).toEqual(lowiczBefore);
    expect(await changesOf(db.db)).toEqual([
      { kind: 'series_changed', team_id: 'lodz', person_id: null, activity_id: null, occurrence_date: null, details: { fields: ['location'] } },
    ]);
    expect(await dataVersion(db.db)).toBe(3);
    expect(await db.db.selectFrom('import_runs').select('id').execute()).toHaveLength(2);
  });

  it('should rename a team in place and raise its series sequence, since meeting titles carry the name', async () => {
    await reimport((p) => (p.lodz.name = 'PZK Łódź-Bałuty'));
    expect(await team('lodz')).toMatchObject({ name: 'PZK Łódź-Bałuty', updated_at: LATER, removed_at: null });
    expect((await series('lodz')).sequence).toBe(1);
    expect(await db.db.selectFrom('teams').select('id').execute()).toHaveLength(2);
  });

  it('should record meeting_cancelled with the date of a newly cancelled meeting', async () => {
    await reimport((p) => (lodzMeetings(p).except = [{ date: '2027-03-09', cancelled: true }, { date: '2027-03-23', cancelled: true }]));
    expect(await changesOf(db.db)).toEqual([
      expect.objectContaining({ kind: 'meeting_cancelled', team_id: 'lodz', occurrence_date: '2027-03-23' }),
    ]);
    const exceptions = await db.db.selectFrom('meeting_exceptions').select(['occurrence_date', 'cancelled']).orderBy('occurrence_date').execute();
    expect(exceptions).toEqual([
      { occurrence_date: '2027-03-09', cancelled: true },
      { occurrence_date: '2027-03-23', cancelled: true },
    ]);
    expect((await series('lodz')).sequence).toBe(1);
  });

  it('should record meeting_moved with where a meeting went, and meeting_restored for a meeting that takes place again', async () => {
    await reimport((p) => (lodzMeetings(p).except = [{ date: '2027-04-13', moved_to: '2027-04-14T12:00' }]));
    expect(await changesOf(db.db)).toEqual([
      expect.objectContaining({ kind: 'meeting_restored', team_id: 'lodz', occurrence_date: '2027-03-09', details: { by: 'import', from: null, to: '2027-03-09T09:00:00.000Z' } }),
      expect.objectContaining({
        kind: 'meeting_moved',
        team_id: 'lodz',
        occurrence_date: '2027-04-13',
        details: { by: 'import', from: '2027-04-13T08:00:00.000Z', to: '2027-04-14T10:00:00.000Z' },
      }),
    ]);
  });

  it('should mark a removed member removed, keep the person and record member_removed; re-adding clears it', async () => {
    const summary = await reimport((p) => (p.lodz.members = [aMember()]));
    expect(summary).toMatchObject({ memberships: { removed: 1 }, people: { removed: 1 } });
    const person = await db.db.selectFrom('people').selectAll().where('email', '=', 'ewa.lis@example.org').executeTakeFirstOrThrow();
    const membership = () => db.db.selectFrom('memberships').selectAll().where('person_id', '=', person.id).executeTakeFirstOrThrow();
    expect(person).toMatchObject({ name: 'Ewa Lis', removed_at: LATER });
    expect(await membership()).toMatchObject({ team_id: 'lodz', removed_at: LATER });
    expect(await changesOf(db.db)).toEqual([expect.objectContaining({ kind: 'member_removed', team_id: 'lodz', person_id: person.id })]);

    await files.write('lodz.yaml', schedule());
    const back = await importFiles(db.db, [file], new FixedClock('2026-12-04T09:00:00Z'));
    expect(back).toMatchObject({ memberships: { added: 0, updated: 1 }, people: { added: 0, updated: 1 } });
    expect(await membership()).toMatchObject({ removed_at: null, role: 'member' });
    const again = await db.db.selectFrom('people').select(['id', 'removed_at']).where('email', '=', 'ewa.lis@example.org').execute();
    expect(again).toEqual([{ id: person.id, removed_at: null }]);
  });

  it('should cancel an activity the file no longer lists: cancelled_at, sequence +1, activity_cancelled', async () => {
    const summary = await reimport((p) => delete p.coaching);
    expect(summary).toMatchObject({ activities: { removed: 1 } });
    expect(await activity('coaching-2027-02')).toMatchObject({ cancelled_at: LATER, sequence: 1 });
    expect(await activity('warsztaty-2027-1')).toMatchObject({ cancelled_at: null, sequence: 0 });
    expect(await changesOf(db.db)).toEqual([
      expect.objectContaining({ kind: 'activity_cancelled', activity_id: 'coaching-2027-02', details: { title: 'Coaching' } }),
    ]);
  });

  it('should raise the sequence and record activity_changed when an activity gets a new title', async () => {
    await reimport((p) => (p.workshop.title = 'Warsztaty kooperacyjne (wyjazdowe)'));
    expect(await activity('warsztaty-2027-1')).toMatchObject({ title: 'Warsztaty kooperacyjne (wyjazdowe)', sequence: 1, updated_at: LATER });
    expect(await changesOf(db.db)).toEqual([
      expect.objectContaining({ kind: 'activity_changed', activity_id: 'warsztaty-2027-1', details: { fields: ['title'] } }),
    ]);
  });

  it('should mark a team removed from its file and record team_removed, keeping the row', async () => {
    const summary = await reimport((p) => {
      delete p.lowicz;
      p.workshop.audience = ['lodz'];
    });
    expect(summary).toMatchObject({ teams: { removed: 1 }, activities: { updated: 1 } });
    expect(await team('lowicz')).toMatchObject({ removed_at: LATER, name: 'PZK Łowicz' });
    expect(await team('lodz')).toMatchObject({ removed_at: null });
    const kinds = (await changesOf(db.db)).map((c) => [c.kind, c.team_id ?? c.activity_id]);
    expect(kinds).toEqual(expect.arrayContaining([['team_removed', 'lowicz'], ['activity_changed', 'warsztaty-2027-1']]));
    const audience = await db.db.selectFrom('activity_audience').select('team_id').where('activity_id', '=', 'warsztaty-2027-1').execute();
    expect(audience).toEqual([{ team_id: 'lodz' }]);
  });

  // A removed team's members leave it, and the "no team left" rule then retires them.
  it('should end the memberships of a team removed from its file, and retire people left with no team', async () => {
    await reimport((p) => {
      delete p.lowicz;
      p.workshop.audience = ['lodz'];
    });
    const barbara = await db.db.selectFrom('people').selectAll().where('email', '=', 'barbara.kowalczyk@example.org').executeTakeFirstOrThrow();
    const membership = await db.db.selectFrom('memberships').selectAll().where('person_id', '=', barbara.id).executeTakeFirstOrThrow();
    expect(membership.removed_at).toEqual(LATER);
    expect(barbara.removed_at).toEqual(LATER);
  });
});
