import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { FixedClock } from '../../src/clock.js';
import { membersAt } from '../../src/participation/membership-periods.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

/**
 * Hostile review of membership periods (migration 0029) with clocks apart: a member removed by an
 * import on one host and added back by the next import on a host whose clock is behind gets a new
 * period that begins before the old one ended (the known overlap), and with the clock far enough
 * behind, before she ever joined: she is then a member of meetings held before her first day
 * (membersAt, the lists, the export). endPeriod already never closes a period before it began;
 * a period must likewise never begin before the last one of the same membership ended.
 */
describe.each(dialects)('a member added back on a clock behind (%s)', (kind) => {
  let db: Db | undefined;
  afterEach(async () => db?.close());

  const yaml = (withOla: boolean) => {
    const team = aTeam('mh').withMember('Anna Nowak', 'anna@example.org', 'coordinator');
    if (withOla) team.withMember('Ola Wiśniewska', 'ola@example.org');
    return aSchedule().with(team).toYaml();
  };

  it('should begin the new period no earlier than the end of the last one, so she is no member of a meeting before her first day', async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, new FixedClock('2027-01-01T08:00:00Z'), { 'mh.yaml': yaml(false) });
    await importYaml(db.db, new FixedClock('2027-01-20T10:00:00Z'), { 'mh.yaml': yaml(true) }); // host A adds Ola
    await importYaml(db.db, new FixedClock('2027-01-25T10:00:00Z'), { 'mh.yaml': yaml(false) }); // host A removes her
    await importYaml(db.db, new FixedClock('2027-01-10T10:00:00Z'), { 'mh.yaml': yaml(true) }); // host B, its clock behind, adds her back
    const ola = await db.db.selectFrom('people').select('id').where('email', '=', 'ola@example.org').executeTakeFirstOrThrow();
    const periods = await db.db.selectFrom('membership_periods').select(['started_at', 'ended_at']).where('person_id', '=', ola.id).orderBy('id').execute();
    expect(periods.map((p) => [new Date(p.started_at).toISOString(), p.ended_at && new Date(p.ended_at).toISOString()])).toEqual([
      ['2027-01-20T10:00:00.000Z', '2027-01-25T10:00:00.000Z'],
      ['2027-01-25T10:00:00.000Z', null],
    ]);
    // A meeting on 12 January, before Ola ever joined.
    const meeting = { start: DateTime.fromISO('2027-01-12T09:00:00Z'), end: DateTime.fromISO('2027-01-12T11:00:00Z') };
    const members = await membersAt(db.db, 'mh', meeting).select('memberships.person_id').execute();
    expect(members.map((m) => m.person_id)).not.toContain(ola.id);
  });
});
