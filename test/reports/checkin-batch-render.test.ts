import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dataVersionWatch, registerDataVersionWatch } from '../../src/db/data-version-watch.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { planSummaries } from '../../src/participation/summary-plans.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * A claimed batch of check-ins (the questions to coordinators after their meetings) or of
 * attendance summaries used to read each row's team and whether its person still coordinates it,
 * two statements a row. Now the
 * batch reads its teams and coordinators together, again after each change of the data version;
 * each question is still about its own team and goes only to a current coordinator.
 */
const TEAMS = 8;

function schedule(): string {
  const teams = Array.from({ length: TEAMS }, (_, i) => `
  - id: t${i}
    name: PZK ${i}
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-30T${String(8 + (i % 4)).padStart(2, '0')}:00
      duration: PT2H
      location: Sala ${i}
    members:
      - { name: Koordynatorka ${i}, email: k${i}@example.org, role: coordinator }
      - { name: Druga ${i}, email: d${i}@example.org, role: coordinator }
      - { name: Członek ${i}, email: c${i}@example.org }`);
  return `teams:${teams.join('')}\n`;
}

describe.each(dialects)('rendering a batch of check-ins on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule());
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await planCheckins(db.db, { clock });
    await planSummaries(db.db, { clock, horizonDays: 60 });
    // Rendered when they are sent: after every meeting of the day ended.
    clock.set('2027-03-31T12:00:00Z');
  });
  afterEach(async () => db?.close());

  const asks = async () =>
    (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'checkin').orderBy('id').execute()).filter((r) => (r.payload as { stage: string }).stage === 'ask') as DeliveryRow[];
  const teamOf = (row: DeliveryRow) => (row.payload as { teamId: string }).teamId;

  /** A renderer on a view of the database that counts the statements sent through it. */
  function countingRenderer() {
    const counter = { queries: 0 };
    const plugin: KyselyPlugin = { transformQuery: (args) => (counter.queries++, args.node), transformResult: async (args) => args.result };
    const counted = db.db.withPlugin(plugin);
    registerDataVersionWatch(counted, dataVersionWatch(db.db));
    const render = deliveryRenderer(counted, 'https://koop.example.org', 'a-secret-of-at-least-32-characters-long!');
    return { counter, render: (rows: DeliveryRow[], batch: RenderBatch) => Promise.all(rows.map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch))) };
  }

  it('should read the teams and coordinators of a whole batch in a few statements, each question about its own team', async () => {
    const rows = await asks();
    expect(rows.length).toBe(TEAMS * 2);
    const { counter, render } = countingRenderer();
    const messages = await render(rows, new RenderBatch(rows));
    // Two a row before (the team, then whether the person coordinates it): 32 here.
    expect(counter.queries).toBeLessThanOrEqual(3);
    for (const [index, row] of rows.entries()) {
      const team = teamOf(row).slice(1);
      expect(messages[index]?.title, `row ${index}`).toContain(`PZK ${team}`);
      expect(messages[index]?.text).toContain('30 marca 2027');
    }
  });

  it('should see a coordinator removed and a meeting cancelled after the batch began, reading the batch again once', async () => {
    const rows = await asks();
    const { counter, render } = countingRenderer();
    const batch = new RenderBatch(rows);
    const first = rows.filter((r) => teamOf(r) === 't0');
    expect((await render(first, batch)).every(Boolean)).toBe(true);
    await db.db
      .updateTable('memberships')
      .set({ removed_at: clock.now() })
      .where('team_id', '=', 't1')
      .where('person_id', 'in', (eb) => eb.selectFrom('people').select('id').where('email', '=', 'd1@example.org'))
      .execute();
    await db.db
      .insertInto('meeting_exceptions')
      .values({ team_id: 't2', occurrence_date: '2027-03-30', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: false, file_moved_to_local: null })
      .execute();
    counter.queries = 0;
    const later = rows.filter((r) => teamOf(r) !== 't0');
    const messages = await render(later, batch);
    expect(counter.queries, 'the batch read again once, not each row').toBeLessThanOrEqual(3);
    const emailOf = new Map((await db.db.selectFrom('people').select(['id', 'email']).execute()).map((p) => [p.id, p.email]));
    for (const [index, row] of later.entries()) {
      const email = emailOf.get(row.person_id!);
      if (teamOf(row) === 't2') expect(messages[index], 'the cancelled meeting is not asked about').toBeUndefined();
      else if (email === 'd1@example.org') expect(messages[index], 'no longer a coordinator').toBeUndefined();
      else expect(messages[index]?.title).toContain(`PZK ${teamOf(row).slice(1)}`);
    }
  });

  it('should read the teams and coordinators of a batch of attendance summaries together, each summary of its own team', async () => {
    const rows = (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'attendance_summary').orderBy('id').execute()) as DeliveryRow[];
    expect(rows.length).toBe(TEAMS * 2);
    await db.db.updateTable('memberships').set({ removed_at: clock.now() }).where('person_id', 'in', (eb) => eb.selectFrom('people').select('id').where('email', '=', 'd3@example.org')).execute();
    const { counter, render } = countingRenderer();
    const messages = await render(rows, new RenderBatch(rows));
    const emailOf = new Map((await db.db.selectFrom('people').select(['id', 'email']).execute()).map((p) => [p.id, p.email]));
    for (const [index, row] of rows.entries()) {
      if (emailOf.get(row.person_id!) === 'd3@example.org') expect(messages[index], 'no longer a coordinator').toBeUndefined();
      else expect(JSON.stringify(messages[index]), `row ${index}`).toContain(`PZK ${teamOf(row).slice(1)}`);
    }
    // Each summary still reads its own meeting's answers; the team and coordinator checks no longer per row (two a row before).
    const perRowBefore = rows.length * 2;
    expect(counter.queries).toBeLessThan(perRowBefore);
  });
});
