import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { renderDigest } from '../../src/reports/digest.js';
import { dialects, demoDatabase } from '../support/databases.js';

/** Hostile: each change the kept occurrences could miss, rendered between two digests of the same week. */
describe.each(dialects)('the kept digest occurrences after schedule changes on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-10T12:00:00Z');
  // Other weeks per database: the module keeps occurrences across both runs.
  const week = kind === 'pglite' ? '2027-03-22' : '2027-05-24';
  const [ruleDay, into, again] = kind === 'pglite' ? ['2027-06-08', '17 marca 2027', '18 marca 2027'] : ['2027-09-14', '19 maja 2027', '20 maja 2027'];
  const moved = (d: string) => (kind === 'pglite' ? `2027-03-${d.slice(0, 2)}T10:00` : `2027-05-${d.slice(0, 2)}T10:00`);
  const lodz = async () => (await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week }, 'pl')).items!.find((i) => i.title.startsWith('PZK Łódź'))!.lines.join('\n');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
  }, 120_000);
  afterAll(async () => db?.close());

  it('should follow a meeting moved in from months away, moved again, the series replaced and the zone changed', async () => {
    expect(await lodz()).toContain('Brak spotkań w tym tygodniu');
    await db.db.insertInto('meeting_exceptions').values({ team_id: 'lodz', occurrence_date: ruleDay, cancelled: false, moved_to_local: moved(into), created_at: clock.now() }).execute();
    expect(await lodz()).toContain(`Spotkania odbyte: ${into}`);
    await db.db.updateTable('meeting_exceptions').set({ moved_to_local: moved(again) }).where('team_id', '=', 'lodz').where('occurrence_date', '=', ruleDay).execute();
    const second = await lodz();
    expect(second).toContain(`Spotkania odbyte: ${again}`);
    expect(second).not.toContain(into);
    await db.db.deleteFrom('meeting_exceptions').where('team_id', '=', 'lodz').where('occurrence_date', '=', ruleDay).execute();
    expect(await lodz()).toContain('Brak spotkań w tym tygodniu');
    await db.db.updateTable('meeting_series').set({ rrule: 'FREQ=WEEKLY;BYDAY=WE' }).where('team_id', '=', 'lodz').execute();
    expect(await lodz()).toContain(`Spotkania odbyte: ${into}`);
    // Mondays 07:30: in Warsaw before the week's start (Monday 08:00 Warsaw), so the week holds the
    // next Monday's; in Los Angeles 07:30 is the afternoon in Warsaw, so the week holds its first Monday's.
    await db.db.updateTable('meeting_series').set({ rrule: 'FREQ=WEEKLY;BYDAY=MO', starts_local: '2026-01-05T07:30' }).where('team_id', '=', 'lodz').execute();
    const warsaw = await lodz();
    await db.db.updateTable('teams').set({ timezone: 'America/Los_Angeles' }).where('id', '=', 'lodz').execute();
    const angeles = await lodz();
    expect(warsaw).toContain(kind === 'pglite' ? 'Spotkania odbyte: 22 marca 2027' : 'Spotkania odbyte: 24 maja 2027');
    expect(angeles).toContain(kind === 'pglite' ? 'Spotkania odbyte: 15 marca 2027' : 'Spotkania odbyte: 17 maja 2027');
  });
});
