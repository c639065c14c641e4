import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

/**
 * Two replicas (or the CLI on another host) import with their own clocks, and clocks differ by
 * a few seconds. A member added by an import on a clock a little ahead, then removed by the next
 * import on a clock a little behind, has a period whose end would come before its start: the
 * check membership_periods_order refuses it, so the whole import (every team, person and
 * meeting in the files) fails until the slower clock passes the other's, and the
 * memberships row alone would not have cared (it has no such check).
 */
describe.each(dialects)('membership periods across replicas with clocks apart (%s)', (kind) => {
  let db: Db | undefined;
  afterEach(async () => db?.close());

  const yaml = (withOla: boolean) => {
    const team = aTeam('mh').withMember('Anna Nowak', 'anna@example.org', 'coordinator');
    if (withOla) team.withMember('Ola Wiśniewska', 'ola@example.org');
    return aSchedule().with(team).toYaml();
  };

  it('should import a removal made on a clock 5 s behind the one that added the member', async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, new FixedClock('2027-01-01T08:00:00Z'), { 'mh.yaml': yaml(false) });
    await importYaml(db.db, new FixedClock('2027-01-10T10:00:05Z'), { 'mh.yaml': yaml(true) }); // replica A
    const removal = importYaml(db.db, new FixedClock('2027-01-10T10:00:00Z'), { 'mh.yaml': yaml(false) }); // replica B, 5 s behind
    await expect(removal).resolves.toBeDefined();
    const ola = await db.db.selectFrom('people').select('id').where('email', '=', 'ola@example.org').executeTakeFirstOrThrow();
    const open = await db.db.selectFrom('membership_periods').select('id').where('person_id', '=', ola.id).where('ended_at', 'is', null).execute();
    expect(open).toEqual([]); // Ola is no member any more
  });
});
