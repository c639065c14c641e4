import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { renderDigest } from '../../src/reports/digest.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * A week's digest (Monday 08:00 to Monday 08:00, Warsaw) lists the meetings held in that week: a
 * meeting moved into the next week is held then, not in the week its rule date falls in (where,
 * when the digest is sent, it has not even taken place), and a meeting moved in from another
 * week is held in this one.
 */
describe.each(dialects)('the weekly digest with meetings moved across weeks on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-10T12:00:00Z');
  const lodz = async (week: string) => {
    const message = await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week }, 'pl');
    return message.items!.find((i) => i.title.startsWith('PZK Łódź'))!.lines;
  };

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
  }, 120_000);
  afterAll(async () => db?.close());

  it('should list a meeting in the week it is held, not the week of its rule date', async () => {
    // Łódź meets on the 2nd and 4th Tuesday at 10:00: Tuesday 23 March 2027 moved a week on, to Tuesday 30 March.
    await db.db.insertInto('meeting_exceptions').values({ team_id: 'lodz', occurrence_date: '2027-03-23', cancelled: false, moved_to_local: '2027-03-30T10:00', created_at: clock.now() }).execute();
    // The week from Monday 22 March 08:00: the meeting is no longer held in it.
    const before = await lodz('2027-03-29');
    expect(before.join('\n')).not.toContain('30 marca 2027');
    expect(before).toContain('Brak spotkań w tym tygodniu');
    // The week from Monday 29 March 08:00 (after the clock change): held on 30 March.
    expect(await lodz('2027-04-05')).toContain('Spotkania odbyte: 30 marca 2027');
  });

  it('should show a meeting restored since the week\'s last digest was rendered, not the occurrences kept from it', async () => {
    // Tuesday 9 March 2027 (Łódź's 2nd Tuesday, cancelled in the demo), in the week from Monday 8 March 08:00.
    expect(await lodz('2027-03-15')).toContain('Spotkania odwołane: 9 marca 2027');
    await db.db.deleteFrom('meeting_exceptions').where('team_id', '=', 'lodz').where('occurrence_date', '=', '2027-03-09').execute();
    expect(await lodz('2027-03-15')).toContain('Spotkania odbyte: 9 marca 2027');
  });
});
