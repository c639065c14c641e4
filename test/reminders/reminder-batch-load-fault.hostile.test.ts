import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dataVersionWatch } from '../../src/db/data-version-watch.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';

/**
 * Hostile (review of 8f9ef4b). A failed rendering fails its row for good (deliver-row.ts: "could
 * not be rendered"). Before, one meeting's reminders shared one load: a statement that failed
 * (a dropped connection, a statement timeout) failed that meeting's rows only. The batch's one
 * load of every team is kept by the batch, rejected: every meeting reminder of the batch fails
 * with it, dozens of teams of a lump, none of them tried again.
 *
 * Hostile (review of d92deff). The data version only decides whether the batch's teams load may
 * be used; a failure to know it is no more this row's failure than a failed batch load. d92deff
 * read it outside the load's `.catch`: when the watch must read the version (after
 * DataVersionWatch.ownCommitUnknown, or while notifications are lost or our own write is not yet
 * committed) and that read failed, every row of the meeting (they share its rendering) failed
 * for good. Now a failed read loads for that row alone (RenderBatch.current).
 */
const team = (i: number) => `
  - id: t${i}
    name: PZK ${i}
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-30T1${i}:00
      duration: PT2H
      location: Sala ${i}
      reminders: [P7D]
    members:
      - { name: Koordynatorka ${i}, email: k${i}@example.org, role: coordinator }
      - { name: Członek ${i}, email: c${i}@example.org }`;

describe.each(dialects)('a batch of reminders whose first team load or data version read fails on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    ({ db, faults } = await faultyDatabase(kind));
    const parsed = parseScheduleText('t.yaml', `teams:${team(0)}${team(1)}\n`);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await planReminders(db.db, { clock });
  });
  afterEach(async () => db?.close());

  it("should fail only the rows of the meeting whose load failed, not every team's of the batch", async () => {
    const rows = (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('id').execute()) as DeliveryRow[];
    const of = (id: string) => rows.filter((r) => (r.payload as { teamId: string }).teamId === id);
    const render = deliveryRenderer(db.db, 'https://koop.example.org');
    const batch = new RenderBatch(rows);
    // The first team load of the batch fails once (t0's first row is rendered first).
    faults.failFirst(/from "teams" inner join "meeting_series"/);
    // Those rows may fail with it (or read their team again): either way the fault hit.
    await Promise.allSettled(of('t0').map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch)));
    expect(faults.queries.some((q) => q.failed)).toBe(true);
    const later = await Promise.allSettled(of('t1').map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch)));
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) {
      expect(r.status).toBe('fulfilled');
      expect((r as PromiseFulfilledResult<{ title: string } | undefined>).value?.title).toContain('PZK 1');
    }
  });

  it('should render every reminder of the batch when reading the data version fails once', async () => {
    const rows = (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('id').execute()) as DeliveryRow[];
    const render = deliveryRenderer(db.db, 'https://koop.example.org');
    const batch = new RenderBatch(rows);
    // A commit of ours whose version could not be read back: the watch reads the version at the next ask.
    const watch = dataVersionWatch(db.db);
    await watch.current();
    expect(watch.settled()).toBeDefined();
    watch.ownCommitUnknown();
    faults.failFirst(/from "data_version"/);
    const results = await Promise.allSettled(rows.map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch)));
    expect(faults.queries.some((q) => q.failed)).toBe(true);
    for (const [index, r] of results.entries()) {
      expect(r.status, `row ${index}`).toBe('fulfilled');
      const teamId = (rows[index]!.payload as { teamId: string }).teamId;
      expect((r as PromiseFulfilledResult<{ title: string } | undefined>).value?.title).toContain(`PZK ${teamId.slice(1)}`);
    }
  });
});
