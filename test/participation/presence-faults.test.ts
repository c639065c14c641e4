import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { markPresence, type PresenceMark } from '../../src/participation/presence.js';
import { dialects } from '../support/databases.js';
import { faultyDemoDatabase, InjectedFault, type FaultyDb } from '../support/faults.js';

/** A failure at each write of markPresence (the attendance row, its audit row, the commit) leaves nothing half-done. */
describe.each(dialects)('markPresence under database faults on %s', (kind) => {
  let f: FaultyDb;
  const clock = new FixedClock('2027-01-12T11:30:00Z');
  let mark: PresenceMark;

  beforeAll(async () => {
    f = await faultyDemoDatabase(kind, new FixedClock('2027-01-01T12:00:00Z'));
    const id = async (email: string) => (await f.db.db.selectFrom('people').select('id').where('email', '=', `${email}@example.org`).executeTakeFirstOrThrow()).id;
    mark = { kind: 'meeting', refId: 'lodz', day: '2027-01-12', personId: await id('marta.grabowska'), present: true, method: 'checkin', markedBy: await id('anna.nowak') };
  });
  afterAll(async () => f?.db.close());

  const state = async () => ({
    attendance: await f.db.db.selectFrom('attendance').select(['person_id', 'present']).execute(),
    changes: await f.db.db.selectFrom('attendance_changes').select(['person_id', 'present']).execute(),
  });

  it('should write both rows or neither, for a first mark and for a change', async () => {
    for (const present of [true, false]) {
      const before = await state();
      // Three writes: the attendance row, its audit row, the commit (checked on the successful run below).
      for (let i = 1; i <= 3; i++) {
        f.faults.failNth(i, { writesOnly: true });
        await expect(markPresence(f.db.db, { ...mark, present }, clock)).rejects.toBeInstanceOf(InjectedFault);
        f.faults.clearRules();
        expect(await state()).toEqual(before);
      }
      const writes = await f.faults.writesOf(async () => expect(await markPresence(f.db.db, { ...mark, present }, clock)).toMatchObject({ ok: true, changed: true }));
      expect(writes.map((w) => w.sql.split(' ').slice(0, 3).join(' '))).toEqual(['insert into "attendance"', 'insert into "attendance_changes"', 'commit']);
    }
    expect((await state()).changes).toHaveLength(2);
  });
});
